"""The `essaim` command: French help and messages, one function per subcommand."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from essaim import __version__
from essaim.text.options import add_option

# Commands import what they use when they run: `essaim search` must not pay for the card model
# (pydantic, email-validator, phonenumbers), which searching never needs.

# argparse's own words, in French.
ARGPARSE_FR = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (possibles : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "expected one argument": "une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
}
# Modules that add their own subcommands through register(subparsers).
COMMAND_MODULES = ("essaim.cli.search", "essaim.cli.editorial")

argparse._ = lambda text: ARGPARSE_FR.get(text, text)  # noqa: SLF001 — argparse reads this global at call time


@contextmanager
def collector_paused():
    """Python's cycle collector off while the documents pile up, and what they hold set aside after.

    Each collection walks every object kept since the last one: with thousands of cards it took a
    third of the validation time (measured: 11.6 s -> 8.2 s for 10,000 cards). Documents hold no
    reference cycles, so there is nothing to collect among them: they are frozen (gc.freeze) rather
    than walked again each time the collector comes back; they are still freed as usual when no
    longer used. A process-wide setting, hence decided here, where a command starts, and not in the
    library (essaim.pipeline) that tests and other programs import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_catalog(content: Path):
    """essaim.pipeline.catalog.open_catalog(content) for a command: (catalog, validation)."""
    from essaim.pipeline.catalog import open_catalog

    with collector_paused():
        return open_catalog(content)


def validated(files: list):
    """essaim.pipeline.validate.validate_files(files) for a command."""
    from essaim.pipeline.validate import validate_files

    with collector_paused():
        return validate_files(files)


def cmd_validate(args) -> int:
    from essaim.pipeline import load as loader
    from essaim.text.diagnostics import render

    content = Path(args.content)
    files = loader.discover(content)
    wanted = None
    if args.paths:
        wanted = set()
        for path in map(Path, args.paths):
            if path.is_dir():
                wanted |= {p.resolve() for p, _ in files if p.resolve().is_relative_to(path.resolve())}
                continue
            wanted.add(path.resolve())
            if all(p.resolve() != path.resolve() for p, _ in files):
                kind = loader.kind_of(path, content) or "card"
                files.append((path, kind))
    changes = None
    if args.changed or args.base:
        from essaim.editorial.changed import ChangesUnavailable, changes_since

        try:
            changes = changes_since(content, args.base)
        except ChangesUnavailable as error:
            print(f"essaim validate : {error}", file=sys.stderr)
            return 2
        wanted = changes.present if wanted is None else wanted & changes.present
    diagnostics = validated(files).diagnostics
    if wanted is not None:
        shown = {loader.display_path(p) for p in wanted}
        diagnostics = [d for d in diagnostics
                       if d.path in shown or (changes and not args.paths and changes.concerns(d))]
    output = render(diagnostics, args.format)
    if output:
        print(output)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    checked = len(wanted) if wanted is not None else len(files)
    if args.format == "text":
        verdict = "aucune erreur" if not errors else f"{errors} erreur(s)"
        print(f"{checked} fichier(s) vérifié(s) : {verdict}, {warnings} avertissement(s).", file=sys.stderr)
    return 1 if errors else 0


def cmd_list(args) -> int:
    from essaim.pipeline import load as loader
    from essaim.pipeline.catalog import LEVEL_LABELS

    catalog, validation = load_catalog(Path(args.content))
    if args.json:
        # Machine keys in English; the card's own fields (titre, porteur) keep the model's names.
        rows = [{"id": c.id, "titre": c.meta.title, "porteur": c.meta.carrier.name, "level": c.level,
                 "missing": c.missing, "path": loader.display_path(c.path)} for c in catalog.cards]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for card in catalog.cards:
            print(f"{card.id:50} {LEVEL_LABELS[card.level]:10} {card.meta.title} — {card.meta.carrier.name}")
        print(f"{len(catalog.cards)} fiche(s), {len(catalog.guides)} guide(s).", file=sys.stderr)
    invalid = len(validation.errors)
    if invalid:
        print(f"{invalid} erreur(s) : les fiches invalides ne sont pas listées (voir « essaim validate »).",
              file=sys.stderr)
    return 0


def cmd_new(args) -> int:
    from essaim.pipeline import load as loader
    from essaim.text.diagnostics import render
    from essaim.model.card import SILENT_TEXT
    from essaim.editorial.scaffold import NewCardError, create_card

    try:
        path = create_card(Path(args.content), args, interactive=sys.stdin.isatty() and not args.no_input)
    except NewCardError as error:
        print(f"essaim new : {error}", file=sys.stderr)
        return 2
    print(f"Fiche créée : {loader.display_path(path)}")
    found = validated(loader.discover(Path(args.content))).diagnostics
    diagnostics = [d for d in found if d.path == loader.display_path(path)]
    if diagnostics:
        print(render(diagnostics, "text"))
    print(f"Remplacez « {SILENT_TEXT} » par ce que dit la source, section par section (gardez cette ligne là où "
          "elle ne dit rien), puis lancez « essaim validate ».")
    return 1 if any(d.is_error for d in diagnostics) else 0


def cmd_schema(args) -> int:
    from essaim.derived import derived_files

    from essaim.cli.reference import write_readme

    for path, text in derived_files(Path(args.output)).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"écrit : {path}")
    readme = write_readme(Path(args.output), parser())
    if readme:
        print(f"écrit : {readme} (tableau des commandes)")
    return 0


def cmd_build(args) -> int:
    from essaim.site.build import BuildError, build_site
    from essaim.text.diagnostics import render
    from essaim.pipeline.locking import Busy

    catalog, validation = load_catalog(Path(args.content))
    if validation.errors:
        print(render(validation.errors, "text"))
        print(f"{len(validation.errors)} erreur(s) : corrigez-les avant de construire le site.", file=sys.stderr)
        return 1
    try:
        code = build_site(catalog)
    except (Busy, BuildError) as error:
        print(f"essaim build : {error}", file=sys.stderr)
        return 1
    if code == 0:
        print(f"Site construit dans build/site : {len(catalog.cards)} fiches, {len(catalog.guides)} guides.")
    return code


def cmd_serve(args) -> int:
    from essaim.site.build import SITE_DIR, serve

    if not (SITE_DIR / "index.html").exists():
        print("Aucun site construit : lancez d'abord « essaim build ».", file=sys.stderr)
        return 1
    serve(SITE_DIR, args.port, args.host)
    return 0


def cmd_bench(args) -> int:
    from essaim.bench.engine import TARGETS, measure, report_markdown
    from essaim.bench.doc import machine, replace_section

    catalog, validation = load_catalog(Path(args.content))
    if not catalog.cards:
        print("Aucune fiche valide : rien à mesurer.", file=sys.stderr)
        return 1
    if args.compare:
        from essaim.bench import reference as benchref

        rows, cli_rows = benchref.run(catalog, args.sizes, args.queries, Path(args.content))
        section = benchref.report_markdown(rows, cli_rows, machine())
        print(section)
        if args.write:
            replace_section(Path("docs/benchmarks.md"), "comparaison", section)
        return 0
    rows = []
    for size in args.sizes:
        print(f"Mesure sur {size} fiches…", file=sys.stderr)
        rows.append(measure(catalog, size, args.queries))
    section = report_markdown(rows, machine())
    print(section)
    if args.write:
        replace_section(Path("docs/benchmarks.md"), "recherche", section)
    largest = rows[-1]
    met = all(largest[key] <= target for key, target in TARGETS.items())
    print("Cibles atteintes." if met else "Cibles NON atteintes.", file=sys.stderr)
    return 0 if met else 1


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; given the command about to run, the others' costly arguments are left out."""
    main = argparse.ArgumentParser(
        prog="essaim",
        description="Essaim : fiches action pour l'accès à la santé — vérifier, chercher, publier.",
    )
    main.add_argument("--version", action="version", version=f"essaim {__version__}",
                      help="affiche la version et quitte")
    main.add_argument("--content", default="content", metavar="DOSSIER",
                      help="dossier des contenus (défaut : ./content)")
    commands = main.add_subparsers(dest="command", metavar="COMMANDE", title="commandes")

    p = commands.add_parser("validate", help="vérifie les fiches, guides et sources",
                            description="Vérifie chaque fichier et signale chaque problème : chemin:ligne:colonne: code: message.")
    p.add_argument("paths", nargs="*", metavar="CHEMIN", help="fichiers ou dossiers à vérifier (défaut : tout le contenu)")
    p.add_argument("--format", choices=["text", "json", "github"], default="text",
                   help="format des messages : text (défaut), json, github (annotations)")
    p.add_argument("--changed", action="store_true",
                   help="ne signale que les fichiers modifiés depuis --base (git), règles entre fiches comprises")
    p.add_argument("--base", metavar="REF", help="référence git de départ de --changed (défaut : origin/main, sinon main)")
    p.set_defaults(run=cmd_validate)

    p = commands.add_parser("list", help="liste les fiches avec leur niveau de complétude")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(run=cmd_list)

    p = commands.add_parser("new", help="crée une fiche à partir de questions ou d'options",
                            description="Crée content/actions/<id>.md, une fiche valide à compléter.")
    if command in (None, "new"):  # the scaffold reads the vocabularies: only `essaim new` and the help need it
        from essaim.editorial.scaffold import add_arguments

        add_arguments(p)
    p.set_defaults(run=cmd_new)

    p = commands.add_parser("schema", help="écrit les schémas JSON, le modèle de fiche, la référence des champs et le tableau des commandes du README",
                            description="Régénère les fichiers tirés du modèle : schemas/*.schema.json, "
                                        "schemas/modele-fiche.md et docs/reference-des-champs.md ; et le tableau "
                                        "des commandes du README, tiré de cet analyseur d'arguments.")
    p.add_argument("--output", default=".", metavar="DOSSIER", help="racine du projet (défaut : dossier courant)")
    p.set_defaults(run=cmd_schema)

    for module in COMMAND_MODULES:
        if command in commands.choices:  # the command about to run is there: the other modules are not imported
            break
        importlib.import_module(module).register(commands)

    p = commands.add_parser("bench", help="mesure l'index et la recherche sur des bases synthétiques")
    add_option(p, "--sizes", old="--tailles", type=int, nargs="+", default=[1000, 10000], metavar="N",
               help="tailles des bases (défaut : 1000 10000)")
    add_option(p, "--queries", old="--requetes", type=int, default=200, metavar="N",
               help="nombre de requêtes chronométrées (défaut : 200)")
    add_option(p, "--write", old="--ecrire", action="store_true", help="écrit les résultats dans docs/benchmarks.md")
    add_option(p, "--compare", old="--comparer", action="store_true",
               help="compare notre moteur à un index tantivy de référence (extra « bench » : pip install -e '.[bench]')")
    p.set_defaults(run=cmd_bench)

    p = commands.add_parser("build", help="construit le site statique dans build/site")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser("serve", help="sert le site construit sur ce poste")
    p.add_argument("--port", type=int, default=8000, help="port (défaut : 8000)")
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    p.set_defaults(run=cmd_serve)
    return main


def _command(argv: list[str]) -> str | None:
    """The subcommand named on the command line, if any (the only global option with a value is --content)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--content":
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def main(argv: list[str] | None = None) -> int:
    arguments = parser(_command(sys.argv[1:] if argv is None else argv))
    args = arguments.parse_args(argv)
    if not getattr(args, "run", None):
        arguments.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("\ninterrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
