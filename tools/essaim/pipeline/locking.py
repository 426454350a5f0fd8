"""One writer at a time across processes: an exclusive lock on a file (released by the kernel if the holder dies)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    pass


@contextmanager
def exclusive(lock_file: Path, what: str, timeout: float) -> Iterator[None]:
    """Hold the lock on lock_file, waiting up to timeout seconds; Busy names `what` when it cannot."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(f"{what} est en cours d'écriture par un autre processus") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
