"""`essaim build` and `essaim serve`: write the pages, render them with mkdocs, serve the static files."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
from pathlib import Path

from essaim.catalog import Catalog
from essaim.site_pages import write_pages

DOCS_DIR = Path("build/docs")
SITE_DIR = Path("build/site")


def build_site(catalog: Catalog, config: Path = Path("mkdocs.yml")) -> int:
    write_pages(catalog, config.parent / DOCS_DIR)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)], env=env)
    return result.returncode


def serve(site: Path, port: int, host: str = "127.0.0.1") -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"Site servi sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
        server.serve_forever()
