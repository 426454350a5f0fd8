"""Open data: actions.json, actions.csv and the JSON Schemas, with the page that documents them.

Personal contact fields (name, e-mail, telephone) leave the site's data only for contacts whose
`exportable` is true; a contact's role and organisation are not personal and are always exported.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from essaim.pipeline.catalog import TRANSFER_LABELS, Card
from essaim.model.card import CARD_SECTIONS
from essaim.derived.schema import SCHEMAS, schema_text
from essaim.pipeline.facets import facet_label as label
from essaim.site.markup import esc
from essaim.site.pages import front_matter
from essaim.model.vocabularies import vocabulary

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.fr"
SEPARATOR = " | "
API_SCHEMA = "api-action.schema.json"
# What changed in the published files, newest first (« Données ouvertes » page).
CHANGELOG = [
    ("2026-12", "<code>actions-tableur.csv</code> : le CSV au format d'un tableur français (point-virgule, "
                "marque d'ordre des octets)."),
    ("2026-12", "Base SQLite <code>actions.db</code> (avec recherche plein texte et métadonnées pour Datasette), "
                "un fichier JSON par fiche sous <code>/api/actions/</code> décrit par "
                "<code>api-action.schema.json</code>, flux Atom des nouveautés."),
    ("2026-11", "Colonnes <code>transfert_*</code> (budget, moyens humains, délai, prérequis) dans actions.csv "
                "et bloc <code>transfert</code> dans actions.json."),
    ("2026-11", "Premières publications : actions.json, actions.csv et les schémas JSON des fiches."),
]

# Columns of actions.csv: name -> description (the « Données ouvertes » page prints this table).
COLUMNS = {
    "id": "Identifiant de la fiche (nom de son fichier).",
    "url": "Adresse de la fiche sur le site, relative à la racine du site.",
    "titre": "Titre de l'action.",
    "resume": "Résumé en une ou deux phrases.",
    "porteur": "Nom de la structure porteuse.",
    "porteur_type": "Type de porteur (identifiant du vocabulaire « porteurs »).",
    "porteur_type_libelle": "Type de porteur en clair.",
    "regions": "Codes INSEE des régions (y compris celles des départements cités).",
    "regions_noms": "Noms des régions.",
    "departements": "Codes INSEE des départements (y compris ceux des communes citées).",
    "departements_noms": "Noms des départements.",
    "communes": "Communes d'intervention, « nom (code INSEE) ».",
    "echelle": "Échelle d'intervention (vocabulaire « echelles »).",
    "territoire_types": "Caractéristiques du territoire : qpv, rural… (vocabulaire « territoires »).",
    "territoire_precision": "Le territoire en clair, tel que la source le décrit.",
    "themes": "Thèmes (identifiants du vocabulaire « themes »), du plus central au plus secondaire.",
    "themes_libelles": "Thèmes en clair.",
    "familles": "Familles de thèmes (vocabulaire « familles »).",
    "publics": "Publics visés (vocabulaire « publics »).",
    "publics_libelles": "Publics en clair.",
    "debut": "Année de début (vide si inconnue).",
    "fin": "Année de fin (vide si en cours ou inconnue).",
    "statut": "Statut à la date de mise à jour (vocabulaire « statuts »).",
    "partenaires_operationnels": "Partenaires opérationnels.",
    "partenaires_financiers": "Partenaires financiers.",
    "financement": "Budget ou financements publiés.",
    "cadres": "Cadres territoriaux (vocabulaire « cadres »).",
    **{f"transfert_{key}": f"{label} (transfert), tel que la source l'indique ; vide si elle ne le dit pas."
       for key, label in TRANSFER_LABELS.items()},
    "evaluee": "L'action a-t-elle été évaluée : oui, non, ou vide si la source ne le dit pas.",
    "contacts": "Contacts : fonction et structure ; nom, courriel et téléphone seulement si la personne a "
                "accepté leur diffusion en données ouvertes.",
    "sources": "Documents sources, « éditeur, titre, date, pages ».",
    "completude": "Niveau de complétude calculé : ebauche, partielle ou complete.",
    "mise_a_jour": "Date de la dernière mise à jour des informations (AAAA-MM).",
    **{f"section_{s.key}": f"Texte de la section « {s.heading} » (Markdown)." for s in CARD_SECTIONS},
}


def contact_record(contact) -> dict:
    record = {"fonction": contact.role, "structure": contact.organisation}
    if contact.open_data:
        record.update({"nom": contact.name, "email": contact.email, "telephone": " ; ".join(contact.phones)})
    elif contact.switchboard:  # a structure's public switchboard is not personal data
        record["telephone"] = " ; ".join(contact.phones)
    return {k: v for k, v in record.items() if v}


def card_record(site, card: Card) -> dict:
    """One card as open data (JSON): French keys, ids with their labels."""
    m, t = card.meta, card.meta.territory
    facets = site.facets.by_card[card.id]
    sources = []
    for ref in m.sources:
        doc = site.catalog.sources.get(ref.document)
        entry = {"document": ref.document, "pages": ref.pages}
        if doc:
            entry.update({"titre": doc.title, "editeur": doc.publisher, "date": doc.date, "url": doc.url})
        sources.append({k: v for k, v in entry.items() if v})
    return {
        "id": card.id,
        "url": card.url,
        "titre": m.title,
        "resume": " ".join(m.summary.split()),
        "porteur": {"nom": m.carrier.name, "type": m.carrier.type,
                    "type_libelle": vocabulary("porteurs").label(m.carrier.type),
                    **({"pilote": m.carrier.pilot} if m.carrier.pilot else {}),
                    **({"role_collectivite": m.carrier.local_authority_role} if m.carrier.local_authority_role else {})},
        "territoire": {
            "regions": [{"code": c, "nom": label("region", c)} for c in facets["region"]],
            "departements": [{"code": c, "nom": label("departement", c)} for c in facets["departement"]],
            "communes": [{"nom": c.name, **({"insee": c.insee} if c.insee else {})} for c in t.communes],
            "echelle": t.scale, "types": list(t.kinds), "precision": t.detail,
        },
        "themes": [{"id": i, "libelle": label("theme", i)} for i in m.themes],
        "familles": facets["famille"],
        "publics": [{"id": i, "libelle": label("public", i)} for i in m.publics],
        "periode": {"debut": m.period.start, "fin": m.period.end},
        "statut": m.status,
        "partenaires": {"operationnels": list(m.partners.operational), "financiers": list(m.partners.financial)},
        "financement": m.funding,
        "cadres": list(m.frameworks),
        "transfert": m.transfer.model_dump(by_alias=True, exclude_defaults=True) if m.transfer else {},
        "contacts": [contact_record(c) for c in m.contacts],
        "sources": sources,
        "evaluation": {"evaluee": m.evaluation.evaluated, "methode": m.evaluation.method},
        "completude": card.level,
        "mise_a_jour": m.updated,
        "sections": {s.key: card.sections.get(s.key, "") for s in CARD_SECTIONS},
    }


def _joined(values) -> str:
    return SEPARATOR.join(str(v) for v in values if v not in (None, ""))


def _transfer_columns(card: Card) -> dict:
    """The transfert_* columns: each fact the card gives, the others empty."""
    given = card.meta.transfer.model_dump(by_alias=True) if card.meta.transfer else {}
    return {f"transfert_{key}": _joined(value) if isinstance(value := given.get(key), list) else value or ""
            for key in TRANSFER_LABELS}


def card_row(site, card: Card) -> dict:
    record = card_record(site, card)
    m = card.meta
    contacts = [" — ".join(str(v) for v in c.values()) for c in record["contacts"]]
    sources = [", ".join(str(s[k]) for k in ("editeur", "titre", "date", "pages") if s.get(k)) for s in record["sources"]]
    row = {
        "id": card.id, "url": card.url, "titre": m.title, "resume": record["resume"],
        "porteur": m.carrier.name, "porteur_type": m.carrier.type,
        "porteur_type_libelle": record["porteur"]["type_libelle"],
        "regions": _joined(r["code"] for r in record["territoire"]["regions"]),
        "regions_noms": _joined(r["nom"] for r in record["territoire"]["regions"]),
        "departements": _joined(d["code"] for d in record["territoire"]["departements"]),
        "departements_noms": _joined(d["nom"] for d in record["territoire"]["departements"]),
        "communes": _joined(f"{c.name} ({c.insee})" if c.insee else c.name for c in m.territory.communes),
        "echelle": m.territory.scale, "territoire_types": _joined(m.territory.kinds),
        "territoire_precision": m.territory.detail or "",
        "themes": _joined(m.themes), "themes_libelles": _joined(t["libelle"] for t in record["themes"]),
        "familles": _joined(record["familles"]), "publics": _joined(m.publics),
        "publics_libelles": _joined(p["libelle"] for p in record["publics"]),
        "debut": m.period.start or "", "fin": m.period.end or "", "statut": m.status,
        "partenaires_operationnels": _joined(m.partners.operational),
        "partenaires_financiers": _joined(m.partners.financial),
        "financement": m.funding or "", "cadres": _joined(m.frameworks),
        **_transfer_columns(card),
        "evaluee": {True: "oui", False: "non", None: ""}[m.evaluation.evaluated],
        "contacts": _joined(contacts), "sources": _joined(sources),
        "completude": card.level, "mise_a_jour": m.updated,
    }
    row.update({f"section_{s.key}": card.sections.get(s.key, "") for s in CARD_SECTIONS})
    return row


def actions_json(site) -> str:
    data = {
        "titre": "Essaim — fiches action pour l'accès à la santé",
        "licence": LICENCE, "licence_url": LICENCE_URL,
        "genere_le": date.today().isoformat(),
        "nombre": len(site.catalog.cards),
        "actions": [card_record(site, card) for card in site.catalog.cards],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


SPREADSHEET_CSV = "donnees/actions-tableur.csv"


def actions_csv(site, spreadsheet: bool = False) -> str:
    """RFC 4180 (comma, for programs), or the spreadsheet variant French Excel opens directly: a byte order
    mark, so UTF-8 is recognised, and semicolons, the list separator of French locales."""
    out = io.StringIO()
    if spreadsheet:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n", delimiter=";" if spreadsheet else ",")
    writer.writeheader()
    for card in site.catalog.cards:
        writer.writerow({name: csv_cell(value) for name, value in card_row(site, card).items()})
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A cell a spreadsheet will not run (OWASP « CSV injection »): text that starts like a formula gets a
    leading apostrophe, which spreadsheets show as text and do not display."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def schema_files(project_root: Path | None) -> dict[str, str]:
    """The published JSON Schemas: the project's schemas/ folder when there is one, else from the model."""
    files = {}
    folder = project_root / "schemas" if project_root else None
    for name in SCHEMAS:
        committed = folder / f"{name}.schema.json" if folder else None
        files[f"{name}.schema.json"] = (committed.read_text("utf-8") if committed and committed.exists()
                                        else schema_text(name))
    written = folder / API_SCHEMA if folder else None  # hand-written: /api/actions/<id>.json
    if written and written.exists():
        files[API_SCHEMA] = written.read_text("utf-8")
    return files


def data_files(site, project_root: Path | None) -> dict[str, str]:
    """docs-relative path -> text of each downloadable file."""
    files = {"donnees/actions.json": actions_json(site), "donnees/actions.csv": actions_csv(site),
             SPREADSHEET_CSV: actions_csv(site, spreadsheet=True)}
    files.update({f"donnees/schemas/{name}": text for name, text in schema_files(project_root).items()})
    return files


def data_page(site, files: dict[str, str]) -> str:
    def size(path: str) -> str:
        n = len(files[path].encode("utf-8"))
        return f"{n / 1024:.0f} Ko" if n >= 1024 else f"{n} octets"

    rows = "".join(f"<tr><th scope=\"row\"><code>{esc(name)}</code></th><td>{esc(text)}</td></tr>"
                   for name, text in COLUMNS.items())
    schemas = "".join(f'<li><a href="schemas/{esc(name)}" download><code>{esc(name)}</code></a> ({size("donnees/schemas/" + name)})</li>'
                      for name in sorted(p.split("/")[-1] for p in files if p.startswith("donnees/schemas/")))
    n = len(site.catalog.cards)
    return "\n\n".join([
        front_matter("Données ouvertes", "Les fiches d'Essaim en JSON et CSV, sous licence CC BY 4.0."),
        "# Données ouvertes",
        f"<p>Toutes les fiches publiées ({n}) sont téléchargeables en plusieurs formats, régénérés à chaque construction "
        f'du site. Licence : <a href="{LICENCE_URL}" rel="noopener">Creative Commons Attribution 4.0 (CC BY 4.0)</a> '
        "— citez « Essaim » et le lien de la fiche.</p>",
        '<ul class="essaim-telechargements">'
        f'<li><a href="actions.json" download><strong>actions.json</strong></a> ({size("donnees/actions.json")}) : '
        "un objet avec la licence, la date et la liste <code>actions</code> ; chaque fiche garde la structure de "
        "son en-tête (clés en français), les libellés des vocabulaires, le niveau de complétude et le texte de "
        "ses sections en Markdown.</li>"
        f'<li><a href="actions.csv" download><strong>actions.csv</strong></a> ({size("donnees/actions.csv")}) : '
        "une ligne par fiche, encodage UTF-8, séparateur virgule, champs entre guillemets si besoin ; les valeurs "
        f"multiples sont séparées par « {SEPARATOR.strip()} ». Une cellule qui commencerait par = + - @, une "
        "tabulation ou un retour chariot est précédée d'une apostrophe, pour qu'un tableur ne la prenne pas pour "
        "une formule.</li>"
        f'<li><a href="actions-tableur.csv" download><strong>actions-tableur.csv</strong></a> '
        f'({size(SPREADSHEET_CSV)}) : les mêmes colonnes, prêtes pour un tableur réglé en français (Excel, '
        "LibreOffice) : séparateur point-virgule et marque d'ordre des octets, pour que les accents s'affichent "
        "à l'ouverture par un double clic.</li></ul>",
        "## Contacts et données personnelles",
        "<p>Les fiches reprennent les contacts que leurs sources publient. Dans les fichiers téléchargeables, le "
        "nom, le courriel et le téléphone d'un contact ne figurent que si la personne a accepté cette diffusion "
        "(<code>exportable: true</code> dans la fiche) ; sinon, seuls sa fonction et sa structure sont exportées. "
        "Le téléphone du standard public d'une structure (<code>standard_public: true</code>) est exporté.</p>",
        "## Colonnes de actions.csv",
        '<table class="essaim-table"><caption>Colonnes du fichier CSV, dans l\'ordre</caption>'
        f'<thead><tr><th scope="col">Colonne</th><th scope="col">Contenu</th></tr></thead><tbody>{rows}</tbody></table>',
        "## Schémas JSON",
        "<p>Les schémas JSON décrivent l'en-tête YAML des fiches, des guides et des documents sources (les clés "
        "de <code>actions.json</code> les suivent) :</p>",
        f"<ul>{schemas}</ul>",
        *reuse_blocks(site),
        "<p>Les vocabulaires (thèmes, publics, types de porteur…) sont décrits dans la "
        "<a href=\"../contribuer/\">page Contribuer</a> et dans la référence des champs du dépôt.</p>",
    ]) + "\n"


def reuse_blocks(site) -> list[str]:
    """The SQLite base, the per-card JSON files and the changelog, on the « Données ouvertes » page."""
    example = site.catalog.cards[0].id if site.catalog.cards else "identifiant-de-la-fiche"
    changes = "".join(f"<li><strong>{esc(when)}</strong> : {text}</li>" for when, text in CHANGELOG)
    return [
        "## Base SQLite et Datasette",
        '<p><a href="actions.db" download><strong>actions.db</strong></a> : la même base en SQLite. La table '
        "<code>actions</code> a une ligne par fiche (les colonnes de actions.csv) ; les tables <code>themes</code>, "
        "<code>publics</code>, <code>lieux</code>, <code>contacts</code> (seulement les contacts publiables, comme "
        "ci-dessus) et <code>sources</code> la détaillent, reliées par <code>action_id</code> ; la table "
        "<code>actions_fts</code> permet la recherche plein texte (titre, résumé, porteur, lieux, sections).</p>",
        '<p>Pour l\'explorer dans <a href="https://datasette.io/" rel="noopener">Datasette</a>, téléchargez aussi '
        '<a href="metadata.json" download><code>metadata.json</code></a> (description des tables et licence) :</p>',
        "<pre><code>pip install datasette\ndatasette actions.db --metadata metadata.json</code></pre>",
        "## Une fiche en JSON",
        f'<p>Chaque fiche a aussi son fichier : <a href="../api/actions/{esc(example)}.json"><code>/api/actions/'
        f"{esc(example)}.json</code></a> (remplacez la fin par l'identifiant de la fiche, qui est la fin de son "
        f'adresse). Son format est décrit par <a href="schemas/{API_SCHEMA}"><code>{API_SCHEMA}</code></a> ; '
        "c'est l'objet d'une fiche de actions.json, avec sa licence.</p>",
        "## Suivre les nouveautés",
        '<p>Le <a href="../flux/actions.xml" type="application/atom+xml">flux Atom des fiches</a> annonce les '
        "fiches nouvelles ou mises à jour, datées par leur mise à jour ; un flux par thème et la liste sont sur la "
        '<a href="../nouveautes/">page Nouveautés</a>.</p>',
        "## Journal des changements",
        f'<ul class="essaim-journal">{changes}</ul>',
    ]
