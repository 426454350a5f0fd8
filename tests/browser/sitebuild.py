"""One build of the real site per test session, shared by tests/test_site_build.py and the browser tests.

Import it as `browser.sitebuild` everywhere (one module, one cache)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CONTENT = ROOT / "content"
_BUILT: dict[Path, tuple] = {}


def build_real_site(base: Path):
    """(site folder, catalog, timings) of the real content, built once under base."""
    from essaim.site.build import SITE_DIR, build_site
    from essaim.pipeline.catalog import open_catalog

    if base not in _BUILT:
        folder = base / "site-reel"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
        catalog, _ = open_catalog(CONTENT)  # whatever validates: others add content while we test
        timings: dict = {}
        code = build_site(catalog, folder / "mkdocs.yml", timings)
        assert code == 0, "la construction du site a échoué"
        _BUILT[base] = (folder / SITE_DIR, catalog, timings)
    return _BUILT[base]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(site: Path, handler: type = QuietHandler):
    """The built site on http://127.0.0.1:<free port>/ for the duration of the block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
