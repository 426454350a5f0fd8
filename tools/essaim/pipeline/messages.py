"""French messages for pydantic's validation errors, with hints."""

from __future__ import annotations

from pydantic import BaseModel

from essaim.model.vocabularies import did_you_mean, nearest

EXPECTED = {
    "string_type": "un texte",
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "bool_type": "true ou false",
    "bool_parsing": "true ou false",
    "list_type": "une liste",
    "model_type": "un ensemble de clés (clé: valeur)",
    "dict_type": "un ensemble de clés (clé: valeur)",
    "model_attributes_type": "un ensemble de clés (clé: valeur)",
}

TYPE_HINTS = {
    "list_type": "écrivez une liste : [a, b] ou une valeur par ligne précédée de « - »",
    "string_type": "mettez la valeur entre guillemets si elle ressemble à un nombre ou à une date",
    "bool_type": "écrivez true ou false (sans guillemets)",
    "int_type": "écrivez l'année en chiffres, sans guillemets, ou laissez vide",
}


def field_description(model: type[BaseModel], loc: tuple) -> str | None:
    fields = _model_at(model, loc[:-1])
    if fields is None:
        return None
    for info in fields.model_fields.values():
        if info.alias == loc[-1]:
            return info.description
    return None


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    sub = _model_at(model, loc)
    return [info.alias or name for name, info in sub.model_fields.items()] if sub else []


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current = model
    for step in loc:
        if isinstance(step, int):
            continue
        info = next((i for n, i in current.model_fields.items() if (i.alias or n) == step), None)
        if info is None:
            return None
        current = inner_model(info.annotation)
        if current is None:
            return None
    return current


def inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if found:
            return found
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and metadata_origin is not annotation:
        return inner_model(metadata_origin)
    return None


def explain(model: type[BaseModel], error: dict) -> tuple[str, str, str | None]:
    """(code, message, hint) for one pydantic error."""
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    key = next((str(step) for step in reversed(loc) if isinstance(step, str)), "")
    if kind == "missing":
        return "champ-manquant", f"champ obligatoire « {key} » absent", field_description(model, loc)
    if kind == "extra_forbidden":
        known = allowed_keys(model, loc[:-1])
        hint = did_you_mean(nearest(key, known)) or f"clés possibles : {', '.join(known)}"
        return "champ-inconnu", f"champ inconnu « {key} »", hint
    if kind in EXPECTED:
        value = error.get("input")
        shown = "vide" if value is None else f"« {value} »" if not isinstance(value, (dict, list)) else type(value).__name__
        return "type-invalide", f"« {key} » doit être {EXPECTED[kind]} (trouvé : {shown})", TYPE_HINTS.get(kind)
    if kind in ("string_too_short", "too_short"):
        unit = "caractère(s)" if kind == "string_too_short" else "élément(s)"
        return "trop-court", f"« {key} » est trop court : au moins {ctx.get('min_length')} {unit}", field_description(model, loc)
    if kind in ("string_too_long", "too_long"):
        unit = "caractères" if kind == "string_too_long" else "éléments"
        hint = ("gardez les principaux ; les autres peuvent être cités dans une section de la fiche"
                if kind == "too_long" else "raccourcissez : le détail a sa place dans les sections de la fiche")
        return "trop-long", f"« {key} » est trop long : au plus {ctx.get('max_length')} {unit}", hint
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        word = "au moins" if kind == "greater_than_equal" else "au plus"
        return "valeur-hors-limites", f"« {key} » doit valoir {word} {bound}", None
    if kind == "string_pattern_mismatch":
        return "format-invalide", f"« {key} » n'a pas le format attendu", f"format : {ctx.get('pattern')}"
    if "hint" in ctx:  # our own PydanticCustomError
        return kind, error["msg"], ctx["hint"]
    return "valeur-invalide", f"« {key} » : {error['msg']}", None
