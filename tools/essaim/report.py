"""Editorial health: what the cards still need (`essaim report`, and the site's « À compléter » page).

`editorial_report(catalog)` returns the data; it reads only the catalog (and,
for link positions, the card files the catalog points to). External links are
checked only on request: HEAD first, then GET when HEAD fails, with a timeout,
a few requests at a time, and never more than once per address.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from essaim import __version__, dates
from essaim import load as loader
from essaim.catalog import LEVEL_LABELS, Card, Catalog
from essaim.diagnostics import display_path

STALE_AFTER_YEARS = 2
LINK_TIMEOUT = 10.0
LINK_WORKERS = 8
USER_AGENT = f"essaim/{__version__} (verification des liens des fiches Essaim)"


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
class BrokenLink:
    url: str
    reason: str  # French: « erreur 404 », « délai dépassé »…
    status: int | None  # HTTP status, None when no answer
    places: list[str]  # path:line where the address appears


@dataclass
class EditorialReport:
    date: str  # AAAA-MM-JJ, the day the report was made
    total: int  # number of valid cards
    incomplete: list[CardEntry]  # stubs (ebauche) then partial cards, with what they miss
    without_contact: list[CardEntry]
    stale: list[CardEntry]  # not updated for STALE_AFTER_YEARS years
    links_checked: bool = False
    links_total: int = 0  # distinct external addresses checked
    broken_links: list[BrokenLink] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _entry(card: Card) -> CardEntry:
    return CardEntry(card.id, card.meta.title, display_path(card.path), card.url, card.level,
                     LEVEL_LABELS[card.level], list(card.missing), card.meta.updated)


def last_day(updated: str) -> date:
    """The last day an AAAA, AAAA-MM or AAAA-MM-JJ date can mean (a card dated 2022 was current all 2022)."""
    return dates.parse(updated).last_day()


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
    )
    if check_links:
        places = external_links(catalog)
        results = check_urls(list(places), timeout, workers)
        report.links_checked = True
        report.links_total = len(places)
        report.broken_links = [BrokenLink(url, reason, status, places[url])
                               for url, (reason, status) in sorted(results.items()) if reason]
    return report


# --- external links -----------------------------------------------------------------------


def external_links(catalog: Catalog) -> dict[str, list[str]]:
    """http(s) address -> places (path:line) in card bodies and source documents."""
    places: dict[str, list[str]] = {}
    for card in catalog.cards:
        try:
            document = loader.read(card.path, "card")
        except loader.LoadProblem:
            continue
        for link in document.outline.links:
            if link.target.lower().startswith(("http://", "https://")):
                where = f"{display_path(card.path)}:{document.body_line + link.line}"
                places.setdefault(link.target, []).append(where)
    content = catalog.cards[0].path.parent.parent if catalog.cards else None
    for source_id, source in sorted(catalog.sources.items()):
        if source.url:
            path = content / "sources" / f"{source_id}.yaml" if content else Path(f"{source_id}.yaml")
            places.setdefault(source.url, []).append(f"{display_path(path)}:{_line_of(path, 'url:')}")
    return places


def _line_of(path: Path, needle: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return 1
    return next((i for i, line in enumerate(lines, 1) if line.startswith(needle)), 1)


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


def report_text(report: EditorialReport) -> str:
    lines = [f"Santé éditoriale au {report.date} : {report.total} fiche(s) valide(s).", ""]
    lines.append(f"Fiches à compléter ({len(report.incomplete)}) :")
    lines += [f"  {e.path} — {e.level_label} ; manque : {', '.join(e.missing)}" for e in report.incomplete] or [
        "  aucune"]
    lines += ["", f"Fiches sans contact ({len(report.without_contact)}) :"]
    lines += [f"  {e.path}" for e in report.without_contact] or ["  aucune"]
    lines += ["", f"Fiches non mises à jour depuis {STALE_AFTER_YEARS} ans ({len(report.stale)}) :"]
    lines += [f"  {e.path} — mise à jour {e.updated}" for e in report.stale] or ["  aucune"]
    lines.append("")
    if not report.links_checked:
        lines.append("Liens externes : non vérifiés (ajoutez --liens).")
    else:
        lines.append(f"Liens externes cassés ({len(report.broken_links)} sur {report.links_total}) :")
        for link in report.broken_links:
            lines.append(f"  {link.url} — {link.reason}")
            lines += [f"    {place}" for place in link.places]
        if not report.broken_links:
            lines.append("  aucun")
    return "\n".join(lines)
