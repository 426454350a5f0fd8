"""Every output reads the catalog, never the content files: the report and the site's pages come out the same
when the content folder is gone after loading.

What the catalog keeps for them: each card's and guide's outline (sections, links with their lines), each
card's source dates (for « Informations de 2021 »), each source's file and key lines, and the content root.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from conftest import CONTENT, ROOT
from essaim.editorial.report import editorial_report, external_links, report_text
from essaim.pipeline.catalog import open_catalog
from essaim.site.build import read_config, write_site_pages
from essaim.site.markup import md_text

TODAY = date(2026, 12, 4)
CARDS = 30  # real cards copied (all guides and sources are): enough for every kind of page, and quick


def _copy_content(target: Path) -> None:
    """Real content, its cards updated after their sources: their information is as old as the sources say."""
    shutil.copytree(CONTENT, target, ignore=lambda folder, names: sorted(
        name for name in names if Path(folder).name == "actions" and name not in KEPT))
    for card in (target / "actions").glob("*.md"):
        card.write_text(re.sub(r"(?m)^mise_a_jour: .*$", 'mise_a_jour: "2026-11"', card.read_text("utf-8"), count=1),
                        encoding="utf-8")


KEPT = sorted(path.name for path in (CONTENT / "actions").glob("*.md"))[:CARDS]


def _outputs(catalog, where: Path) -> dict:
    """The report (text and the link places it would check) and the pages `essaim build` writes for mkdocs."""
    docs = where / "docs"
    write_site_pages(catalog, docs, where / "index", read_config(ROOT / "mkdocs.yml"), ROOT, {})
    pages = {str(path.relative_to(docs)): path.read_bytes() for path in sorted(docs.rglob("*")) if path.is_file()}
    return {"report": report_text(editorial_report(catalog, today=TODAY)), "links": external_links(catalog),
            "pages": pages}


def test_report_and_site_pages_need_no_content_file_once_the_catalog_is_loaded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = tmp_path / "content"
    _copy_content(content)
    catalog, _ = open_catalog(content)  # a card linking to one left out is refused: the others are enough
    assert catalog.root == content and len(catalog.cards) > CARDS // 2 and catalog.guides
    shutil.rmtree(content)  # gone before any output runs: nothing may have been read ahead and cached

    without = _outputs(catalog, tmp_path / "sans")

    _copy_content(content)
    with_folder = _outputs(open_catalog(content)[0], tmp_path / "avec")
    assert without["report"] == with_folder["report"]
    assert without["links"] == with_folder["links"] and without["links"]  # card bodies and source files
    assert set(without["pages"]) == set(with_folder["pages"])
    differing = [path for path, data in without["pages"].items() if with_folder["pages"][path] != data]
    assert differing == []
    # The outputs did read the catalog's sources: freshness from source dates, guides cut into parts.
    assert "Informations de 2016" in without["report"]  # to verify: as old as its source, not as its update
    assert any(b"Informations de 2016" in data for path, data in without["pages"].items() if path.startswith("actions/"))
    guide = catalog.guides[0]
    assert f"## {md_text(guide.outline.chapters[0][0])}".encode() in without["pages"][f"guides/{guide.id}.md"]


def test_the_catalog_keeps_each_documents_outline_with_link_lines(content, example_text):
    (content / "actions" / "liens.md").write_text(
        example_text.replace("## Résultats", "## Résultats\n\nVoir [le bilan](https://example.org/bilan).", 1),
        encoding="utf-8")
    catalog, _ = open_catalog(content)
    card = catalog.card("liens")
    [link] = [link for link in card.outline.links if link.target == "https://example.org/bilan"]
    lines = (content / "actions" / "liens.md").read_text(encoding="utf-8").split("\n")
    assert "https://example.org/bilan" in lines[card.body_line + link.line - 1]
    assert card.source_dates == tuple(catalog.sources[s.document].date for s in card.meta.sources)
    source_id = card.meta.sources[0].document
    read = catalog.source_files[source_id]
    assert read.path == content / "sources" / f"{source_id}.yaml"
    assert read.path.read_text(encoding="utf-8").split("\n")[read.lines["titre"] - 1].startswith("titre:")
