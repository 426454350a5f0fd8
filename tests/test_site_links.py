"""The built site has no broken internal link or anchor."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from conftest import CONTENT, ROOT
from essaim.site.build import SITE_DIR, build_site, read_config
from essaim.pipeline.catalog import open_catalog
from linkcheck import broken_links


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    catalog, _ = open_catalog(CONTENT)
    assert build_site(catalog, folder / "mkdocs.yml") == 0
    return folder / SITE_DIR


def test_no_broken_internal_links_or_anchors(site):
    served_under = urlsplit(read_config(ROOT / "mkdocs.yml").get("site_url") or "/").path
    broken = broken_links(site, served_under)
    assert not broken, "\n".join(f"{b.page} → {b.target} ({b.reason})" for b in broken[:30])


def test_the_checker_sees_a_broken_link_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="b/">cassé</a><a href="#haut">ancre</a>',
                                         encoding="utf-8")
    (tmp_path / "a" / "index.html").write_text('<h1 id="titre">A</h1><a href="../#titre">x</a>', encoding="utf-8")
    found = {(b.page, b.target, b.reason) for b in broken_links(tmp_path)}
    assert found == {("index.html", "b/", "page ou fichier absent"), ("index.html", "#haut", "ancre absente"),
                     ("a/index.html", "../#titre", "ancre absente")}
