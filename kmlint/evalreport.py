"""The `kmlint eval` report: scores as text for people, or as JSON (a versioned contract, docs/eval.md) for tools."""

from __future__ import annotations

import json
from typing import Any, Sequence, TextIO

from kmlint import __version__
from kmlint.evaluate import CategoryScore, Evaluation, Gate, LocatedSpan
from kmlint.reporters import counted
from kmlint.reporters.json import finding_json

# The JSON report's own version: raised when a field changes meaning or goes; new fields keep it.
JSON_VERSION = 1
# Longer source lines (a minified page) are shown as a window around the words.
_LONGEST_LINE = 160
_CONTEXT = 60


def write_text(evaluation: Evaluation, rule_count: int, checks: Sequence[Gate], misses: bool, stream: TextIO) -> None:
    e, s = evaluation, evaluation.scores
    doc = e.doc_counts
    out = [
        f"kmlint eval: {counted(e.pages, 'page')}, {counted(e.must_spans, 'must span')}, {counted(e.may_spans, 'may span')}, "
        f"{counted(e.span_findings, 'span finding')} ({counted(rule_count, 'rule')})",
        "",
        f"  span recall         {s.span_recall:.3f}  {e.recalled} of {e.must_spans} must spans overlapped by a finding",
        f"  span precision      {s.span_precision:.3f}  {e.correct_findings} of {e.span_findings} span findings on an annotated span",
        f"  span F1             {s.span_f1:.3f}",
        f"  category agreement  {s.category_agreement:.3f}  {e.category_agreed} of {e.recalled} found spans overlapped by a finding of their category",
        f"  doc precision       {s.doc_precision:.3f}  tp {doc['tp']}, fp {doc['fp']}",
        f"  doc recall          {s.doc_recall:.3f}  tp {doc['tp']}, fn {doc['fn']} (tn {doc['tn']})",
        "",
        f"  {'by category':28}  must  found  recall  findings  correct  precision",
        *(_category_row(category) for category in e.categories),
        "  (document categories count pages)",
        "",
        *_rule_table(e),
    ]
    if e.unannotated:
        out += ["", f"{counted(len(e.unannotated), 'page')} without an annotation file, not scored: {', '.join(e.unannotated)}"]
    if misses:
        out += _misses(e)
    if checks:
        out.append("")
    out += [f"gate {gate.option} {gate.minimum:g}: {gate.value:.3f} {'ok' if gate.passed else 'BELOW'}" for gate in checks]
    stream.write("\n".join(out) + "\n")


def _category_row(category: CategoryScore) -> str:
    c = category
    return f"  {c.category:28}  {c.must:4}  {c.recalled:5}  {_ratio(c.recall):>6}  {c.findings:8}  {c.correct:7}  {_ratio(c.precision):>9}"


def _rule_table(e: Evaluation) -> list[str]:
    title = "by rule, most false findings first"
    name_width = max([len(title) - 8, *(len(r.name) for r in e.rules)])
    category_width = max([8, *(len(r.category) for r in e.rules)])
    head = f"  {title:{8 + name_width}}  {'category':{category_width}}  findings  correct  false  precision  only it finds"
    rows = [
        f"  {r.rule:7} {r.name:{name_width}}  {r.category:{category_width}}  "
        f"{r.findings:8}  {r.correct:7}  {r.false:5}  {_ratio(r.precision):>9}  {len(r.only_recalls):13}"
        for r in e.rules
    ]
    return [head, *rows]


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _misses(e: Evaluation) -> list[str]:
    out = ["", f"Missed must spans ({len(e.missed)}):"]
    for located in e.missed:
        out.append(f"  {located.path}:{located.line}:{located.column}: {located.span.category} “{_words(located.span.quote)}” ({located.span.origin})")
        out.append(_source(located.line, located.source_line, located.column))
    out += ["", f"False findings ({len(e.false_findings)}):"]
    for finding in e.false_findings:
        out.append(f"  {finding.path}:{finding.line}:{finding.column}: {finding.rule}[{finding.name}] {finding.category} “{_words(finding.text)}”")
        out.append(_source(finding.line, finding.source_line, finding.column))
    out += ["", f"Document categories expected, not reported ({len(e.doc_missed)}):"]
    out += [f"  {miss.path}: {miss.category} ({miss.origin})" for miss in e.doc_missed]
    out += ["", f"Document findings the annotation says no to ({len(e.doc_false)}):"]
    out += [f"  {f.path}:{f.line}:{f.column}: {f.rule}[{f.name}] {f.category}" for f in e.doc_false]
    return out


def _words(text: str) -> str:
    return " ".join(text.split())


def _source(line: int, text: str, column: int) -> str:
    """The source line, as a window around `column` when it is long."""
    if len(text) > _LONGEST_LINE:
        start = max(0, column - 1 - _CONTEXT)
        stop = min(len(text), start + _LONGEST_LINE)
        text = ("…" if start else "") + text[start:stop] + ("…" if stop < len(text) else "")
    return f"    {line:5} | {text.replace(chr(9), ' ')}"


def write_json(evaluation: Evaluation, rule_count: int, checks: Sequence[Gate], stream: TextIO) -> None:
    json.dump(as_json(evaluation, rule_count, checks), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def as_json(evaluation: Evaluation, rule_count: int, checks: Sequence[Gate]) -> dict[str, Any]:
    e, s = evaluation, evaluation.scores
    return {
        "version": JSON_VERSION,
        "kmlint_version": __version__,
        "pages": e.pages,
        "unannotated": list(e.unannotated),
        "rules": rule_count,
        "scores": {
            "span_recall": s.span_recall,
            "span_precision": s.span_precision,
            "span_f1": s.span_f1,
            "category_agreement": s.category_agreement,
            "doc_precision": s.doc_precision,
            "doc_recall": s.doc_recall,
            "doc": s.doc,
        },
        "counts": {
            "must_spans": e.must_spans,
            "may_spans": e.may_spans,
            "recalled": e.recalled,
            "category_agreed": e.category_agreed,
            "span_findings": e.span_findings,
            "correct_findings": e.correct_findings,
            "doc": dict(e.doc_counts),
        },
        "categories": [
            {
                "category": c.category,
                "kind": "document" if c.category.startswith("missing-") else "span",
                "must": c.must,
                "recalled": c.recalled,
                "recall": c.recall,
                "findings": c.findings,
                "correct": c.correct,
                "precision": c.precision,
            }
            for c in e.categories
        ],
        "by_rule": [
            {
                "rule": r.rule,
                "name": r.name,
                "category": r.category,
                "findings": r.findings,
                "correct": r.correct,
                "false": r.false,
                "precision": r.precision,
                "only_recalls": [_span_json(located) for located in r.only_recalls],
            }
            for r in e.rules
        ],
        "missed": [_span_json(located) for located in e.missed],
        "false_findings": [finding_json(f) for f in e.false_findings],
        "doc_missed": [{"path": m.path, "category": m.category, "annotation": m.origin} for m in e.doc_missed],
        "doc_false": [finding_json(f) for f in e.doc_false],
        "gates": [{"option": g.option, "figure": g.figure, "minimum": g.minimum, "value": g.value, "passed": g.passed} for g in checks],
    }


def _span_json(located: LocatedSpan) -> dict[str, Any]:
    return {
        "path": located.path,
        "line": located.line,
        "column": located.column,
        "end_line": located.end_line,
        "end_column": located.end_column,
        "category": located.span.category,
        "level": located.span.level,
        "quote": located.span.quote,
        "annotation": located.span.origin,
    }
