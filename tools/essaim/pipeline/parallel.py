"""Worker processes, one rule for all: every pool of essaim asks this module whether and how wide to go.

Validating 10,000 cards is mostly reading files and parsing YAML and Markdown: work that splits
cleanly per file. Below a few thousand items, starting the processes costs more than it saves,
so the work stays in this process. Each kind of work has its threshold (PARALLEL_FROM), measured
once and written here; the number of processors is counted one way (cpu_count), on Linux and macOS.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Kind of work -> number of items from which a pool pays (measured: below it, the pool costs more than it saves).
PARALLEL_FROM = {
    "files": 1500,  # content files read, parsed and checked (essaim.pipeline.validate)
    "documents": 2000,  # documents written to the whoosh index (essaim.search.engine, procs=)
    "cards": 200,  # cards of a site build: index and similar cards beside the pages (essaim.site.build)
    "compressed files": 300,  # files of the built site given .gz and .br copies (essaim.site.compress)
}
CHUNK = 250  # items sent to a worker at a time
MAX_WORKERS = 4


def cpu_count() -> int:
    """Processors this process may use: os.process_cpu_count (Python 3.13), else the affinity mask
    (Linux), else every processor of the machine (macOS has no affinity mask)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def pool_size(kind: str, items: int, most: int = MAX_WORKERS) -> int:
    """How many processes `items` items of a kind of work (a key of PARALLEL_FROM) deserve: one below
    its threshold, on a single processor, or where forking is not possible or not safe (can_fork)."""
    if items < PARALLEL_FROM[kind]:
        return 1
    wanted = min(cpu_count(), most)
    return wanted if wanted > 1 and can_fork() else 1


def ordered_map(function: Callable[[Item], Result], items: list[Item], workers: int | None = None,
                kind: str = "files") -> Iterator[Result]:
    """function(item) for each item, in order; in forked workers when there are many items.

    workers: how many processes (default: pool_size(kind, len(items))). Where forking is
    not possible or not safe (see can_fork), everything runs here. function must be defined at
    module level and its results picklable."""
    if workers is None:
        workers = pool_size(kind, len(items))
    if workers <= 1 or not can_fork():
        yield from map(function, items)
        return
    import multiprocessing

    chunks = [(function, items[start : start + CHUNK]) for start in range(0, len(items), CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for results in pool.imap(_run_chunk, chunks):
            yield from results


def can_fork() -> bool:
    """True where worker processes can be forked safely: the system forks, this process runs
    a single thread (a fork beside other threads may deadlock), and it is not itself a pool's
    worker (those may not start processes). multiprocessing is imported only when asked, so
    that commands which never start processes do not pay for it at start-up."""
    import multiprocessing

    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


def _run_chunk(task: tuple[Callable, list]) -> list:
    function, items = task
    return [function(item) for item in items]
