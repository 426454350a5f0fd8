"""The Markdown body of a card or guide: its outline (sections, links, forbidden HTML), read once.

This is the only Markdown splitter: the validator checks the outline, the catalog keeps it on each
card and guide, and the outputs (site pages, report) read it from there.

The body is scanned as a whole, not line by line: code is first blanked out
(offsets unchanged), candidates are found with plain substring search, and the
line and column of each finding are read back from its offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import partial
from typing import NamedTuple

from essaim.model import links as link_rules

HEADING = re.compile(r"\n(#{1,6})[^\S\n]+([^\n]*)")  # searched in "\n" + text: a literal start is fast
FENCE_LINE = re.compile(r"^[^\S\n]*(?:```|~~~).*$", re.MULTILINE)
INLINE_CODE = re.compile(r"`+[^`\n]*`+")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>")
# A tag may span lines (<img\nonerror=…>): it is looked for across them.
HTML_TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?/?>|<!--")


class Heading(NamedTuple):
    level: int
    text: str
    line: int  # 0-based within the body


class Link(NamedTuple):
    target: str
    line: int
    column: int  # 0-based


class Html(NamedTuple):
    tag: str
    line: int
    column: int


class Excess(NamedTuple):
    code: str
    message: str
    hint: str
    line: int
    column: int


@dataclass
class ParsedBody:
    headings: list[Heading]
    chapters: list[tuple[str, str]]  # (level-2 heading text, its Markdown), in order, repeated headings kept
    links: list[Link]
    html: list[Html]
    preamble: str  # text before the first level-2 heading
    excess: list[Excess] = dataclass_field(default_factory=list)  # beyond the parser's bounds (links not read)
    sections: dict[str, str] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.sections = {}  # level-2 heading text -> its Markdown (the first one wins when a heading is repeated)
        for title, text in self.chapters:
            self.sections.setdefault(title, text)

    def parts(self) -> list[tuple[str | None, str]]:
        """The body cut at its level-2 headings: [(None, preamble)] when there is one, then (heading, text)."""
        return [(None, self.preamble)] * bool(self.preamble) + list(self.chapters)

    def __reduce__(self):
        """Pickled with plain tuples (named tuples pickle one by one, slowly), rebuilt on arrival."""
        return _rebuild, (list(map(tuple, self.headings)), self.chapters, list(map(tuple, self.links)),
                          list(map(tuple, self.html)), self.preamble, list(map(tuple, self.excess)))


def _rebuild(headings, chapters, links, html, preamble, excess) -> ParsedBody:
    return ParsedBody(_retype(Heading, headings), chapters, _retype(Link, links), _retype(Html, html), preamble,
                      _retype(Excess, excess))


def _retype(kind: type, rows: list[tuple]) -> list:
    """Plain tuples as named tuples of kind (tuple.__new__ directly: no Python call per row)."""
    return list(map(partial(tuple.__new__, kind), rows))


def _spaces(text: str) -> str:
    """The text with every character but line breaks turned into a space."""
    return re.sub(r"[^\n]", " ", text)


def _blank(match: re.Match) -> str:
    return _spaces(match.group())


def prose(text: str) -> str:
    """The text with fenced code blocks and inline code blanked out, offsets unchanged."""
    if "```" in text or "~~~" in text:
        fences = [m.start() for m in FENCE_LINE.finditer(text)]
        if len(fences) % 2:
            fences.append(len(text))  # an unclosed fence runs to the end
        parts, position = [], 0
        for start, end in zip(fences[::2], fences[1::2]):
            end = text.find("\n", end)
            end = len(text) if end < 0 else end
            parts += [text[position:start], _spaces(text[start:end])]
            position = end
        text = "".join(parts) + text[position:]
    return INLINE_CODE.sub(_blank, text) if "`" in text else text


def locate(text: str, offsets: list[int]) -> dict[int, tuple[int, int]]:
    """0-based (line, column) of each offset, counting line breaks once over the text."""
    found, line, line_start, previous = {}, 0, 0, 0
    for offset in sorted(set(offsets)):
        breaks = text.count("\n", previous, offset)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", previous, offset) + 1
        found[offset] = (line, offset - line_start)
        previous = offset
    return found


def parse(text: str) -> ParsedBody:
    scanned = prose(text)
    heading_at = {m.start(): m for m in HEADING.finditer("\n" + scanned)}  # start of the line in scanned
    # Links as the site's Markdown parser sees them, over the whole text (a target may follow a line break);
    # none are read from a text beyond the parser's bounds (reported instead).
    excess = link_rules.excess(text)
    link_at = [] if excess else [(max(found.offset, 0), found.target) for found in link_rules.targets(text)]
    tag_at = []
    if "<" in scanned:
        without_autolinks = AUTOLINK.sub(_blank, scanned)
        tag_at = [(m.start(), m.group(1) or "!--") for m in HTML_TAG.finditer(without_autolinks)]
    where = locate(text, [*heading_at, *(offset for offset, _ in link_at), *(offset for offset, _ in tag_at),
                           *(item.offset for item in excess)])
    headings = [Heading(len(m.group(1)), _heading_text(m.group(2)), where[start][0]) for start, m in heading_at.items()]
    links = [Link(target, *where[offset]) for offset, target in sorted(link_at)]
    html = [Html(tag, *where[offset]) for offset, tag in tag_at]
    level2 = [start for start, heading in zip(heading_at, headings) if heading.level == 2]
    return ParsedBody(headings, _chapters(text, level2, headings), links, html,
                      text[: level2[0] if level2 else len(text)].strip(),
                      [Excess(item.code, item.message, item.hint, *where[item.offset]) for item in excess])


def _heading_text(line_rest: str) -> str:
    """A heading's text without its optional closing hashes: "Titre ##" -> "Titre"."""
    return line_rest.rstrip().rstrip("#").rstrip()


def _chapters(text: str, level2: list[int], headings: list[Heading]) -> list[tuple[str, str]]:
    """Each level-2 heading with its text, in order."""
    titles = [h.text for h in headings if h.level == 2]
    chapters = []
    for title, start, following in zip(titles, level2, level2[1:] + [len(text)]):
        body_start = text.find("\n", start)
        chapters.append((title, text[body_start:following].strip() if 0 <= body_start < following else ""))
    return chapters


def is_silent(section_text: str, marker: str) -> bool:
    """True when a section only states that the source says nothing about it."""
    return section_text.lstrip("*_> ").startswith(marker)


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
