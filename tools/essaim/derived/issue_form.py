"""The GitHub issue form « Proposer une action »: its fields, the YAML GitHub reads, and the body GitHub writes.

The form is derived from the card model and the vocabularies (drop-downs and
check-box lists list the vocabulary labels), written by `essaim schema` to
.github/ISSUE_TEMPLATE/proposer-une-action.yml. When someone submits it, GitHub
writes an issue body made of `### Label` blocks; `parse_issue_body` reads such
a body back into field values, using the same field list, so both ends stay in
step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from essaim.model.card import CARD_SECTIONS
from essaim.model.vocabularies import fold, vocabulary

FORM_PATH = (".github", "ISSUE_TEMPLATE", "proposer-une-action.yml")
PROPOSAL_LABEL = "proposition"
NO_RESPONSE = "_No response_"
# GitHub reserves these option names in drop-downs (the implicit empty choice).
RESERVED_OPTIONS = {"none"}

EVALUATION_OPTIONS = {"Oui": True, "Non": False, "Je ne sais pas": None}
CONSENT_FACTS = "Les faits décrits sont exacts et les phrases sont les miennes (aucun texte copié d'un document)."
CONSENT_CONTACT = ("Si j'indique un contact, il est déjà publié par la structure, ou la personne m'a donné son "
                   "accord pour qu'il figure sur Essaim.")
CONSENT_LICENCE = "J'accepte que ma proposition soit publiée sous licence CC BY 4.0."
CONTACT_OPEN_DATA = "La personne accepte que ce contact figure aussi dans les données ouvertes d'Essaim."


@dataclass(frozen=True)
class FormField:
    id: str  # element id in the form (also the key of parsed values)
    label: str  # heading of the block in the submitted body
    kind: str  # input, textarea, dropdown or checkboxes
    target: str  # what it fills in the card: a front matter key path, "section:<key>", or "form:<name>"
    description: str = ""
    placeholder: str = ""
    required: bool = False
    vocabulary: str | None = None  # drop-downs and check-box lists listing a vocabulary
    options: tuple[str, ...] = ()  # fixed options, when not from a vocabulary
    required_options: bool = False  # every check box must be ticked (consents)

    def option_labels(self) -> list[str]:
        if self.vocabulary is None:
            return list(self.options)
        terms = vocabulary(self.vocabulary).terms
        return [t.label for t in terms if self.family is None or t.family == self.family]

    @property
    def family(self) -> str | None:
        """For the theme lists, split by family: the family id."""
        return self.id.removeprefix("themes-") if self.id.startswith("themes-") else None


def _fields() -> list[FormField]:
    fields = [
        FormField("titre", "Titre de l'action", "input", "titre", required=True,
                  description="Le nom de l'action, ou à défaut ce qu'elle fait, en quelques mots.",
                  placeholder="Exemple : Bus santé des villages"),
        FormField("resume", "Résumé", "textarea", "resume", required=True,
                  description="Une ou deux phrases : ce que fait l'action, pour qui, où (500 caractères au plus)."),
        FormField("porteur", "Structure porteuse", "input", "porteur.nom", required=True,
                  description="Le nom de la structure qui porte l'action.",
                  placeholder="Exemple : Centre communal d'action sociale (CCAS) de Poitiers"),
        FormField("type-porteur", "Type de structure porteuse", "dropdown", "porteur.type", required=True,
                  vocabulary="porteurs"),
        FormField("communes", "Communes", "input", "territoire.communes",
                  description="Noms ou codes INSEE, séparés par des virgules ; précisez le département entre "
                              "parenthèses si le nom est porté par plusieurs communes.",
                  placeholder="Exemple : Saint-Claude (39), Morez"),
        FormField("departements", "Départements", "input", "territoire.departements",
                  description="Noms ou numéros, séparés par des virgules (inutile si les communes sont données).",
                  placeholder="Exemple : Jura"),
        FormField("regions", "Régions", "input", "territoire.regions",
                  description="Noms, séparés par des virgules (inutile si les départements sont donnés)."),
        FormField("echelle", "Échelle d'intervention", "dropdown", "territoire.echelle", vocabulary="echelles",
                  description="Sans réponse, l'échelle est déduite des lieux indiqués."),
        FormField("types-territoire", "Caractéristiques du territoire", "checkboxes", "territoire.types",
                  vocabulary="territoires"),
        FormField("precision-territoire", "Territoire en clair", "input", "territoire.precision",
                  description="Le territoire décrit en une phrase, si les cases ci-dessus ne suffisent pas."),
    ]
    for family in vocabulary("familles").terms:
        fields.append(FormField(f"themes-{family.id}", f"Thèmes : {family.label}", "checkboxes", "themes",
                                vocabulary="themes",
                                description="Cochez les thèmes de l'action (au moins un thème en tout, "
                                            "toutes listes confondues)."))
    fields += [
        FormField("publics", "Publics visés", "checkboxes", "publics", vocabulary="publics",
                  description="Cochez au moins un public."),
        FormField("debut", "Année de début", "input", "periode.debut", placeholder="Exemple : 2019"),
        FormField("fin", "Année de fin", "input", "periode.fin", description="Vide si l'action continue."),
        FormField("statut", "Statut", "dropdown", "statut", vocabulary="statuts"),
        FormField("partenaires-operationnels", "Partenaires opérationnels", "textarea", "partenaires.operationnels",
                  description="Un partenaire par ligne."),
        FormField("partenaires-financiers", "Partenaires financiers", "textarea", "partenaires.financiers",
                  description="Un financeur par ligne."),
        FormField("financement", "Financement", "input", "financement",
                  description="Budget ou montants, s'ils sont publics."),
        FormField("cout", "Coût de l'action", "input", "transfert.budget",
                  description="Montant, année et ce qu'il couvre, tels qu'ils sont publiés (les financeurs vont "
                              "dans « Partenaires financiers »).",
                  placeholder="Exemple : 45 000 € par an en 2022, dont le poste de médiatrice"),
        FormField("moyens-humains", "Moyens humains", "input", "transfert.moyens_humains",
                  description="Les postes et le temps de travail consacrés à l'action.",
                  placeholder="Exemple : 1 médiatrice en santé (1 ETP)"),
        FormField("delai", "Délai de mise en place", "input", "transfert.delai",
                  description="Le temps qu'il a fallu pour lancer l'action."),
        FormField("prerequis", "Prérequis", "textarea", "transfert.prerequis",
                  description="Ce qu'il faut avoir avant de se lancer (un local, un partenariat…), un par ligne."),
        FormField("cadres", "Cadres territoriaux", "checkboxes", "cadres", vocabulary="cadres",
                  description="Les dispositifs dans lesquels l'action s'inscrit, s'il y en a."),
    ]
    for section in CARD_SECTIONS:
        fields.append(FormField(
            f"section-{section.key}", section.heading, "textarea", f"section:{section.key}",
            required=section.key in ("problem", "objectives"),
            description=section.guidance + ("" if section.key in ("problem", "objectives")
                                            else " Laissez vide si vous ne savez pas.")))
    fields += [
        FormField("evaluee", "Évaluation", "dropdown", "evaluation.evaluee", options=tuple(EVALUATION_OPTIONS),
                  description="L'action a-t-elle été évaluée ?"),
        FormField("methode-evaluation", "Méthode d'évaluation", "textarea", "evaluation.methode",
                  description="Qui a évalué, comment, avec quels résultats publiés."),
        FormField("contact-nom", "Contact : prénom et nom", "input", "contacts.nom",
                  description="Seulement un contact déjà publié, ou avec l'accord de la personne."),
        FormField("contact-fonction", "Contact : fonction", "input", "contacts.fonction"),
        FormField("contact-structure", "Contact : structure", "input", "contacts.structure"),
        FormField("contact-email", "Contact : adresse électronique", "input", "contacts.email",
                  description="De préférence une adresse de service (contact@…)."),
        FormField("contact-telephone", "Contact : téléphone", "input", "contacts.telephone"),
        FormField("contact-exportable", "Contact : données ouvertes", "checkboxes", "contacts.exportable",
                  options=(CONTACT_OPEN_DATA,)),
        FormField("documents", "Documents publics sur l'action", "textarea", "sources",
                  description="Adresses web de documents publics qui décrivent l'action (rapport, page du site, "
                              "article), une par ligne."),
        FormField("engagements", "Engagements", "checkboxes", "form:consents",
                  options=(CONSENT_FACTS, CONSENT_CONTACT, CONSENT_LICENCE), required_options=True),
    ]
    return fields


FORM_FIELDS: tuple[FormField, ...] = tuple(_fields())

INTRO = """Merci de proposer une action ! Un éditeur d'Essaim relira votre proposition et en fera une fiche publiée.

- **Ce ticket est public.** N'y écrivez aucune donnée de santé, ni rien sur les personnes accompagnées.
- **Les faits exacts, les phrases à vous** : reprenez les noms, lieux, chiffres et dates tels quels, mais ne copiez
  pas de texte d'un document.
- **Un contact** n'est indiqué que s'il est déjà publié par la structure, ou avec l'accord de la personne.
- **Ne savez pas ?** Laissez vide : la section de la fiche dira « Non renseigné dans la source. » plutôt que
  d'inventer.

Le guide de contribution (fichier `CONTRIBUTING.md` du dépôt) explique la suite et comment faire retirer
des données personnelles."""


# --- the form, as GitHub reads it -------------------------------------------------


def _element(field: FormField) -> dict:
    attributes: dict = {"label": field.label}
    if field.description:
        attributes["description"] = field.description
    if field.placeholder:
        attributes["placeholder"] = field.placeholder
    if field.kind == "dropdown":
        attributes["options"] = field.option_labels()
    elif field.kind == "checkboxes":
        attributes["options"] = [{"label": label, **({"required": True} if field.required_options else {})}
                                 for label in field.option_labels()]
    element = {"type": field.kind, "id": field.id, "attributes": attributes}
    if field.required:
        element["validations"] = {"required": True}
    return element


def build_form(name: str, description: str, title: str, label: str, intro: str, fields) -> dict:
    """An issue form (as GitHub reads it): an introduction, then one element per field."""
    return {"name": name, "description": description, "title": title, "labels": [label],
            "body": [{"type": "markdown", "attributes": {"value": intro}}, *map(_element, fields)]}


def issue_form() -> dict:
    return build_form("Proposer une action",
                      "Décrire une action locale pour l'accès à la santé ; un éditeur en fera une fiche Essaim.",
                      "Proposition : ", PROPOSAL_LABEL, INTRO, FORM_FIELDS)


class _FormDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks (|), as people write them by hand."""


_FormDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def form_yaml(form: dict, module: str) -> str:
    """An issue form as the YAML file GitHub reads, with the « generated » header."""
    header = ("# Fichier généré par « essaim schema » à partir du modèle de fiche et des vocabulaires\n"
              f"# ({module}) : ne pas modifier à la main.\n")
    return header + yaml.dump(form, Dumper=_FormDumper, allow_unicode=True, sort_keys=False, width=110)


def issue_form_text() -> str:
    return form_yaml(issue_form(), "tools/essaim/derived/issue_form.py")


# --- the body GitHub writes ---------------------------------------------------------

HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*$")
CHECKBOX = re.compile(r"^\s*[-*]\s+\[([ xX])\]\s+(.*?)\s*$")


@dataclass
class ParsedIssue:
    values: dict[str, str]  # field id -> raw text ("" when _No response_)
    checked: dict[str, list[str]]  # check-box field id -> ticked labels
    found: int  # how many form headings were recognised


def parse_issue_body(text: str, fields: tuple[FormField, ...] = FORM_FIELDS) -> ParsedIssue:
    """Split a submitted form body into fields (those of « Proposer une action » unless told).

    A `### Label` line starts a field only if Label is a form field placed after
    the current one: a heading typed inside an answer cannot overwrite an
    earlier answer.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    by_label = {fold(f.label): (index, f) for index, f in enumerate(fields)}
    blocks: dict[str, list[str]] = {}
    current, position = None, -1
    for line in text.split("\n"):
        heading = HEADING.match(line)
        if heading and fold(heading.group(1)) in by_label and by_label[fold(heading.group(1))][0] > position:
            position, current = by_label[fold(heading.group(1))]
            blocks[current.id] = []
            continue
        if current is not None:
            blocks[current.id].append(line)
    values, checked = {}, {}
    for field in fields:
        raw = "\n".join(blocks.get(field.id, [])).strip()
        if raw == NO_RESPONSE:
            raw = ""
        values[field.id] = raw
        if field.kind == "checkboxes":
            checked[field.id] = [m.group(2) for m in map(CHECKBOX.match, raw.split("\n"))
                                 if m and m.group(1) in "xX"]
    return ParsedIssue(values, checked, len(blocks))


def field(field_id: str) -> FormField:
    return next(f for f in FORM_FIELDS if f.id == field_id)


def render_issue_body(answers: dict) -> str:
    """The body GitHub writes for these answers: field id -> text, or -> ticked labels for check boxes.

    Used to make sample proposals (tests, the contribution guide's walk-through).
    """
    blocks = []
    for item in FORM_FIELDS:
        answer = answers.get(item.id) or ""
        if item.kind == "checkboxes":
            value = "\n".join(f"- [{'X' if label in answer else ' '}] {label}" for label in item.option_labels())
        else:
            value = answer or NO_RESPONSE
        blocks.append(f"### {item.label}\n\n{value}")
    return "\n\n".join(blocks) + "\n"
