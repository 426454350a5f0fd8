"""Editors' tools: proposals from issues, new cards, changed files, corrections, the editorial report."""
