"""Findings: a rule's match turned into a source span with line and column, and the per-file result."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kmlint.document import Document
from kmlint.kinds import Match
from kmlint.ruleset import Rule
from kmlint.source import SourceFile

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported claim: where (source offsets, 1-based line/column, end exclusive), which rule, what to say."""

    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    name: str
    category: str
    severity: str
    message: str
    suggestion: str
    text: str
    source_line: str
    replacement: str | None = None
    fixable: bool = False
    doc_start: int = 0  # the words in the document text (for reporters that show the prose)
    doc_end: int = 0
    # The folded sentence holding the words: a baseline matches findings by it (not by line), so
    # edits elsewhere in the file do not make an old finding look new.
    context: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Findings go from worker processes to the reporter by the thousand: pickled as the
        # arguments of one call, they take a third less time than field by field (the default).
        return (Finding, tuple(getattr(self, name) for name in _FINDING_FIELDS))


_FINDING_FIELDS = tuple(field.name for field in dataclasses.fields(Finding))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something kmlint says about a file rather than its copy: a decoding note, a skipped file, a rule that timed out."""

    path: str
    level: str  # "error": the file was not (fully) checked; "warning": checked, with a caveat
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    document: Document | None = None  # kept only for reporters that show the prose (html)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    @classmethod
    def not_checked(cls, path: str, why: str) -> FileResult:
        """A file that could not be checked: no findings, one error diagnostic saying why."""
        return cls(path, (), (Diagnostic(path, "error", why),))


def finding_at(
    source: SourceFile,
    start: int,
    end: int,
    rule: Rule,
    message: str,
    suggestion: str,
    text: str,
    context: str,
    severity: str | None = None,
    replacement: str | None = None,
    doc_start: int = 0,
    doc_end: int = 0,
) -> Finding:
    """A finding of `rule` on source[start:end]; line and column are worked out here, once."""
    line, column, end_line, end_column = source.lines.span(start, end)
    return Finding(
        path=source.path,
        start=start,
        end=end,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        rule=rule.id,
        name=rule.name,
        category=rule.category,
        severity=severity or rule.severity,
        message=message,
        suggestion=suggestion,
        text=text,
        source_line=source.lines.line_text(line),
        replacement=replacement,
        fixable=replacement is not None and rule.fix == "safe",
        doc_start=doc_start,
        doc_end=doc_end,
        context=context,
    )


def make_finding(source: SourceFile, doc: Document, rule: Rule, match: Match, severity: str | None = None) -> Finding:
    start, end = doc.source_span(match.start, match.end)
    words = doc.text[match.start : match.end]
    sentence_start, sentence_end = doc.sentence(match.start, match.end)
    return finding_at(
        source,
        start,
        end,
        rule,
        message=_filled(rule.message, words, match.replacement),
        suggestion=_filled(rule.suggestion, words, match.replacement),
        text=words,
        context=doc.folded[sentence_start:sentence_end].strip(),
        severity=severity,
        replacement=match.replacement,
        doc_start=match.start,
        doc_end=match.end,
    )


def _filled(template: str, words: str, replacement: str | None) -> str:
    """A rule's message or suggestion with {match} and {replacement} filled in (most have neither)."""
    if "{" not in template:
        return template
    return template.replace("{match}", words).replace("{replacement}", replacement or "")
