"""The Markdown body of a card or guide: sections, links and forbidden HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
FENCES = ("```", "~~~")
INLINE_CODE = re.compile(r"`+[^`]*`+")
# [text](target "title") and reference definitions [label]: target
LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>")
HTML_TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?/?>|<!--")
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 0-based within the body


@dataclass(frozen=True)
class Link:
    target: str
    line: int
    column: int  # 0-based


@dataclass(frozen=True)
class Html:
    tag: str
    line: int
    column: int


@dataclass
class ParsedBody:
    headings: list[Heading]
    sections: dict[str, str]  # level-2 heading text -> its Markdown
    links: list[Link]
    html: list[Html]
    preamble: str  # text before the first level-2 heading


def _prose_lines(text: str):
    """(index, line) of lines outside fenced code, inline code blanked out."""
    in_fence = False
    for index, line in enumerate(text.split("\n")):
        if line.lstrip()[:3] in FENCES and FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield index, INLINE_CODE.sub(lambda m: " " * len(m.group()), line) if "`" in line else line


def parse(text: str) -> ParsedBody:
    headings, links, html = [], [], []
    lines = text.split("\n")
    for index, line in _prose_lines(text):
        if line.startswith("#"):
            heading = HEADING.match(line)
            if heading:
                headings.append(Heading(len(heading.group(1)), heading.group(2), index))
        if "]" not in line and "<" not in line:  # most lines: no link, no tag
            continue
        for pattern in (LINK, REFERENCE, AUTOLINK):
            for match in pattern.finditer(line):
                links.append(Link(match.group(1), index, match.start(1)))
        without_autolinks = AUTOLINK.sub(lambda m: " " * len(m.group()), line)
        for match in HTML_TAG.finditer(without_autolinks):
            html.append(Html(match.group(1) or "!--", index, match.start()))
    sections: dict[str, str] = {}
    level2 = [h for h in headings if h.level == 2]
    for current, following in zip(level2, level2[1:] + [None]):
        end = following.line if following else len(lines)
        sections.setdefault(current.text, "\n".join(lines[current.line + 1 : end]).strip())
    preamble_end = level2[0].line if level2 else len(lines)
    return ParsedBody(headings, sections, links, html, "\n".join(lines[:preamble_end]).strip())


def is_silent(section_text: str, marker: str) -> bool:
    """True when a section only states that the source says nothing about it."""
    return section_text.lstrip("*_> ").startswith(marker)


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
