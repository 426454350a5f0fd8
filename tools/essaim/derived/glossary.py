"""The glossary of acronyms, generated from the vocabularies so both stay in step."""

from __future__ import annotations

from essaim.model.vocabularies import acronym_expansions

PATH = "content/guides/glossaire.md"
FRONT_MATTER = """---
# Fichier généré par « essaim schema » à partir des vocabulaires : ne pas modifier à la main.
titre: Glossaire des sigles de l'accès à la santé
resume: >-
  Les sigles que l'on croise dans les fiches et les guides (QPV, MSP, CPTS, PASS, CLSM…), leur signification et
  la notion à laquelle ils renvoient.
themes: [formation_des_acteurs]
sources:
  - document: rfvs-villes-acces-soins-premier-recours
  - document: fts-inspir-actions-acces-aux-soins-2023
  - document: rencontres-sante-quartiers-populaires-2017
mise_a_jour: "2026-11"
---
"""


def glossary_text() -> str:
    rows: dict[str, tuple[list[str], list[str]]] = {}
    for acronym, phrase, term in acronym_expansions():
        expansions, notions = rows.setdefault(acronym, ([], []))
        if phrase.lower() not in (e.lower() for e in expansions):
            expansions.append(phrase)
        notion = f"{term.label} : {term.definition}"
        if notion not in notions:
            notions.append(notion)
    lines = [FRONT_MATTER, "Chaque sigle est reconnu par la recherche d'Essaim dans les deux sens : chercher « MSP »",
             "trouve aussi « maison de santé pluriprofessionnelle », et inversement.", "",
             "| Sigle | Signification | Notion dans Essaim |", "|---|---|---|"]
    for acronym, (expansions, notions) in sorted(rows.items()):
        lines.append(f"| **{acronym}** | {' ; '.join(expansions)} | {' / '.join(notions)} |")
    return "\n".join(lines) + "\n"
