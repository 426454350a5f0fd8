"""Run by tests/test_validate_parallel.py in a fresh interpreter: a test process may hold other
threads (browser, server fixtures), and essaim.pipeline.parallel rightly refuses to fork beside them.

    python tests/parallel_probe.py CONTENT  ->  JSON facts on stdout
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from essaim.pipeline import parallel
from essaim.pipeline.load import discover
from essaim.pipeline.validate import validate_files


def pid(_item) -> int:
    return os.getpid()


def square(number: int) -> int:
    return number * number


def pids_inside_a_worker(_item) -> list[int]:
    return sorted(set(parallel.ordered_map(pid, list(range(8)), workers=2)))


def pids_beside_a_thread() -> set[int]:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        return set(parallel.ordered_map(pid, list(range(8)), workers=2))
    finally:
        release.set()
        other.join()


def main(content: Path) -> dict:
    me = os.getpid()
    parallel.CHUNK = 7  # many chunks, so that order across chunks is exercised
    files = discover(content)
    alone, shared = validate_files(files, workers=1), validate_files(files, workers=2)
    same_documents = ([(c.document.path, c.meta, c.document.outline) for c in shared.checked]
                      == [(c.document.path, c.meta, c.document.outline) for c in alone.checked])
    parallel.CHUNK = 2
    inner = list(parallel.ordered_map(pids_inside_a_worker, [0, 1], workers=2))
    return {
        "error_codes": sorted({d.code for d in alone.errors}),
        "same_diagnostics": shared.diagnostics == alone.diagnostics,
        "same_documents": same_documents,
        "checked": len(alone.checked),
        "ordered": list(parallel.ordered_map(square, list(range(50)), workers=2)) == [n * n for n in range(50)],
        "forked": bool(set(parallel.ordered_map(pid, list(range(8)), workers=2)) - {me}),
        "beside_a_thread_here": pids_beside_a_thread() == {me},
        "worker_does_it_itself": all(len(p) == 1 and me not in p for p in inner),
        "few_items_here": set(parallel.ordered_map(pid, list(range(parallel.PARALLEL_FROM["files"] - 1)))) == {me},
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
