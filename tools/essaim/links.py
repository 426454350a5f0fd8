"""Links in card and guide Markdown: which targets are allowed, and where the links are.

One rule decides on every link target, for the renderer, the validator and `essaim from-issue`:
the target is read as a browser would read it (HTML entities decoded, whitespace and control
characters removed), and its scheme, if it has one, must be in the allow-list. Relative targets
(another page, an anchor) have no scheme and are allowed.

Links are found by Python-Markdown itself, configured as the site renderer is, over the whole
text: what the validator reports is exactly what the site would turn into a link.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from typing import NamedTuple

import markdown
from markdown.treeprocessors import Treeprocessor

ALLOWED_SCHEMES = ("https", "http", "mailto")
ALLOWED_TEXT = "https, http, mailto et les liens vers d'autres pages du site"
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Text that may hold a link for Python-Markdown (inline link or image, reference definition).
LINK_SYNTAX = ("](", "]:")


def decoded(target: str) -> str:
    """The target as a browser acts on it: entities decoded (repeatedly), no whitespace or control character."""
    for _ in range(3):  # &amp;colon; is decoded once by the browser; decoding more is only safer
        unescaped = html.unescape(target)
        if unescaped == target:
            break
        target = unescaped
    return "".join(c for c in target if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")))


def scheme(target: str) -> str | None:
    """The lower-case scheme of a target (after decoding), or None for a relative one."""
    match = SCHEME.match(decoded(target))
    return match.group(1).lower() if match else None


def is_safe(target: str) -> bool:
    """True for https, http and mailto targets and for relative ones (no scheme)."""
    found = scheme(target)
    return found is None or found in ALLOWED_SCHEMES


def configure(md: markdown.Markdown) -> markdown.Markdown:
    """The site's Markdown dialect: no raw HTML, no automatic mail links."""
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("automail")
    return md


class Found(NamedTuple):
    target: str  # as written in the source (entities not decoded)
    offset: int  # where it starts in the text, or -1 when it cannot be found verbatim


class _Collect(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.md.essaim_targets = [element.get("href" if element.tag == "a" else "src") or ""
                                  for element in root.iter() if element.tag in ("a", "img")]
        raise _Collected


class _Collected(Exception):
    pass


def _collector() -> markdown.Markdown:
    md = configure(markdown.Markdown(extensions=["tables", "sane_lists"]))
    for name in ("em_strong", "em_strong2", "not_strong", "linebreak", "entity"):
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)  # no effect on links; saves time
    md.treeprocessors.register(_Collect(md), "essaim-collect", 0)
    return md


_COLLECTOR: markdown.Markdown | None = None


def targets(text: str) -> list[Found]:
    """Every link and image target Python-Markdown sees in the text, with reference definitions (used or not)."""
    if not any(syntax in text for syntax in LINK_SYNTAX):
        return []
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = _collector()
    md = _COLLECTOR
    md.reset()
    md.essaim_targets = []
    try:
        md.convert(text)
    except _Collected:
        pass
    raw = list(md.essaim_targets) + [href for href, _title in md.references.values()]
    found, start_at = [], {}
    for target in raw:
        if not target:
            continue
        offset = text.find(target, start_at.get(target, 0))
        offset = text.find(target) if offset < 0 else offset  # a reference's target, used more than once
        if offset >= 0:
            start_at[target] = offset + 1
        found.append(Found(target, offset))
    return found


def unsafe(text: str) -> list[Found]:
    """The targets of the text that break the rule."""
    return [item for item in targets(text) if not is_safe(item.target)]
