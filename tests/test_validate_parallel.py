"""Validation in worker processes gives exactly what validation in one process gives."""

from __future__ import annotations

import os
import shutil
import threading

from conftest import CONTENT

from essaim import parallel
from essaim.load import discover
from essaim.validate import validate_files


def _pid(_item) -> int:
    return os.getpid()


def _square(number: int) -> int:
    return number * number


def broken_content(tmp_path):
    """The real content plus one file for each way of failing, spread across chunks."""
    root = tmp_path / "content"
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
    return root


def test_workers_report_the_same_problems_and_documents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = discover(broken_content(tmp_path))
    monkeypatch.setattr(parallel, "CHUNK", 7)  # many chunks, so that order across chunks is exercised
    alone = validate_files(files, workers=1)
    shared = validate_files(files, workers=2)
    assert {d.code for d in alone.errors} >= {"fichier-binaire", "yaml-syntaxe", "valeur-inconnue", "lien-casse",
                                              "id-invalide", "doublon-probable"}
    assert shared.diagnostics == alone.diagnostics
    assert [c.document.path for c in shared.checked] == [c.document.path for c in alone.checked]
    assert [c.meta for c in shared.checked] == [c.meta for c in alone.checked]
    assert [c.document.outline for c in shared.checked] == [c.document.outline for c in alone.checked]


def test_results_keep_the_order_of_the_items(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 3)
    assert list(parallel.ordered_map(_square, list(range(50)), workers=2)) == [n * n for n in range(50)]


def test_work_is_shared_between_processes_only_when_it_is_safe(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 2)
    assert set(parallel.ordered_map(_pid, list(range(8)), workers=2)) - {os.getpid()}
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:  # forking beside another thread could deadlock: everything runs here instead
        assert set(parallel.ordered_map(_pid, list(range(8)), workers=2)) == {os.getpid()}
    finally:
        release.set()
        other.join()


def test_few_items_stay_in_this_process():
    assert set(parallel.ordered_map(_pid, list(range(parallel.PARALLEL_FROM - 1)))) == {os.getpid()}


def _pids_inside_a_worker(_item) -> set[int]:
    return set(parallel.ordered_map(_pid, list(range(8)), workers=2))


def test_a_pool_worker_does_the_work_itself(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 1)
    for inner in parallel.ordered_map(_pids_inside_a_worker, [0, 1], workers=2):
        assert len(inner) == 1 and os.getpid() not in inner
