"""A YAML reader for front matter: strings stay strings, every failure is located.

PyYAML implements YAML 1.1: `01` would become 1, `010` the octal 8, `no` False
and `2026-11-05` a date. Codes and dates must stay as written, so this reader
resolves only YAML 1.2's plain booleans (true/false), decimal integers without
leading zeros and null; everything else is a string. Aliases are refused when
constructing (they are never needed in a card and make "billion laughs" bombs
possible), and so are duplicate keys, which PyYAML would silently overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class FrontMatterLoader(Loader):
    """YAML 1.2-like plain scalars: true/false, decimal integers, null; everything else a string."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value in ("true", "false"):
                    return "tag:yaml.org,2002:bool"
                if value in NULLS:
                    return "tag:yaml.org,2002:null"
                if INT.fullmatch(value):
                    return "tag:yaml.org,2002:int"
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects:  # reached a second time: an alias
            raise YamlProblem(node.start_mark.line, node.start_mark.column, "yaml-alias",
                              "les ancres et alias YAML (& et *) ne sont pas acceptés",
                              "recopiez la valeur au lieu d'y faire référence")
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            keys = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise YamlProblem(key.start_mark.line, key.start_mark.column, "cle-dupliquee",
                                          f"la clé « {key.value} » apparaît deux fois",
                                          "gardez une seule occurrence de cette clé")
                    keys.add(key.value)
        return super().construct_mapping(node, deep=deep)


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
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or error.context or "syntaxe incorrecte").strip()
        raise YamlProblem(mark.line if mark else 0, mark.column if mark else 0, "yaml-syntaxe",
                          f"YAML illisible : {problem}",
                          "vérifiez l'indentation, les deux-points et les guillemets autour de cette ligne") from error
    except yaml.YAMLError as error:
        raise YamlProblem(0, 0, "yaml-syntaxe", f"YAML illisible : {error}") from error
    return node


def construct(node: yaml.Node):
    """Python data from a checked node tree."""
    loader = FrontMatterLoader("")
    try:
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise YamlProblem(mark.line if mark else 0, mark.column if mark else 0, "yaml-valeur",
                          f"valeur YAML non acceptée : {error.problem}") from error
    finally:
        loader.dispose()


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
