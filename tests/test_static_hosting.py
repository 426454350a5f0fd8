"""Static hosting: .gz and .br copies next to the built site's text files, identical once decompressed."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest

from browser.sitebuild import ROOT, build_real_site
from essaim.site.build import read_config
from essaim.site.compress import MIN_SIZE, TEXT_SUFFIXES, precompress

brotli = pytest.importorskip("brotli")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


def test_every_text_file_has_smaller_gzip_and_brotli_copies(real_site):
    site, catalog, timings = real_site
    texts = [p for p in site.rglob("*") if p.suffix in TEXT_SUFFIXES and p.stat().st_size >= MIN_SIZE]
    assert len(texts) > len(catalog.cards)
    original = packed_gz = packed_br = 0
    for path in texts:
        data = path.read_bytes()
        gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
        assert gzip.decompress(gz.read_bytes()) == data, gz
        assert brotli.decompress(br.read_bytes()) == data, br
        original, packed_gz, packed_br = original + len(data), packed_gz + gz.stat().st_size, packed_br + br.stat().st_size
    assert packed_br < packed_gz < original / 3
    assert "compression" in timings
    # the search index's own .gz parts and binary files are not compressed twice
    assert not list(site.rglob("*.gz.gz")) and not list(site.rglob("*.gz.br")) and not (site / "donnees" / "actions.db.br").exists()
    small = [p for p in site.rglob("*") if p.suffix in TEXT_SUFFIXES and p.stat().st_size < MIN_SIZE]
    assert all(not p.with_name(p.name + ".br").exists() for p in small)


def test_precompress_reports_sizes_and_is_repeatable(tmp_path):
    (tmp_path / "a.html").write_text("<p>Essaim</p>\n" * 500, encoding="utf-8")
    (tmp_path / "petit.css").write_text("a{}", encoding="utf-8")
    first = precompress(tmp_path)
    assert first.files == 1 and first.brotli < first.gzip < first.original == 7000
    again = precompress(tmp_path)  # a second run rewrites, never compresses the copies themselves
    assert again.files == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.html.br", "a.html.gz", "petit.css"]


def test_hosting_guide_gives_nginx_and_github_pages_configurations():
    guide = (ROOT / "docs" / "hebergement.md").read_text("utf-8")
    for needle in ("gzip_static on;", "brotli_static on;", "actions/upload-pages-artifact", "site_url"):
        assert needle in guide
    workflow = (ROOT / ".github" / "workflows" / "publier-site.yml").read_text("utf-8")
    assert "Retirer les copies précompressées" in workflow and "essaim build" in workflow


def test_the_site_assets_are_referenced_by_fingerprinted_names(real_site):

    site, _, _ = real_site
    settings = read_config(ROOT / "mkdocs.yml")
    extra = [*settings["extra_css"], *settings["extra_javascript"]]
    pages = [site / "index.html", site / "404.html", *sorted(site.glob("actions/*/index.html"))[:5]]
    for asset in extra:
        stem, suffix = asset.rsplit(".", 1)
        named = re.compile(re.escape(stem) + r"\.([0-9a-f]{10})\." + suffix + '"')
        for page in pages:
            text = page.read_text("utf-8")
            assert f'{asset}"' not in text, (page, asset)
            digest = named.search(text).group(1)
            copy = site / f"{stem}.{digest}.{suffix}"
            assert copy.read_bytes() == (site / asset).read_bytes()
            assert hashlib.sha256(copy.read_bytes()).hexdigest().startswith(digest)
