"""`essaim from-issue`: a submitted « Proposer une action » form becomes a card to review.

The form body is untrusted text. Everything taken from it is cleaned before it
reaches the card: front matter values become single-line text written through
the YAML dumper (no way to close the block or add keys), body text loses HTML,
unsafe or internal links, headings that would open a section and code fences
that would hide the following sections. The card is validated in a scratch
folder before anything is written: the result is a valid card, or an error in
French.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from essaim.model import geography, links
from essaim.pipeline import load as loader
from essaim.pipeline.catalog import Card
from essaim.text.diagnostics import Diagnostic, display_path
from essaim.derived.issue_form import (CONSENT_CONTACT, CONSENT_FACTS, CONSENT_LICENCE, CONTACT_OPEN_DATA, EVALUATION_OPTIONS,
                               FORM_FIELDS, ParsedIssue, parse_issue_body)
from essaim.model.card import CARD_SECTIONS, SILENT_TEXT, CardMeta, Contact, Transfer, valid_id
from essaim.editorial.scaffold import slugify
from essaim.derived.template import card_text
from essaim.pipeline.duplicates import likeness
from essaim.pipeline.validate import validate_files
from essaim.model.vocabularies import UnknownTerm, find_term, fold, vocabulary

MAX_BODY_BYTES = 256 * 1024  # GitHub caps issue bodies at 65 536 characters
MAX_SECTION_CHARS = 10_000
MAX_LINE_CHARS = 300
MAX_LIST_ITEMS = 30


def _limit(key: str, bound: str, model=CardMeta) -> int:
    """A length bound of a field of the model (min_length or max_length)."""
    return next(getattr(m, bound) for m in model.model_fields[key].metadata if hasattr(m, bound))


MAX_THEMES = _limit("themes", "max_length")
MAX_PREREQUISITES = _limit("prerequisites", "max_length", Transfer)
TITLE_MIN, TITLE_MAX = _limit("title", "min_length"), _limit("title", "max_length")
SUMMARY_MIN, SUMMARY_MAX = _limit("summary", "min_length"), _limit("summary", "max_length")


class ProposalError(Exception):
    """A proposal that cannot become a card; the message says why, in French."""


# --- cleaning untrusted text ---------------------------------------------------------

TAG = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
OPEN_ANGLE = re.compile(r"(<(?:https?|mailto):[^\s<>]*>)|<(?=[A-Za-z/!?])", re.IGNORECASE)
UNESCAPED_BRACKET = re.compile(r"(\\*)\[")
HEADING_1_2 = re.compile(r"^(\s{0,3})#{1,2}(?!#)[ \t]*")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
FENCE_START = re.compile(r"^(\s*)(```|~~~)")
BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
URL = re.compile(r"https?://[^\s<>()\[\]\"']+", re.IGNORECASE)


def _no_controls(text: str, keep_newlines: bool) -> str:
    """NFC text without control, format or separator characters (escape sequences, bidi overrides, U+2028…)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            continue
        else:
            out.append(char)
    return "".join(out)


def _neutralise_markup(line: str) -> str:
    """One line without HTML or images; safe autolinks stay (links are checked over the whole text)."""
    line = TAG.sub("", line)
    line = OPEN_ANGLE.sub(lambda m: m.group(1) or "< ", line)
    return line.replace("![", "[")


def _proposed_link(target: str) -> bool:
    """A link a proposal may keep: http(s), mailto or an anchor; no internal or unsafe link."""
    return links.scheme(target) in links.ALLOWED_SCHEMES or links.decoded(target).startswith("#")


def _without_bad_links(text: str) -> str:
    """The text, brackets escaped around each link the Markdown parser finds and that may not be kept.

    The parser reads the whole text (a target may follow a line break, a reference may be defined
    anywhere); escaping the brackets of the lines from the link's "[" to its target (and parting "](")
    keeps the words and removes the link or definition. A target that cannot be located: all is escaped."""
    if links.excess(text):  # too many brackets for the parser: none may open a link
        return _escape_links(text)
    for _ in range(MAX_LIST_ITEMS):
        bad = [found for found in links.targets(text) if not _proposed_link(found.target)]
        if not bad:
            return text
        start, end = 0, len(text)
        if bad[0].offset >= 0:  # from the line of the link's opening bracket to the end of its target's line
            start = text.rfind("\n", 0, max(text.rfind("[", 0, bad[0].offset), 0)) + 1
            end = text.find("\n", bad[0].offset + len(bad[0].target))
            end = len(text) if end < 0 else end
        text = text[:start] + _escape_links(text[start:end]) + text[end:]
    escaped = _escape_links(text)
    if any(not _proposed_link(found.target) for found in links.targets(escaped)):  # never seen; refuse rather than guess
        raise ProposalError("un lien de la proposition n'a pas pu être neutralisé : retirez-le du ticket")
    return escaped


def _escape_links(text: str) -> str:
    escaped = UNESCAPED_BRACKET.sub(lambda m: m.group(1) + ("" if len(m.group(1)) % 2 else "\\") + "[", text)
    return escaped.replace("](", "] (")


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut[limit // 2:] else cut
    return cut.rstrip() + "…"


def clean_line(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """A single line of plain text, safe in YAML front matter and in Markdown."""
    text = _no_controls(text, keep_newlines=False)
    text = _without_bad_links(_neutralise_markup(TAG.sub("", text)))
    return _truncate(" ".join(text.split()), limit)


def clean_block(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    """Markdown for one section: no HTML, no unsafe or internal link, no heading above level 3, no fence."""
    text = TAG.sub("", _no_controls(text, keep_newlines=True))
    lines: list[str] = []
    for raw in text.split("\n"):
        line = links.flattened(_neutralise_markup(raw.rstrip()))
        line = FENCE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = HEADING_1_2.sub(lambda m: m.group(1) + "### ", line)
        if SETEXT_UNDERLINE.match(line) and lines and lines[-1].strip():
            lines.append("")
        lines.append(line)
    block = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    # Escaping brackets lengthens the text: the limit applies after it, and links are checked again after the cut.
    return _without_bad_links(_truncate(_without_bad_links(block), limit))


def shown(text: str, limit: int = 80) -> str:
    """User text quoted in a message: one clean line, short."""
    return clean_line(text, limit)


# --- places --------------------------------------------------------------------------


def _split_list(raw: str) -> list[str]:
    parts = re.split(r"[,;\n]", raw)
    return [p for p in (clean_line(BULLET.sub("", part), 120) for part in parts) if p][:MAX_LIST_ITEMS]


def territory(values: dict[str, str], scale_label: str, kinds: list[str], detail: str, notes: list[str]) -> dict:
    regions: list[str] = []
    departements: list[str] = []
    communes: list[dict] = []
    for kind, codes, noun, ignored in (("region", regions, "région", "ignorée"),
                                       ("departement", departements, "département", "ignoré")):
        for raw in _split_list(values[kind + "s"]):
            try:
                code = geography.find_place(kind, raw).code
                codes += [code] if code not in codes else []
            except geography.PlaceError:
                notes.append(f"{noun} « {shown(raw)} » introuvable dans le référentiel officiel : {ignored}")
    for raw in _split_list(values["communes"]):
        name = geography.split_departement(raw)[0]  # kept without its « (93) » when no code is found
        try:
            place = geography.find_place("commune", raw, within=departements)
            communes.append({"nom": place.name, "insee": place.code})
        except geography.AmbiguousPlace as error:
            communes.append({"nom": name})
            notes.append(f"commune « {shown(name)} » : plusieurs communes portent ce nom ("
                         + ", ".join(error.listed()) + ") ; code INSEE à ajouter à la main")
        except geography.PlaceError:
            communes.append({"nom": name})
            notes.append(f"commune « {shown(name)} » : introuvable dans le référentiel officiel ; code INSEE à "
                         "ajouter à la main")
    for commune in communes:
        parent = geography.communes()[commune["insee"]].parent if "insee" in commune else None
        if parent and parent not in departements:
            departements.append(parent)
    for code in departements:
        parent = geography.departements()[code].parent
        if parent not in regions:
            regions.append(parent)
    scale = _term("echelles", scale_label, notes) if scale_label else None
    if scale is None:
        scale = ("commune" if communes else "departement" if len(departements) == 1
                 else "region" if len(regions) == 1 else "national" if not regions else "region")
        notes.append(f"échelle d'intervention non choisie : « {vocabulary('echelles').label(scale)} » déduite des "
                     "lieux, à vérifier")
    result = {"regions": regions, "departements": departements, "communes": communes, "echelle": scale,
              "types": kinds}
    if detail:
        result["precision"] = detail
    return result


# --- vocabulary answers ---------------------------------------------------------------


def _term(name: str, label: str, notes: list[str]) -> str | None:
    label = clean_line(label, 200)
    try:
        return find_term(name, label)
    except UnknownTerm:
        notes.append(f"« {shown(label)} » n'est pas dans le vocabulaire « {name} » : ignoré")
        return None


def _terms(name: str, field_ids: list[str], parsed: ParsedIssue, notes: list[str]) -> list[str]:
    """Ticked boxes (or, from an edited body, labels separated by commas) as vocabulary ids."""
    ids: list[str] = []
    for field_id in field_ids:
        labels = parsed.checked.get(field_id, [])
        raw = parsed.values.get(field_id, "")
        if not labels and raw and not any(line.lstrip().startswith(("- [", "* [")) for line in raw.split("\n")):
            labels = _labels_in_text(name, raw)
        for label in labels:
            term = _term(name, label, notes)
            if term and term not in ids:
                ids.append(term)
    return ids


def _labels_in_text(name: str, raw: str) -> list[str]:
    """Labels found in a comma-separated answer, in order; labels may themselves contain commas."""

    def commas(text: str) -> str:
        return "," + ",".join(part.strip() for part in fold(text).split(",")) + ","

    rest = commas(raw)
    found: list[tuple[int, str]] = []
    for term in sorted(vocabulary(name).terms, key=lambda t: -len(t.label)):
        key = commas(term.label)
        position = rest.find(key)
        if position >= 0:
            found.append((position, term.label))
            rest = rest[:position] + "," + "\0" * (len(key) - 2) + "," + rest[position + len(key):]
    offset = 0
    for part in rest.split(","):
        if part.strip("\0").strip():
            found.append((offset, part.strip("\0")))
        offset += len(part) + 1
    return [label for _, label in sorted(found)]


# --- the proposal ---------------------------------------------------------------------


@dataclass
class Proposal:
    id: str
    values: dict  # front matter, in model order
    sections: dict[str, str]  # section key -> Markdown
    source_id: str
    source: dict  # the proposal's own source document
    notes: list[str] = field(default_factory=list)  # what was adjusted, ignored or left to complete

    def card_text(self) -> str:
        return card_text(self.values, self.sections)

    def source_text(self) -> str:
        header = ("# Créé par « essaim from-issue » : la proposition reçue par le formulaire "
                  "« Proposer une action ».\n")
        return header + yaml.safe_dump(self.source, allow_unicode=True, sort_keys=False, width=10_000)

    def card(self, path: Path) -> Card:
        """The card as the catalog sees it (level, what is missing); raises if the front matter is invalid."""
        return Card(self.id, path, CardMeta.model_validate(self.values), dict(self.sections))


def read_body(path: str, stdin=None) -> str:
    """The text of a submitted form body, from a file or from standard input (« - »)."""
    try:
        if path == "-":
            raw = stdin.buffer.read(MAX_BODY_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_BODY_BYTES + 1)
    except IsADirectoryError as error:
        raise ProposalError(f"« {shown(path)} » est un dossier, pas le texte d'un ticket") from error
    except OSError as error:
        raise ProposalError(f"impossible de lire « {shown(path)} » : {error.strerror or error}") from error
    if len(raw) > MAX_BODY_BYTES:
        raise ProposalError(f"texte de plus de {MAX_BODY_BYTES // 1024} Kio : ce n'est pas un ticket de proposition "
                            "(GitHub limite un ticket à 65 536 caractères)")
    if b"\x00" in raw:
        raise ProposalError("le fichier contient des octets nuls : ce n'est pas un texte")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProposalError("le texte n'est pas en UTF-8 : enregistrez le corps du ticket en UTF-8") from error


def _year(raw: str, what: str, notes: list[str]) -> int | None:
    if not raw:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*", raw)
    if match and 1900 <= int(match.group(1)) <= 2100:
        return int(match.group(1))
    notes.append(f"{what} « {shown(raw)} » n'est pas une année entre 1900 et 2100 (AAAA) : à compléter à la main")
    return None


def _lines(raw: str, limit: int = 200) -> list[str]:
    items = [clean_line(BULLET.sub("", line), limit) for line in raw.replace("\r", "\n").split("\n")]
    return [item for item in items if item and item != "_No response_"][:MAX_LIST_ITEMS]


def _known_sources(content: Path) -> dict[str, str]:
    """Normalised address or id -> source id, for the source documents already described."""
    known = {}
    for path in sorted((content / "sources").glob("*.yaml")):
        known[path.stem] = path.stem
        try:
            url = loader.read(path, "source").data.get("url")
        except loader.LoadProblem:
            continue
        if isinstance(url, str):
            known[_normal_url(url)] = path.stem
    return known


def _normal_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _contact(values: dict, parsed: ParsedIssue, notes: list[str]) -> list[dict]:
    contact = {"nom": clean_line(values["contact-nom"], 120), "fonction": clean_line(values["contact-fonction"], 200),
               "structure": clean_line(values["contact-structure"], 200)}
    email, phone = clean_line(values["contact-email"], 200), clean_line(values["contact-telephone"], 40)
    for key, value, what in (("email", email, "adresse électronique « {} » invalide : ignorée"),
                             ("telephone", phone, "téléphone « {} » invalide : ignoré")):
        if not value:
            continue
        try:
            Contact.model_validate({key: value})
            contact[key] = value
        except ValidationError:
            notes.append(what.format(shown(value)))
    contact = {k: v for k, v in contact.items() if v}
    if not contact:
        return []
    if not ticked(parsed, "engagements", CONSENT_CONTACT):
        notes.append("contact non repris : la case d'accord sur le contact n'est pas cochée")
        return []
    contact["exportable"] = ticked(parsed, "contact-exportable", CONTACT_OPEN_DATA)
    return [contact]


def ticked(parsed: ParsedIssue, field_id: str, label: str) -> bool:
    return fold(label) in {fold(item) for item in parsed.checked.get(field_id, [])}


def build_proposal(text: str, content: Path, card_id: str | None = None, ticket_url: str | None = None,
                   today: date | None = None, distinct_from: list[str] | None = None) -> Proposal:
    """A card built from a submitted form body; raises ProposalError with a French message."""
    today = today or date.today()
    parsed = parse_issue_body(text)
    if parsed.found == 0:
        raise ProposalError("ce texte ne ressemble pas à un ticket « Proposer une action » : aucun des titres "
                            "attendus (« ### Titre de l'action », « ### Résumé »…) n'y figure")
    v = parsed.values
    notes: list[str] = []
    if not ticked(parsed, "engagements", CONSENT_LICENCE):
        raise ProposalError("la case « J'accepte que ma proposition soit publiée sous licence CC BY 4.0 » n'est pas "
                            "cochée : sans cet accord, la proposition ne peut pas devenir une fiche")
    if not ticked(parsed, "engagements", CONSENT_FACTS):
        notes.append("la case « faits exacts, phrases personnelles » n'est pas cochée : relisez la proposition "
                     "avec soin")

    title = clean_line(v["titre"], TITLE_MAX)
    if len(title) < TITLE_MIN:
        raise ProposalError(f"le titre de l'action manque ou est trop court ({TITLE_MIN} caractères au moins) : "
                            "complétez « Titre de l'action » dans le ticket")
    if len(" ".join(v["titre"].split())) > TITLE_MAX:
        notes.append(f"titre raccourci à {TITLE_MAX} caractères")
    carrier = clean_line(v["porteur"], 200)
    if not carrier:
        raise ProposalError("la structure porteuse manque : complétez « Structure porteuse » dans le ticket")
    themes = _terms("themes", [f.id for f in FORM_FIELDS if f.target == "themes"], parsed, notes)
    publics = _terms("publics", ["publics"], parsed, notes)
    missing = [what for what, ok in (("au moins un thème", themes), ("au moins un public", publics)) if not ok]
    if missing:
        raise ProposalError(f"cochez {' et '.join(missing)} dans le ticket : une fiche en a besoin pour être trouvée")
    if len(themes) > MAX_THEMES:
        notes.append(f"{len(themes)} thèmes cochés : seuls les {MAX_THEMES} premiers sont gardés")
        themes = themes[:MAX_THEMES]

    card_id = card_id or slugify(title)
    if not card_id or not valid_id(card_id):
        raise ProposalError(f"identifiant « {shown(card_id or title)} » impossible : donnez --id avec des minuscules "
                            "sans accents, des chiffres et des tirets (mediation-sante-grenoble)")
    if ticket_url is not None and not re.fullmatch(r"https?://[^\s<>\"']{1,300}", ticket_url):
        raise ProposalError("--ticket attend l'adresse http(s) du ticket GitHub")

    summary = clean_line(v["resume"], SUMMARY_MAX)
    if not summary:
        summary = f"{title} : résumé à compléter en une ou deux phrases."
        notes.append("résumé absent : à écrire")
    elif len(summary) < SUMMARY_MIN:
        summary = f"{summary} — résumé à compléter."
        notes.append("résumé très court : à compléter")

    carrier_type = _term("porteurs", v["type-porteur"], notes) if v["type-porteur"] else None
    if carrier_type is None:
        carrier_type = "autre"
        notes.append("type de structure porteuse non choisi : « Autre », à préciser")
    kinds = _terms("territoires", ["types-territoire"], parsed, notes)
    place = territory(v, v["echelle"], kinds, clean_line(v["precision-territoire"]), notes)
    start = _year(v["debut"], "année de début", notes)
    end = _year(v["fin"], "année de fin", notes)
    if start and end and end < start:
        notes.append(f"année de fin ({end}) antérieure à l'année de début ({start}) : année de fin ignorée")
        end = None
    status = (_term("statuts", v["statut"], notes) if v["statut"] else None) or "inconnu"

    source_id = f"proposition-{card_id}"
    sources = [{"document": source_id}]
    known = _known_sources(content)
    resources = []
    for line in _lines(v["documents"], 400):
        urls = URL.findall(line)
        matched = [known.get(_normal_url(u)) for u in urls] or [known.get(line)]
        for source in filter(None, matched):
            if {"document": source} not in sources:
                sources.append({"document": source})
        if not any(matched):
            resources.append("- " + (" ".join(f"<{u}>" for u in urls) if urls else line))
    if resources:
        notes.append("documents cités sans fiche source : ajoutés à « Ressources » ; décrivez-les dans "
                     "content/sources/ s'ils sont publics")

    evaluation = {"evaluee": EVALUATION_OPTIONS.get(v["evaluee"])}
    method = clean_line(v["methode-evaluation"], 500)
    if method:
        evaluation["methode"] = method

    values = {
        "titre": title,
        "resume": summary,
        "porteur": {"nom": carrier, "type": carrier_type},
        "territoire": place,
        "themes": themes,
        "publics": publics,
        "periode": {"debut": start, "fin": end},
        "statut": status,
        "partenaires": {"operationnels": _lines(v["partenaires-operationnels"]),
                        "financiers": _lines(v["partenaires-financiers"])},
    }
    funding = clean_line(v["financement"], 500)
    if funding:
        values["financement"] = funding
    values["cadres"] = _terms("cadres", ["cadres"], parsed, notes)
    values["contacts"] = _contact(v, parsed, notes)
    values["sources"] = sources
    values["evaluation"] = evaluation
    transfer = {key: clean_line(v[field_id], 500) for key, field_id in
                (("budget", "cout"), ("moyens_humains", "moyens-humains"), ("delai", "delai"))}
    transfer["prerequis"] = _lines(v["prerequis"], 500)[:MAX_PREREQUISITES]
    if any(transfer.values()):
        values["transfert"] = {key: value for key, value in transfer.items() if value}
    values["mise_a_jour"] = today.strftime("%Y-%m")
    if distinct_from:
        values["distincte_de"] = list(distinct_from)

    sections = {}
    for section in CARD_SECTIONS:
        raw = v[f"section-{section.key}"]
        text = clean_block(raw)
        if len(raw) > MAX_SECTION_CHARS:
            notes.append(f"section « {section.heading} » raccourcie à {MAX_SECTION_CHARS} caractères")
        if section.key == "resources" and resources:
            text = "\n".join(filter(None, [text, *resources]))
        sections[section.key] = text or SILENT_TEXT

    source = {
        "titre": f"Proposition « {title} » reçue par le formulaire d'Essaim",
        "editeur": "Contributeur ou contributrice d'Essaim (formulaire « Proposer une action »)",
        "date": today.strftime("%Y-%m-%d"),
        **({"url": ticket_url} if ticket_url else {}),
        "description": "Description de l'action transmise par le formulaire « Proposer une action », relue par "
                       "les éditeurs.",
    }
    return Proposal(card_id, values, sections, source_id, source, notes)


# --- looking for the same action among existing cards ----------------------------------


@dataclass(frozen=True)
class Similar:
    id: str
    path: str  # as editors see it
    title: str
    reason: str  # French
    strong: bool  # True: probably the same action; False: worth a look


def similar_cards(content: Path, proposal: Proposal) -> list[Similar]:
    """Existing cards that look like the proposal (essaim.pipeline.duplicates): probably the same action, or
    of the same carrier. Every card file is read, valid or not: a card being fixed is still the same action."""
    wanted = {"id": proposal.id, "carrier": proposal.values["porteur"]["nom"], "title": proposal.values["titre"],
              "summary": proposal.values["resume"]}
    found = []
    for path in sorted((content / "actions").glob("*.md")):
        try:
            data = loader.read(path, "card").data
        except loader.LoadProblem:
            continue
        porteur = data.get("porteur") if isinstance(data.get("porteur"), dict) else {}
        other = {"id": path.stem, **{key: value for key, value in (
            ("carrier", porteur.get("nom")), ("title", data.get("titre")), ("summary", data.get("resume")))
            if isinstance(value, str)}}
        alike = likeness(wanted, other)
        if alike.strong or alike.same_carrier:
            found.append(Similar(path.stem, display_path(path), other.get("title", ""), ", ".join(alike.reasons),
                                 alike.strong))
    return sorted(found, key=lambda s: (not s.strong, s.path))


# --- writing ---------------------------------------------------------------------------


@dataclass
class Written:
    card: Path
    source: Path
    level: str
    missing: list[str]
    diagnostics: list[Diagnostic]  # warnings left by the validator


def validate_in_scratch(content: Path, files: dict[Path, tuple[str, str]]) -> list[Diagnostic]:
    """Validate the whole content with these files (path -> (text, kind)) written or replaced, in a scratch
    folder; the diagnostics of these files, under their real paths."""
    replaced = {path.resolve() for path in files}
    with tempfile.TemporaryDirectory(prefix="essaim-proposition-") as scratch:
        real, checked = {}, []
        for path, (text, kind) in files.items():
            scratch_path = Path(scratch) / path.parent.name / path.name
            scratch_path.parent.mkdir(exist_ok=True)
            scratch_path.write_text(text, encoding="utf-8")
            real[display_path(scratch_path)] = display_path(path)
            checked.append((scratch_path, kind))
        others = [(p, k) for p, k in loader.discover(content) if p.resolve() not in replaced]
        validation = validate_files(others + checked)
        return [dataclasses.replace(d, path=real[d.path]) for d in validation.diagnostics if d.path in real]


def check(content: Path, proposal: Proposal) -> tuple[list[Diagnostic], Card]:
    """Validate the proposal's card and source with the whole content, in a scratch folder."""
    card_path = content / "actions" / f"{proposal.id}.md"
    source_path = content / "sources" / f"{proposal.source_id}.yaml"
    diagnostics = validate_in_scratch(content, {card_path: (proposal.card_text(), "card"),
                                                source_path: (proposal.source_text(), "source")})
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise ProposalError("la fiche tirée de la proposition ne passe pas la validation :\n"
                            + "\n".join(d.as_text() for d in errors))
    return diagnostics, proposal.card(card_path)


def write(content: Path, proposal: Proposal, force: bool = False) -> Written:
    card_path = content / "actions" / f"{proposal.id}.md"
    source_path = content / "sources" / f"{proposal.source_id}.yaml"
    for path in (card_path, source_path):
        if path.exists() and not force:
            raise ProposalError(f"{display_path(path)} existe déjà : s'il s'agit de la même action, complétez "
                                "la fiche existante ; sinon donnez un autre --id (ou --force pour remplacer)")
    diagnostics, card = check(content, proposal)
    card_path.parent.mkdir(parents=True, exist_ok=True)
    source_path.parent.mkdir(parents=True, exist_ok=True)
    card_path.write_text(proposal.card_text(), encoding="utf-8")
    source_path.write_text(proposal.source_text(), encoding="utf-8")
    return Written(card_path, source_path, card.level, card.missing, diagnostics)
