"""The search index survives a killed build and concurrent writers (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import CONTENT, ROOT
from essaim.search import SearchIndex

ESSAIM = [sys.executable, "-m", "essaim", "--content", str(CONTENT)]


def index_command(root, *extra):
    return [*ESSAIM, "index", "--index", str(root), *extra]


def test_killed_rebuild_leaves_the_previous_index_in_service(tmp_path):
    root = tmp_path / "index"
    subprocess.run(index_command(root), check=True, capture_output=True, cwd=ROOT)
    before = SearchIndex(root)
    expected = before.document_count()
    served = (root / "current").resolve()
    before.close()
    process = subprocess.Popen(index_command(root, "--rebuild"), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(root.glob("gen-*"))) < 2:
        time.sleep(0.005)
    assert len(list(root.glob("gen-*"))) == 2, "the rebuild never started writing aside"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (root / "current").resolve() == served
    after = SearchIndex(root)
    assert after.stale_reason() is None and after.document_count() == expected
    assert after.search("médiation").total > 0
    after.close()
    # The next run takes the lock the dead process held (released by the kernel) and cleans up.
    subprocess.run(index_command(root, "--rebuild"), check=True, capture_output=True, cwd=ROOT)
    assert len(list(root.glob("gen-*"))) == 1


def test_concurrent_writers_wait_for_each_other(tmp_path):
    root = tmp_path / "index"
    runs = [subprocess.Popen(index_command(root, "--rebuild"), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [run.communicate(timeout=300) + (run.returncode,) for run in runs]
    assert all(code == 0 for _, _, code in outcomes), outcomes
    search_index = SearchIndex(root)
    assert search_index.stale_reason() is None
    assert search_index.document_count() > 0 and len(list(root.glob("gen-*"))) == 1
    search_index.close()
