"""`essaim build` and `essaim serve`: write the pages, render them with mkdocs, write the search files, serve.

build_site(catalog) runs, from the folder of mkdocs.yml:
  1. the search index (essaim.search) for « Actions similaires », build/index;
  2. the pages, open data and assets, build/docs (essaim.site), and the theme overrides, build/overrides;
     the pages' HTML blocks are set aside, a mark in their place (essaim.site.blocks);
  3. mkdocs build --strict -> build/site, in its own process; meanwhile, in this one, the SQLite base, the site's
     static search index (from the catalog and the search index, recherche-index) and the territory files;
  4. the sitemap's dates from the cards; in one pass over the pages, the HTML blocks put back and fingerprinted
     names for the site's own assets (essaim.site.fingerprint); .gz and .br copies of the text files
     (essaim.site.compress).
Nothing generated is committed; mkdocs.yml has no hook nor generation plugin.
"""

from __future__ import annotations

import errno
import functools
import http.server
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import yaml

from essaim.pipeline.catalog import Catalog
from essaim.pipeline.locking import exclusive
from essaim.pipeline.parallel import pool_size

DOCS_DIR = Path("build/docs")
SITE_DIR = Path("build/site")
BUILD_LOCK_TIMEOUT = 600.0
INDEX_DIR = Path("build/index")
OVERRIDES_DIR = Path("build/overrides")
SIMILAR = 5
SIMILAR_BATCH = 20


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring the !!python tags some configurations hold."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_config(config: Path) -> dict:
    return yaml.load(config.read_text(encoding="utf-8"), Loader=_Loader) or {}


def repository_links(settings: dict) -> tuple[str | None, str | None]:
    """(repo_url, edit base) from mkdocs.yml: the edit base + "actions/<file>.md" edits a card."""
    repo = (settings.get("repo_url") or "").rstrip("/") or None
    edit_uri = settings.get("edit_uri")
    if not repo or not edit_uri:
        return repo, None
    if edit_uri.startswith(("http://", "https://")):
        return repo, edit_uri.rstrip("/") + "/"
    return repo, f"{repo}/{edit_uri.strip('/')}/"


def _similar_chunk(root: str, ids: list[str]) -> dict[str, list[str]]:
    from essaim.search import SearchIndex

    index = SearchIndex(Path(root))
    try:
        return {card_id: index.similar(card_id, SIMILAR) for card_id in ids}
    finally:
        index.close()


def _index(catalog: Catalog, root: Path) -> bool:
    from essaim.search import IndexBusy, index_catalog

    try:
        index_catalog(catalog, root)
        return True
    except (IndexBusy, OSError) as error:
        print(f"essaim build : actions similaires non calculées ({error})", file=sys.stderr)
        return False


def _similar_shared(root: Path, ids: list[str], counter) -> dict[str, list[str]]:
    """Similar cards for batches of ids taken from a counter shared between processes."""
    from essaim.search import SearchIndex

    index, found = SearchIndex(root), {}
    try:
        while True:
            with counter.get_lock():
                first = counter.value
                counter.value = min(len(ids), first + SIMILAR_BATCH)
            if first >= len(ids):
                return found
            for card_id in ids[first:first + SIMILAR_BATCH]:
                found[card_id] = index.similar(card_id, SIMILAR)
    finally:
        index.close()


def _index_then_similar(catalog: Catalog, root: Path, ids: list[str], indexed, ready, counter, pipe) -> None:
    """Child process: build the index, tell the parent, then share the similar-cards work with it."""
    ok = False
    try:
        ok = _index(catalog, root)
        indexed.value = ok
    finally:
        ready.set()
    pipe.send(_similar_shared(root, ids, counter) if ok else {})
    pipe.close()


def similar_cards(catalog: Catalog, root: Path, indexed: bool = False) -> dict[str, list[str]]:
    """The SIMILAR closest cards of each card (essaim.search), in this process."""
    if not indexed and not _index(catalog, root):
        return {}
    return _similar_chunk(str(root), [card.id for card in catalog.cards])


def write_overrides(target: Path) -> None:
    source = resources.files("essaim").joinpath("data", "site", "overrides")
    for path in ("main.html", "partials/source.html", "partials/javascripts/base.html", "partials/partage.html"):
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(source.joinpath(path).read_bytes())


def write_site_pages(catalog: Catalog, docs: Path, index_root: Path, settings: dict, project_root: Path | None,
                     timings: dict, blocks: list[str] | None = None):
    """… and returns the Site (its SQLite base is written by the caller, while mkdocs runs)."""
    """Search index, similar cards and pages; on large catalogs the two cores share the work:
    the index is built in a child process while this one renders the sections and the other pages."""
    from essaim.site import Site, card_files, other_files, safe_catalog, write_files
    from essaim.site.pages import rendered_sections

    repo_url, edit_base = repository_links(settings)
    site = Site(safe_catalog(catalog), {}, repo_url, edit_base, site_url=settings.get("site_url") or None)
    start = time.perf_counter()
    if pool_size("cards", len(site.catalog.cards)) > 1:
        # Two processes: the child builds the index while this one renders the pages that do not need it;
        # then both compute the similar cards, batch by batch.
        context = multiprocessing.get_context("fork")
        ids = [card.id for card in site.catalog.cards]
        indexed, ready, counter = context.Value("b", 0), context.Event(), context.Value("i", 0)
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_index_then_similar,
                                args=(site.catalog, index_root, ids, indexed, ready, counter, send))
        child.start()
        send.close()
        site.rendered = {card.id: rendered_sections(card) for card in site.catalog.cards}
        others = other_files(site, project_root)
        while not ready.wait(0.2) and child.is_alive():
            pass
        timings["index_et_pages"] = time.perf_counter() - start
        start = time.perf_counter()
        similar = _similar_shared(index_root, ids, counter) if indexed.value else {}
        try:
            similar.update(receive.recv())
        except EOFError:
            print("essaim build : le calcul des actions similaires a échoué en partie", file=sys.stderr)
        child.join()
        site.similar = similar
    else:
        others = other_files(site, project_root)
        indexed = _index(site.catalog, index_root)
        timings["index_et_pages"] = time.perf_counter() - start
        start = time.perf_counter()
        site.similar = similar_cards(site.catalog, index_root, indexed=True) if indexed else {}
    timings["similaires"] = time.perf_counter() - start
    start = time.perf_counter()
    write_files(docs, {**card_files(site), **others}, blocks)
    timings["fiches"] = time.perf_counter() - start
    return site


def build_site(catalog: Catalog, config: Path = Path("mkdocs.yml"), timings: dict | None = None) -> int:
    """Build the whole site next to `config`; 0 when it worked. `timings` receives each step's seconds."""
    root = config.parent
    settings = read_config(config)
    docs = root / settings.get("docs_dir", str(DOCS_DIR))
    site = root / settings.get("site_dir", str(SITE_DIR))
    timings = {} if timings is None else timings
    with exclusive(site.parent / ".site.lock", "le site", BUILD_LOCK_TIMEOUT):  # one build at a time
        generation = site.parent / f"{site.name}-gen-{time.time_ns()}-{os.getpid()}"
        try:
            return _build_locked(catalog, config, settings, docs, site, generation, root, timings)
        except OSError as error:  # disk full, quota, permissions: nothing half-written stays behind
            shutil.rmtree(generation, ignore_errors=True)
            shutil.rmtree(docs, ignore_errors=True)
            raise BuildError(_write_failure(error)) from error


class BuildError(Exception):
    """A build stopped by the system (disk full…); the message is in French, the site in service unchanged."""


def _write_failure(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "plus de place sur le disque"
        hint = "libérez de la place (par exemple en supprimant build/) puis relancez « essaim build »"
    else:
        reason = f"écriture impossible : {error.strerror or error}"
        hint = "vérifiez les droits sur le dossier build/ puis relancez « essaim build »"
    return (f"{reason}{where} ; les fichiers à moitié écrits sont supprimés, le site en service n'a pas changé.\n"
            f"    conseil : {hint}")


def _build_locked(catalog, config, settings, docs, site, generation, root, timings) -> int:
    from essaim.site import safe_catalog, write_binary_files
    from essaim.site.searchfiles import write_search_files
    from essaim.site.territoire import write_territory_files

    blocks: list[str] = []  # the pages' HTML blocks, around mkdocs (essaim.site.blocks)
    pages = write_site_pages(catalog, docs, root / INDEX_DIR, settings, _project_root(root), timings, blocks)
    write_overrides(root / OVERRIDES_DIR)

    # mkdocs renders the pages in its own process; meanwhile this one writes what does not go through
    # mkdocs (SQLite base, search and territory files) beside the generation, moved into it afterwards.
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    beside = generation.parent / f"{generation.name}-annexes"
    mkdocs = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config),
                               "--site-dir", str(generation.resolve())], env=env)
    try:
        write_binary_files(pages, beside)
        timings["base_sqlite"] = time.perf_counter() - start
        write_search_files(safe_catalog(catalog), root / INDEX_DIR, beside)
        write_territory_files(safe_catalog(catalog), beside)
        timings["recherche"] = time.perf_counter() - start - timings["base_sqlite"]
        returncode = mkdocs.wait()
    finally:
        if mkdocs.poll() is None:  # an error or an interruption here: mkdocs does not outlive the build
            mkdocs.kill()
            mkdocs.wait()
        if mkdocs.returncode:
            shutil.rmtree(beside, ignore_errors=True)
    timings["mkdocs"] = time.perf_counter() - start
    if returncode:
        shutil.rmtree(generation, ignore_errors=True)
        return returncode
    from essaim.site.compress import precompress
    from essaim.site.fingerprint import fingerprint_assets
    from essaim.site.share import sitemap_lastmod

    for path in beside.rglob("*"):
        if path.is_file():
            target = generation / path.relative_to(beside)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    shutil.rmtree(beside, ignore_errors=True)
    start = time.perf_counter()
    sitemap_lastmod(generation, safe_catalog(catalog), settings.get("site_url"))
    fingerprint_assets(generation, settings, blocks)  # and the HTML blocks put back, in the same pass
    timings["pages"] = time.perf_counter() - start
    start = time.perf_counter()
    precompress(generation)
    timings["compression"] = time.perf_counter() - start
    publish(generation, site)
    return 0


def publish(generation: Path, site: Path) -> None:
    """Make a finished build the served site in one atomic step.

    `site` is a symbolic link to the generation in service, swapped with os.replace: a
    build killed at any moment leaves the previous site whole, and a server reading
    `site` sees either the old or the new site."""
    if site.exists() and not site.is_symlink():  # a site from before generations: keep it as one
        site.rename(site.parent / f"{site.name}-gen-0-legacy")
    link = site.parent / f".{site.name}-link-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(generation.name)
    os.replace(link, site)
    for old in site.parent.glob(f"{site.name}-gen-*"):
        if old.name != generation.name:
            shutil.rmtree(old, ignore_errors=True)


def _project_root(root: Path) -> Path | None:
    """The folder holding schemas/ (the project), when the build runs inside it."""
    for folder in (root, *root.resolve().parents):
        if (folder / "schemas").is_dir() and (folder / "pyproject.toml").exists():
            return folder
    here = Path(__file__).resolve().parents[3]
    return here if (here / "schemas").is_dir() else None


def serve(site: Path, port: int, host: str = "127.0.0.1") -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"Site servi sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
        server.serve_forever()
