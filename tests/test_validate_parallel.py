"""Validation in worker processes gives exactly what validation in one process gives.

The checks run in a fresh interpreter (tests/parallel_probe.py): this test process may hold
other threads, beside which essaim.pipeline.parallel rightly refuses to fork."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT

PROBE = Path(__file__).with_name("parallel_probe.py")


@pytest.fixture(scope="module")
def facts(tmp_path_factory) -> dict:
    """The probe's findings on the real content plus one file for each way of failing."""
    root = tmp_path_factory.mktemp("parallel") / "content"
    shutil.copytree(CONTENT, root)
    actions = root / "actions"
    example = (actions / "en-route-pour-ma-sante-poitiers.md").read_text(encoding="utf-8")
    (actions / "aa-binaire.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (actions / "ab-yaml.md").write_text(example.replace("statut: en_cours", "statut: [en_cours", 1), encoding="utf-8")
    (actions / "zz-modele.md").write_text(example.replace("themes: [acces_aux_droits,", "themes: [inconnu,", 1),
                                          encoding="utf-8")
    (actions / "zz-lien.md").write_text(example.replace("## Objectifs\n", "## Objectifs\n\n[x](absente.md)\n", 1),
                                        encoding="utf-8")
    (actions / "EN-ROUTE-POUR-MA-SANTE-POITIERS.md").write_text(example, encoding="utf-8")
    done = subprocess.run([sys.executable, str(PROBE), str(root)], capture_output=True, text=True, timeout=300,
                          cwd=root.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_workers_report_the_same_problems_and_documents(facts):
    assert set(facts["error_codes"]) >= {"fichier-binaire", "yaml-syntaxe", "valeur-inconnue", "lien-casse",
                                         "id-invalide", "doublon-probable"}
    assert facts["checked"] > 100
    assert facts["same_diagnostics"] and facts["same_documents"]


def test_results_keep_the_order_of_the_items(facts):
    assert facts["ordered"]


def test_work_is_shared_between_processes_only_when_it_is_safe(facts):
    assert facts["forked"]
    assert facts["beside_a_thread_here"]  # forking beside another thread could deadlock
    assert facts["worker_does_it_itself"]  # a pool's worker may not start processes


def test_few_items_stay_in_this_process(facts):
    assert facts["few_items_here"]


def test_one_threshold_per_kind_of_work_and_no_pool_where_forking_is_unsafe(monkeypatch):
    from essaim.pipeline import parallel

    assert 1 <= parallel.cpu_count() <= (os.cpu_count() or 1)
    assert parallel.pool_size("documents", parallel.PARALLEL_FROM["documents"] - 1) == 1
    monkeypatch.setattr(parallel, "cpu_count", lambda: 8)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    assert parallel.pool_size("documents", parallel.PARALLEL_FROM["documents"]) == parallel.MAX_WORKERS
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.pool_size("documents", 10**6) == 1
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "cpu_count", lambda: 1)
    assert parallel.pool_size("cards", 10**6) == 1
    with pytest.raises(KeyError):
        parallel.pool_size("unknown work", 10)


def test_the_collector_is_left_alone_by_the_library_and_set_by_the_command():
    """gc.freeze is process-wide: validating (a library call) must not do it; a command loading the catalog does."""
    import gc

    from essaim.cli.main import load_catalog
    from essaim.pipeline.load import discover
    from essaim.pipeline.validate import validate_files

    gc.unfreeze()
    validate_files(discover(CONTENT)[:20])
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    try:
        load_catalog(CONTENT)
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()
