"""docs/benchmarks.md is written by several benchmarks: each owns one section between markers.

    replace_section(path, "site", text)   # between <!-- bench:site --> and <!-- /bench:site -->
    machine()                             # « 2 cœurs, Python 3.11.7, x86_64 », the same line for every bench
"""

from __future__ import annotations

import platform
from pathlib import Path

HEADER = "# Mesures de performance\n\n"


def replace_section(path: Path, key: str, text: str) -> None:
    """Replace the section `key` of the file (appended when absent), keeping every other section."""
    begin, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    content = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"{begin}\n{text}\n{end}"
    if begin in content and end in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end):]
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(content, encoding="utf-8")


def machine() -> str:
    """The machine a measurement ran on, as every section states it (processors counted as the pools count them)."""
    from essaim.pipeline.parallel import cpu_count

    return f"{cpu_count()} cœurs, Python {platform.python_version()}, {platform.machine()}"
