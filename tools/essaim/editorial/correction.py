"""« Signaler une correction ou un contact »: the GitHub issue form, and the change proposal made from a report.

Card pages link to the form with the card's id and title prefilled (issue-form query parameters, see
`essaim.site.pages.report_url`). `essaim correction FICHIER` reads a submitted report and turns it into a
change of the card's file, validated with the whole content before it is written:

- a contact (name, role, organisation, e-mail, phone) is added to the front matter, only if the consent box
  is ticked; the rest of the file is kept as it is (comments, order, wrapping);
- a text for a section that the source left empty (« Non renseigné… ») replaces that absence;
- anything else (a section already written, « En bref », a free remark) is not applied: it is listed for
  the editor, who rewrites it by hand.

The report is untrusted text: it goes through the same cleaning as `essaim from-issue`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from essaim.pipeline.body import is_silent
from essaim.text.diagnostics import Diagnostic, display_path
from essaim.derived.correction_form import CARD_URL, CONSENT_EXACT, CONTACT_KEYS, REPORT_FIELDS
from essaim.derived.issue_form import CONSENT_CONTACT, parse_issue_body
from essaim.model.card import CARD_SECTIONS, ID_PATTERN, SILENT_MARKER, Contact
from essaim.editorial.proposal import ProposalError, clean_block, clean_line, validate_in_scratch
from essaim.model.vocabularies import fold


# --- the change proposal ---------------------------------------------------------------------------------


@dataclass
class Change:
    card_id: str
    path: Path
    before: str
    after: str
    applied: list[str] = field(default_factory=list)  # what the change does, in French
    left: list[str] = field(default_factory=list)  # what the editor must do by hand
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def diff(self) -> str:
        name = display_path(self.path)
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def _card_id(raw: str) -> str:
    text = clean_line(raw, 200).strip().strip("`").strip()
    url = CARD_URL.search(text)
    text = url.group(1) if url else text.removesuffix(".md").rsplit("/", 1)[-1]
    if not re.fullmatch(ID_PATTERN, text):
        raise ProposalError(f"identifiant de fiche illisible : « {text[:80]} » ; attendu : la fin de l'adresse de "
                            "la page, …/actions/<identifiant>/")
    return text


def _front_matter_end(text: str) -> int:
    """Offset of the line that closes the front matter."""
    match = re.match(r"---[^\n]*\n.*?^---[ \t]*$", text, re.S | re.M)
    if not match:
        raise ProposalError("la fiche n'a pas d'en-tête YAML lisible")
    return match.end() - len(match.group(0).rsplit("\n", 1)[-1])


def add_contact(text: str, contact: dict) -> str:
    """The card's text with one more contact in its front matter; the rest untouched."""
    items = yaml.safe_dump([contact], allow_unicode=True, sort_keys=False, width=10_000)
    block = "".join(f"  {line}\n" for line in items.splitlines())
    end = _front_matter_end(text)
    head, rest = text[:end], text[end:]
    empty = re.search(r"^contacts:[ \t]*\[\][ \t]*$", head, re.M)
    if empty:
        return head[:empty.start()] + "contacts:\n" + block.rstrip("\n") + head[empty.end():] + rest
    listed = re.search(r"^contacts:[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n)*)", head, re.M)
    if listed:
        return head[:listed.end()] + block + head[listed.end():] + rest
    return head + "contacts:\n" + block + rest


def _section(text: str, heading: str) -> re.Match | None:
    """The section under this level-2 heading; group 1 is its body."""
    return re.search(rf"^## {re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)


def replace_section(text: str, heading: str, new_body: str) -> str:
    """The card's text with one section's body replaced (the heading and the other sections untouched)."""
    match = _section(text, heading)
    if not match:
        raise ProposalError(f"section « {heading} » introuvable dans la fiche")
    tail = "\n" if match.end() >= len(text) else "\n\n"
    return text[:match.start(1)] + "\n" + new_body.strip() + tail + text[match.end():]


def _contact(values: dict, ticked: list[str], applied: list[str], left: list[str]) -> dict | None:
    given = {key: clean_line(values.get(form_id, ""), 200) for form_id, key in CONTACT_KEYS.items()}
    given = {k: v for k, v in given.items() if v}
    if not given:
        return None
    if CONSENT_CONTACT not in ticked:
        left.append("contact écarté : la case d'accord (contact publié ou donné avec accord) n'est pas cochée")
        return None
    try:
        Contact.model_validate(given)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))} : {e['msg']}" for e in error.errors())
        left.append(f"contact écarté, à vérifier : {problems}")
        return None
    applied.append(f"contact ajouté : {', '.join(given[k] for k in ('nom', 'fonction', 'structure') if k in given)}"
                   " (exportable: non, tant que la personne n'a pas accepté les données ouvertes)")
    return given


def build_change(report: str, content: Path) -> Change:
    """The change of a card's file that a submitted report asks for, validated with the whole content."""
    parsed = parse_issue_body(report, REPORT_FIELDS)
    if not parsed.values.get("fiche"):
        raise ProposalError("ce texte n'est pas un ticket « Signaler une correction ou un contact » : "
                            "le champ « Identifiant de la fiche » est absent ou vide")
    card_id = _card_id(parsed.values["fiche"])
    path = content / "actions" / f"{card_id}.md"
    if not path.exists():
        raise ProposalError(f"aucune fiche {display_path(path)} : vérifiez l'identifiant donné par le ticket")
    before = text = path.read_text(encoding="utf-8")
    applied: list[str] = []
    left: list[str] = []
    ticked = parsed.checked.get("engagements", [])
    contact = _contact(parsed.values, ticked, applied, left)
    if contact:
        text = add_contact(text, contact)
    part = parsed.values.get("partie", "")
    proposed = clean_block(parsed.values.get("texte", ""), 5_000)
    section = next((s for s in CARD_SECTIONS if fold(s.heading) == fold(part)), None)
    if proposed:
        match = _section(text, section.heading) if section else None
        if match and (not match.group(1).strip() or is_silent(match.group(1).strip(), SILENT_MARKER)):
            if CONSENT_EXACT in ticked:
                text = replace_section(text, section.heading, proposed)
                applied.append(f"section « {section.heading} » rédigée à partir du signalement (elle disait "
                               "« Non renseigné ») : relisez-la et citez la source")
            else:
                left.append(f"texte pour « {section.heading} » non repris : la case « exact et mes phrases » "
                            "n'est pas cochée")
        else:
            where = f"la section « {section.heading} »" if section else f"« {part or 'partie non précisée'} »"
            left.append(f"correction à reporter à la main dans {where} : {_shown(proposed)}")
    source = clean_line(parsed.values.get("source", ""), 300)
    if source:
        left.append(f"source indiquée : {source} — à citer dans « sources » si c'est un document public")
    elif applied:
        left.append("aucune source indiquée : demandez-la sur le ticket avant de publier")
    change = Change(card_id, path, before, text, applied, left)
    if text != before:
        change.diagnostics = validate_in_scratch(content, {path: (text, "card")})
        errors = [d for d in change.diagnostics if d.is_error]
        if errors:
            raise ProposalError("la fiche modifiée ne passe pas la validation :\n"
                                + "\n".join(d.as_text() for d in errors))
    return change


def _shown(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return f"« {flat[:limit]}{' …' if len(flat) > limit else ''} »"


def write(change: Change) -> None:
    change.path.write_text(change.after, encoding="utf-8")
