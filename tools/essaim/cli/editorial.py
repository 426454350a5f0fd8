"""`essaim from-issue` and `essaim report`: the editors' workflow on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from essaim.text.diagnostics import display_path, render
from essaim.text.options import add_option

# The card model (essaim.pipeline.catalog) is imported by the commands that use it, not when `essaim` starts.

# Exit codes of from-issue (and correction: NOTHING when no change could be applied).
WRITTEN, FAILED, DUPLICATE, NOTHING = 0, 1, 3, 4


def register(commands) -> None:
    p = commands.add_parser(
        "from-issue", help="fait une fiche d'un ticket « Proposer une action »",
        description="Lit le corps d'un ticket « Proposer une action » (le Markdown écrit par GitHub) et écrit "
                    "content/actions/<id>.md, une fiche valide à relire, avec sa source "
                    "content/sources/proposition-<id>.yaml. Codes de sortie : 0 fiche écrite, 1 erreur, "
                    "3 doublon probable (rien n'est écrit).")
    p.add_argument("fichier", metavar="FICHIER", help="corps du ticket en Markdown ; « - » pour l'entrée standard")
    p.add_argument("--id", help="identifiant (nom du fichier) ; défaut : tiré du titre")
    p.add_argument("--ticket", metavar="ADRESSE", help="adresse du ticket, notée dans la source de la fiche")
    add_option(p, "--preview", old="--apercu", action="store_true", help="affiche la fiche sans rien écrire")
    add_option(p, "--despite-duplicate", old="--malgre-doublon", action="store_true",
               help="écrit la fiche même si elle ressemble à une fiche existante (déclarée distincte_de)")
    p.add_argument("--force", action="store_true", help="remplace une fiche existante de même identifiant")
    p.add_argument("--json", action="store_true", help="résultat en JSON (pour les workflows)")
    add_option(p, "--comment", old="--commentaire", metavar="FICHIER",
               help="écrit aussi dans FICHIER un compte rendu en Markdown, à poster sur le ticket")
    p.set_defaults(run=cmd_from_issue)

    p = commands.add_parser(
        "correction", help="fait une modification de fiche d'un ticket « Signaler une correction ou un contact »",
        description="Lit le corps d'un ticket « Signaler une correction ou un contact » et modifie la fiche "
                    "qu'il nomme : ajoute le contact (si la case d'accord est cochée), rédige une section qui "
                    "disait « Non renseigné » ; le reste est listé pour l'éditeur. La fiche modifiée est validée "
                    "avec tout le contenu avant d'être écrite ; la modification est affichée en diff. Codes de "
                    "sortie : 0 fiche modifiée (ou aperçu), 1 erreur, 4 rien à appliquer automatiquement.")
    p.add_argument("fichier", metavar="FICHIER", help="corps du ticket en Markdown ; « - » pour l'entrée standard")
    add_option(p, "--preview", old="--apercu", action="store_true", help="affiche la modification sans rien écrire")
    p.add_argument("--json", action="store_true", help="résultat en JSON (pour les workflows)")
    p.set_defaults(run=cmd_correction)

    p = commands.add_parser(
        "report", help="liste ce qui manque aux fiches (ébauches, contacts, mises à jour, liens)",
        description="Santé éditoriale : fiches à l'état d'ébauche ou partielles avec ce qui leur manque, fiches "
                    "sans contact, fiches non mises à jour depuis deux ans et, avec --links, liens externes cassés.")
    add_option(p, "--links", old="--liens", action="store_true", help="vérifie aussi les liens externes (accès réseau)")
    add_option(p, "--timeout", old="--delai", type=_seconds, default=10.0, metavar="SECONDES",
               help="délai d'attente par lien (défaut : 10)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(run=cmd_report)


def _seconds(text: str) -> float:
    """A link timeout: more than 0, at most 300 seconds."""
    value = float(text)
    if not 0 < value <= 300:
        raise ValueError(text)
    return value


def cmd_from_issue(args) -> int:
    content = Path(args.content)
    result: dict = {"written": False}
    code = _from_issue(args, content, result)
    if args.comment:
        try:
            Path(args.comment).write_text(issue_comment(result, code), encoding="utf-8")
        except OSError as error:
            print(f"essaim from-issue : compte rendu non écrit : {error.strerror or error}", file=sys.stderr)
            return FAILED
    return code


def _from_issue(args, content: Path, result: dict) -> int:
    from essaim.editorial import proposal as proposals

    def fail(message: str, code: int = FAILED) -> int:
        result["error"] = message
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            print(f"essaim from-issue : {message}", file=sys.stderr)
        return code

    try:
        text = proposals.read_body(args.fichier, sys.stdin)
        proposal = proposals.build_proposal(text, content, card_id=args.id, ticket_url=args.ticket)
        similar = proposals.similar_cards(content, proposal)
        result.update(id=proposal.id, titre=proposal.values["titre"],
                      duplicates=[{"path": s.path, "titre": s.title, "reason": s.reason, "likely": s.strong}
                                  for s in similar])
        strong = [s for s in similar if s.strong and s.id != proposal.id]
        if not args.json:
            for item in similar:
                kind = "Doublon probable" if item.strong else "Fiche voisine"
                print(f"{kind} : {item.path} « {proposals.shown(item.title)} » ({item.reason})")
        if any(s.strong for s in similar) and not (args.preview or args.despite_duplicate or (args.force and not strong)):
            names = ", ".join(s.path for s in similar if s.strong)
            return fail(f"la proposition ressemble à {names} : complétez la fiche existante plutôt que d'en créer "
                        "une seconde ; si c'est bien une autre action, relancez avec --despite-duplicate", DUPLICATE)
        if args.despite_duplicate and strong:
            proposal.values["distincte_de"] = [s.id for s in strong]
        result["notes"] = proposal.notes
        if args.preview:
            diagnostics, card = proposals.check(content, proposal)
            result.update(level=card.level, missing=card.missing, text=proposal.card_text())
            if args.json:
                print(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                print(proposal.card_text())
                _summary(card.level, card.missing, proposal.notes, diagnostics)
            return WRITTEN
        written = proposals.write(content, proposal, force=args.force)
    except proposals.ProposalError as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"écriture impossible : {error.strerror or error}")
    except Exception as error:  # noqa: BLE001 — never a traceback for a proposal, whatever it contains
        return fail(f"erreur interne ({type(error).__name__}) en lisant la proposition : signalez-la aux mainteneurs")
    result.update(written=True, card=display_path(written.card), source=display_path(written.source),
                  level=written.level, missing=written.missing, warnings=[d.as_text() for d in written.diagnostics])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return WRITTEN
    print(f"Fiche créée : {display_path(written.card)}")
    print(f"Source créée : {display_path(written.source)} (la proposition elle-même)")
    _summary(written.level, written.missing, proposal.notes, written.diagnostics)
    print("Relisez la fiche avec la liste de relecture de CONTRIBUTING.md, lancez « essaim validate », "
          "puis ouvrez la pull request.")
    return WRITTEN


def cmd_correction(args) -> int:
    from essaim.editorial import correction
    from essaim.editorial.proposal import ProposalError, read_body

    content = Path(args.content)
    try:
        change = correction.build_change(read_body(args.fichier, sys.stdin), content)
        if change.after != change.before and not args.preview:
            correction.write(change)
    except ProposalError as error:
        if args.json:
            print(json.dumps({"written": False, "error": str(error)}, ensure_ascii=False, indent=2))
        else:
            print(f"essaim correction : {error}", file=sys.stderr)
        return FAILED
    except OSError as error:
        print(f"essaim correction : écriture impossible : {error.strerror or error}", file=sys.stderr)
        return FAILED
    changed = change.after != change.before
    written = changed and not args.preview
    if args.json:
        print(json.dumps({"written": written, "card": display_path(change.path), "id": change.card_id,
                          "applied": change.applied, "todo": change.left, "diff": change.diff(),
                          "warnings": [d.as_text() for d in change.diagnostics]}, ensure_ascii=False, indent=2))
    else:
        if changed:
            print(change.diff(), end="")
        print(("Fiche modifiée : " if written else "Fiche concernée : ") + display_path(change.path))
        for line in change.applied:
            print(f"  appliqué : {line}")
        for line in change.left:
            print(f"  à faire : {line}")
        if changed:
            print("Relisez la modification, lancez « essaim validate --changed », puis ouvrez la pull request.")
    return WRITTEN if changed else NOTHING


def _code(text: str) -> str:
    """User-derived text in a GitHub comment, in a code span: it cannot mention, link or format."""
    return "`" + " ".join(str(text).replace("`", "'").split()) + "`"


def _plain(text: str) -> str:
    """A message quoting user text, with Markdown links, HTML and mentions made inert."""
    for char, escaped in (("\\", "\\\\"), ("[", "\\["), ("]", "\\]"), ("<", "&lt;"), ("@", "@\u2060")):
        text = text.replace(char, escaped)
    return text


def issue_comment(result: dict, code: int) -> str:
    from essaim.pipeline.catalog import LEVEL_LABELS

    """A French report of from-issue's outcome, in Markdown, to post on the proposal's issue."""
    lines = []
    if result.get("written") or (code == WRITTEN and "level" in result):
        done = "est prête à relire : " + _code(result["card"]) if result.get("written") else "passerait la validation"
        lines += [f"Merci pour cette proposition ! La fiche {_code(result['titre'])} {done} "
                  f"(niveau : {LEVEL_LABELS[result['level']]}).", ""]
        if result.get("missing"):
            lines += ["À compléter si possible : " + ", ".join(result["missing"]) + ".", ""]
        if result.get("notes"):
            lines += ["Remarques :", "", *[f"- {_plain(note)}" for note in result["notes"]], ""]
        lines.append("Un éditeur relit la fiche dans la pull request liée avant publication.")
    elif code == DUPLICATE:
        lines += ["Cette proposition ressemble à une fiche déjà publiée :", ""]
        lines += [f"- {_code(d['path'])} {_code(d['titre'])} ({_plain(d['reason'])})"
                  for d in result.get("duplicates", []) if d["likely"]]
        lines += ["", "Un éditeur va comparer : s'il s'agit de la même action, il complétera la fiche existante ; "
                  "sinon il relancera la transformation avec --despite-duplicate."]
    else:
        error = _plain(result.get("error", "erreur inconnue")).replace("\n", "\n> ")
        lines += ["La proposition n'a pas pu devenir une fiche :", "", f"> {error}", "",
                  "Vous pouvez modifier le ticket (menu « … » puis « Edit ») ; un éditeur relancera ensuite la "
                  "transformation."]
    return "\n".join(lines) + "\n"


def _summary(level: str, missing: list[str], notes: list[str], diagnostics) -> None:
    from essaim.pipeline.catalog import LEVEL_LABELS

    print(f"Niveau : {LEVEL_LABELS[level]}" + (f" ; à compléter : {', '.join(missing)}" if missing else ""))
    if notes:
        print("Remarques :")
        for note in notes:
            print(f"  - {note}")
    if diagnostics:
        print(render(diagnostics, "text"))


def cmd_report(args) -> int:
    from essaim.cli.main import load_catalog
    from essaim.editorial.report import editorial_report, report_text

    catalog, validation = load_catalog(Path(args.content))
    if args.links:
        print("Vérification des liens externes…", file=sys.stderr)
    report = editorial_report(catalog, check_links=args.links, timeout=args.timeout)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report_text(report))
    invalid = len(validation.errors)
    if invalid:
        print(f"{invalid} erreur(s) : les fiches invalides ne figurent pas dans ce rapport "
              "(voir « essaim validate »).", file=sys.stderr)
    return 0
