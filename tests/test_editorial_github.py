"""The GitHub side: workflows (parsed, and their commands run here), templates, pre-commit, and the guide's walk-through."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import CONTENT, EXAMPLE_CARD, EXAMPLE_TITLE, ROOT
from essaim.site.build import SITE_DIR

GITHUB = ROOT / ".github"
WORKFLOWS = [GITHUB / "workflows" / name for name in ("proposition-en-fiche.yml", "publier-site.yml", "pull-request.yml")]
SAMPLE = ROOT / "tests" / "data" / "editorial" / "proposition-bus-sante.md"
VENV_BIN = ROOT / ".venv" / "bin"
GIT_ENV = {"GIT_AUTHOR_NAME": "Éditrice", "GIT_AUTHOR_EMAIL": "editrice@exemple.fr",
           "GIT_COMMITTER_NAME": "Éditrice", "GIT_COMMITTER_EMAIL": "editrice@exemple.fr"}


def workflow(name: str) -> dict:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def triggers(data: dict) -> dict:
    return data.get("on", data.get(True))  # YAML 1.1 reads a bare « on » as true


def step(data: dict, job: str, name: str) -> dict:
    return next(s for s in data["jobs"][job]["steps"] if s.get("name") == name)


def expand(value: str, context: dict[str, str]) -> str:
    """Replace the ${{ … }} expressions of an env value by test values (unknown expression: test failure)."""
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], str(value))


def run(script: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """A workflow's `run:` script, as GitHub runs it (bash -e), with the project's .venv reachable."""
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    full_env["PATH"] = f"{(env or {}).get('EXTRA_PATH', '')}:{VENV_BIN}:{os.environ['PATH']}".lstrip(":")
    result = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=full_env, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, f"{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    return result


def git(repo: Path, *args: str) -> str:
    return run("git " + " ".join(f"'{a}'" for a in args), repo).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A clone of a small Essaim repository: main pushed to a bare « origin », the .venv linked in."""
    origin = tmp_path / "origin.git"
    root = tmp_path / "depot"
    (root / "content" / "actions").mkdir(parents=True)
    shutil.copytree(CONTENT / "sources", root / "content" / "sources")
    shutil.copy(EXAMPLE_CARD, root / "content" / "actions")
    shutil.copytree(GITHUB, root / ".github")
    (root / "tests" / "data" / "editorial").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "tests" / "data" / "editorial")
    shutil.copy(ROOT / "mkdocs.yml", root)
    (root / ".gitignore").write_text(".venv\nbuild/\n", encoding="utf-8")
    (root / ".venv").symlink_to(ROOT / ".venv")
    run(f"git init -q --bare '{origin}'", tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "-u", "origin", "main")
    return root


# --- every workflow ------------------------------------------------------------------------------------------


def test_the_three_workflows_exist():
    assert all(path.exists() for path in WORKFLOWS)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_well_formed_and_hardened(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["name"] and triggers(data) and data["permissions"] == {}  # rights are granted per job
    for job_id, job in data["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest" and job["permissions"], job_id
        for item in job["steps"]:
            assert set(item) & {"run", "uses"}, item
            if "uses" in item:
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", item["uses"]), item["uses"]  # pinned commit
            if "run" in item:
                # Untrusted text (issue bodies, titles, branch names) reaches commands through env only.
                assert "${{" not in item["run"], (job_id, item.get("name"))
                assert "\t" not in item["run"]


# --- pull requests ---------------------------------------------------------------------------------------------


def test_pull_request_workflow_runs_the_three_checks():
    data = workflow("pull-request.yml")
    assert "pull_request" in triggers(data) and data["permissions"] == {}
    assert all(job["permissions"] == {"contents": "read"} for job in data["jobs"].values())
    fiches = data["jobs"]["fiches"]["steps"]
    assert fiches[0]["with"]["fetch-depth"] == 0
    validation = step(data, "fiches", "Vérifier les fiches modifiées")
    assert validation["run"] == '.venv/bin/essaim validate --changed --base "origin/$BASE_REF" --format github'
    assert validation["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    tests = step(data, "tests", "Installer et lancer toute la suite de tests")
    assert tests["run"] == "bash scripts/tester.sh"
    assert "bash scripts/tester.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert step(data, "apercu", "Construire le site")["run"] == ".venv/bin/essaim build"
    upload = step(data, "apercu", "Publier l'aperçu en artefact")
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == str(SITE_DIR)
    assert upload["with"]["name"] == "apercu-site"


def test_pull_request_validation_step_annotates_the_changed_card(repo):
    data = workflow("pull-request.yml")
    validation = step(data, "fiches", "Vérifier les fiches modifiées")
    env = {k: expand(v, {"github.base_ref": "main"}) for k, v in validation["env"].items()}
    git(repo, "switch", "-q", "-c", "ma-proposition")
    example = EXAMPLE_CARD.read_text(encoding="utf-8")
    broken = example.replace("titre: En route pour ma santé", "titre: Une autre action à Niort").replace(
        "statut: en_cours", "statut: finie").replace("nom: Centre Communal", "nom: Autre Centre Communal")
    (repo / "content" / "actions" / "autre-action.md").write_text(broken, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "fiche")
    result = run(validation["run"], repo, env, check=False)
    assert result.returncode == 1
    line = broken.split("\n").index("statut: finie") + 1
    assert result.stdout.startswith(f"::error file=content/actions/autre-action.md,line={line},col=9,"
                                    "title=valeur-inconnue::valeur inconnue « finie »")
    assert "en-route-pour-ma-sante-poitiers" not in result.stdout
    (repo / "content" / "actions" / "autre-action.md").write_text(broken.replace("statut: finie", "statut: en_cours"),
                                                                  encoding="utf-8")
    result = run(validation["run"], repo, env)
    assert result.stdout == ""


def test_build_step_makes_the_preview_artifact(repo):
    data = workflow("pull-request.yml")
    run(step(data, "apercu", "Construire le site")["run"], repo)
    artifact = repo / step(data, "apercu", "Publier l'aperçu en artefact")["with"]["path"]
    assert (artifact / "index.html").exists()
    assert (artifact / "actions" / "en-route-pour-ma-sante-poitiers" / "index.html").exists()


# --- publication ---------------------------------------------------------------------------------------------------


def test_pages_workflow_publishes_the_built_site_from_main(repo):
    data = workflow("publier-site.yml")
    assert triggers(data)["push"] == {"branches": ["main"]} and "workflow_dispatch" in triggers(data)
    assert data["permissions"] == {} and data["jobs"]["construire"]["permissions"] == {"contents": "read"}
    assert data["jobs"]["deployer"]["permissions"] == {"pages": "write", "id-token": "write"}
    build = data["jobs"]["construire"]["steps"]
    assert [s["uses"] for s in build if "uses" in s][-1].startswith("actions/upload-pages-artifact@")
    assert build[-1]["with"]["path"] == str(SITE_DIR)
    deploy = data["jobs"]["deployer"]
    assert deploy["needs"] == "construire" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    out = run(step(data, "construire", "Vérifier tout le contenu")["run"], repo).stdout
    assert "::error" not in out and out.count("::warning") == 1 and "title=titre-sans-lieu" in out  # example's title


# --- from an issue to a pull request ----------------------------------------------------------------------------------


FAKE_GH = """#!/usr/bin/env bash
# Stands in for the GitHub CLI: records its arguments, answers like gh.
printf '%s\\n' "$*" >> "$GH_LOG"
case "$1 $2" in
  "pr view") exit 1 ;;
  "pr create") for ((i=1; i<=$#; i++)); do
                 if [ "${!i}" = "--body-file" ]; then j=$((i+1)); cp "${!j}" "$GH_LOG.pr-body"; fi
               done
               echo "https://github.com/essaim-sante/essaim/pull/7" ;;
  "issue comment") cp "$5" "$GH_LOG.comment" ;;
esac
"""


def run_proposal_workflow(repo: Path, tmp_path: Path, body: str) -> tuple[str, Path, Path]:
    """Run the workflow's steps like GitHub would, for an issue #12 carrying this body; returns (code, log, temp)."""
    data = workflow("proposition-en-fiche.yml")
    job = data["jobs"]["fiche"]
    assert triggers(data) == {"issues": {"types": ["labeled"]}}
    assert job["if"] == "github.event.label.name == 'proposition-acceptee'"
    context = {"github.event.issue.number": "12", "github.event.issue.html_url": "https://github.com/o/r/issues/12",
               "github.event.repository.default_branch": "main", "github.token": "jeton-factice",
               "github.event.issue.body": body}
    bin_dir, runner_temp = tmp_path / "bin", tmp_path / "runner"
    bin_dir.mkdir()
    runner_temp.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    output, log = tmp_path / "github_output", tmp_path / "gh.log"
    output.touch()
    env = {k: expand(v, context) for k, v in job["env"].items()}
    env.update(RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(output), GH_LOG=str(log), EXTRA_PATH=str(bin_dir))
    write = step(data, "fiche", "Écrire la fiche")
    run(write["run"], repo, {**env, **{k: expand(v, context) for k, v in write["env"].items()}})
    code = dict(line.split("=", 1) for line in output.read_text().split("\n") if line)["code"]
    opening = step(data, "fiche", "Ouvrir la pull request")
    assert opening["if"] == "steps.fiche.outputs.code == '0'"
    if code == "0":
        run(opening["run"], repo, env)
    reply = step(data, "fiche", "Répondre sur le ticket")
    assert reply["if"] == "always() && steps.fiche.outputs.code != ''"
    run(reply["run"], repo, env)
    return code, log, runner_temp


def test_labelled_issue_becomes_a_pull_request(repo, tmp_path):
    code, log, _ = run_proposal_workflow(repo, tmp_path, SAMPLE.read_text(encoding="utf-8"))
    assert code == "0"
    origin = tmp_path / "origin.git"
    files = git(origin, "ls-tree", "-r", "--name-only", "proposition/ticket-12")
    assert "content/actions/bus-sante-des-villages-du-haut-jura.md" in files
    assert "content/sources/proposition-bus-sante-des-villages-du-haut-jura.yaml" in files
    message = git(origin, "log", "-1", "--format=%s", "proposition/ticket-12")
    assert message.strip() == "Proposition : Bus santé des villages du Haut-Jura (ticket #12)"
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls.pop(0) == "auth setup-git"  # the checkout keeps no credentials: gh lends them to git for the push
    assert calls[0] == "pr view proposition/ticket-12 --json url --jq .url"
    assert calls[1].startswith("pr create --base main --head proposition/ticket-12 --title Proposition : Bus santé")
    assert calls[2].startswith("issue comment 12 --body-file") and calls[3] == "issue edit 12 --remove-label " \
                                                                               "proposition-acceptee"
    pr_body = Path(f"{log}.pr-body").read_text(encoding="utf-8")
    assert "Closes #12" in pr_body and "- [ ] **Faits exacts**" in pr_body and "est prête à relire" in pr_body
    comment = Path(f"{log}.comment").read_text(encoding="utf-8")
    assert "Pull request à relire : https://github.com/essaim-sante/essaim/pull/7" in comment
    assert "url: https://github.com/o/r/issues/12" in git(
        origin, "show", "proposition/ticket-12:content/sources/proposition-bus-sante-des-villages-du-haut-jura.yaml")


def test_labelling_again_never_overwrites_the_branch(repo, tmp_path):
    body = SAMPLE.read_text(encoding="utf-8")
    run_proposal_workflow(repo, tmp_path, body)
    origin = tmp_path / "origin.git"
    first = git(origin, "rev-parse", "proposition/ticket-12")
    git(repo, "switch", "-q", "main")
    git(repo, "clean", "-q", "-f", "content")
    second = tmp_path / "encore"
    second.mkdir()
    code, log, _ = run_proposal_workflow(repo, second, body)
    assert code == "0" and git(origin, "rev-parse", "proposition/ticket-12") == first
    assert "La branche proposition/ticket-12 existe déjà" in Path(f"{log}.comment").read_text(encoding="utf-8")
    assert "pr create" not in log.read_text(encoding="utf-8")


def test_duplicate_issue_gets_a_comment_and_no_pull_request(repo, tmp_path):
    body = SAMPLE.read_text(encoding="utf-8").replace("Bus santé des villages du Haut-Jura", EXAMPLE_TITLE)
    body = body.replace("Association Santé Solidaire des Plateaux", "CCAS de Poitiers")
    code, log, _ = run_proposal_workflow(repo, tmp_path, body)
    assert code == "3"
    assert "proposition/ticket-12" not in git(tmp_path / "origin.git", "branch", "--list")
    assert log.read_text(encoding="utf-8").startswith("issue comment 12")
    comment = Path(f"{log}.comment").read_text(encoding="utf-8")
    assert "ressemble à une fiche déjà publiée" in comment
    assert "`content/actions/en-route-pour-ma-sante-poitiers.md`" in comment


def test_shell_looking_issue_text_is_never_run(repo, tmp_path):
    body = SAMPLE.read_text(encoding="utf-8").replace(
        "Bus santé des villages du Haut-Jura", "Bus $(touch piege-titre) `touch piege-accent` ; touch piege-point")
    body = body.replace("### Résumé", "### Résumé\n\n\"; touch piege-corps; echo \"")
    code, log, _ = run_proposal_workflow(repo, tmp_path, body)
    assert code == "0"
    assert not list(repo.glob("piege-*")) and not list(tmp_path.glob("piege-*"))
    message = git(tmp_path / "origin.git", "log", "-1", "--format=%s", "proposition/ticket-12")
    assert "$(touch piege-titre)" in message


def test_rejected_issue_gets_the_reason(repo, tmp_path):
    code, log, _ = run_proposal_workflow(repo, tmp_path, "Bonjour, une action à Lyon, merci !")
    assert code == "1"
    assert "ne ressemble pas à un ticket" in Path(f"{log}.comment").read_text(encoding="utf-8")


# --- templates and pre-commit ----------------------------------------------------------------------------------------


def checklist(text: str) -> list[str]:
    return re.findall(r"^- \[ \] \*\*(.+?)\*\*", text, re.MULTILINE)


def test_pull_request_template_carries_the_guide_checklist():
    template = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## Relire une pull request", 1)[1].split("\n## ", 1)[0]
    assert checklist(template) == checklist(section) and len(checklist(template)) >= 8


def test_personal_data_form_asks_for_no_personal_data():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "retrait-donnees-personnelles.yml").read_text(encoding="utf-8"))
    labels = [e["attributes"]["label"] for e in form["body"] if e["type"] != "markdown"]
    assert labels == ["Fiche concernée", "Ce qu'il faut retirer", "Précisions"]
    assert "public" in form["body"][0]["attributes"]["value"]


def test_pre_commit_hook_validates_the_changed_content(repo):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for r in config["repos"] for h in r["hooks"]}
    assert config["repos"][0]["repo"] == "local"
    hook = hooks["essaim-validate"]
    assert hook["language"] == "system" and hook["pass_filenames"]
    pattern = re.compile(hook["files"])
    for name, matched in (("content/actions/x.md", True), ("content/guides/y.md", True),
                          ("content/sources/z.yaml", True), ("content/actions/sous/x.md", False),
                          ("tools/essaim/cli/main.py", False), ("README.md", False)):
        assert bool(pattern.search(name)) is matched, name
    card = "content/actions/en-route-pour-ma-sante-poitiers.md"
    assert run(f"{hook['entry']} {card}", repo).returncode == 0
    path = repo / card
    path.write_text(path.read_text(encoding="utf-8").replace("statut: en_cours", "statut: fini"), encoding="utf-8")
    result = run(f"{hook['entry']} {card}", repo, check=False)
    assert result.returncode == 1 and "valeur inconnue « fini »" in result.stdout
    schema_hook = hooks["essaim-schema"]
    assert re.search(schema_hook["files"], "tools/essaim/data/vocabularies/themes.yaml")
    assert re.search(schema_hook["files"], "tools/essaim/derived/issue_form.py")
    assert "tests/test_model_derived.py" in schema_hook["entry"] and "up_to_date" in schema_hook["entry"]
    assert re.search(schema_hook["files"], "tools/essaim/cli/search.py") and re.search(schema_hook["files"], "README.md")
    assert "tests/test_cli_reference.py" in schema_hook["entry"] and "command_table" in schema_hook["entry"]


# --- the contribution guide ---------------------------------------------------------------------------------------------


GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_guide_links_and_named_files_exist():
    for target in re.findall(r"\]\(([^)#]+)\)", GUIDE):
        assert (ROOT / target).exists(), target
    for named in re.findall(r"`((?:\.github|tests|docs|schemas|tools)/[^`*<> ]+)`", GUIDE):
        assert (ROOT / named).exists(), named
    for anchor in re.findall(r"\]\(#([^)]+)\)", GUIDE):
        headings = [re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", GUIDE, re.M)]
        assert anchor in headings, anchor


def guide_block(marker: str) -> str:
    after = GUIDE.split(f"<!-- parcours-guide : {marker}", 1)[1]
    return after.split("```", 2)[1].split("\n", 1)[1]


def test_walkthrough_of_the_guide_replays_end_to_end(repo, tmp_path):
    """The commands of the guide's walk-through, run one by one as a new editor would, in a fresh clone."""
    commands = [line for line in guide_block("ce bloc est exécuté").split("\n") if line.strip()]
    assert commands[1].startswith("essaim from-issue tests/data/editorial/proposition-bus-sante.md")
    outputs = []
    for command in commands:
        outputs.append(run(command, repo).stdout)
    expected = [line for line in guide_block("sortie attendue").split("\n") if line]
    assert outputs[2].split("\n")[: len(expected)] == expected
    assert "1 fichier(s) vérifié(s)" not in outputs[3]  # text goes to stderr; nothing on stdout means no problem
    assert outputs[3] == ""
    assert "content/actions/bus-sante-des-villages-du-haut-jura.md — partielle" in outputs[4]
    pushed = git(tmp_path / "origin.git", "ls-tree", "-r", "--name-only", "proposition/bus-sante-haut-jura")
    assert "content/actions/bus-sante-des-villages-du-haut-jura.md" in pushed
