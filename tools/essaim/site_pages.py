"""Output — site pages: plain Markdown written from the catalog, rendered by mkdocs afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

from essaim import geography
from essaim.catalog import LEVEL_LABELS, Card, Catalog
from essaim.model import CARD_SECTIONS
from essaim.vocabularies import vocabulary


def _labels(name: str, ids: list[str]) -> str:
    return ", ".join(vocabulary(name).label(i) for i in ids) or "—"


def territory_text(card: Card) -> str:
    t = card.meta.territory
    parts = [c.name for c in t.communes]
    parts += [f"{geography.departements()[d].name} ({d})" for d in t.departements]
    parts += [geography.regions()[r].name for r in t.regions]
    return " · ".join(parts) or vocabulary("echelles").label(t.scale)


def source_text(catalog: Catalog, card_sources) -> list[str]:
    lines = []
    for ref in card_sources:
        doc = catalog.sources[ref.document]
        pages = f", p. {ref.pages}" if ref.pages else ""
        link = f" — [{doc.url}]({doc.url})" if doc.url else ""
        lines.append(f"- {doc.publisher}, *{doc.title}*, {doc.date}{pages}{link}")
    return lines


def card_page(card: Card, catalog: Catalog) -> str:
    m = card.meta
    period = f"depuis {m.period.start}" if m.period.start and not m.period.end else (
        f"{m.period.start}–{m.period.end}" if m.period.start else "non précisée")
    identity = [
        ("Porteur", f"{m.carrier.name} ({vocabulary('porteurs').label(m.carrier.type)})"),
        ("Territoire", territory_text(card)),
        ("Période", f"{period} — {vocabulary('statuts').label(m.status)}"),
        ("Thèmes", _labels("themes", m.themes)),
        ("Publics", _labels("publics", m.publics)),
        ("Cadres territoriaux", _labels("cadres", m.frameworks)),
        ("Partenaires opérationnels", ", ".join(m.partners.operational) or "non publiés"),
        ("Partenaires financiers", ", ".join(m.partners.financial) or "non publiés"),
        ("Complétude", LEVEL_LABELS[card.level]),
        ("Mise à jour", m.updated),
    ]
    lines = [f"# {m.title}", "", m.summary, "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in identity]
    for section in CARD_SECTIONS:
        if card.sections[section.key]:
            lines += ["", f"## {section.heading}", "", card.sections[section.key]]
    lines += ["", "## Contacts", ""]
    lines += [f"- {' — '.join(filter(None, [c.name, c.role, c.organisation]))}" for c in m.contacts] or [
        "Aucun contact publié par la source."]
    lines += ["", "## Sources", "", *source_text(catalog, m.sources), ""]
    return "\n".join(lines)


def write_pages(catalog: Catalog, docs: Path) -> None:
    if docs.exists():
        shutil.rmtree(docs)
    (docs / "actions").mkdir(parents=True)
    (docs / "guides").mkdir()
    for card in catalog.cards:
        (docs / "actions" / f"{card.id}.md").write_text(card_page(card, catalog), encoding="utf-8")
    for guide in catalog.guides:
        (docs / "guides" / f"{guide.id}.md").write_text(f"# {guide.meta.title}\n\n{guide.body}", encoding="utf-8")
    listing = [f"- [{c.meta.title}]({c.id}.md) — {c.meta.carrier.name}" for c in catalog.cards]
    (docs / "actions" / "index.md").write_text("# Fiches action\n\n" + "\n".join(listing) + "\n", encoding="utf-8")
    guides = [f"- [{g.meta.title}]({g.id}.md)" for g in catalog.guides] or ["Aucun guide pour l'instant."]
    (docs / "guides" / "index.md").write_text("# Guides pratiques\n\n" + "\n".join(guides) + "\n", encoding="utf-8")
    (docs / "index.md").write_text(
        "# Essaim\n\nEssaim rassemble des actions locales inspirantes pour l'accès à la santé, décrites en fiches "
        f"structurées : {len(catalog.cards)} fiches et {len(catalog.guides)} guides.\n\n"
        "- [Parcourir les fiches action](actions/index.md)\n- [Lire les guides pratiques](guides/index.md)\n",
        encoding="utf-8")
