"""Run one function over many items in worker processes, when that pays.

Validating 10,000 cards is mostly reading files and parsing YAML and Markdown:
work that splits cleanly per file. Below a few thousand items, starting the
processes costs more than it saves, so the work stays in this process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 1500  # items; measured: below this, a pool costs more than it saves
CHUNK = 250  # items sent to a worker at a time
MAX_WORKERS = 4


def ordered_map(function: Callable[[Item], Result], items: list[Item], workers: int | None = None) -> Iterator[Result]:
    """function(item) for each item, in order; in forked workers when there are many items.

    workers: how many processes (default: one per processor, up to MAX_WORKERS, from
    PARALLEL_FROM items on). Where forking is not possible or not safe (see can_fork),
    everything runs here. function must be defined at module level and its results picklable."""
    if workers is None:
        workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS) if len(items) >= PARALLEL_FROM else 1
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
