"""Static hosting: precompressed copies (.gz and .br) written next to the site's text files, so that a server
(nginx `gzip_static` / `brotli_static`, docs/hebergement.md) sends them without compressing on each request.

Files below MIN_SIZE are left alone (the headers would outweigh the saving), and so are files that are already
compressed (the search index's .gz parts, images, the SQLite base).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".svg", ".csv", ".txt", ".map")
MIN_SIZE = 1024
BROTLI_QUALITY = 5  # 9 saves 1.7 % more in 3.5 times as long, 11 10 % more in 20 times (docs/benchmarks.md)
GZIP_LEVEL = 9


@dataclass
class Saving:
    files: int = 0
    original: int = 0
    gzip: int = 0
    brotli: int = 0
    by_suffix: dict[str, list[int]] = field(default_factory=dict)  # suffix -> [original, gzip, brotli]


def text_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file() and not p.is_symlink()
                  and p.stat().st_size >= MIN_SIZE)


def precompress(site: Path, brotli_quality: int = BROTLI_QUALITY) -> Saving:
    """Write <file>.gz and <file>.br next to each text file of the built site; return the sizes.
    Many files are shared between processes (essaim.pipeline.parallel, kind « compressed files »)."""
    from essaim.pipeline.parallel import ordered_map

    saving = Saving()
    files = [(path, brotli_quality) for path in text_files(site)]
    for suffix, *counts in ordered_map(_compress, files, kind="compressed files"):
        saving.files += 1
        saving.original, saving.gzip, saving.brotli = (saving.original + counts[0], saving.gzip + counts[1],
                                                       saving.brotli + counts[2])
        sizes = saving.by_suffix.setdefault(suffix, [0, 0, 0])
        for i, n in enumerate(counts):
            sizes[i] += n
    return saving


def _compress(task: tuple[Path, int]) -> tuple[str, int, int, int]:
    """Write one file's .gz and .br copies; (suffix, original, gzip and brotli sizes)."""
    import brotli

    path, brotli_quality = task
    data = path.read_bytes()
    packed_gzip = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    packed_brotli = brotli.compress(data, quality=brotli_quality,
                                    mode=brotli.MODE_TEXT if path.suffix != ".json" else brotli.MODE_GENERIC)
    path.with_name(path.name + ".gz").write_bytes(packed_gzip)
    path.with_name(path.name + ".br").write_bytes(packed_brotli)
    return path.suffix, len(data), len(packed_gzip), len(packed_brotli)
