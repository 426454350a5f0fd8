"""A YAML reader for front matter: strings stay strings, every failure is located.

PyYAML implements YAML 1.1: `01` would become 1, `010` the octal 8, `no` False
and `2026-11-05` a date. Codes and dates must stay as written, so this reader
resolves only YAML 1.2's plain booleans (true/false), decimal integers without
leading zeros and null; everything else is a string. Aliases are refused (they
are never needed in a card and make "billion laughs" bombs possible), and so are
explicit tags and duplicate keys, which PyYAML would silently overwrite.

Data is built from the parser's events (`load_data`); the node tree, which only
serves to locate a problem, is composed on demand (`compose`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Events only need a parser: libyaml's bare one when installed (no constructor to set up).
EventParser = yaml.cyaml.CParser if yaml.__with_libyaml__ else yaml.SafeLoader


INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class FrontMatterLoader(Loader):
    """The fastest safe PyYAML loader available (libyaml when installed)."""


@dataclass
class YamlProblem(Exception):
    line: int  # 0-based, within the YAML text
    column: int
    code: str
    message: str
    hint: str | None = None


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, with positions; raises YamlProblem."""
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error) from error
    except yaml.YAMLError as error:
        raise YamlProblem(0, 0, "yaml-syntaxe", f"YAML illisible : {error}") from error
    return node


_NO_KEY = object()
_E = yaml.events
_SCALAR, _MAPPING, _SEQUENCE = _E.ScalarEvent, _E.MappingStartEvent, _E.SequenceStartEvent
_ENDS = (_E.MappingEndEvent, _E.SequenceEndEvent)
_is_int = INT.fullmatch


def load_data(text: str):
    """Python data straight from the parser's events, without a node tree: the fast path.

    Same rules as compose + construct (plain scalars resolved as above, aliases, explicit
    tags and duplicate keys refused, each with its position); positions of later problems
    come from `compose`, run only when one must be reported. The loop is written flat
    because it runs for every event of every card."""
    parser = EventParser(text)
    next_event = parser.get_event
    root = container = None  # the collection being filled
    key = _NO_KEY  # in a mapping: the key waiting for its value
    outer: list = []  # enclosing (container, key) pairs
    documents = 0
    try:
        while True:
            event = next_event()
            kind = type(event)
            if kind is _SCALAR:
                if event.tag is not None and event.tag != "!":
                    raise _tag_problem(event)
                value = event.value
                if event.implicit[0]:  # plain scalar: YAML 1.2's core schema, narrowed
                    if value == "true" or value == "false":
                        value = value == "true"
                    elif value in NULLS:
                        value = None
                    elif _is_int(value):
                        value = int(value)
            elif kind is _MAPPING or kind is _SEQUENCE:
                if event.tag is not None and event.tag != "!":
                    raise _tag_problem(event)
                value = {} if kind is _MAPPING else []
            elif kind in _ENDS:
                container, key = outer.pop()
                continue
            elif kind is _E.AliasEvent:
                raise YamlProblem(event.start_mark.line, event.start_mark.column, "yaml-alias",
                                  "les ancres et alias YAML (& et *) ne sont pas acceptés",
                                  "recopiez la valeur au lieu d'y faire référence")
            elif kind is _E.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlProblem(event.start_mark.line, event.start_mark.column, "yaml-syntaxe",
                                      "YAML illisible : plusieurs documents dans l'en-tête")
                continue
            elif kind is _E.StreamEndEvent:
                return root
            else:
                continue
            if container is None:
                root = value
            elif type(container) is list:
                container.append(value)
            elif key is _NO_KEY:
                if kind is not _SCALAR:
                    raise YamlProblem(event.start_mark.line, event.start_mark.column, "yaml-valeur",
                                      "une clé YAML doit être un simple mot")
                if value in container:
                    raise YamlProblem(event.start_mark.line, event.start_mark.column, "cle-dupliquee",
                                      f"la clé « {value} » apparaît deux fois",
                                      "gardez une seule occurrence de cette clé")
                key = value
                continue
            else:
                container[key] = value
                key = _NO_KEY
            if kind is not _SCALAR:
                outer.append((container, key))
                container, key = value, _NO_KEY
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error) from error
    except yaml.YAMLError as error:
        raise YamlProblem(0, 0, "yaml-syntaxe", f"YAML illisible : {error}") from error
    finally:
        parser.dispose()


def _tag_problem(event) -> YamlProblem:
    return YamlProblem(event.start_mark.line, event.start_mark.column, "yaml-valeur",
                       f"valeur YAML non acceptée : balise « {event.tag} »",
                       "retirez la balise (!!…) : une fiche ne contient que du texte, des nombres et des listes")


def _syntax_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    problem = (error.problem or error.context or "syntaxe incorrecte").strip()
    return YamlProblem(mark.line if mark else 0, mark.column if mark else 0, "yaml-syntaxe",
                       f"YAML illisible : {problem}",
                       "vérifiez l'indentation, les deux-points et les guillemets autour de cette ligne")


def node_at(root: yaml.Node | None, path: tuple) -> tuple[yaml.Node | None, bool]:
    """The node at a path of keys and indexes, or its closest ancestor.

    Returns (node, exact): exact is False when only an ancestor was found.
    A path ending on a mapping key returns the key node, to point at the key.
    """
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            if match is None:
                return node, False
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node, False
    return node, True


def key_node(root: yaml.Node | None, path: tuple) -> yaml.Node | None:
    """The key node of the last step of path, if that key exists."""
    parent, exact = node_at(root, path[:-1])
    if exact and isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if isinstance(k, yaml.ScalarNode) and k.value == path[-1]:
                return k
    return None
