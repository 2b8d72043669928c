"""Discovery: command-line paths become a stream of files to lint, in a stable order."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from kmlint.errors import KmlintError
from kmlint.source import kind_for

SKIPPED_FOLDERS = frozenset(("node_modules", "__pycache__", "site-packages", "venv"))


@dataclass(frozen=True, slots=True)
class Target:
    """A file to lint (path as it will be reported), or a problem found while walking."""

    path: str
    kind: str | None = None
    problem: str | None = None


def check_paths(paths: Iterable[str]) -> None:
    """Every path named on the command line must exist: a missing one is a usage error for the
    whole run (as in ruff), reported before anything is linted or written, so that a typo in a
    hook or CI script fails loudly instead of linting nothing. A file that vanishes later, during
    the run, is an error for that file only."""
    for path in paths:
        if path != "-" and not os.path.lexists(path):
            raise KmlintError("no such file or folder", path)


def discover(paths: list[str]) -> Iterator[Target]:
    """Files named on the command line are linted whatever their extension (as text when unknown);
    folders are walked for known extensions, skipping hidden folders and node_modules."""
    for path in paths:
        if os.path.isdir(path):
            yield from _walk(path)
        elif os.path.lexists(path):
            yield Target(path, kind_for(path) or "text")
        else:
            yield Target(path, problem="no such file or folder")


def _walk(root: str) -> Iterator[Target]:
    problems: list[OSError] = []
    # Symbolic links to folders are not followed, so a link loop cannot trap the walk.
    for folder, subfolders, files in os.walk(root, onerror=problems.append):
        yield from _folder_problems(problems)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            kind = kind_for(name)
            if kind is not None and not name.startswith("."):
                yield Target(os.path.join(folder, name), kind)
    # A folder that cannot be listed is reported when the walk reaches it, the last one too.
    yield from _folder_problems(problems)


def _folder_problems(problems: list[OSError]) -> Iterator[Target]:
    for error in problems:
        yield Target(str(error.filename), problem=f"cannot list folder ({error.strerror or error})")
    problems.clear()
