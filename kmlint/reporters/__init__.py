"""Reporters: findings to text, JSON and more; each is one module and one line in the registry."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Protocol, TextIO

from kmlint.findings import FileResult
from kmlint.ruleset import SEVERITIES, Rule

# name -> "module:Class"; modules load only when their format is asked for (start-up time).
REPORTERS: dict[str, str] = {
    "text": "kmlint.reporters.text:TextReporter",
    "json": "kmlint.reporters.json:JsonReporter",
    "sarif": "kmlint.reporters.sarif:SarifReporter",
    "github": "kmlint.reporters.github:GithubReporter",
    "junit": "kmlint.reporters.junit:JunitReporter",
    "html": "kmlint.reporters.html:HtmlReporter",
}


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    failed: int
    by_severity: Mapping[str, int]
    by_rule: Mapping[str, int]

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every reporter may need besides the results: the rules, colour, options."""

    rules: Mapping[str, Rule]
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    options: Mapping[str, str] = field(default_factory=dict)


class Reporter(Protocol):
    def __init__(self, stream: TextIO, context: ReportContext) -> None: ...

    def file(self, result: FileResult) -> None: ...

    def finish(self, summary: Summary) -> None: ...


def get_reporter(name: str) -> type[Reporter]:
    module_name, class_name = REPORTERS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


def counted(number: int, noun: str) -> str:
    """"1 file", "2 files"; "info" has no plural."""
    return f"{number} {noun if number == 1 or noun == 'info' else noun + 's'}"


def severity_counts(by_severity: Mapping[str, int]) -> str:
    """"1 error, 2 warnings": the severities present, most severe first."""
    return ", ".join(counted(by_severity[level], level) for level in SEVERITIES if by_severity.get(level))


def rule_statistics(summary: Summary, rules: Mapping[str, Rule]) -> Iterator[str]:
    """--statistics: one line per rule, most findings first."""
    for rule_id, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])):
        rule = rules.get(rule_id)
        yield f"{count:6}  {rule_id}  {rule.name if rule else ''}\n"
