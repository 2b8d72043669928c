"""The run: targets are read, linted and handed to the reporter one file at a time; the exit status is decided here."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

from kmlint.discover import Target
from kmlint.engine import Linter
from kmlint.errors import SourceError
from kmlint.findings import SEVERITY_RANK, Diagnostic, FileResult
from kmlint.reporters import Reporter, Summary
from kmlint.source import read_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True, slots=True)
class StdinInput:
    """`-` on the command line: the bytes of standard input, reported under `path`."""

    path: str
    kind: str
    data: bytes


def lint_target(linter: Linter, target: Target | StdinInput) -> FileResult:
    """Lint one file; a file that cannot be read gives an error diagnostic, never an exception."""
    if isinstance(target, Target) and target.problem:
        return FileResult(target.path, (), (Diagnostic(target.path, "error", target.problem),))
    try:
        if isinstance(target, StdinInput):
            source = read_source(target.path, target.kind, target.data)
        else:
            source = read_source(target.path, target.kind)
    except SourceError as error:
        return FileResult(target.path, (), (Diagnostic(target.path, "error", error.message),))
    return linter.check_source(source)


def lint_all(linter: Linter, targets: Iterable[Target | StdinInput]) -> Iterator[FileResult]:
    for target in targets:
        yield lint_target(linter, target)


def report(results: Iterable[FileResult], reporter: Reporter) -> Summary:
    files = failed = 0
    by_severity: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    for result in results:
        files += 1
        failed += result.failed
        for finding in result.findings:
            by_severity[finding.severity] += 1
            by_rule[finding.rule] += 1
        reporter.file(result)
    summary = Summary(files, failed, dict(by_severity), dict(by_rule))
    reporter.finish(summary)
    return summary


def exit_status(summary: Summary, fail_on: str) -> int:
    """2 when a file could not be checked (never reported as clean); 1 for findings at or above fail_on."""
    if summary.failed:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[level] >= threshold and count for level, count in summary.by_severity.items()):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def read_stdin() -> bytes:
    return sys.stdin.buffer.read()
