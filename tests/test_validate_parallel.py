"""Validation in worker processes gives exactly what validation in one process gives.

The checks run in a fresh interpreter (tests/parallel_probe.py): this test process may hold
other threads, beside which essaim.pipeline.parallel rightly refuses to fork."""

from __future__ import annotations

import json
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
