"""The GitHub Action: its run step, executed with bash as the runner would, turns inputs into a kmlint command."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml
from conftest import REPO
from workflow_fixtures import write_rules

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@pytest.fixture(scope="module")
def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def step(action: dict, name: str) -> dict:
    return next(s for s in action["runs"]["steps"] if s["name"] == name)


@pytest.fixture
def workspace(tmp_path):
    """A checkout with a risky page, the test rules, and `kmlint` on PATH as the install step leaves it."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.md").write_text("Ketamine is risk-free.\n", encoding="utf-8")
    (tmp_path / "site" / "clean.md").write_text("Ketamine may help some people.\n", encoding="utf-8")
    write_rules(tmp_path)
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    shim = bin_folder / "kmlint"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m kmlint "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def run_step(action, workspace, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run the 'Run kmlint' step with bash -e (as GitHub does) and the step's env filled from `inputs`."""
    spec = {name: value.get("default", "") for name, value in action["inputs"].items()} | inputs
    run = step(action, "Run kmlint")
    env = {key: value.replace("${{ inputs.", "").replace(" }}", "") for key, value in run["env"].items()}
    outputs = workspace / "github_output"
    outputs.write_text("", encoding="utf-8")
    environment = {
        "PATH": f"{workspace / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        **{key: spec[name] for key, name in env.items()},
    }
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run["run"]], cwd=workspace,
                          env=environment, capture_output=True, text=True, timeout=120)
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return done, values


RULES_ONLY = "--no-builtin-rules --rules test-rules.yaml --jobs 1"


def test_annotations_by_default(action, workspace):
    done, outputs = run_step(action, workspace, paths="site", args=RULES_ONLY)
    assert done.returncode == 0, done.stderr  # the step itself succeeds; the status travels as an output
    assert outputs["exit-code"] == "1"
    assert "::error file=site/page.md,line=1,col=13" in done.stdout


def test_sarif_is_written_to_the_sarif_file(action, workspace):
    done, outputs = run_step(action, workspace, paths="site/page.md site/clean.md", format="sarif", args=RULES_ONLY)
    assert done.returncode == 0, done.stderr
    assert outputs == {"sarif-file": "kmlint.sarif", "exit-code": "1"}
    sarif = json.loads((workspace / "kmlint.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["TS101"]


def test_fail_on_config_and_args_reach_kmlint(action, workspace):
    (workspace / "kmlint-ci.yaml").write_text("ignore: [TS201]\n", encoding="utf-8")
    done, outputs = run_step(action, workspace, paths="site", format="json", **{"fail-on": "never", "config": "kmlint-ci.yaml"},
                             args=RULES_ONLY + " --select TS101")
    assert outputs["exit-code"] == "0"
    assert [f["rule"] for f in json.loads(done.stdout)["findings"]] == ["TS101"]


def test_inputs_are_data_not_code(action, workspace):
    done, outputs = run_step(action, workspace, paths="site/page.md", args=RULES_ONLY, config='$(touch pwned)"')
    assert not (workspace / "pwned").exists()
    assert outputs["exit-code"] == "2"
    assert "no such config file" in done.stderr


def test_action_installs_from_its_own_checkout_and_uploads_sarif_only_for_sarif(action):
    assert action["runs"]["using"] == "composite"
    assert '"$GITHUB_ACTION_PATH"' in step(action, "Install kmlint")["run"]
    upload = step(action, "Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.format == 'sarif'" in upload["if"]
    assert set(action["inputs"]) >= {"paths", "format", "fail-on", "config", "args"}
