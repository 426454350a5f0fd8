"""Rules between a card's metadata and its own text: status and period, `qpv`, year of launch, a place in the title.

Each rule reads the validated front matter and the card's text (title, summary, territory in clear and body
sections), and reports located problems through the validator's Reporter.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, cached_property
from typing import TYPE_CHECKING

from essaim.model import geography
from essaim.text.diagnostics import Severity
from essaim.model.card import CardMeta
from essaim.model.vocabularies import fold

if TYPE_CHECKING:
    from essaim.pipeline.validate import Reporter


def _searched(pattern: str) -> re.Pattern:
    """A pattern written with single spaces, for text folded by _fold (any run of blanks between words)."""
    return re.compile(pattern.replace(" ", r"\s+"))


# Searched in text folded by _fast_fold (lower case, no accents, apostrophes and hyphens as spaces, one space
# between words); LAUNCH_AT also in text folded by _fold, where positions are those of the card's text.
QPV_MENTION = re.compile(r"\b(?:qpv|quartiers? prioritaires?|politique de la ville)\b")
STOPPED = re.compile(
    r"\b(?:arret\w*|a pris fin|ont pris fin|prend fin|pris fin|termine\w*|cesse\w*|abandonn\w*|interromp\w*|"
    r"interrompu\w*|s est achev\w*|achev\w*|n a pas ete (?:reconduit|renouvele|poursuivi|perennise)\w*|"
    r"ne s est pas poursuivi\w*|fin (?:de l action|du projet|du dispositif|de l experimentation))\b")
MONTH = (r"(?:(?:debut|fin|mi|courant|printemps|ete|automne|hiver|l annee|le debut de|la fin de|l automne|l ete|"
         r"l hiver|le printemps|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|"
         r"decembre) )*")
YEAR = r"((?:19|20)\d\d)\b"
LAUNCH = "|".join([
    rf"\bdepuis (?:sa creation en |son lancement en |)?{MONTH}{YEAR}",
    rf"\b(?:creee?s?|lancee?s?|fondee?s?|initiee?s?|demarree?s?|nee?s?|mise? en place|mises en place|"
    rf"ouverte?s?|inauguree?s?) (?:l action |le projet |le dispositif |la demarche |le programme |)"
    rf"(?:en |des |depuis |le \d+ (?:\w+ )?){MONTH}{YEAR}",
    rf"\b(?:creation|lancement|demarrage|ouverture|mise en place|naissance) (?:\w+ ){{0,4}}(?:en|des) {MONTH}{YEAR}",
    rf"\ben {MONTH}{YEAR}[^.;]{{0,100}}?\b(?:a|ont|avait|avaient) (?:\w+ )?(?:mis en place|lance|cree|ouvert|fonde|"
    rf"initie|demarre|monte|inaugure)\b",
    rf"\ben {MONTH}{YEAR}[^.;]{{0,60}}?\bpour (?:creer|lancer|mettre en place|ouvrir|monter|fonder)\b",
])
LAUNCH_AT, LAUNCH = _searched(LAUNCH), re.compile(LAUNCH)
# Capitalised words of territoire.precision that name no particular place (institutions, kinds of area).
GENERIC_PLACE_WORDS = {fold(w) for w in (
    "Commune", "Communes", "Ville", "Villes", "Région", "Département", "Départements", "Quartier", "Quartiers",
    "Territoire", "Territoires", "Métropole", "Agglomération", "Communauté", "Pays", "Secteur", "Zone", "Zones",
    "Canton", "Cantons", "Arrondissement", "Arrondissements", "Cité", "Cités", "Centre", "Centres", "Nord", "Sud",
    "Est", "Ouest", "Ensemble", "Dont", "Les", "Des", "Une", "Sur", "Avec", "Dans", "National", "Nationale",
    "Contrat", "Local", "Locale", "Santé", "Réseau", "Pôle", "Pôles", "Ressources", "Conseil", "Maison", "Maisons",
    "Atelier", "Ateliers", "Programme", "Mission", "Service", "Services", "Plan", "Projet", "Association", "Foyers")}
# Before a one-word place name of anywhere in France (many are also common words: Ville, Bus, Place, Plan…).
LOCATIVES = {"a", "au", "aux", "de", "d", "du", "en", "sur"}
OTHER_PLACES = ("France", "Outre-mer", "Corse")
ARTICLES = ("Le", "La", "Les", "L")


def check_card_coherence(meta: CardMeta, sections: dict[str, str], report: Reporter,
                         today: date | None = None) -> None:
    """All the rules, for one card whose front matter matched the model."""
    text = _CardText(" \n ".join([meta.title, meta.summary, meta.territory.detail or "", *sections.values()]))
    check_status(meta, text, report, (today or date.today()).year)
    check_qpv(meta, text, report)
    check_start_year(meta, text, report)
    check_title_place(meta, report)


class _FoldTable(dict):
    """str.translate table, filled as characters come: lower case, no accent, apostrophes and hyphens as spaces."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = " " if char in "'\u2019-_" else unicodedata.normalize("NFKD", char)[0].lower()[0]
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """Lower case, accents and apostrophes removed, one character for one: positions stay those of text."""
    return text.translate(_FOLD_TABLE)


_SEPARATORS = str.maketrans("'-_", "   ")


def _fast_fold(text: str) -> str:
    """Like _fold, faster, with one space between words; positions move (œ and the like are dropped)."""
    return " ".join(_bare(text.replace("\u2019", "'")).lower().translate(_SEPARATORS).split())


class _CardText(str):
    """A card's text, folded (_fast_fold) the first time a rule needs it: most cards need no search."""

    @cached_property
    def folded(self) -> str:
        return _fast_fold(self)


def check_status(meta: CardMeta, text: _CardText, report: Reporter, year: int) -> None:
    end = meta.period.end
    if meta.status == "en_cours" and end is not None and end < year:
        # An error when the card already contradicted itself on the day it was written; a warning when the
        # period ended since: the calendar alone must not turn a valid base (and its CI) red on 1 January.
        written = int(str(meta.updated)[:4])
        stale = end >= written
        report.at_node(("statut",), "statut-periode",
                       f"statut « en_cours » alors que la période s'est achevée en {end} (periode.fin)"
                       + (f", après la mise à jour de la fiche ({meta.updated}) : à vérifier" if stale else ""),
                       "si l'action s'est arrêtée, écrivez statut: terminee ; si elle continue, videz periode.fin "
                       "(fin: null) ; si la source ne dit pas si elle continue, écrivez statut: inconnu",
                       Severity.WARNING if stale else Severity.ERROR)
    if meta.status == "terminee" and end is None and not STOPPED.search(text.folded):
        report.at_node(("statut",), "statut-sans-fin",
                       "statut « terminee » sans année de fin ni phrase qui dise que l'action s'est arrêtée",
                       "donnez periode.fin si la source la donne, et dites dans « Résultats » ou « Perspectives » "
                       "quand et pourquoi l'action s'est arrêtée ; sinon statut: inconnu", Severity.WARNING)


def check_qpv(meta: CardMeta, text: _CardText, report: Reporter) -> None:
    if "qpv" not in meta.territory.kinds or QPV_MENTION.search(text.folded):
        return
    index = meta.territory.kinds.index("qpv")
    report.at_node(("territoire", "types", index), "qpv-sans-mention",
                   "territoire « qpv » alors que le texte de la fiche ne parle ni de QPV, ni de quartier "
                   "prioritaire, ni de politique de la ville",
                   "« quartier populaire » ne suffit pas : retirez qpv, ou, si la source le dit, écrivez dans la "
                   "fiche que l'action vise un quartier prioritaire de la politique de la ville (QPV)")


YEAR_ANYWHERE = re.compile(r"\b(?:19|20)\d\d\b")
BEFORE_YEAR, AFTER_YEAR = 150, 170  # characters a phrase of launch may span around its year


def _mentions_launch(folded: str) -> bool:
    """LAUNCH searched only around the years of the text (much faster than over the whole text)."""
    return any(LAUNCH.search(folded, max(0, year.start() - BEFORE_YEAR), year.end() + AFTER_YEAR)
               for year in YEAR_ANYWHERE.finditer(folded))


def launch_year(text: str, folded: str | None = None) -> tuple[int, str] | None:
    """The earliest year of launch the text gives, with the words that give it (folded: _fast_fold(text))."""
    if not _mentions_launch(_fast_fold(text) if folded is None else folded):
        return None
    found = []
    for match in LAUNCH_AT.finditer(_fold(text)):  # again, where positions are those of text
        year = next(int(group) for group in match.groups() if group)
        found.append((year, " ".join(text[match.start():match.end()].split())))
    return min(found) if found else None


def check_start_year(meta: CardMeta, text: _CardText, report: Reporter) -> None:
    if meta.period.start is not None:
        return
    found = launch_year(text, text.folded)
    if found:
        year, words = found
        report.at_node(("periode", "debut"), "debut-manquant",
                       f"le texte donne une année de lancement ({year} : « {words[:60]} ») "
                       "mais periode.debut est vide",
                       f"si c'est bien l'année où l'action a commencé, écrivez debut: {year}", Severity.WARNING)


# --- a place in the title ----------------------------------------------------------------


def _bare(text: str) -> str:
    """The text in ASCII, case kept: accents removed, letters without an ASCII form (œ) dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


WORD = re.compile(r"[A-Za-z0-9]+")


def _tokens(text: str) -> tuple[str, ...]:
    """Words without accents, case kept: « L'Haÿ-les-Roses » -> ('L', 'Hay', 'les', 'Roses')."""
    return tuple(WORD.findall(_bare(text)))


def _with_and_without_article(name: str) -> list[tuple[str, ...]]:
    tokens = _tokens(name)
    if len(tokens) > 1 and tokens[0] in ARTICLES:
        return [tokens, tokens[1:]]
    return [tokens]


@cache
def french_place_names() -> frozenset[tuple[str, ...]]:
    """Every commune, département and région name (and without its article), as word tuples, case kept."""
    names = [p.name for table in (geography.communes, geography.departements, geography.regions)
             for p in table().values()]
    return frozenset(t for name in (*names, *OTHER_PLACES) for t in _with_and_without_article(name) if t)


@cache
def _place_lengths() -> dict[str, tuple[int, ...]]:
    """First word of a French place name -> the lengths (in words) of the names it starts, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in french_place_names():
        lengths.setdefault(name[0], set()).add(len(name))
    return {word: tuple(sorted(found, reverse=True)) for word, found in lengths.items()}


def _own_places(meta: CardMeta) -> tuple[set[tuple[str, ...]], set[str]]:
    """The card's own territory: its communes, départements and régions (lower-cased word tuples), and the
    proper nouns of territoire.precision (case kept)."""
    territory = meta.territory
    names = [c.name for c in territory.communes]
    names += [geography.departements()[code].name for code in territory.departements]
    names += [geography.regions()[code].name for code in territory.regions]
    own = {tuple(w.lower() for w in t) for name in names for t in _with_and_without_article(name)}
    proper = {word for word in _tokens(territory.detail or "") if len(word) >= 3 and word[0].isupper()
              and not word.isupper() and word.lower() not in GENERIC_PLACE_WORDS}
    return own, proper


def title_place(meta: CardMeta) -> str | None:
    """The first place the title names, or None."""
    title = _bare(meta.title)
    spans = list(WORD.finditer(title))
    words = tuple(m.group() for m in spans)
    lower = tuple(w.lower() for w in words)
    (own, proper), french = _own_places(meta), _place_lengths()
    own_longest = max(map(len, own), default=0)
    for start in range(len(words)):
        for end in range(min(len(words), start + own_longest), start, -1):
            if lower[start:end] in own:
                return " ".join(words[start:end])
        for length in french.get(words[start], ()):
            name = words[start:start + length]
            if len(name) == length and name in french_place_names():
                one_word = length == 1 or (length == 2 and words[start] in ARTICLES)
                if not one_word or _locative(title, spans, start):
                    return " ".join(name)
    return next((word for word in words if word in proper), None)


def _locative(title: str, spans: list[re.Match], index: int) -> bool:
    """A one-word name (« Ville », « La Place ») read as a place: after « à », « de », « en »…, or first in
    brackets."""
    if index == 0:
        return False
    before = title[spans[index - 1].end():spans[index].start()]
    return "(" in before or spans[index - 1].group().lower() in LOCATIVES


def check_title_place(meta: CardMeta, report: Reporter) -> None:
    if title_place(meta) is None:
        report.at_node(("titre",), "titre-sans-lieu", "le titre ne nomme aucun lieu",
                       "dites ce qui est fait et où : « PASS de ville associative à Marseille : soigner sans avance "
                       "de frais » (commune, département, région ou territoire nommé)", Severity.WARNING)
