"""`essaim index` and `essaim search`: the command-line face of essaim.search."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from essaim.search import DEFAULT_ROOT, FACETS, facet_label
from essaim.pipeline.facets import FACET_VOCABULARIES, FIXED_VALUES
from essaim.model.vocabularies import UnknownTerm, did_you_mean, find_term, fold
from essaim.text.options import add_option

if TYPE_CHECKING:
    from essaim.search.engine import SearchIndex


class FilterError(Exception):
    pass


# --sort's values (English, as option names) -> the engine's orders; the French values of --tri still work.
SORT_KEYS = {"relevance": "pertinence", "date": "date", "title": "titre"}


def _sort_key(text: str) -> str:
    return {french: english for english, french in SORT_KEYS.items()}.get(text, text)


def resolve_filter(facet: str, raw: str) -> str:
    """A filter value given as code, id, label or synonym, case and accents ignored."""
    if facet in ("region", "departement"):
        from essaim.model import geography

        try:
            return geography.find_place(facet, raw).code
        except geography.PlaceError:
            raise FilterError(f"{facet} « {raw} » inconnu(e) : donnez un code INSEE ou un nom officiel") from None
    if facet in FIXED_VALUES:  # the value or its label (« a_verifier », « à vérifier »)
        for value, value_label in FIXED_VALUES[facet].items():
            if fold(raw) in (fold(value), fold(value_label), fold(value_label).split(" (")[0]):
                return value
        raise FilterError(f"--{facet} attend " + " ou ".join(FIXED_VALUES[facet]))
    try:
        return find_term(FACET_VOCABULARIES[facet], raw)
    except UnknownTerm as error:
        raise FilterError(f"« {raw} » inconnu pour --{facet}"
                          + (f" ; {did_you_mean(error.suggestion)}" if error.suggestion else "")) from None


def register(commands) -> None:
    index_parser = commands.add_parser("index", help="construit ou met à jour l'index de recherche",
                                       description="Met à jour l'index : seules les fiches modifiées sont réindexées.")
    index_parser.set_defaults(run=cmd_index)
    search_parser = commands.add_parser(
        "search", help="cherche des fiches par mots et par filtres",
        description="Recherche plein texte en français, avec filtres (OU dans un filtre, ET entre filtres).")
    search_parser.set_defaults(run=cmd_search)
    index_parser.add_argument("--rebuild", action="store_true", help="reconstruit tout l'index")
    index_parser.add_argument("--index", default=str(DEFAULT_ROOT), metavar="DOSSIER", help="dossier de l'index")
    p = search_parser
    p.add_argument("mots", nargs="*", help="mots cherchés (aucun : parcourir avec les filtres)")
    for option in FACETS:  # one option per facet, named after it
        p.add_argument(f"--{option}", action="append", default=[], metavar="VALEUR",
                       help=f"filtre {FACETS[option].lower()} (code ou libellé ; répétable : OU)")
    add_option(p, "--like", old="--comme", metavar="COMMUNE",
               help="classe les fiches par ressemblance avec une commune (nom ou code INSEE ; "
                        "« Saint-Denis (93) » si le nom est partagé)")
    p.add_argument("--guides", action="store_true", help="cherche dans les guides au lieu des fiches")
    add_option(p, "--sort", old="--tri", type=_sort_key, choices=list(SORT_KEYS), default="relevance",
               help="ordre des résultats : relevance (pertinence, défaut), date (plus récentes d'abord), title (titre)")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="nombre de résultats (défaut : 10)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--index", default=str(DEFAULT_ROOT), metavar="DOSSIER", help="dossier de l'index")


def cmd_index(args) -> int:
    from essaim.cli.main import load_catalog
    from essaim.text.diagnostics import render
    from essaim.search import IndexBusy, index_catalog

    catalog, validation = load_catalog(Path(args.content))
    if validation.errors:
        print(render(validation.errors, "text"))
        print("Index non mis à jour : corrigez d'abord ces erreurs.", file=sys.stderr)
        return 1
    try:
        report = index_catalog(catalog, Path(args.index), rebuild=args.rebuild)
    except IndexBusy as error:
        print(f"essaim index : {error}", file=sys.stderr)
        return 1
    if report.rebuilt:
        print(f"Index reconstruit ({report.reason}) : {report.added} documents.")
    else:
        print(f"Index à jour : {report.added} ajouté(s), {report.updated} modifié(s), {report.deleted} supprimé(s).")
    return 0


@contextmanager
def readable_index(content: Path, root: Path) -> Iterator[SearchIndex]:
    """The index at root if it is up to date; otherwise one built in a temporary folder, removed afterwards.

    Searching is reading: the folder given by --index is never created or changed (« essaim index » does that)."""
    from essaim.search import SearchIndex, index_catalog

    search_index = SearchIndex(root)
    reason = search_index.stale_reason()
    if not reason:
        yield search_index
        return
    import tempfile

    from essaim.cli.main import load_catalog

    catalog, _ = load_catalog(content)
    print(f"(index {reason} : index temporaire ; « essaim index » l'enregistre)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="essaim-index-") as scratch:
        index_catalog(catalog, Path(scratch), rebuild=True)
        temporary = SearchIndex(Path(scratch))
        try:
            yield temporary
        finally:
            temporary.close()


def cmd_search(args) -> int:
    try:
        filters = {facet: [resolve_filter(facet, v) for v in getattr(args, facet)] for facet in FACETS}
    except FilterError as error:
        print(f"essaim search : {error}", file=sys.stderr)
        return 2
    text = " ".join(args.mots)
    place = None
    if args.like:
        place = resolve_commune(args.like)
        if place is None:
            return 2
        if args.guides:
            print("essaim search : --like classe des fiches, pas des guides", file=sys.stderr)
            return 2
    if place is None:  # one query: answered from the index's files, without numpy nor whoosh, when up to date
        from essaim.search.quick import QuickIndex

        quick = QuickIndex.open(Path(args.index))
        if quick is not None:
            try:
                show_results(quick, text, filters, args)
            finally:
                quick.close()
            return 0
    with readable_index(Path(args.content), Path(args.index)) as search_index:
        if place is not None:
            return search_like(search_index, place, text, filters, args)
        show_results(search_index, text, filters, args)
    return 0


def show_results(search_index, text: str, filters: dict[str, list[str]], args) -> None:
    results = search_index.search(text, filters, kind="guide" if args.guides else "action",
                                  sort=SORT_KEYS[args.sort], limit=max(args.limit, 0))
    if args.json:
        print(json.dumps(as_json(results, search_index.label), ensure_ascii=False, indent=2))
    else:
        print_results(results, filters, label=search_index.label)


def as_json(results, label=facet_label) -> dict:
    """The JSON of `essaim search`; labels from the index when given its label function (no vocabulary read)."""
    return {
        "query": results.query,
        "total": results.total,
        "results": [{"id": h.id, "title": h.title, "carrier": h.carrier, "region": h.facets.get("region", []),
                     "departement": h.facets.get("departement", []), "themes": h.facets.get("theme", []),
                     "score": h.score, "url": h.url} for h in results.hits],
        "facets": results.facets,
        "complete": results.complete,
        "corrections": {"corrected": results.corrected, "query": results.suggestion},
        "suggestions": [{"facet": s.facet, "value": s.value, "label": label(s.facet, s.value), "count": s.count}
                        for s in results.suggestions],
        "ignored": results.ignored,
    }


def print_results(results, filters, likeness: dict | None = None, label=facet_label) -> None:
    if results.corrected:
        print(f"Fautes de frappe corrigées : résultats pour « {results.suggestion} ».\n")
    print(f"{results.total} résultat(s)" + (f" pour « {results.query} »" if results.query else "")
          + (f", dont {results.complete} avec tous les mots" if results.query and results.complete < results.total
             else "") + "\n")
    if results.ignored:
        print("Mots inconnus de la base, ignorés : " + ", ".join(results.ignored) + "\n")
    if results.suggestions:
        print("Filtres suggérés : " + " · ".join(f"--{s.facet} {s.value} ({label(s.facet, s.value)}, {s.count})"
                                                 for s in results.suggestions) + "\n")
    for rank, hit in enumerate(results.hits, 1):
        places = ", ".join(label("departement", d) for d in hit.facets.get("departement", [])) or \
            ", ".join(label("region", r) for r in hit.facets.get("region", [])) or "national"
        print(f"{rank:>2}. {hit.title}")
        if hit.carrier:
            print(f"    {hit.carrier} — {places}")
        if likeness:
            r = likeness[hit.id]
            print("    Ressemblance : " + (" · ".join(r.match.reasons) or "aucun point commun relevé")
                  + f"  (score {r.score})")
        print(f"    {hit.snippet[:240]}")
        print(f"    {hit.url}  (score {hit.score})\n")
    for facet, row in results.facets.items():
        if not row:
            continue
        shown = [f"{'[x] ' if v in filters.get(facet, []) else ''}{label(facet, v)} ({n})"
                 for v, n in list(row.items())[:12]]
        more = f" … +{len(row) - 12}" if len(row) > 12 else ""
        print(f"{FACETS[facet]} : " + " · ".join(shown) + more)


def resolve_commune(raw: str):
    """The commune of --like, or None after telling why (unknown name, or the candidates of a shared one)."""
    from essaim.model import geography
    from essaim.search.territory import AmbiguousCommune, UnknownCommune, find_commune

    try:
        return find_commune(raw)
    except AmbiguousCommune as error:
        print(f"essaim search : plusieurs communes s'appellent « {raw} » ; précisez le département ou donnez le "
              "code INSEE :", file=sys.stderr)
        for c in error.candidates:
            dep = geography.departements()[c.departement]
            print(f"    --like \"{c.name} ({c.departement})\"   ou --like {c.code}   ({dep.name})", file=sys.stderr)
        return None
    except UnknownCommune as error:
        hint = ("vouliez-vous dire " + ", ".join(f"« {c.name} » ({c.code})" for c in error.suggestions) + " ?"
                if error.suggestions else "donnez son nom officiel (« Saint-Affrique ») ou son code INSEE (« 12208 »)")
        print(f"essaim search : commune « {raw} » inconnue\n    conseil : {hint}", file=sys.stderr)
        return None


def search_like(search_index, place, text: str, filters: dict, args) -> int:
    """--like: every match of the words and filters, reordered by likeness to the commune."""
    from essaim.cli.main import load_catalog
    from essaim.search.territory import card_profile
    from essaim.search.territory_ranking import ALL, rank_like

    results = search_index.search(text, filters, kind="action", sort=SORT_KEYS[args.sort], limit=ALL)
    catalog, _ = load_catalog(Path(args.content))
    profiles = {card.id: card_profile(card) for card in catalog.cards}
    ranked = rank_like(place, results.hits, profiles, with_words=bool(results.query))[:max(args.limit, 0)]
    results.hits = [r.hit for r in ranked]
    if args.json:
        data = as_json(results, search_index.label)
        data["territory"] = place.as_dict()
        for row, r in zip(data["results"], ranked):
            row["likeness"] = r.match.as_dict()
            row["combined_score"] = r.score
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"Territoire : {place.name} ({place.code}) — " + " · ".join(place.describe()) + "\n")
    print_results(results, filters, {r.hit.id: r for r in ranked}, label=search_index.label)
    return 0
