"""Rule examples as tests: every `flag` example must produce the rule's finding, every `pass` example none."""

from __future__ import annotations

from typing import Sequence

from kmlint.engine import Linter
from kmlint.ruleset import Rule
from kmlint.source import SourceFile


def example_findings(linter: Linter, rule: Rule, example: str) -> list[str]:
    """The ids of findings this rule gives on an example (linted as Markdown, so links and markup work)."""
    result = linter.check_source(SourceFile(path="<example>", text=example, kind="markdown"))
    return [f.rule for f in result.findings if f.rule == rule.id]


def run_examples(rules: Sequence[Rule]) -> list[str]:
    """One line per failing example, naming the rule file and line."""
    failures = []
    for rule in rules:
        linter = Linter([rule])
        for example in rule.flag_examples:
            if not example_findings(linter, rule, example):
                failures.append(f"{rule.path}:{rule.line}: {rule.id} did not flag: {example!r}")
        for example in rule.pass_examples:
            if example_findings(linter, rule, example):
                failures.append(f"{rule.path}:{rule.line}: {rule.id} flagged a pass example: {example!r}")
    return failures
