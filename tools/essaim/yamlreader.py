"""A YAML reader for front matter: strings stay strings, every failure is located.

PyYAML implements YAML 1.1: `01` would become 1, `010` the octal 8, `no` False
and `2026-11-05` a date. Codes and dates must stay as written, so this reader
resolves only YAML 1.2's plain booleans (true/false), decimal integers without
leading zeros and null; everything else is a string. Aliases are refused (they
are never needed in a card and make "billion laughs" bombs possible), and so
are duplicate keys, which PyYAML would silently overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterLoader(Loader):
    yaml_implicit_resolvers: dict = {}


FrontMatterLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
FrontMatterLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:-?(?:0|[1-9][0-9]*))$"),
                                        list("-0123456789"))
FrontMatterLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                        ["~", "n", "N", ""])


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
    if node is not None:
        _check_tree(node)
    return node


def _check_tree(root: yaml.Node) -> None:
    """Refuse aliases (a node reached twice) and duplicate keys, in linear time.

    Nodes are visited in document order; an alias is reported at its anchor."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise YamlProblem(node.start_mark.line, node.start_mark.column, "yaml-alias",
                              "les ancres et alias YAML (& et *) ne sont pas acceptés",
                              "recopiez la valeur au lieu d'y faire référence")
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise YamlProblem(key.start_mark.line, key.start_mark.column, "cle-dupliquee",
                                          f"la clé « {key.value} » apparaît deux fois",
                                          "gardez une seule occurrence de cette clé")
                    keys.add(key.value)
            stack += [n for pair in reversed(node.value) for n in reversed(pair)]
        elif isinstance(node, yaml.SequenceNode):
            stack += reversed(node.value)


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
