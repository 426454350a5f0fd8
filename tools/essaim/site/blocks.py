"""Our HTML blocks go around mkdocs, not through it: each page is rendered once.

The page writers produce Markdown whose bodies are mostly HTML blocks already escaped and rendered by us
(essaim.site.pages, listings…). Python-Markdown copies such blocks to the page unchanged, but only after
parsing every tag of them twice (the raw-HTML preprocessor, then mkdocs' anchor scan): two thirds of the
mkdocs time of a 1,000-card site (docs/benchmarks.md). So the files written for mkdocs hold, in place of
each top-level HTML block, an HTML comment naming it (`<!-- essaim:12 -->`, which Python-Markdown also
copies unchanged); once mkdocs is done, `put_back` writes the blocks into the built pages. Headings stay
Markdown (titles, table of contents, permalinks are mkdocs'), and the built pages are the same, byte for byte.

Only blocks Python-Markdown would itself copy unchanged are set aside: they start a paragraph with a
block-level tag and are one element, whole (a block that spans blank lines is taken whole).
"""

from __future__ import annotations

import re

# Python-Markdown's block-level elements (markdown.Markdown().block_level_elements) that our pages start with.
BLOCK_START = re.compile(r"<(address|article|aside|blockquote|details|div|dl|figure|footer|form|h[1-6]|header|hr"
                         r"|nav|ol|p|pre|section|table|ul)[\s>]")
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
MARK = "<!-- essaim:{} -->"
MARKED = re.compile(r"<!-- essaim:(\d+) -->")


def _balanced(html: str) -> bool:
    depth = 0
    for closing, name, self_closing in TAG.findall(html):
        if name.lower() in VOID or self_closing:
            continue
        depth += -1 if closing else 1
    return depth == 0


def _one_element(html: str) -> bool:
    """True when the block is one element, closed by its last characters (Python-Markdown puts a newline between
    top-level elements that follow each other: such blocks go through mkdocs, to keep the pages the same)."""
    depth = 0
    for match in TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID or self_closing:
            if depth == 0:
                return False
            continue
        depth += -1 if closing else 1
        if depth == 0:
            return match.end() == len(html)
    return False


def set_aside(text: str, blocks: list[str]) -> str:
    """The page with each top-level HTML block replaced by its mark; the blocks are appended to `blocks`."""
    if "\n\n<" not in text:
        return text
    parts = text.split("\n\n")
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if BLOCK_START.match(part):
            end = i
            while not _balanced(part) and end + 1 < len(parts):
                end += 1
                part += "\n\n" + parts[end]
            core = part.rstrip("\n")  # the page's last newline stays in the page
            if _balanced(core) and _one_element(core):
                out.append(MARK.format(len(blocks)) + part[len(core):])
                blocks.append(core)
                i = end + 1
                continue
            part = parts[i]
        out.append(part)
        i += 1
    return "\n\n".join(out)


def put_back(html: str, blocks: list[str]) -> str:
    """A built page with its marks replaced by the blocks they stand for."""
    return MARKED.sub(lambda m: blocks[int(m.group(1))], html) if "<!-- essaim:" in html else html

