"""Benchmarks: synthetic bases, the engine, the reference engine, the site, relevance; written to docs/benchmarks.md."""
