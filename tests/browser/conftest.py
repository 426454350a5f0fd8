"""Fixtures shared by the browser tests: the real site (built once), served locally, and one Chromium."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser.sitebuild import CHROMIUM, CHROMIUM_ARGS, build_real_site, serve


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def base_url(real_site):
    with serve(real_site[0]) as url:
        yield url


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory):
    """(address, card) of a tiny site whose only card tries to inject scripts everywhere (test_site_build.HOSTILE)."""
    import shutil

    from test_site_build import hostile_catalog

    from browser.sitebuild import ROOT
    from essaim.site.build import build_site

    folder = tmp_path_factory.mktemp("site-hostile")
    catalog, card = hostile_catalog()
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    assert build_site(catalog, folder / "mkdocs.yml") == 0
    with serve(folder / "build" / "site") as url:
        yield url, card


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api",
                                         reason="playwright absent : bash scripts/installer.sh --tests")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium de Debian absent : bash scripts/installer.sh --tests")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page; any request that leaves this machine fails the test (no CDN, no tile server)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    outside, errors = [], []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not outside, f"requêtes hors de la machine : {outside}"
    assert not errors, f"erreurs JavaScript : {errors}"
