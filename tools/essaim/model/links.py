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

from essaim.text.diagnostics import french_number as _n

ALLOWED_SCHEMES = ("https", "http", "mailto")
ALLOWED_TEXT = "https, http, mailto et les liens vers d'autres pages du site"
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Text that may hold a link for Python-Markdown (inline link or image, reference definition).
LINK_SYNTAX = ("](", "]:")

# Bounds that keep Python-Markdown linear: it looks for the closing "]" of every "[" to the end of the
# paragraph (15,000 "[" in one card: 26 s of build); it nests quotes by recursion. Texts beyond them are
# refused by the validator and never given to the parser (the renderer shows them as plain text).
MAX_BODY_CHARS = 100_000
MAX_LINE_CHARS = 10_000
MAX_BRACKETS_PER_PARAGRAPH = 200
MAX_NESTING = 10  # quotes and list markers opened on one line ("> - > 1. …")
MAX_INDENT = 40  # columns of leading indentation (each nested list indents further)
_MARKER = r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))"
_DEEP = re.compile(f"(?:{_MARKER}){{{MAX_NESTING + 1}}}")


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


class Excess(NamedTuple):
    code: str
    message: str
    hint: str
    offset: int  # where in the text


_MARKERS = re.compile(f"(?:{_MARKER})+")


def flattened(line: str) -> str:
    """The line without its quote and list marks when they nest beyond the bounds (text kept)."""
    if not _too_deep(line):
        return line
    marks = _MARKERS.match(line)
    return (line[marks.end():] if marks else line).lstrip(" \t")


def _too_deep(line: str) -> bool:
    if line[:1] in (" ", "\t"):
        indent = len(line) - len(line.lstrip(" \t"))
        if len(line[:indent].expandtabs(4)) > MAX_INDENT:
            return True
    return _DEEP.match(line) is not None


def excess(text: str) -> list[Excess]:
    """What in the text goes beyond the parser's bounds (the first of each kind), in linear time."""
    found: dict[str, Excess] = {}
    if len(text) > MAX_BODY_CHARS:
        found["corps-trop-long"] = Excess(
            "corps-trop-long", f"texte de {_n(len(text))} caractères, au-delà de {_n(MAX_BODY_CHARS)}",
            "une fiche tient en quelques milliers de mots : résumez, et renvoyez aux documents dans Ressources",
            MAX_BODY_CHARS)
    offset = 0
    for line in text.split("\n"):
        if len(line) > MAX_LINE_CHARS and "ligne-trop-longue" not in found:
            found["ligne-trop-longue"] = Excess(
                "ligne-trop-longue", f"ligne de {_n(len(line))} caractères, au-delà de {_n(MAX_LINE_CHARS)}",
                "coupez ce paragraphe en plusieurs (une ligne vide entre deux paragraphes)", offset + MAX_LINE_CHARS)
        if "imbrication-profonde" not in found and _too_deep(line):
            found["imbrication-profonde"] = Excess(
                "imbrication-profonde",
                f"citations ou listes imbriquées sur plus de {MAX_NESTING} niveaux (ou retrait de plus de {MAX_INDENT} colonnes)",
                "une citation (> texte) ou une liste à deux niveaux suffit ; retirez les marques et le retrait en trop",
                offset)
        offset += len(line) + 1
    if text.count("[") > MAX_BRACKETS_PER_PARAGRAPH:
        offset = 0
        for paragraph in text.split("\n\n"):
            if paragraph.count("[") - paragraph.count("\\[") > MAX_BRACKETS_PER_PARAGRAPH:
                at = offset
                for _ in range(MAX_BRACKETS_PER_PARAGRAPH + 1):
                    at = text.index("[", at) + 1
                found["crochets-trop-nombreux"] = Excess(
                    "crochets-trop-nombreux", f"plus de {MAX_BRACKETS_PER_PARAGRAPH} crochets [ dans un même paragraphe",
                    "séparez les liens en plusieurs paragraphes ou listes, ou écrivez \\[ pour un crochet ordinaire",
                    at - 1)
                break
            offset += len(paragraph) + 2
    return sorted(found.values(), key=lambda item: item.offset)


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
    md.treeprocessors.register(_Collect(md), "essaim-collect", 15)  # after "inline" (20), before "prettify"
    return md


_COLLECTOR: markdown.Markdown | None = None


def targets(text: str) -> list[Found]:
    """Every link and image target Python-Markdown sees in the text, with reference definitions (used or not)."""
    if not any(syntax in text for syntax in LINK_SYNTAX) or excess(text):
        return []  # a text beyond the bounds is refused (validator) or shown as plain text (renderer)
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
    return list(dict.fromkeys(found))  # a reference used several times is one target in the text
