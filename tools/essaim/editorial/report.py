"""Editorial health: what the cards still need (`essaim report`, and the site's « À compléter » page).

Besides completeness, contacts and updates, it measures the editing of the cards: titles that name a place,
commentary about the source document, silent sections, known costs (transfert.budget) and contacts.

`editorial_report(catalog)` returns the data; it reads only the catalog (link
positions come from the outlines it keeps), never a content file. External links are
checked only on request: HEAD first, then GET when HEAD fails, with a timeout,
a few requests at a time, and never more than once per address.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from essaim import __version__
from essaim.pipeline.body import is_silent
from essaim.pipeline.catalog import LEVEL_LABELS, Card, Catalog
from essaim.pipeline.coherence import title_place
from essaim.model.freshness import last_day
from essaim.text.diagnostics import display_path
from essaim.model.card import SILENT_MARKER, SILENT_TEXT

STALE_AFTER_YEARS = 2
LINK_TIMEOUT = 10.0
LINK_WORKERS = 8
USER_AGENT = f"essaim/{__version__} (verification des liens des fiches Essaim)"
# Commentary about the document instead of the action (« la source indique… »), counted in summary and sections.
SOURCE_MENTION = re.compile(r"\b(?:la source|la fiche|l['’]ouvrage|le rapport|le document)\b", re.IGNORECASE)


@dataclass
class CardEntry:
    id: str
    title: str
    path: str  # as editors see it
    url: str  # the card's page, relative to the site root
    level: str  # ebauche, partielle, complete
    level_label: str
    missing: list[str]  # French labels (Card.missing)
    updated: str  # mise_a_jour as written


@dataclass
class CardCount:
    id: str
    path: str
    count: int


@dataclass
class TitlePlace:
    id: str
    path: str
    title: str
    place: str | None  # the place the title names, None when it names none


@dataclass
class BrokenLink:
    url: str
    reason: str  # French: « erreur 404 », « délai dépassé »…
    status: int | None  # HTTP status, None when no answer
    places: list[str]  # path:line where the address appears


@dataclass
class ToVerify:
    """A card whose information is older than freshness.FRESH_YEARS years, for its carrier to confirm."""

    id: str
    title: str
    path: str
    information: str  # « Informations de 2021 »
    date: str
    contact: str | None  # the first published contact: e-mail or telephone


@dataclass
class EditorialReport:
    date: str  # AAAA-MM-JJ, the day the report was made
    total: int  # number of valid cards
    incomplete: list[CardEntry]  # stubs (ebauche) then partial cards, with what they miss
    without_contact: list[CardEntry]
    stale: list[CardEntry]  # not updated for STALE_AFTER_YEARS years
    # Editing (issue #17): places in titles, commentary about the source, silent sections, transferability.
    title_places: list[TitlePlace] = field(default_factory=list)  # every card; those without a place first
    with_place_in_title: int = 0
    source_mentions: list[CardCount] = field(default_factory=list)  # cards that mention the source, most first
    source_mentions_total: int = 0
    silent_sections: list[CardCount] = field(default_factory=list)  # « Non renseigné » sections, most first
    silent_sections_total: int = 0
    with_cost: list[CardEntry] = field(default_factory=list)  # transfert.budget known
    with_contact: list[CardEntry] = field(default_factory=list)
    # Freshness: cards to verify, grouped by carrier (name as the card writes it), carriers in order.
    to_verify: dict[str, list[ToVerify]] = field(default_factory=dict)
    links_checked: bool = False
    links_total: int = 0  # distinct external addresses checked
    broken_links: list[BrokenLink] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _entry(card: Card) -> CardEntry:
    return CardEntry(card.id, card.meta.title, display_path(card.path), card.url, card.level,
                     LEVEL_LABELS[card.level], list(card.missing), card.meta.updated)


def source_mentions(card: Card) -> int:
    """How many times the card's summary and sections speak of the document (« la source », « le rapport »…);
    the standard line of a silent section (« Non renseigné dans la source. ») is not counted."""
    texts = (card.meta.summary, *card.sections.values())
    return sum(len(SOURCE_MENTION.findall(text.replace(SILENT_TEXT, ""))) for text in texts)


def silent_sections(card: Card) -> int:
    """How many sections say only that the source is silent."""
    return sum(1 for text in card.sections.values() if text and is_silent(text, SILENT_MARKER))


def _counts(cards: list[Card], count) -> list[CardCount]:
    counted = [CardCount(c.id, display_path(c.path), count(c)) for c in cards]
    return sorted((c for c in counted if c.count), key=lambda c: (-c.count, c.id))


def is_stale(updated: str, today: date) -> bool:
    try:
        limit = today.replace(year=today.year - STALE_AFTER_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - STALE_AFTER_YEARS, day=28)
    return last_day(updated) < limit


def editorial_report(catalog: Catalog, today: date | None = None, check_links: bool = False,
                     timeout: float = LINK_TIMEOUT, workers: int = LINK_WORKERS) -> EditorialReport:
    """What the cards still need: missing parts, contacts, updates and (with check_links) broken links."""
    today = today or date.today()
    order = {"ebauche": 0, "partielle": 1}
    incomplete = sorted((c for c in catalog.cards if c.level != "complete"), key=lambda c: (order[c.level], c.id))
    report = EditorialReport(
        date=today.isoformat(),
        total=len(catalog.cards),
        incomplete=[_entry(c) for c in incomplete],
        without_contact=[_entry(c) for c in catalog.cards if not c.meta.contacts],
        stale=[_entry(c) for c in sorted(catalog.cards, key=lambda c: (c.meta.updated, c.id))
               if is_stale(c.meta.updated, today)],
        with_cost=[_entry(c) for c in catalog.cards if c.meta.transfer and c.meta.transfer.budget],
        with_contact=[_entry(c) for c in catalog.cards if c.meta.contacts],
    )
    report.to_verify = cards_to_verify(catalog, today)
    places = [TitlePlace(c.id, display_path(c.path), c.meta.title, title_place(c.meta)) for c in catalog.cards]
    report.title_places = sorted(places, key=lambda p: (p.place is not None, p.id))
    report.with_place_in_title = sum(p.place is not None for p in places)
    report.source_mentions = _counts(catalog.cards, source_mentions)
    report.source_mentions_total = sum(c.count for c in report.source_mentions)
    report.silent_sections = _counts(catalog.cards, silent_sections)
    report.silent_sections_total = sum(c.count for c in report.silent_sections)
    if check_links:
        places = external_links(catalog)
        results = check_urls(list(places), timeout, workers)
        report.links_checked = True
        report.links_total = len(places)
        report.broken_links = [BrokenLink(url, reason, status, places[url])
                               for url, (reason, status) in sorted(results.items()) if reason]
    return report


def cards_to_verify(catalog: Catalog, today: date) -> dict[str, list[ToVerify]]:
    from essaim.model.freshness import freshness

    grouped: dict[str, list[ToVerify]] = {}
    for card in sorted(catalog.cards, key=lambda c: (c.meta.carrier.name.lower(), c.id)):
        info = freshness(card, today)
        if not info.stale:
            continue
        contact = next((c.email or (c.phones[0] if c.phones else None) for c in card.meta.contacts
                        if c.email or c.phones), None)
        grouped.setdefault(card.meta.carrier.name, []).append(
            ToVerify(card.id, card.meta.title, display_path(card.path), info.label, info.date, contact))
    return grouped


# --- external links -----------------------------------------------------------------------


def external_links(catalog: Catalog) -> dict[str, list[str]]:
    """http(s) address -> places (path:line) in card bodies and source documents."""
    places: dict[str, list[str]] = {}
    for card in catalog.cards:
        for link in card.outline.links if card.outline else ():
            if link.target.lower().startswith(("http://", "https://")):
                where = f"{display_path(card.path)}:{card.body_line + link.line}"
                places.setdefault(link.target, []).append(where)
    for source_id, source in sorted(catalog.sources.items()):
        if source.url:
            read = catalog.source_files.get(source_id)
            path, line = (read.path, read.lines.get("url", 1)) if read else (Path(f"{source_id}.yaml"), 1)
            places.setdefault(source.url, []).append(f"{display_path(path)}:{line}")
    return places


class _FewRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most 5 redirections, and keep HEAD a HEAD when following one."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_FewRedirects())


def _request(opener, url: str, method: str, timeout: float) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    with opener.open(request, timeout=timeout) as response:
        if method == "GET":
            response.read(1024)
        return response.status


def check_url(url: str, timeout: float = LINK_TIMEOUT) -> tuple[str | None, int | None]:
    """(None, status) when the address answers; (French reason, status or None) when it is broken."""
    opener = _opener()
    reason, status = None, None
    for method in ("HEAD", "GET"):
        try:
            return None, _request(opener, url, method, timeout)
        except urllib.error.HTTPError as error:
            reason, status = f"erreur {error.code}", error.code
        except (TimeoutError, socket.timeout):
            reason, status = f"pas de réponse en {timeout:g} s", None
        except urllib.error.URLError as error:
            reason, status = _network_reason(error.reason), None
        except (http.client.HTTPException, ssl.SSLError, OSError, ValueError) as error:
            reason, status = f"réponse illisible ({type(error).__name__})", None
    return reason, status


def _network_reason(reason) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "pas de réponse dans le délai"
    if isinstance(reason, socket.gaierror):
        return "nom de domaine introuvable"
    if isinstance(reason, ssl.SSLError):
        return "certificat ou connexion sécurisée invalide"
    if isinstance(reason, ConnectionRefusedError):
        return "connexion refusée"
    return f"injoignable ({reason})"


def check_urls(urls: list[str], timeout: float = LINK_TIMEOUT, workers: int = LINK_WORKERS
               ) -> dict[str, tuple[str | None, int | None]]:
    """Check each distinct address once, at most `workers` at a time."""
    unique = sorted(set(urls))
    if not unique:
        return {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique)))) as pool:
        return dict(zip(unique, pool.map(lambda u: check_url(u, timeout), unique)))


# --- text output -----------------------------------------------------------------------------


def _per_card(total: int, cards: int) -> str:
    return f"{total / cards:.1f}".replace(".", ",") if cards else "0"


def _editing_text(report: EditorialReport) -> list[str]:
    n = report.total
    without = [p for p in report.title_places if p.place is None]
    lines = [f"Titres qui nomment un lieu : {report.with_place_in_title} sur {n} ; sans lieu ({len(without)}) :"]
    lines += [f"  {p.path} — « {p.title} »" for p in without] or ["  aucun"]
    lines += ["", f"Mentions de la source (« la source », « la fiche », « le rapport »…) : "
                  f"{report.source_mentions_total}, soit {_per_card(report.source_mentions_total, n)} par fiche, "
                  f"dans {len(report.source_mentions)} fiche(s) :"]
    lines += [f"  {c.path} — {c.count}" for c in report.source_mentions] or ["  aucune"]
    lines += ["", f"Sections « Non renseigné » : {report.silent_sections_total}, "
                  f"dans {len(report.silent_sections)} fiche(s) :"]
    lines += [f"  {c.path} — {c.count}" for c in report.silent_sections] or ["  aucune"]
    lines += ["", f"Fiches au coût connu (transfert.budget) : {len(report.with_cost)} sur {n}"]
    lines += [f"  {e.path}" for e in report.with_cost]
    lines += ["", f"Fiches avec un contact : {len(report.with_contact)} sur {n}"]
    return lines


def _verify_text(report: EditorialReport) -> list[str]:
    from essaim.model.freshness import FRESH_YEARS

    count = sum(len(cards) for cards in report.to_verify.values())
    lines = [f"Fiches à vérifier auprès de leur porteur (informations de plus de {FRESH_YEARS} ans) : {count}, "
             f"{len(report.to_verify)} porteur(s)"]
    for carrier, cards in report.to_verify.items():
        contact = next((c.contact for c in cards if c.contact), None)
        reach = f"contact publié : {contact}" if contact else "aucun contact publié"
        lines.append(f"  {carrier} — {reach}")
        lines += [f"    {c.path} — {c.information}" for c in cards]
    return lines or ["  aucune"]


def report_text(report: EditorialReport) -> str:
    lines = [f"Santé éditoriale au {report.date} : {report.total} fiche(s) valide(s).", ""]
    lines.append(f"Fiches à compléter ({len(report.incomplete)}) :")
    lines += [f"  {e.path} — {e.level_label} ; manque : {', '.join(e.missing)}" for e in report.incomplete] or [
        "  aucune"]
    lines += ["", f"Fiches sans contact ({len(report.without_contact)}) :"]
    lines += [f"  {e.path}" for e in report.without_contact] or ["  aucune"]
    lines += ["", f"Fiches non mises à jour depuis {STALE_AFTER_YEARS} ans ({len(report.stale)}) :"]
    lines += [f"  {e.path} — mise à jour {e.updated}" for e in report.stale] or ["  aucune"]
    lines += ["", *_verify_text(report), "", *_editing_text(report), ""]
    if not report.links_checked:
        lines.append("Liens externes : non vérifiés (ajoutez --links).")
    else:
        lines.append(f"Liens externes cassés ({len(report.broken_links)} sur {report.links_total}) :")
        for link in report.broken_links:
            lines.append(f"  {link.url} — {link.reason}")
            lines += [f"    {place}" for place in link.places]
        if not report.broken_links:
            lines.append("  aucun")
    return "\n".join(lines)
