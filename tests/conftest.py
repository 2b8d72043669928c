"""Shared fixtures: running the CLI in-process, and the ../shared folder beside the repository."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


@dataclass
class CliResult:
    status: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsysbinary, monkeypatch):
    """Run `kmlint ARGS` in-process; returns exit status, stdout and stderr (decoded)."""
    from kmlint.cli import main

    def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> CliResult:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        try:
            main(list(args))
            status = 0
        except SystemExit as done:
            status = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
        captured = capsysbinary.readouterr()
        return CliResult(status, captured.out.decode("utf-8"), captured.err.decode("utf-8"))

    return run


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the repository")
    return SEEDS
