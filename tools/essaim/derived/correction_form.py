"""The public form « Signaler une correction ou un contact », derived from the card model's sections."""

from __future__ import annotations

import re

from essaim.derived.issue_form import CONSENT_CONTACT, FormField, build_form, form_yaml
from essaim.model.card import CARD_SECTIONS

FORM_PATH = (".github", "ISSUE_TEMPLATE", "signaler-une-correction.yml")
FORM_FILE = FORM_PATH[-1]
REPORT_LABEL = "correction"
KIND_OPTIONS = {
    "correction": "Une information est fausse ou dépassée",
    "contact": "Je connais un contact pour cette action",
    "complement": "J'ai un complément (résultats, suites, document)",
    "autre": "Autre remarque",
}
PART_BRIEF = "En bref (porteur, lieu, dates, statut, publics, financement)"
PART_CONTACT = "Contact"
PART_OTHER = "Autre, ou plusieurs parties"
CONSENT_EXACT = "Ce que je signale est exact, et les phrases sont les miennes (aucun texte copié d'un document)."
CONSENT_LICENCE = "J'accepte que ma contribution soit publiée sous licence CC BY 4.0."
CONTACT_KEYS = {"contact-nom": "nom", "contact-fonction": "fonction", "contact-structure": "structure",
                "contact-courriel": "email", "contact-telephone": "telephone"}
CARD_URL = re.compile(r"actions/([a-z0-9-]+)/?")

INTRO = """Merci ! Ce formulaire sert à corriger ou compléter une fiche d'Essaim, sans outil ni connaissance technique.
Un éditeur relit chaque signalement avant de modifier la fiche.

- **Ce ticket est public.** N'y écrivez aucune donnée de santé, ni rien sur les personnes accompagnées.
- **Un contact** n'est indiqué que s'il est déjà publié par la structure, ou avec l'accord de la personne.
- **D'où vient l'information ?** Une adresse de page ou de document aide l'éditeur à vérifier ; si vous faites
  partie de l'équipe de l'action, dites-le."""


def _fields() -> list[FormField]:
    parts = [PART_BRIEF, PART_CONTACT, *(s.heading for s in CARD_SECTIONS), PART_OTHER]
    return [
        FormField("fiche", "Identifiant de la fiche", "input", "form:card", required=True,
                  description="Rempli par le lien de la fiche. Sinon : la fin de l'adresse de sa page, "
                              "…/actions/<identifiant>/.",
                  placeholder="Exemple : mediation-sante-nantes"),
        FormField("titre-fiche", "Titre de la fiche", "input", "form:title",
                  description="Rempli par le lien de la fiche ; il aide à la retrouver."),
        FormField("nature", "Ce que vous signalez", "dropdown", "form:kind", required=True,
                  options=tuple(KIND_OPTIONS.values())),
        FormField("partie", "Partie de la fiche", "dropdown", "form:part", required=True, options=tuple(parts)),
        FormField("texte", "Correction ou complément", "textarea", "form:text",
                  description="Ce qui est faux et ce qu'il faudrait écrire, avec vos mots. Laissez vide si vous "
                              "donnez seulement un contact."),
        FormField("source", "D'où vient l'information ?", "textarea", "form:source",
                  description="Adresse d'une page ou d'un document public, ou « je fais partie de l'équipe »."),
        FormField("contact-nom", "Nom du contact", "input", "form:contact",
                  description="Seulement un contact publié par la structure, ou donné avec l'accord de la personne."),
        FormField("contact-fonction", "Fonction du contact", "input", "form:contact",
                  placeholder="Exemple : Coordinatrice de l'atelier santé ville"),
        FormField("contact-structure", "Structure du contact", "input", "form:contact"),
        FormField("contact-courriel", "Courriel du contact", "input", "form:contact",
                  description="De préférence une adresse de service."),
        FormField("contact-telephone", "Téléphone du contact", "input", "form:contact"),
        FormField("engagements", "Engagements", "checkboxes", "form:consents",
                  options=(CONSENT_EXACT, CONSENT_CONTACT, CONSENT_LICENCE)),
    ]


REPORT_FIELDS: tuple[FormField, ...] = tuple(_fields())


def report_form() -> dict:
    return build_form("Signaler une correction ou un contact",
                      "Une information fausse ou dépassée, un complément, un contact pour une fiche d'Essaim.",
                      "Correction : ", REPORT_LABEL, INTRO, REPORT_FIELDS)


def report_form_text() -> str:
    return form_yaml(report_form(), "tools/essaim/derived/correction_form.py")
