"""Stage 3 — catalog: the validated cards, guides and sources that every output reads.

`open_catalog` runs the pipeline load -> validate -> catalog; outputs (search
index, site, exports, report) take the Catalog and never read content files again:
each card and guide keeps its outline (sections, links with their lines), each card
the dates of its sources, each source the lines of its keys, and the catalog its root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from essaim.pipeline import load as loader
from essaim.pipeline.body import ParsedBody, is_silent
from essaim.pipeline.body import parse as parse_body
from essaim.model.card import CARD_SECTIONS, SILENT_MARKER, CardMeta, GuideMeta, SourceDocument
from essaim.pipeline.validate import Validation, validate_files

LEVEL_LABELS = {"ebauche": "ébauche", "partielle": "partielle", "complete": "complète"}
# What a card needs to be "partielle": the problem, the goals and what was done.
CORE = ("problem", "objectives", "steps")


@dataclass
class Card:
    id: str
    path: Path
    meta: CardMeta
    sections: dict[str, str]  # section key -> Markdown ("" when absent)
    outline: ParsedBody | None = None  # the body's headings, sections and links (essaim.pipeline.body)
    body_line: int = 1  # 1-based line of the body's first line in the file: outline lines are counted from it
    source_dates: tuple[str, ...] = ()  # publication dates of its source documents, in the card's order
    level: str = field(init=False)
    missing: list[str] = field(init=False)  # French labels of what is not filled

    def __post_init__(self):
        filled = {key: bool(text) and not is_silent(text, SILENT_MARKER) for key, text in self.sections.items()}
        checks = {section.heading: filled[section.key] for section in CARD_SECTIONS}
        checks.update({
            "partenaires": bool(self.meta.partners.operational or self.meta.partners.financial),
            "contacts": bool(self.meta.contacts),
            "année de début": self.meta.period.start is not None,
        })
        self.missing = [label for label, ok in checks.items() if not ok]
        if not self.missing:
            self.level = "complete"
        elif all(filled[key] for key in CORE):
            self.level = "partielle"
        else:
            self.level = "ebauche"

    @property
    def url(self) -> str:
        return f"actions/{self.id}/"


@dataclass
class Guide:
    id: str
    path: Path
    meta: GuideMeta
    body: str
    outline: ParsedBody | None = None  # parsed from body when not given
    body_line: int = 1

    def __post_init__(self):
        if self.outline is None:
            self.outline = parse_body(self.body)

    @property
    def url(self) -> str:
        return f"guides/{self.id}/"


@dataclass(frozen=True)
class SourceFile:
    """Where a source document was read: its file, and the 1-based line of each top-level key."""

    path: Path
    lines: dict[str, int]


@dataclass
class Catalog:
    cards: list[Card]
    guides: list[Guide]
    sources: dict[str, SourceDocument]
    root: Path | None = None  # the content folder read (None: files given one by one)
    source_files: dict[str, SourceFile] = field(default_factory=dict)

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)


# French labels of the transferability facts, by front matter key (transfert.*), in the order outputs show them.
TRANSFER_LABELS = {
    "budget": "Budget",
    "moyens_humains": "Moyens humains",
    "delai": "Délai de mise en place",
    "prerequis": "Prérequis",
}


def transfer_facts(card: Card | CardMeta) -> list[tuple[str, str]]:
    """(French label, value) of each transferability fact the card gives; [] when it gives none."""
    meta = card.meta if isinstance(card, Card) else card
    given = meta.transfer.model_dump(by_alias=True) if meta.transfer else {}
    facts = []
    for key, label in TRANSFER_LABELS.items():
        value = given.get(key)
        text = " ; ".join(value) if isinstance(value, list) else value
        if text:
            facts.append((label, text))
    return facts


def _key_lines(yaml_text: str) -> dict[str, int]:
    """1-based line of each top-level key of a YAML file (the first one when a key is repeated)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(yaml_text.split("\n"), 1):
        key, colon, _ = line.partition(":")
        if colon and key and not key[0].isspace() and key[0] not in "#-":
            lines.setdefault(key, number)
    return lines


def build(validation: Validation, root: Path | None = None) -> Catalog:
    cards, guides, sources, source_files = [], [], {}, {}
    for item in validation.checked:
        doc = item.document
        if doc.kind == "source":
            sources[doc.id] = item.meta
            source_files[doc.id] = SourceFile(doc.path, _key_lines(doc.yaml_text))
    for item in validation.checked:
        doc = item.document
        if doc.kind == "card":
            by_heading = doc.outline.sections
            sections = {s.key: by_heading.get(s.heading, "") for s in CARD_SECTIONS}
            dates = tuple(sources[s.document].date for s in item.meta.sources if s.document in sources)
            cards.append(Card(doc.id, doc.path, item.meta, sections, doc.outline, doc.body_line, dates))
        elif doc.kind == "guide":
            guides.append(Guide(doc.id, doc.path, item.meta, doc.body, doc.outline, doc.body_line))
    return Catalog(sorted(cards, key=lambda c: c.id), sorted(guides, key=lambda g: g.id), sources, root,
                   source_files)


def open_catalog(content: Path) -> tuple[Catalog, Validation]:
    """Load, validate and catalog a whole content folder."""
    validation = validate_files(loader.discover(content))
    return build(validation, content), validation
