"""A real mkdocs build of the real content."""

from __future__ import annotations

import shutil

from conftest import CONTENT, ROOT
from essaim.build import SITE_DIR, build_site
from essaim.catalog import open_catalog


def test_real_content_builds_into_a_site_with_one_page_per_card(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    catalog, validation = open_catalog(CONTENT)
    assert not validation.errors
    assert build_site(catalog, tmp_path / "mkdocs.yml") == 0
    site = tmp_path / SITE_DIR
    for card in catalog.cards:
        page = (site / "actions" / card.id / "index.html").read_text(encoding="utf-8")
        assert card.meta.title.replace("'", "&#39;") in page or card.meta.title in page
        assert "Problématique et contexte" in page
    assert "fiches" in (site / "index.html").read_text(encoding="utf-8")
