"""Static checks the style guide asks for: ruff, and mypy --strict on the package (settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO


def _tool(module: str) -> None:
    if subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True).returncode != 0:
        pytest.skip(f"{module} is not installed (pip install '.[test]')")


def test_ruff_is_clean():
    _tool("ruff")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "kmlint", "tests", "benchmarks"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean():
    _tool("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "kmlint"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
