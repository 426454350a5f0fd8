"""Stage 2 — validate: check every loaded document against the model and the rules.

Each document is checked on its own (front matter against the model, body
sections, links, HTML), then the set is checked as a whole (duplicate ids,
probable duplicate actions, links between documents, unknown sources).
Problems are collected, never raised: one bad file never stops the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from essaim.pipeline import body as markdown_body
from essaim.model import geography, links, personal
from essaim.pipeline import parallel
from essaim.pipeline.coherence import check_card_coherence
from essaim.text.diagnostics import Diagnostic, Severity
from essaim.pipeline import load
from essaim.pipeline.load import Document
from essaim.pipeline.duplicates import likeness
from essaim.pipeline.messages import explain
from essaim.model.card import (CARD_SECTIONS, ID_HINT, ID_MAX_LENGTH, SILENT_TEXT, CardMeta, GuideMeta,
                          SourceDocument, shown_id, valid_id)
from essaim.model.vocabularies import did_you_mean, fold, nearest
from essaim.text.yamlreader import key_node, node_at

MODELS: dict[str, type[BaseModel]] = {"card": CardMeta, "guide": GuideMeta, "source": SourceDocument}


@dataclass
class Checked:
    """A document whose front matter matches the model."""

    document: Document
    meta: BaseModel


@dataclass
class Validation:
    checked: list[Checked]
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


class Reporter:
    """Locates problems in one document's front matter or body."""

    def __init__(self, document: Document):
        self.document = document
        self.found: list[Diagnostic] = []

    def at_node(self, path: tuple, code: str, message: str, hint: str | None = None,
                severity: Severity = Severity.ERROR, on_key: bool = False) -> None:
        node = key_node(self.document.node, path) if on_key else None
        if node is None:
            node, _ = node_at(self.document.node, path)
        line = node.start_mark.line if node is not None else 0
        column = node.start_mark.column if node is not None else 0
        self.add(self.document.front_matter_line + line, column + 1, code, message, hint, severity)

    def at_body(self, line: int, column: int, code: str, message: str, hint: str | None = None,
                severity: Severity = Severity.ERROR) -> None:
        self.add(self.document.body_line + line, column + 1, code, message, hint, severity)

    def add(self, line, column, code, message, hint=None, severity=Severity.ERROR) -> None:
        self.found.append(Diagnostic(self.document.display, line, column, code, message, hint, severity))


def validate_files(files: list[tuple[Path, str]], workers: int | None = None) -> Validation:
    """Load and check each file, then check the set as a whole.

    Files are read in worker processes when there are many of them (workers: see
    essaim.pipeline.parallel.ordered_map); reading and parsing are most of the time."""
    checked, diagnostics = [], []
    for document in parallel.ordered_map(load.read_or_diagnose, files, workers):
        if isinstance(document, Diagnostic):
            diagnostics.append(document)
            continue
        result, found = check_document(document)
        diagnostics += found
        if result:
            checked.append(result)
    diagnostics += check_collection(checked, [path for path, _ in files])
    return Validation(checked, diagnostics)


class _RealPaths:
    """Absolute paths with the folders' symbolic links and .. resolved, each folder once."""

    def __init__(self):
        self.folders: dict[str, str] = {}
        self.here = os.getcwd()

    def __call__(self, path: Path | str) -> str:
        folder, name = os.path.split(os.path.join(self.here, path))
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


def check_document(document: Document) -> tuple[Checked | None, list[Diagnostic]]:
    report = Reporter(document)
    if not valid_id(document.id):
        report.add(1, 1, "id-invalide", f"nom de fichier « {shown_id(document.path.name)} » non conforme",
                   f"{ID_HINT}.md ({ID_MAX_LENGTH} caractères au plus)")
    model = MODELS[document.kind]
    meta = None
    try:
        meta = model.model_validate(document.data)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            code, message, hint = explain(model, item)
            report.at_node(tuple(item["loc"]), code, message, hint, on_key=item["type"] == "extra_forbidden")
    if document.outline:
        check_safety(document.outline, report)
        if document.kind == "card":
            check_sections(document.outline, report)
    if isinstance(meta, CardMeta):
        check_territory(meta, report)
        check_period(meta, report)
        check_verification(meta, report)
        check_card_coherence(meta, document.outline.sections if document.outline else {}, report)
    if meta is not None and document.kind != "source":
        check_personal_data(document, getattr(meta, "contacts", []), report)
    return (Checked(document, meta) if meta else None), report.found


def check_safety(parsed: markdown_body.ParsedBody, report: Reporter) -> None:
    for item in parsed.excess:
        report.at_body(item.line, item.column, item.code, item.message, item.hint)
    for tag in parsed.html:
        report.at_body(tag.line, tag.column, "html-interdit", f"balise HTML « <{tag.tag}> » interdite",
                       "écrivez en Markdown : **gras**, *italique*, [lien](adresse)")
    for link in parsed.links:
        if not links.is_safe(link.target):
            report.at_body(link.line, link.column, "lien-dangereux",
                           f"lien « {links.decoded(link.target)[:40]} » interdit",
                           f"seuls ces liens sont acceptés : {links.ALLOWED_TEXT}")


def check_personal_data(document: Document, contacts: list, report: Reporter) -> None:
    """Emails and phone numbers in free text (sections, partners, funding…): only a consenting contact's."""
    hint = ("un contact se déclare dans « contacts » (il y est protégé) ; écrit ailleurs, il n'est accepté que "
            "s'il appartient à un contact « exportable: true » dont la personne a donné son accord, "
            "ou au « standard_public » d'une structure")
    found = [detail for detail in personal.details(document.body) if not personal.allowed(detail, contacts)]
    where = markdown_body.locate(document.body, [detail.offset for detail in found])
    for detail in found:
        report.at_body(*where[detail.offset], "donnee-personnelle", f"{detail.kind} « {detail.value} » écrit dans le texte",
                       hint)
    for path, text in _strings(document.data, ()):
        if path[:1] == ("contacts",):
            continue
        for detail in personal.details(text):
            if not personal.allowed(detail, contacts):
                report.at_node(path, "donnee-personnelle", f"{detail.kind} « {detail.value} » écrit dans « {path[-1]} »",
                               hint)


def _strings(value, path: tuple):
    """(path, text) of every string in the front matter."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def check_sections(parsed: markdown_body.ParsedBody, report: Reporter) -> None:
    expected = {s.heading: s for s in CARD_SECTIONS}
    order = [s.heading for s in CARD_SECTIONS]
    level2 = [h for h in parsed.headings if h.level == 2]
    if parsed.preamble:
        report.at_body(0, 0, "texte-hors-section", "du texte précède la première section",
                       "placez ce texte dans « ## Problématique et contexte » ou dans le résumé")
    seen: list[str] = []
    for heading in level2:
        if heading.text not in expected:
            hint = did_you_mean(nearest(heading.text, order, cutoff=0.5)) or f"sections possibles : {' · '.join(order)}"
            report.at_body(heading.line, 0, "section-inconnue", f"section « {heading.text} » inconnue", hint)
            continue
        if heading.text in seen:
            report.at_body(heading.line, 0, "section-dupliquee", f"section « {heading.text} » écrite deux fois",
                           "regroupez son contenu sous un seul titre")
            continue
        if seen and order.index(heading.text) < order.index(seen[-1]):
            report.at_body(heading.line, 0, "section-ordre", f"section « {heading.text} » mal placée",
                           f"ordre attendu : {' · '.join(order)}")
        seen.append(heading.text)
    last_line = level2[-1].line if level2 else 0
    for section in CARD_SECTIONS:
        if section.heading not in parsed.sections:
            if section.mandatory:
                report.at_body(last_line, 0, "section-manquante", f"section obligatoire « {section.heading} » absente",
                               f"ajoutez « ## {section.heading} » ; si la source est muette, écrivez seulement « {SILENT_TEXT} »")
        elif not parsed.sections[section.heading]:
            line = next(h.line for h in level2 if h.text == section.heading)
            report.at_body(line, 0, "section-vide", f"section « {section.heading} » vide",
                           f"remplissez-la, ou si la source est muette écrivez seulement « {SILENT_TEXT} »")


def check_territory(meta: CardMeta, report: Reporter) -> None:
    territory = meta.territory
    departements = geography.departements()
    for index, code in enumerate(territory.departements):
        region = departements[code].parent
        if territory.regions and region not in territory.regions:
            name = geography.regions()[region].name
            report.at_node(("territoire", "departements", index), "departement-hors-region",
                           f"le département {code} ({departements[code].name}) n'est pas dans les régions indiquées",
                           f"il appartient à la région {region} ({name}) : ajoutez \"{region}\" à regions ou corrigez le code")
    for index, commune in enumerate(territory.communes):
        if commune.insee is None:
            continue
        place = geography.communes()[commune.insee]
        if territory.departements and place.parent not in territory.departements:
            report.at_node(("territoire", "communes", index, "insee"), "commune-hors-departement",
                           f"la commune {commune.insee} ({place.name}) est dans le département {place.parent}, absent de departements",
                           f"ajoutez \"{place.parent}\" à departements ou corrigez le code INSEE")
        if fold(commune.name) not in fold(place.name) and fold(place.name) not in fold(commune.name):
            report.at_node(("territoire", "communes", index, "nom"), "commune-nom",
                           f"le code {commune.insee} désigne « {place.name} », pas « {commune.name} »",
                           "vérifiez le code INSEE (ce n'est pas le code postal)", Severity.WARNING)


def check_period(meta: CardMeta, report: Reporter) -> None:
    period = meta.period
    if period.start and period.end and period.end < period.start:
        report.at_node(("periode", "fin"), "periode-incoherente",
                       f"l'année de fin ({period.end}) précède l'année de début ({period.start})")


def check_verification(meta: CardMeta, report: Reporter) -> None:
    """A confirmation by the carrier needs both its date and who confirmed (a role)."""
    if meta.verified_by and not meta.verified_on:
        report.at_node(("verifie_par",), "verification-incomplete", "verifie_par sans verifie_le",
                       "ajoutez la date de la confirmation : verifie_le: \"AAAA-MM\"")
    if meta.verified_on and not meta.verified_by:
        report.at_node(("verifie_le",), "verification-incomplete", "verifie_le sans verifie_par",
                       "ajoutez qui a confirmé, par sa fonction : verifie_par: coordinatrice du CLS")


# --- rules across documents -------------------------------------------------


def check_collection(checked: list[Checked], paths: list[Path]) -> list[Diagnostic]:
    """Rules across documents; paths are all the files read, readable or not (link targets)."""
    real_path = _RealPaths()
    known_paths = {real_path(path) for path in paths}
    found: list[Diagnostic] = []
    found += _duplicate_ids(checked)
    found += _probable_duplicates([c for c in checked if isinstance(c.meta, CardMeta)])
    source_ids = {c.document.id for c in checked if c.document.kind == "source"}
    for item in checked:
        report = Reporter(item.document)
        if item.document.kind != "source":
            for index, ref in enumerate(item.meta.sources):
                if source_ids and ref.document not in source_ids:
                    report.at_node(("sources", index, "document"), "source-inconnue",
                                   f"document source « {ref.document} » inconnu",
                                   "décrivez-le d'abord dans content/sources/<identifiant>.yaml")
            _check_links(item, known_paths, real_path, report)
        found += report.found
    return found


def _duplicate_ids(checked: list[Checked]) -> list[Diagnostic]:
    first: dict[tuple[str, str], Checked] = {}
    found = []
    for item in checked:
        namespace = "source" if item.document.kind == "source" else "page"
        key = (namespace, item.document.id.casefold())
        if key in first:
            other = first[key].document.display
            report = Reporter(item.document)
            report.add(1, 1, "id-duplique", f"l'identifiant « {item.document.id} » est déjà pris par {other}",
                       "renommez l'un des deux fichiers")
            found += report.found
        else:
            first[key] = item
    return found


def _probable_duplicates(cards: list[Checked]) -> list[Diagnostic]:
    """Cards of the same carrier with close titles (essaim.pipeline.duplicates: one rule, one threshold)."""
    found = []
    by_carrier: dict[str, list[Checked]] = {}
    for card in cards:
        by_carrier.setdefault(fold(card.meta.carrier.name), []).append(card)
    for group in by_carrier.values():
        for index, card in enumerate(group):
            for earlier in group[:index]:
                if card.document.id in earlier.meta.distinct_from or earlier.document.id in card.meta.distinct_from:
                    continue
                if likeness(_described(card), _described(earlier), summaries=False).duplicate:
                    for one, other in ((card, earlier), (earlier, card)):
                        report = Reporter(one.document)
                        report.at_node(("titre",), "doublon-probable",
                                       f"même porteur et titre presque identique à {other.document.display}",
                                       f"fusionnez les deux fiches, ou déclarez distincte_de: [{other.document.id}]")
                        found += report.found
    return found


def _described(item: Checked) -> dict[str, str]:
    return {"carrier": item.meta.carrier.name, "title": item.meta.title}


def _check_links(item: Checked, known_paths: set[str], real_path: _RealPaths, report: Reporter) -> None:
    base = os.path.dirname(item.document.path)
    for link in item.document.outline.links:
        target = link.target
        if not target or target.startswith("#") or links.scheme(target):
            continue
        path_part = target.split("#", 1)[0]
        if target.startswith("/") or not path_part.endswith(".md"):
            report.at_body(link.line, link.column, "lien-interne", f"lien interne « {target} » non pris en charge",
                           "pointez vers le fichier Markdown, par exemple ../guides/mediation-en-sante.md")
            continue
        if real_path(os.path.join(base, path_part)) not in known_paths:
            report.at_body(link.line, link.column, "lien-casse", f"le lien « {target} » ne mène à aucune fiche ni aucun guide",
                           "vérifiez le nom du fichier (« essaim list » donne les identifiants)")
