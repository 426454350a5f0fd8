"""`essaim validate --changed`: the content files changed since a git reference.

Changed means: in `git diff REF...HEAD` (what the branch changed since it left
REF), or modified, staged or untracked in the working tree. Only files under the
content folder count. The whole content is still loaded and validated, so the
rules across cards (duplicates, links, sources) see everything; only the
report is restricted to the changed files and to what their changes break
elsewhere.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from essaim.pipeline import load as loader
from essaim.text.diagnostics import Diagnostic, display_path

DEFAULT_BASES = ("origin/main", "main")
GIT_TIMEOUT = 60
# Rules across documents whose problem may sit in an unchanged file but come from a changed or deleted one.
QUOTED = re.compile(r"« (.+?) »")


class ChangesUnavailable(Exception):
    """git or the reference is missing; the message says what to do, in French."""


@dataclass
class Changes:
    base: str
    present: set[Path]  # changed content files that exist (resolved paths)
    deleted: set[Path]  # changed content files that no longer exist

    def concerns(self, diagnostic: Diagnostic) -> bool:
        """A problem in an unchanged file that a change causes: an id now taken twice, a link or source now gone."""
        if diagnostic.code == "id-duplique":
            return any(diagnostic.message.endswith(display_path(p)) for p in self.present)
        gone = {p.stem for p in self.deleted}
        quoted = QUOTED.search(diagnostic.message)
        if not gone or not quoted:
            return False
        if diagnostic.code == "lien-casse":
            return PurePosixPath(quoted.group(1).split("#", 1)[0]).stem in gone
        if diagnostic.code == "source-inconnue":
            return quoted.group(1) in gone
        return False


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT)
    except FileNotFoundError as error:
        raise ChangesUnavailable("git est introuvable : installez git, ou lancez « essaim validate » sans --changed "
                                 "pour tout vérifier") from error
    except subprocess.TimeoutExpired as error:
        raise ChangesUnavailable(f"git ne répond pas après {GIT_TIMEOUT} s") from error


def _names(result: subprocess.CompletedProcess) -> list[str]:
    return [name for name in result.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def resolve_base(cwd: Path, base: str | None) -> str:
    candidates = [base] if base else list(DEFAULT_BASES)
    for candidate in candidates:
        if candidate.startswith("-"):
            break
        if _git(["rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"], cwd).returncode == 0:
            return candidate
    if base:
        raise ChangesUnavailable(
            f"la référence git « {base} » est introuvable : vérifiez son nom, ou récupérez-la "
            f"(git fetch origin) ; en CI, extrayez tout l'historique (actions/checkout avec fetch-depth: 0)")
    raise ChangesUnavailable("ni « origin/main » ni « main » n'existent : "
                             "donnez la référence de départ avec --base")


def changes_since(content: Path, base: str | None = None) -> Changes:
    """Content files changed since base (default: origin/main, else main), committed or not."""
    content = content.resolve()
    if not content.is_dir():
        raise ChangesUnavailable(f"le dossier des contenus « {content} » n'existe pas")
    top = _git(["rev-parse", "--show-toplevel"], content)
    if top.returncode != 0:
        raise ChangesUnavailable(f"« {display_path(content)} » n'est pas dans un dépôt git : --changed compare "
                                 "avec l'historique git ; lancez « essaim validate » sans --changed")
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    ref = resolve_base(root, base)
    merge_base = _git(["merge-base", ref, "HEAD"], root)
    if merge_base.returncode != 0:
        raise ChangesUnavailable(f"aucun ancêtre commun entre « {ref} » et HEAD : l'historique est incomplet "
                                 "(git fetch --unshallow, ou fetch-depth: 0 en CI)")
    since = merge_base.stdout.decode().strip()
    scope = ["--", str(content)]
    listings = [
        _git(["diff", "--name-only", "--no-renames", "-z", since, "HEAD", *scope], root),  # the branch's commits
        _git(["diff", "--name-only", "--no-renames", "-z", "HEAD", *scope], root),  # staged and unstaged
        _git(["ls-files", "--others", "--exclude-standard", "-z", *scope], root),  # untracked
    ]
    for result in listings:
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ChangesUnavailable(f"git a échoué : {message[-1] if message else result.returncode}")
    present, deleted = set(), set()
    for name in {n for result in listings for n in _names(result)}:
        path = (root / name).resolve()
        relative = path.relative_to(content) if path.is_relative_to(content) else None
        if relative is None or len(relative.parts) != 2 or loader.kind_of(path, content) is None:
            continue
        (present if path.exists() else deleted).add(path)
    return Changes(ref, present, deleted)
