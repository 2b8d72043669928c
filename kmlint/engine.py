"""The engine: rules compiled once per run into one scanner, applied to each document, matches turned into findings."""

from __future__ import annotations

from typing import Mapping, Sequence

from kmlint.document import Document
from kmlint.extract import extract
from kmlint.findings import Diagnostic, FileResult, Finding, make_finding
from kmlint.kinds import Check, Match, compile_rule
from kmlint.ruleset import Rule
from kmlint.source import SourceFile
from kmlint.terms import Scanner


class Linter:
    """Everything a run needs to check documents: compiled rules and the shared scanner."""

    def __init__(self, rules: Sequence[Rule], severities: Mapping[str, str] | None = None):
        self.rules = tuple(rules)
        self._severities = dict(severities or {})
        self._checks: list[Check] = [compile_rule(rule) for rule in self.rules]
        self._scanner = Scanner()
        for index, check in enumerate(self._checks):
            for role, terms in check.roles().items():
                self._scanner.add(terms, (index, role))
        self._scanner.compile()

    def matches(self, doc: Document) -> tuple[list[tuple[Rule, Match]], list[str]]:
        """All rule matches in a document, and notes on rules abandoned because a pattern timed out."""
        notes: list[str] = []
        hits, timed_out = self._scanner.scan(doc.folded)
        abandoned = {index for index, _role in timed_out}
        by_rule: dict[int, dict[str, list[tuple[int, int]]]] = {}
        for (index, role), spans in hits.items():
            by_rule.setdefault(index, {})[role] = spans
        results: list[tuple[Rule, Match]] = []
        for index in sorted(by_rule):
            check = self._checks[index]
            if index in abandoned:
                continue
            try:
                found = sorted(check.evaluate(doc, by_rule[index]), key=lambda m: (m.start, -m.end))
            except TimeoutError:
                abandoned.add(index)
                continue
            last_end = -1
            for match in found:
                # One finding per stretch of words per rule: overlapping matches of a rule merge.
                if match.start >= last_end:
                    results.append((check.rule, match))
                    last_end = match.end
        for index in sorted(abandoned):
            notes.append(f"rule {self.rules[index].id} skipped: a pattern ran past its time limit on this file")
        return results, notes

    def check_source(self, source: SourceFile, keep_document: bool = False) -> FileResult:
        doc = extract(source)
        matches, notes = self.matches(doc)
        findings = [
            make_finding(source, doc, rule, match, self._severities.get(rule.id))
            for rule, match in matches
        ]
        findings.sort(key=lambda f: f.sort_key)
        diagnostics = [Diagnostic(source.path, "warning", w) for w in source.warnings]
        diagnostics += [Diagnostic(source.path, "error", n) for n in notes]
        return FileResult(source.path, tuple(findings), tuple(diagnostics), doc if keep_document else None)


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)
