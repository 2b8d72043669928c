"""The pre-commit hook works for real: `pre-commit try-repo` runs kmlint in a throwaway repository."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_flags_a_risky_page_and_passes_a_clean_one(tmp_path):
    if subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode != 0:
        pytest.skip("pre-commit cannot be imported (install the [test] extra)")
    work = tmp_path / "content"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "risky.md").write_text("Our ketamine therapy is safe and non-addictive.\n", encoding="utf-8")
    (work / "notes.py").write_text("print('safe and non-addictive')\n", encoding="utf-8")
    _git(work, "add", ".")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}

    def try_repo():
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "kmlint", "--all-files", "--color", "never"],
            cwd=work, capture_output=True, text=True, env=env, timeout=600,
        )

    flagged = try_repo()
    if "Could not find a version" in flagged.stdout + flagged.stderr or "NewConnectionError" in flagged.stdout + flagged.stderr:
        pytest.skip("pre-commit could not install kmlint's dependencies (no package index)")
    assert flagged.returncode == 1, flagged.stdout + flagged.stderr
    assert "risky.md:1:" in flagged.stdout and "KM101" in flagged.stdout
    assert "notes.py" not in flagged.stdout  # only copy files are handed to the hook

    (work / "risky.md").write_text("Ketamine may help some patients; results vary.\n", encoding="utf-8")
    _git(work, "add", ".")
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
