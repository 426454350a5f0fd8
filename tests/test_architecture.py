"""The package's layout is the pipeline: each stage imports only itself and the stages before it.

The rule is the one drawn in docs/architecture.md; this test reads every module's imports (lazy ones inside
functions included) with `ast`, so a new module that reaches « up » the pipeline fails here, with the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import essaim

PACKAGE = Path(essaim.__file__).parent
# Lowest first. A stage may import its own modules and those of any stage to its left.
STAGES = ("text", "model", "pipeline", "derived", "search", "site", "editorial", "bench", "cli")


def stage_of(module: str) -> str:
    """`essaim.pipeline.catalog` -> `pipeline`; the package's own __init__/__main__ sit with the command."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else "cli"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "essaim":  # `from essaim import x`: x is the module
                found += [(node.lineno, f"essaim.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "essaim" or name.startswith("essaim.")]


def upward_imports() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = stage_of(module_name(path))
        for line, target in imported_modules(path):
            there = stage_of(target)
            if target in ("essaim", "essaim.__version__"):
                continue
            if STAGES.index(there) > STAGES.index(here):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: « {here} » importe {target} (« {there} »)")
    return problems


def test_every_module_belongs_to_a_stage():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], "chaque module vit dans le dossier de son étape (docs/architecture.md)"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES)


def test_no_stage_imports_a_later_stage():
    assert upward_imports() == []


def test_the_rule_sees_lazy_imports(tmp_path, monkeypatch):
    """The checker itself: an import inside a function, reaching up, is caught with its line."""
    fake = tmp_path / "essaim"
    (fake / "model").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "model" / "__init__.py").write_text("")
    (fake / "model" / "card.py").write_text("def f():\n    from essaim.site.pages import x\n    return x\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert upward_imports() == ["essaim/model/card.py:2: « model » importe essaim.site.pages (« site »)"]


def test_maintainer_tools_and_test_helpers_stay_outside_the_package():
    assert not (PACKAGE / "linkcheck.py").exists() and not (PACKAGE / "geodata.py").exists()
    assert (PACKAGE.parents[1] / "tests" / "linkcheck.py").exists()
    assert (PACKAGE.parents[1] / "tools" / "maintenance" / "geodata.py").exists()
