"""The engine: rules compiled once per run into one scanner, applied to each document, matches turned into findings."""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Mapping, Sequence

from kmlint.claims import OTHER_GENRE, PROVIDER_VOICE, is_mention, promotes
from kmlint.document import Document
from kmlint.extract import extract
from kmlint.findings import Diagnostic, FileResult, make_finding
from kmlint.kinds import Check, Match, compile_rule
from kmlint.ruleset import Rule
from kmlint.source import SourceFile
from kmlint.suppress import apply_suppressions
from kmlint.terms import Scanner, regex_timeout, time_limit

if TYPE_CHECKING:
    from kmlint.baseline import Baseline
    from kmlint.config import FileIgnores


class Linter:
    """Everything a run needs to check documents: compiled rules and the shared scanner."""

    def __init__(
        self,
        rules: Sequence[Rule],
        severities: Mapping[str, str] | None = None,
        file_ignores: FileIgnores | None = None,
        report_unused_suppressions: bool = False,
        baseline: Baseline | None = None,
    ):
        self.rules = tuple(rules)
        self._severities = dict(severities or {})
        # After matching, per file: config per-file-ignores, then suppression comments, then the baseline.
        self._file_ignores = file_ignores
        self._report_unused_suppressions = report_unused_suppressions
        self._baseline = baseline
        self._rules_by_id = {rule.id: rule for rule in self.rules}
        self._checks: list[Check] = [compile_rule(rule) for rule in self.rules]
        # Patterns from users' rule files run under a time limit; the built-in pack's do not.
        self._timed = [not rule.built_in for rule in self.rules]
        self._scanner = Scanner()
        for index, check in enumerate(self._checks):
            for role, terms in check.roles().items():
                self._scanner.add(terms, (index, role), timed=self._timed[index])
        # What tells whether a page promotes treatment, found in the same pass: tagged past the rules.
        self._genre_tag, self._provider_tag = (len(self._checks), "genre"), (len(self._checks), "provider")
        self._scanner.add(OTHER_GENRE, self._genre_tag, timed=False)
        self._scanner.add(PROVIDER_VOICE, self._provider_tag, timed=False)
        self._scanner.compile()

    def __reduce__(self) -> tuple[type[Linter], tuple[object, ...]]:
        # Sent to a worker process as its rules and settings, and compiled once there.
        return (Linter, (self.rules, self._severities, self._file_ignores, self._report_unused_suppressions, self._baseline))

    def matches(self, doc: Document) -> tuple[list[tuple[Rule, Match]], list[str]]:
        """All rule matches in a document, and notes on rules abandoned because a pattern timed out
        or matched nearly everything."""
        # A rule that fails on a file is abandoned for that file only, so the output does not depend
        # on which files a worker process saw before (--jobs N gives the same output as --jobs 1).
        hits, failed = self._scanner.scan(doc.folded, doc.spaced)
        genre_signs, provider_voice = hits.pop(self._genre_tag, []), hits.pop(self._provider_tag, [])
        failed.pop(self._genre_tag, None)  # matched too often: counted as none, and the page as promoting
        abandoned: dict[int, str] = {}
        for (index, _role), why in failed.items():
            abandoned.setdefault(index, why)
        by_rule: dict[int, dict[str, list[tuple[int, int]]]] = {}
        for (index, role), spans in hits.items():
            by_rule.setdefault(index, {})[role] = spans
        results: list[tuple[Rule, Match]] = []
        timeout = regex_timeout(doc.folded)
        promoting: bool | None = None  # worked out once, when a caveat for promoting pages is due
        for index in sorted(by_rule):
            check = self._checks[index]
            if index in abandoned:
                continue
            rule = check.rule
            if rule.pages == "promoting":
                if promoting is None:
                    promoting = promotes(genre_signs, provider_voice)
                if not promoting:
                    continue
            try:
                # Exceptions and hedges searched sentence by sentence share one time limit per rule.
                with time_limit(timeout) if self._timed[index] else nullcontext():
                    found = sorted(check.evaluate(doc, by_rule[index]), key=lambda m: (m.start, -m.end))
            except TimeoutError:
                abandoned[index] = f"a regular expression ran past its time limit ({timeout:.1f} s)"
                continue
            last_end = -1
            claims_only = rule.claims_only and not rule.is_document_rule
            for match in found:
                # One finding per stretch of words per rule: overlapping matches of a rule merge.
                if match.start >= last_end and not (claims_only and is_mention(doc, match.start, match.end)):
                    results.append((rule, match))
                    last_end = match.end
        notes = []
        for index, why in sorted(abandoned.items()):
            rule = self.rules[index]
            notes.append(f"rule {rule.id} ({rule.path}:{rule.line}) not applied to this file: {why}")
        return results, notes

    def check_source(self, source: SourceFile, keep_document: bool = False) -> FileResult:
        doc = extract(source)
        matches, notes = self.matches(doc)
        findings = [
            make_finding(source, doc, rule, match, self._severities.get(rule.id))
            for rule, match in matches
        ]
        findings.sort(key=lambda f: f.sort_key)
        if self._file_ignores is not None:
            ignored = self._file_ignores.rules_for(source.path)
            findings = [f for f in findings if f.rule not in ignored]
        findings, directive_problems = apply_suppressions(source, doc, findings, self._rules_by_id, self._report_unused_suppressions)
        if self._baseline is not None:
            findings = self._baseline.new_findings(source.path, findings)
        diagnostics = [Diagnostic(source.path, "warning", w) for w in source.warnings]
        diagnostics += [Diagnostic(source.path, "error", n) for n in notes]
        diagnostics += directive_problems
        return FileResult(source.path, tuple(findings), tuple(diagnostics), doc if keep_document else None)
