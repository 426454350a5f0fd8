"""The card and guide model, defined once.

Everything else derives from it: validation (pydantic), the published JSON
Schema, the template of `essaim new` and the field reference of the docs.
Front matter keys are French (editors write them); attribute names are English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

import email_validator
import phonenumbers
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler,
                      GetJsonSchemaHandler, WithJsonSchema)
from pydantic_core import PydanticCustomError, core_schema

from essaim.text import dates

from essaim.model import geography
from essaim.model.vocabularies import did_you_mean, vocabulary

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_MAX_LENGTH = 200  # a file name stays under 255 bytes, "proposition-" and ".yaml" included
ID_HINT = "minuscules sans accents, chiffres et tirets, sans / ni .. : mediation-sante-grenoble"
_ID = re.compile(ID_PATTERN)
DATE_PATTERN = dates.PATTERN


def shown_id(text: str) -> str:
    """An id or file name quoted in a message: line breaks and control characters made visible, cut short."""
    return repr(text)[1:-1][:80]


def valid_id(text: str) -> bool:
    """The one rule for card, guide and source ids (file names without extension), everywhere."""
    return isinstance(text, str) and len(text) <= ID_MAX_LENGTH and _ID.fullmatch(text) is not None


# --- body sections -------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    mandatory: bool
    guidance: str


CARD_SECTIONS: tuple[Section, ...] = (
    Section("problem", "Problématique et contexte", True, "Le constat de départ et le territoire."),
    Section("objectives", "Objectifs", True, "Ce que l'action cherche à obtenir."),
    Section("steps", "Déroulé de l'action", False, "Ce qui a été fait, étape par étape, avec les dates."),
    Section("results", "Résultats", True, "Ce qui a été obtenu, avec les chiffres publiés."),
    Section("unexpected", "Effets inattendus", False, "Les effets non prévus, positifs ou négatifs."),
    Section("outlook", "Perspectives", False, "La suite envisagée."),
    Section("advice", "Conseils pour essaimer", False, "Conditions de réussite et points de vigilance."),
    Section("governance", "Gouvernance", True, "Qui pilote, qui décide, avec quelles instances."),
    Section("resources", "Ressources", False, "Documents, outils et liens utiles."),
)

# The whole text of a section when the source says nothing about it.
SILENT_TEXT = "Non renseigné dans la source."
# A section whose text starts with this says the source is silent on it (older cards wrote
# « Non renseigné : … », still accepted).
SILENT_MARKER = "Non renseigné"


# --- vocabulary and code fields -------------------------------------------


class VocabularyTerm:
    """A string that must be an id of a controlled vocabulary (a data file)."""

    def __init__(self, name: str):
        self.name = name

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        json_schema = handler(schema)
        json_schema["enum"] = vocabulary(self.name).ids()
        json_schema["x-vocabulaire"] = self.name
        return json_schema

    def check(self, value: str) -> str:
        vocab = vocabulary(self.name)
        if value in vocab:
            return value
        hint = did_you_mean(vocab.suggest(value)) or f"valeurs possibles : {', '.join(vocab.ids())}"
        raise PydanticCustomError(
            "valeur-inconnue",
            "valeur inconnue « {value} » dans le vocabulaire « {vocabulary} »",
            {"value": value, "vocabulary": self.name, "hint": hint},
        )


def _code_as_text(value: Any) -> Any:
    # Our YAML reader keeps 01, 2A and 0123 as text; a plain 75 arrives as an int
    # and converts back losslessly.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _official_code(table, what: str, hint: str):
    """A check that a code exists in an official table (régions, départements, communes)."""

    def check(code: str) -> str:
        if code not in table():
            raise PydanticCustomError("code-inconnu", f"code {what} inconnu « {{value}} »", {"value": code, "hint": hint})
        return code

    return check


_check_region = _official_code(geography.regions, "région",
                               "code INSEE de région, entre guillemets : \"53\" pour la Bretagne")
_check_departement = _official_code(geography.departements, "département",
                                    "code INSEE sur deux caractères, entre guillemets : \"01\", \"2A\", \"974\"")
_check_commune = _official_code(geography.communes, "commune INSEE",
                                "code officiel géographique à 5 caractères (pas le code postal)")


def _check_email(value: str) -> str:
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise PydanticCustomError(
            "email-invalide", "adresse électronique invalide « {value} »",
            {"value": value, "hint": "recopiez l'adresse telle que la source la publie : nom@domaine.fr"},
        ) from error
    return value


def _check_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "FR")
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise PydanticCustomError(
            "telephone-invalide", "numéro de téléphone invalide « {value} »",
            {"value": value, "hint": "dix chiffres pour la France (05 49 52 36 15) ou +33 5 49 52 36 15"},
        )
    return value


def _check_date(value: str) -> str:
    try:
        dates.parse(value)
    except ValueError as error:
        raise PydanticCustomError(
            "date-invalide", "date invalide « {value} » : {reason}",
            {"value": value, "reason": str(error),
             "hint": "écrivez AAAA, AAAA-MM ou AAAA-MM-JJ entre guillemets, par exemple \"2022-12\""},
        ) from error
    return value


def _validated(check, **field):
    return Annotated[str, BeforeValidator(_code_as_text), AfterValidator(check), Field(**field)]


RegionCode = _validated(_check_region, json_schema_extra={"enum": sorted(geography.regions())})
DepartementCode = _validated(_check_departement, json_schema_extra={"enum": sorted(geography.departements())})
CommuneCode = _validated(_check_commune, json_schema_extra={"pattern": r"^[0-9][0-9AB][0-9]{3}$"})
Email = _validated(_check_email, json_schema_extra={"format": "email"})
Phone = _validated(_check_phone)
PublishedDate = _validated(_check_date, json_schema_extra={"pattern": DATE_PATTERN})

Theme = Annotated[str, VocabularyTerm("themes")]
Public = Annotated[str, VocabularyTerm("publics")]
CarrierType = Annotated[str, VocabularyTerm("porteurs")]
TerritoryKind = Annotated[str, VocabularyTerm("territoires")]
Scale = Annotated[str, VocabularyTerm("echelles")]
Framework = Annotated[str, VocabularyTerm("cadres")]
Status = Annotated[str, VocabularyTerm("statuts")]

def _check_visible(value: str) -> str:
    """No invisible character that changes how a name reads: bidirectional overrides and isolates,
    zero-width spaces and joiners, other format and control characters (a title shown as « Santé »
    may hold « ‮ » and read backwards in listings and exports)."""
    for index, char in enumerate(value):
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") and char not in "\n\t":
            raise PydanticCustomError(
                "caractere-invisible", "caractère invisible U+{code} à la position {position}",
                {"code": f"{ord(char):04X}", "position": index + 1,
                 "hint": "retapez ce texte au clavier au lieu de le copier-coller (le caractère ne se voit pas)"})
    return value


NAME_MAX_LENGTH = 200  # a carrier, a partner, a person, a commune
TEXT_MAX_LENGTH = 2000  # a free-text field of the front matter (funding, territory detail…)
MAX_PARTNERS = 60
Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX_LENGTH), AfterValidator(_check_visible)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH), AfterValidator(_check_visible)]


def _one_or_many(value):
    """telephone: one number, or a list when the source gives several; none when empty."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


PhoneNumbers = Annotated[list[Phone], BeforeValidator(_one_or_many), WithJsonSchema({"anyOf": [
    {"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}, {"type": "null"}]})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, validate_by_alias=True)


# --- parts of a card --------------------------------------------------------


class Carrier(Strict):
    name: Name = Field(alias="nom", description="Nom de la structure qui porte l'action, comme la source l'écrit.",
                       examples=["Centre communal d'action sociale (CCAS) de Poitiers"])
    type: CarrierType = Field(description="Type de porteur (vocabulaire « porteurs »).", examples=["ccas"])
    pilot: Name | None = Field(None, alias="pilote", description="Pilote principal quand il diffère du porteur.")
    local_authority_role: Text | None = Field(
        None, alias="role_collectivite", description="Rôle de la collectivité (financeur, bailleur, animateur…).")


class Commune(Strict):
    name: Name = Field(alias="nom", description="Nom de la commune.", examples=["Poitiers"])
    insee: CommuneCode | None = Field(None, description="Code INSEE de la commune (5 caractères), si connu.",
                                      examples=["86194"])


class Territory(Strict):
    regions: list[RegionCode] = Field(default_factory=list, description="Codes INSEE des régions.", examples=[["75"]])
    departements: list[DepartementCode] = Field(
        default_factory=list, description="Codes INSEE des départements (entre guillemets).", examples=[["86"]])
    communes: list[Commune] = Field(default_factory=list, description="Communes d'intervention.",
                                    examples=[[{"nom": "Poitiers", "insee": "86194"}]])
    scale: Scale = Field(alias="echelle", description="Échelle d'intervention (vocabulaire « echelles »).",
                         examples=["commune"])
    kinds: list[TerritoryKind] = Field(default_factory=list, alias="types",
                                       description="Caractéristiques : qpv, urbain, rural… (vocabulaire « territoires »).",
                                       examples=[["qpv", "urbain"]])
    detail: Text | None = Field(None, alias="precision", description="Le territoire en clair, tel que la source le décrit.",
                                examples=["Commune de Poitiers, dont deux quartiers prioritaires"])


class Period(Strict):
    start: int | None = Field(None, alias="debut", ge=1900, le=2100, description="Année de début (vide si inconnue).",
                              examples=[2013])
    end: int | None = Field(None, alias="fin", ge=1900, le=2100, description="Année de fin (vide si en cours ou inconnue).")


class Partners(Strict):
    operational: Annotated[list[Name], Field(max_length=MAX_PARTNERS)] = Field(default_factory=list, alias="operationnels",
                                    description="Partenaires opérationnels ([] si la source n'en cite pas).",
                                    examples=[["CPAM de la Vienne"]])
    financial: Annotated[list[Name], Field(max_length=MAX_PARTNERS)] = Field(default_factory=list, alias="financiers",
                                  description="Partenaires financiers ([] si la source n'en cite pas).",
                                  examples=[["ARS Nouvelle-Aquitaine"]])


class Contact(Strict):
    name: Name | None = Field(None, alias="nom", description="Prénom et nom, exactement comme publiés.")
    role: Name | None = Field(None, alias="fonction", description="Fonction.")
    organisation: Name | None = Field(None, alias="structure", description="Structure.")
    email: Email | None = Field(None, description="Adresse électronique publiée par la source.")
    phones: PhoneNumbers = Field(default_factory=list, alias="telephone",
                                 description="Téléphone publié par la source ; une liste quand elle en donne plusieurs.")
    open_data: bool = Field(False, alias="exportable",
                            description="true si la personne accepte que ce contact figure dans les données ouvertes.")
    switchboard: bool = Field(False, alias="standard_public",
                              description="true si le téléphone est le standard public d'une structure : il est alors "
                                          "affiché en clair ; sinon il n'apparaît qu'à la demande, comme le courriel.")


class SourceRef(Strict):
    document: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="Identifiant du document source (fichier de content/sources/).",
        examples=["fts-inspir-actions-acces-aux-soins-2023"])
    pages: Text | None = Field(None, description="Pages du document, par exemple \"19-24\".", examples=["19-24"])


class Transfer(Strict):
    """What a practitioner needs to reproduce the action, only as the source states it."""

    budget: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, description="Budget ou coût : montant(s), année, ce qu'ils couvrent, exactement comme la source "
                          "l'écrit (les financeurs vont dans partenaires.financiers).",
        examples=["45 000 € par an (2022), dont le poste de médiatrice"])
    staff: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, alias="moyens_humains", description="Moyens humains : postes, temps de travail (ETP).",
        examples=["1 médiatrice en santé (1 ETP)"])
    setup_time: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, alias="delai", description="Délai de mise en place, s'il est indiqué.", examples=["6 mois"])
    prerequisites: Annotated[list[Annotated[str, Field(min_length=1, max_length=500)]], Field(max_length=12)] = Field(
        default_factory=list, alias="prerequis", description="Prérequis que la source nomme, un par élément.",
        examples=[["un local en rez-de-chaussée", "un partenariat avec la CPAM"]])


class Evaluation(Strict):
    evaluated: bool | None = Field(None, alias="evaluee", description="true, false, ou vide si la source ne le dit pas.")
    method: Text | None = Field(None, alias="methode", description="Comment l'action a été évaluée.")


# --- documents --------------------------------------------------------------


class CardMeta(Strict):
    """Front matter of an action card (content/actions/<id>.md)."""

    title: Annotated[str, Field(min_length=5, max_length=200), AfterValidator(_check_visible)] = Field(
        alias="titre", description="Titre de l'action.", examples=["En route pour ma santé"])
    summary: Annotated[str, Field(min_length=20, max_length=500), AfterValidator(_check_visible)] = Field(
        alias="resume", description="Une ou deux phrases qui disent ce que fait l'action, pour qui, où.",
        examples=["Le CCAS de Poitiers informe et accompagne les allocataires du RSA pour qu'ils ouvrent leurs droits "
                  "de santé et accèdent aux soins."])
    carrier: Carrier = Field(alias="porteur", description="Structure qui porte l'action.")
    territory: Territory = Field(alias="territoire", description="Où l'action se déroule.")
    themes: Annotated[list[Theme], Field(min_length=1, max_length=8)] = Field(
        description="Thèmes (vocabulaire « themes »), du plus central au plus secondaire.",
        examples=[["acces_aux_droits", "accompagnement_parcours"]])
    publics: Annotated[list[Public], Field(min_length=1)] = Field(
        description="Publics visés (vocabulaire « publics »).", examples=[["personnes_precaires"]])
    period: Period = Field(alias="periode", description="Période de l'action.")
    status: Status = Field(alias="statut", description="Statut à la date de mise à jour (vocabulaire « statuts »).",
                           examples=["en_cours"])
    partners: Partners = Field(alias="partenaires", description="Partenaires opérationnels et financiers.")
    funding: Text | None = Field(None, alias="financement", description="Budget ou financements, si publiés.")
    frameworks: list[Framework] = Field(default_factory=list, alias="cadres",
                                        description="Cadres territoriaux (vocabulaire « cadres ») : ASV, CLS, CLSM…",
                                        examples=[["contrat_local_de_sante"]])
    contacts: list[Contact] = Field(description="Contacts publiés par la source ; [] si aucun n'est publié.",
                                    examples=[[]])
    sources: Annotated[list[SourceRef], Field(min_length=1)] = Field(
        description="Documents publics dont la fiche est tirée.",
        examples=[[{"document": "fts-inspir-actions-acces-aux-soins-2023", "pages": "19-24"}]])
    evaluation: Evaluation = Field(default_factory=Evaluation, description="L'action a-t-elle été évaluée ?")
    transfer: Transfer | None = Field(
        None, alias="transfert",
        description="Faits utiles pour reproduire l'action (budget, moyens humains, délai, prérequis), seulement "
                    "ceux que la source donne ; bloc absent si elle n'en donne aucun.")
    updated: PublishedDate = Field(alias="mise_a_jour",
                                   description="Date de la dernière mise à jour des informations (AAAA-MM).",
                                   examples=["2022-12"])
    verified_on: PublishedDate | None = Field(
        None, alias="verifie_le",
        description="Date à laquelle le porteur a confirmé que la fiche est toujours juste (AAAA-MM ou AAAA-MM-JJ).")
    verified_by: Text | None = Field(
        None, alias="verifie_par",
        description="Qui a confirmé, par sa fonction (« coordinatrice du CLS ») ; un nom seulement s'il est publié.")
    distinct_from: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        default_factory=list, alias="distincte_de",
        description="Fiches au titre proche qui décrivent pourtant une autre action.")


class GuideMeta(Strict):
    """Front matter of a practical guide (content/guides/<id>.md)."""

    title: Annotated[str, Field(min_length=5, max_length=200), AfterValidator(_check_visible)] = Field(alias="titre", description="Titre du guide.")
    summary: Annotated[str, Field(min_length=20, max_length=500), AfterValidator(_check_visible)] = Field(alias="resume", description="Résumé.")
    themes: Annotated[list[Theme], Field(min_length=1)] = Field(description="Thèmes couverts.")
    sources: Annotated[list[SourceRef], Field(min_length=1)] = Field(description="Documents sources.")
    updated: PublishedDate = Field(alias="mise_a_jour", description="Date de mise à jour (AAAA-MM).")


class SourceDocument(Strict):
    """A public source document (content/sources/<id>.yaml)."""

    title: Text = Field(alias="titre", description="Titre exact du document.")
    publisher: Text = Field(alias="editeur", description="Éditeur ou auteur institutionnel.")
    date: PublishedDate = Field(description="Date de publication (AAAA-MM ou AAAA-MM-JJ).")
    url: Annotated[str, Field(pattern=r"^https?://")] | None = Field(None, description="Adresse publique, si imprimée.")
    description: Text | None = Field(None, description="Ce que contient le document, en une phrase.")
