"""A killed `essaim build` leaves the previous site whole and served (real processes)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT


def group_members(group: int) -> dict[int, str]:
    """pid -> command line of the live processes of a process group (Linux /proc; zombies left out)."""
    members = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                members[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we read it
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lit les processus dans /proc (Linux)")
def test_killed_build_leaves_the_previous_site(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    build = [sys.executable, "-m", "essaim", "--content", str(CONTENT), "build"]
    subprocess.run(build, cwd=tmp_path, check=True, capture_output=True)
    site = tmp_path / "build" / "site"
    served = site.resolve()
    home = (site / "index.html").read_text(encoding="utf-8")
    # Its own process group: the build and the mkdocs it starts are killed together, as a terminal's Ctrl-C or a
    # CI timeout does, and nothing is left running once the test is over.
    process = subprocess.Popen(build, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    group = os.getpgid(process.pid)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(" mkdocs build" in c for c in group_members(group).values()):
            time.sleep(0.01)
        assert any(" mkdocs build" in c for c in group_members(group).values()), "mkdocs n'a pas démarré"
        time.sleep(0.5)  # mkdocs is now writing the new generation
    finally:
        os.killpg(group, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 2  # the time to reap killed processes; an orphan mkdocs would run for far longer
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(group) == {}, "processus orphelins après l'arrêt de la construction"
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
