"""Internal links and anchors of the built site: every href and src must lead somewhere."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(values[name])
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(values[name])


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _resolve(site: Path, page: Path, target: str, root: str = "/") -> Path:
    path = unquote(urlsplit(target).path)
    if path.startswith(root):  # absolute: the site is served under `root` (the path of mkdocs.yml's site_url)
        path = "/" + path[len(root):]
    base = site if path.startswith("/") else page.parent
    resolved = (base / path.lstrip("/")).resolve() if path else page
    return resolved / "index.html" if resolved.is_dir() else resolved


def broken_links(site: Path, root: str = "/") -> list[BrokenLink]:
    """Links from the site's HTML pages to files or anchors that do not exist; `root` is the path the site is
    served under (absolute links such as the 404 page's start with it)."""
    site = site.resolve()
    pages = {p.resolve(): _parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        shown = str(page.relative_to(site))
        for target in parsed.links:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            resolved = _resolve(site, page, target, root)
            if not resolved.is_relative_to(site):
                broken.append(BrokenLink(shown, target, "hors du site"))
            elif not resolved.exists():
                broken.append(BrokenLink(shown, target, "page ou fichier absent"))
            elif parts.fragment and resolved.suffix == ".html":
                ids = pages[resolved].ids if resolved in pages else _parse(resolved).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(BrokenLink(shown, target, "ancre absente"))
    return broken
