"""Fixtures shared by the browser tests: the real site (built once), served locally, and one Chromium."""

from __future__ import annotations

from pathlib import Path

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
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api",
                                         reason="playwright absent : bash scripts/installer.sh --tests")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium de Debian absent : bash scripts/installer.sh --tests")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
