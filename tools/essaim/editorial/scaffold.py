"""`essaim new`: a valid card to complete, from prompts or from options."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from essaim.model import geography
from essaim.model.vocabularies import UnknownTerm, find_term, vocabulary

# (option, prompt, required): what `essaim new` asks for.
QUESTIONS = [
    ("titre", "Titre de l'action", True),
    ("porteur", "Nom de la structure porteuse", True),
    ("type_porteur", "Type de porteur ({})".format(", ".join(vocabulary("porteurs").ids())), True),
    ("region", "Région (code ou nom, vide si national)", False),
    ("departement", "Département (code ou nom, vide si aucun)", False),
    ("commune", "Commune (nom ou code INSEE, vide si aucune)", False),
    ("echelle", "Échelle ({})".format(", ".join(vocabulary("echelles").ids())), True),
    ("theme", "Thèmes, séparés par des virgules", True),
    ("public", "Publics, séparés par des virgules", True),
    ("source", "Identifiant du document source (content/sources/)", True),
]


class NewCardError(Exception):
    pass


def add_arguments(p) -> None:
    p.add_argument("--id", help="identifiant (nom du fichier) ; défaut : tiré du titre")
    p.add_argument("--titre")
    p.add_argument("--resume", help="une ou deux phrases")
    p.add_argument("--porteur", help="nom de la structure porteuse")
    p.add_argument("--type-porteur", dest="type_porteur", help="type de porteur (vocabulaire « porteurs »)")
    p.add_argument("--region", help="code ou nom de la région")
    p.add_argument("--departement", help="code ou nom du département")
    p.add_argument("--commune", help="nom ou code INSEE de la commune")
    p.add_argument("--echelle", help="échelle (quartier, commune, …)")
    p.add_argument("--theme", help="thèmes, séparés par des virgules")
    p.add_argument("--public", help="publics, séparés par des virgules")
    p.add_argument("--source", help="identifiant du document source")
    p.add_argument("--pages", help="pages du document source")
    p.add_argument("--force", action="store_true", help="remplace une fiche existante")
    p.add_argument("--no-input", action="store_true", help="ne pose aucune question (pour les scripts)")


def slugify(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:80].rstrip("-")


def _ask(args, interactive: bool) -> dict:
    answers = {}
    for key, question, required in QUESTIONS:
        value = getattr(args, key)
        while interactive and not value:
            value = input(f"{question} : ").strip()
            if value or not required:
                break
        if required and not value:
            raise NewCardError(f"--{key.replace('_', '-')} manque (ou lancez la commande dans un terminal pour répondre aux questions)")
        answers[key] = value or ""
    return answers


def _terms(name: str, raw: str) -> list[str]:
    ids = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            ids.append(find_term(name, part))
        except UnknownTerm as error:
            raise NewCardError(str(error)) from None
    return ids


def _place(kind: str, raw: str, within: tuple[str, ...] = ()) -> geography.Place | None:
    if not raw:
        return None
    try:
        return geography.find_place(kind, raw, within)
    except geography.AmbiguousPlace as error:  # never guess: « Saint-Denis » is four communes
        raise NewCardError(f"{error} ; donnez le code INSEE ou le département (« "
                           f"{geography.shown(error.candidates[0])} », ou --departement)") from None
    except geography.PlaceError as error:
        raise NewCardError(str(error)) from None


def values_from(answers: dict, resume: str | None, pages: str | None) -> dict:
    departement = getattr(_place("departement", answers["departement"]), "code", None)
    region = getattr(_place("region", answers["region"]), "code", None)
    if departement and not region:
        region = geography.departements()[departement].parent
    communes = []
    if answers["commune"]:
        commune = _place("commune", answers["commune"], (departement,) if departement else ())  # settles a shared name
        if departement and commune.parent != departement:
            raise NewCardError(f"commune « {answers['commune']} » introuvable dans le département {departement}")
        communes.append({"nom": commune.name, "insee": commune.code})
        departement = departement or commune.parent
        region = region or geography.departements()[departement].parent
    return {
        "titre": answers["titre"],
        "resume": resume or f"{answers['titre']} : résumé à compléter en une ou deux phrases.",
        "porteur": {"nom": answers["porteur"], "type": _terms("porteurs", answers["type_porteur"])[0]},
        "territoire": {
            "regions": [region] if region else [],
            "departements": [departement] if departement else [],
            "communes": communes,
            "echelle": _terms("echelles", answers["echelle"])[0],
            "types": [],
        },
        "themes": _terms("themes", answers["theme"]),
        "publics": _terms("publics", answers["public"]),
        "periode": {"debut": None, "fin": None},
        "statut": "inconnu",
        "partenaires": {"operationnels": [], "financiers": []},
        "cadres": [],
        "contacts": [],
        "sources": [{"document": answers["source"], **({"pages": pages} if pages else {})}],
        "evaluation": {"evaluee": None},
        "mise_a_jour": date.today().strftime("%Y-%m"),
    }


def _check_id(card_id: str) -> None:
    from essaim.model.card import ID_HINT, ID_MAX_LENGTH, shown_id, valid_id

    if not valid_id(card_id):
        raise NewCardError(f"identifiant « {shown_id(card_id)} » refusé : {ID_HINT} ({ID_MAX_LENGTH} caractères au plus)")


def create_card(content: Path, args, interactive: bool) -> Path:
    if args.id is not None:
        _check_id(args.id)  # before any question: the file name is decided by it
    answers = _ask(args, interactive)
    values = values_from(answers, args.resume, args.pages)
    card_id = args.id or slugify(answers["titre"])
    if not card_id:
        raise NewCardError("impossible de tirer un identifiant du titre : donnez --id")
    _check_id(card_id)
    path = content / "actions" / f"{card_id}.md"
    if path.exists() and not args.force:
        raise NewCardError(f"{path} existe déjà (--force pour la remplacer)")
    path.parent.mkdir(parents=True, exist_ok=True)
    from essaim.derived.template import card_text  # the card model: loaded only when a card is written

    path.write_text(card_text(values), encoding="utf-8")
    return path
