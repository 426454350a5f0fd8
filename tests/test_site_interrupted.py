"""A killed `essaim build` leaves the previous site whole and served (real processes)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

from conftest import CONTENT, ROOT


def test_killed_build_leaves_the_previous_site(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    build = [sys.executable, "-m", "essaim", "--content", str(CONTENT), "build"]
    subprocess.run(build, cwd=tmp_path, check=True, capture_output=True)
    site = tmp_path / "build" / "site"
    served = site.resolve()
    home = (site / "index.html").read_text(encoding="utf-8")
    process = subprocess.Popen(build, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((tmp_path / "build").glob("site-gen-*"))) < 2:
        time.sleep(0.01)
    time.sleep(0.5)  # mkdocs is now writing the new generation
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert site.resolve() == served
    assert (site / "index.html").read_text(encoding="utf-8") == home
    assert (site / "recherche-index" / "manifeste.json").exists()
    # The next build publishes a new generation and removes the leftovers.
    subprocess.run(build, cwd=tmp_path, check=True, capture_output=True)
    assert site.resolve() != served and len(list((tmp_path / "build").glob("site-gen-*"))) == 1


def test_concurrent_builds_wait_for_each_other(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    build = [sys.executable, "-m", "essaim", "--content", str(CONTENT), "build"]
    runs = [subprocess.Popen(build, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outcomes = [run.communicate(timeout=600) + (run.returncode,) for run in runs]
    assert all(code == 0 for _, _, code in outcomes), outcomes
    site = tmp_path / "build" / "site"
    assert (site / "index.html").exists() and (site / "recherche-index" / "manifeste.json").exists()
    assert len(list((tmp_path / "build").glob("site-gen-*"))) == 1
