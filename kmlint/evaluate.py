"""Scoring (`kmlint eval`): findings against annotated spans and document categories, counted as ../shared/tools/score_findings.py counts them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from kmlint.annotations import PageAnnotation, Span
from kmlint.findings import FileResult, Finding
from kmlint.ruleset import DOCUMENT_CATEGORIES


@dataclass(frozen=True, slots=True)
class Scores:
    """The headline figures. With nothing to count, recall and precision are 1.0, F1 and category
    agreement 0.0, as in the reference scorer."""

    span_recall: float
    span_precision: float
    span_f1: float
    category_agreement: float
    doc_precision: float
    doc_recall: float

    @property
    def doc(self) -> float:
        """What --min-doc gates: the lower of document precision and recall."""
        return min(self.doc_precision, self.doc_recall)


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """One category. For a span category: must spans, those a finding overlaps, its span findings
    and those on an annotated span. For a document category the same four count pages: pages where
    a finding is expected, those that have one, scored pages with a finding, those expecting it."""

    category: str
    must: int
    recalled: int
    findings: int
    correct: int

    @property
    def recall(self) -> float | None:
        return self.recalled / self.must if self.must else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None


@dataclass(frozen=True, slots=True)
class LocatedSpan:
    """An annotated span with its page and its position worked out (1-based, end exclusive)."""

    path: str
    span: Span
    line: int
    column: int
    end_line: int
    end_column: int
    source_line: str


@dataclass(frozen=True, slots=True)
class RuleScore:
    """One rule's findings on the scored pages: a span finding is correct on an annotated span; a
    document finding is scored where its category is annotated must (correct) or no (false)."""

    rule: str
    name: str
    category: str
    findings: int
    correct: int
    only_recalls: tuple[LocatedSpan, ...]  # must spans that no other rule's finding overlaps

    @property
    def false(self) -> int:
        return self.findings - self.correct

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None


@dataclass(frozen=True, slots=True)
class DocumentMiss:
    """A page annotated `must` for a document category that no finding of it reports."""

    path: str
    category: str
    origin: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything a run measured: counts, the figures, per category, per rule, and what was missed or wrong."""

    pages: int
    unannotated: tuple[str, ...]
    must_spans: int
    may_spans: int
    recalled: int
    category_agreed: int
    span_findings: int
    correct_findings: int
    doc_counts: Mapping[str, int]  # tp, fp, fn, tn over (page, document category) pairs not annotated may
    scores: Scores
    categories: tuple[CategoryScore, ...]
    rules: tuple[RuleScore, ...]
    missed: tuple[LocatedSpan, ...]
    false_findings: tuple[Finding, ...]
    doc_missed: tuple[DocumentMiss, ...]
    doc_false: tuple[Finding, ...]


def locate(page: PageAnnotation, span: Span) -> LocatedSpan:
    """Line and column of a span, from the page's one line index (as findings get theirs)."""
    lines = page.source.lines
    line, column = lines.position(span.start)
    end_line, end_column = lines.position(span.end)
    return LocatedSpan(page.target.path, span, line, column, end_line, end_column, lines.line_text(line))


def _is_document_finding(finding: Finding) -> bool:
    return finding.category.startswith("missing-")


def score(pages: Sequence[PageAnnotation], results: Sequence[FileResult], unannotated: Sequence[str] = ()) -> Evaluation:
    """Score each page's findings (results[i] belongs to pages[i]) against its annotation."""
    span_tally: defaultdict[str, Counter[str]] = defaultdict(Counter)
    doc_tally: defaultdict[str, Counter[str]] = defaultdict(Counter)
    rule_tally: defaultdict[str, Counter[str]] = defaultdict(Counter)
    rule_info: dict[str, Finding] = {}
    only_recalls: defaultdict[str, list[LocatedSpan]] = defaultdict(list)
    doc_counts: Counter[str] = Counter({"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    missed: list[LocatedSpan] = []
    false_findings: list[Finding] = []
    doc_missed: list[DocumentMiss] = []
    doc_false: list[Finding] = []
    recalled = agreed = 0
    for page, result in zip(pages, results, strict=True):
        spans = page.spans
        # A finding with no characters still covers one, as the reference scorer reads it.
        ranges = [(f.start, max(f.end, f.start + 1), f) for f in result.findings if not _is_document_finding(f)]
        for start, end, finding in ranges:
            rule_info.setdefault(finding.rule, finding)
            hit = any(start < span.end and span.start < end for span in spans)
            span_tally[finding.category]["findings"] += 1
            span_tally[finding.category]["correct"] += hit
            rule_tally[finding.rule]["findings"] += 1
            rule_tally[finding.rule]["correct"] += hit
            if not hit:
                false_findings.append(finding)
        for span in sorted(spans, key=lambda s: (s.start, s.end)):
            if span.level != "must":
                continue
            span_tally[span.category]["must"] += 1
            hits = [finding for start, end, finding in ranges if start < span.end and span.start < end]
            if not hits:
                missed.append(locate(page, span))
                continue
            recalled += 1
            span_tally[span.category]["recalled"] += 1
            agreed += any(finding.category == span.category for finding in hits)
            by = {finding.rule for finding in hits}
            if len(by) == 1:
                only_recalls[by.pop()].append(locate(page, span))
        reported = {finding.category for finding in result.findings}
        for category in DOCUMENT_CATEGORIES:
            gold = page.doc[category]
            if gold == "may":
                continue
            found = [finding for finding in result.findings if finding.category == category]
            for finding in found:
                rule_info.setdefault(finding.rule, finding)
                rule_tally[finding.rule]["findings"] += 1
                rule_tally[finding.rule]["correct"] += gold == "must"
            outcome = ("tp" if category in reported else "fn") if gold == "must" else ("fp" if category in reported else "tn")
            doc_counts[outcome] += 1
            tally = doc_tally[category]
            tally["must"] += gold == "must"
            tally["recalled"] += outcome == "tp"
            tally["findings"] += outcome in ("tp", "fp")
            tally["correct"] += outcome == "tp"
            if outcome == "fn":
                doc_missed.append(DocumentMiss(page.target.path, category, page.origin))
            elif outcome == "fp":
                doc_false.extend(found)
    must = sum(tally["must"] for tally in span_tally.values())
    span_findings = sum(tally["findings"] for tally in span_tally.values())
    correct = sum(tally["correct"] for tally in span_tally.values())
    tp, fp, fn = doc_counts["tp"], doc_counts["fp"], doc_counts["fn"]
    recall = recalled / must if must else 1.0
    precision = correct / span_findings if span_findings else 1.0
    scores = Scores(
        span_recall=recall,
        span_precision=precision,
        span_f1=2 * recall * precision / (recall + precision) if recall + precision else 0.0,
        category_agreement=agreed / recalled if recalled else 0.0,
        doc_precision=tp / (tp + fp) if tp + fp else 1.0,
        doc_recall=tp / (tp + fn) if tp + fn else 1.0,
    )
    categories = [_category(name, span_tally[name]) for name in sorted(span_tally)]
    categories += [_category(name, doc_tally[name]) for name in DOCUMENT_CATEGORIES if name in doc_tally]
    rules = [
        RuleScore(rule_id, rule_info[rule_id].name, rule_info[rule_id].category, tally["findings"], tally["correct"], tuple(only_recalls[rule_id]))
        for rule_id, tally in rule_tally.items()
        if tally["findings"]
    ]
    # The rule with the most false findings first: the one to look at.
    rules.sort(key=lambda r: (-r.false, r.rule))
    return Evaluation(
        pages=len(pages),
        unannotated=tuple(unannotated),
        must_spans=must,
        may_spans=sum(1 for page in pages for span in page.spans if span.level == "may"),
        recalled=recalled,
        category_agreed=agreed,
        span_findings=span_findings,
        correct_findings=correct,
        doc_counts=dict(doc_counts),
        scores=scores,
        categories=tuple(categories),
        rules=tuple(rules),
        missed=tuple(missed),
        false_findings=tuple(false_findings),
        doc_missed=tuple(doc_missed),
        doc_false=tuple(doc_false),
    )


def _category(name: str, tally: Counter[str]) -> CategoryScore:
    return CategoryScore(name, tally["must"], tally["recalled"], tally["findings"], tally["correct"])


@dataclass(frozen=True, slots=True)
class Gate:
    """A minimum asked for on the command line (--min-recall, --min-precision, --min-doc)."""

    option: str
    figure: str
    minimum: float
    value: float

    @property
    def label(self) -> str:
        return _GATE_LABELS[self.figure]

    @property
    def passed(self) -> bool:
        # Compared as printed, to three decimals: a figure shown as 0.600 meets --min-recall 0.6.
        return round(self.value, 3) >= self.minimum


_GATE_LABELS = {"span_recall": "span recall", "span_precision": "span precision", "doc": "document precision or recall (the lower)"}


def gates(scores: Scores, min_recall: float | None, min_precision: float | None, min_doc: float | None) -> tuple[Gate, ...]:
    asked = (
        ("--min-recall", "span_recall", min_recall, scores.span_recall),
        ("--min-precision", "span_precision", min_precision, scores.span_precision),
        ("--min-doc", "doc", min_doc, scores.doc),
    )
    return tuple(Gate(option, figure, minimum, value) for option, figure, minimum, value in asked if minimum is not None)
