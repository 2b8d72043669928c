"""The HTML reporter: one self-contained review page showing each file's copy with every flagged claim highlighted."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import ClassVar, TextIO

from kmlint import __version__
from kmlint.document import Block, Document
from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary, counted, severity_counts
from kmlint.ruleset import DOCUMENT_CATEGORIES, SEVERITIES, SPAN_CATEGORIES, Rule

# Plain-English names for reviewers; the category id stays visible beside them (TAXONOMY.md is the contract).
CATEGORY_LABELS = {
    "safety-absolute": "Absolute safety claims",
    "hype": "Hype and superlatives",
    "efficacy-overclaim": "Overstated results",
    "unsupported-science": "Science stated beyond the evidence",
    "regulatory-status": "Approval or legal status",
    "indication-creep": "Conditions with only early evidence",
    "comparative": "Better-than claims",
    "uncited-statistic": "Numbers without a source",
    "unsupervised-use": "Use without medical supervision",
    "risk-minimizing": "Downplayed risks",
    "testimonial": "Testimonials as expected results",
    "disparagement": "Running down other treatments",
    "missing-supervision": "Missing: medical supervision",
    "missing-risk-disclosure": "Missing: risks and side effects",
    "missing-off-label": "Missing: not FDA-approved for this use",
    "missing-crisis-resources": "Missing: crisis resources",
    "missing-individual-results": "Missing: results vary",
}
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}
SEVERITY_MEANINGS = {
    "error": "a regulator or ad platform would act on it",
    "warning": "a compliance reviewer would ask for a change",
    "info": "style that weakens credibility",
}
SCOPE_LABELS = {"title": "Page title", "heading": "Heading", "meta": "Search and social description", "alt": "Image text"}
CATEGORY_ORDER = {name: index for index, name in enumerate(SPAN_CATEGORIES + DOCUMENT_CATEGORIES)}


def _asset(name: str) -> str:
    return resources.files("kmlint.reporters").joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def _category_key(category: str) -> tuple[int, str]:
    return (CATEGORY_ORDER.get(category, len(CATEGORY_ORDER)), category)


@dataclass(frozen=True, slots=True)
class _Mark:
    """One finding to highlight in a block: its clipped document span, whether its real end is here, its number."""

    start: int
    end: int
    ends_here: bool
    finding: Finding
    finding_id: str
    number: int


def highlight(text: str, offset: int, marks: list[_Mark]) -> str:
    """Escaped `text` (document text from `offset`) with each mark wrapped in <mark> elements.

    Marks nest when one lies inside another; when two cross, the inner one is closed at the outer's end and
    reopened after it, so each finding's fragments (same data-finding) together hold exactly its words.
    A numbered reference to the note follows each finding, placed outside every mark so that no mark's
    text ever includes it."""
    points = sorted({offset, offset + len(text)} | {m.start for m in marks} | {m.end for m in marks})
    opening: dict[int, list[_Mark]] = {}
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, m.number)):
        opening.setdefault(mark.start, []).append(mark)
    out: list[str] = []
    stack: list[_Mark] = []
    pending: list[_Mark] = []
    for index, point in enumerate(points):
        ending = [position for position, mark in enumerate(stack) if mark.end == point]
        if ending:
            lowest = ending[0]
            reopen = [mark for mark in stack[lowest:] if mark.end != point]
            pending.extend(mark for mark in stack[lowest:] if mark.end == point and mark.ends_here)
            out.append("</mark>" * (len(stack) - lowest))
            del stack[lowest:]
            for mark in reopen:
                out.append(_open_mark(mark, first=False))
                stack.append(mark)
        if not stack and pending:
            out.extend(_reference(mark) for mark in sorted(pending, key=lambda m: m.number))
            pending.clear()
        for mark in opening.get(point, ()):
            out.append(_open_mark(mark, first=mark.start == mark.finding.doc_start))
            stack.append(mark)
        if index + 1 < len(points):
            out.append(escape(text[point - offset : points[index + 1] - offset]))
    return "".join(out)


def _finding_attributes(finding: Finding, finding_id: str) -> str:
    return (
        f' data-finding="{finding_id}" data-rule="{escape(finding.rule)}" data-severity="{escape(finding.severity)}"'
        f' data-category="{escape(finding.category)}" data-line="{finding.line}" data-column="{finding.column}"'
    )


def _open_mark(mark: _Mark, first: bool) -> str:
    finding = mark.finding
    classes = f"hl sev-{escape(finding.severity)}" + (" missing" if finding.category.startswith("missing-") else "")
    anchor = f' id="hl-{mark.finding_id}"' if first else ""
    tooltip = escape(f"{mark.number}. {finding.rule} {finding.name}: {finding.message}")
    return (
        f'<mark class="{classes}"{anchor}{_finding_attributes(finding, mark.finding_id)} tabindex="0"'
        f' aria-describedby="note-{mark.finding_id}" title="{tooltip}">'
    )


def _reference(mark: _Mark) -> str:
    finding = mark.finding
    return (
        f'<a class="ref sev-{escape(finding.severity)}" href="#note-{mark.finding_id}"'
        f'{_finding_attributes(finding, mark.finding_id)} aria-label="note {mark.number}">{mark.number}</a>'
    )


class HtmlReporter:
    # The prose is shown, so the engine must keep each file's Document for this reporter.
    needs_document: ClassVar[bool] = True

    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.context = context
        self.sections: list[str] = []
        self.index: list[str] = []
        self.by_category: dict[str, Counter[str]] = {}
        self.files_with_findings = 0

    # -- one file -------------------------------------------------------------------------------

    def file(self, result: FileResult) -> None:
        number = len(self.sections) + 1
        # (note number, finding, element id) for each finding, numbered in the order the file reports them.
        entries = [(n, finding, f"f{number}-{n}") for n, finding in enumerate(result.findings, 1)]
        for finding in result.findings:
            self.by_category.setdefault(finding.category, Counter())[finding.severity] += 1
        self.files_with_findings += bool(result.findings)
        path = escape(result.path)
        counts = Counter(f.severity for f in result.findings)
        badges = "".join(f'<span class="pill sev-{level}">{counted(counts[level], level)}</span>' for level in SEVERITIES if counts[level])
        status = badges or (
            '<span class="pill failed">not checked</span>' if result.failed else '<span class="pill clean">no findings</span>'
        )
        self.index.append(f'<li><a href="#file-{number}"><span class="path">{path}</span></a> {status}</li>')
        parts = [
            f'<section class="file" id="file-{number}" data-path="{path}">',
            f'<h2><span class="path">{path}</span> {status}</h2>',
        ]
        for diagnostic in result.diagnostics:
            parts.append(f'<p class="diagnostic {escape(diagnostic.level)}">{escape(diagnostic.message)}</p>')
        if result.findings:
            parts.append('<div class="review">')
            parts.append(self._copy(result.document, entries))
            parts.append('<ol class="notes">' + "\n".join(self._note(*entry) for entry in entries) + "</ol>")
            parts.append("</div>")
        elif result.document is not None and result.document.blocks:
            parts.append('<details class="clean-copy"><summary>Show the copy</summary>')
            parts.append(self._copy(result.document, []))
            parts.append("</details>")
        parts.append("</section>")
        self.sections.append("\n".join(parts))

    def _copy(self, doc: Document | None, entries: list[tuple[int, Finding, str]]) -> str:
        if doc is None:
            return '<article class="copy"><p class="unavailable">The copy of this file is not available.</p></article>'
        # Blocks in source order: title, description and alt text sit where they are in the page.
        blocks = sorted(enumerate(doc.blocks), key=lambda item: (doc.source_span(item[1].start, item[1].end)[0], item[0]))
        rendered = []
        for _index, block in blocks:
            marks = [
                _Mark(max(f.doc_start, block.start), min(f.doc_end, block.end), f.doc_end <= block.end, f, finding_id, n)
                for n, f, finding_id in entries
                if f.doc_start < block.end and f.doc_end > block.start
            ]
            rendered.append(self._block(doc, block, marks))
        return '<article class="copy">' + "\n".join(rendered) + "</article>"

    @staticmethod
    def _block(doc: Document, block: Block, marks: list[_Mark]) -> str:
        label = SCOPE_LABELS.get(block.scope)
        tag = f'<span class="scope">{escape(label)}</span>' if label else ""
        body = highlight(doc.text[block.start : block.end], block.start, marks)
        return f'<p class="block scope-{escape(block.scope)}">{tag}<span class="prose">{body}</span></p>'

    def _note(self, number: int, finding: Finding, finding_id: str) -> str:
        rule: Rule | None = self.context.rules.get(finding.rule)
        severity = escape(finding.severity)
        missing = finding.category.startswith("missing-")
        where = f"line {finding.line}, column {finding.column}"
        parts = [
            f'<li class="note sev-{severity}" id="note-{finding_id}"{_finding_attributes(finding, finding_id)}>',
            '<div class="note-head">',
            f'<a class="number sev-{severity}" href="#hl-{finding_id}" title="Show in the copy">{number}</a>',
            f'<span class="severity sev-{severity}">{escape(SEVERITY_LABELS.get(finding.severity, finding.severity))}</span>',
            f'<span class="category">{escape(_category_label(finding.category))}</span>',
            "</div>",
            (
                f'<p class="quote"><span class="label">{"Prompted by" if missing else "Flagged words"} <span class="where">· {where}</span></span>'
                f"<q>{escape(finding.text)}</q></p>"
            ),
            f'<p class="message">{escape(finding.message)}</p>',
        ]
        suggestion = escape(finding.suggestion)
        if finding.replacement:
            suggestion = f"Write “<ins>{escape(finding.replacement)}</ins>” instead. {suggestion}"
        parts.append(f'<p class="suggestion"><span class="label">Safer wording</span> {suggestion}</p>')
        if rule is not None:
            parts.append(f'<p class="rationale"><span class="label">Why it matters</span> {escape(rule.rationale.strip())}</p>')
            references = "".join(
                f'<li><a href="{escape(ref.url)}" rel="noopener noreferrer" target="_blank">{escape(ref.title)}</a>'
                + (f' <span class="date">({escape(ref.date)})</span>' if ref.date else "")
                + "</li>"
                for ref in rule.references
            )
            parts.append(f'<div class="references"><span class="label">References</span><ul>{references}</ul></div>')
        parts.append(f'<p class="rule-id">{escape(finding.rule)} · {escape(finding.name)} · {escape(finding.category)}</p>')
        parts.append("</li>")
        return "".join(parts)

    # -- the page -------------------------------------------------------------------------------

    def finish(self, summary: Summary) -> None:
        style, script = _asset("html_report.css"), _asset("html_report.js")
        # Nothing may load from the network, and only kmlint's own script may run (defence in depth behind escaping).
        policy = f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; img-src data:"
        total = summary.findings
        title = f"kmlint review: {counted(total, 'finding')} in {counted(summary.files, 'file')}"
        page = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            '<div class="layout">',
            self._sidebar(summary),
            '<main class="main">',
            self._overview(summary),
            *self.sections,
            (
                f"<footer>Made by kmlint {escape(__version__)}. Positions are line and column in the original file. "
                "Highlights show the page's words as prose; markup and extra spaces are left out.</footer>"
            ),
            "</main>",
            "</div>",
            f"<script>{script}</script>",
            "</body>",
            "</html>",
        ]
        self.stream.write("\n".join(page) + "\n")

    def _overview(self, summary: Summary) -> str:
        total = summary.findings
        if total:
            levels = severity_counts(summary.by_severity)
            lede = (
                f"kmlint flagged <strong>{counted(total, 'claim')}</strong> to review ({levels}) "
                f"in {self.files_with_findings} of {counted(summary.files, 'file')}."
            )
        else:
            lede = f"kmlint flagged nothing in {counted(summary.files, 'file')}."
        if summary.failed:
            lede += f' <strong class="failed">{counted(summary.failed, "file")} could not be checked.</strong>'
        parts = [
            '<header class="overview">',
            "<h1>Marketing copy review</h1>",
            f'<p class="lede">{lede}</p>',
            '<ul class="legend">',
            *(
                f'<li><span class="severity sev-{level}">{SEVERITY_LABELS[level]}</span> {SEVERITY_MEANINGS[level]}</li>'
                for level in SEVERITIES
            ),
            "</ul>",
        ]
        if self.by_category:
            rows = []
            for category in sorted(self.by_category, key=_category_key):
                counts = self.by_category[category]
                cells = "".join(f'<td class="num">{counts[level] or ""}</td>' for level in SEVERITIES)
                rows.append(
                    f'<tr data-category="{escape(category)}"><th scope="row">{escape(_category_label(category))}'
                    f' <span class="id">{escape(category)}</span></th>{cells}<td class="num total">{sum(counts.values())}</td></tr>'
                )
            heads = "".join(f'<th scope="col" class="num">{SEVERITY_LABELS[level]}</th>' for level in SEVERITIES)
            parts += [
                '<table class="categories">',
                f'<caption>Findings per category</caption><thead><tr><th scope="col">Category</th>{heads}<th scope="col" class="num">Total</th></tr></thead>',
                "<tbody>",
                *rows,
                "</tbody>",
                "</table>",
            ]
        parts.append("</header>")
        return "\n".join(parts)

    def _sidebar(self, summary: Summary) -> str:
        severity_boxes = "".join(
            f'<label class="check"><input type="checkbox" name="severity" value="{level}" checked>'
            f' <span class="severity sev-{level}">{SEVERITY_LABELS[level]}</span>'
            f' <span class="count">{summary.by_severity.get(level, 0)}</span></label>'
            for level in SEVERITIES
        )
        category_boxes = "".join(
            f'<label class="check"><input type="checkbox" name="category" value="{escape(category)}" checked>'
            f' {escape(_category_label(category))} <span class="count">{sum(self.by_category[category].values())}</span></label>'
            for category in sorted(self.by_category, key=_category_key)
        )
        return "\n".join(
            [
                '<aside class="sidebar">',
                '<form id="filters" class="filters">',
                "<fieldset><legend>Severity</legend>" + severity_boxes + "</fieldset>",
                "<fieldset><legend>Category</legend>" + (category_boxes or '<p class="none">No findings.</p>') + "</fieldset>",
                (
                    '<div class="filter-actions"><button type="button" data-select="all">Show all</button>'
                    '<button type="button" data-select="none">Hide all</button></div>'
                ),
                (
                    f'<p class="shown" aria-live="polite">Showing <span id="shown-count">{summary.findings}</span>'
                    f" of {counted(summary.findings, 'finding')}</p>"
                ),
                "</form>",
                '<nav class="files"><h2>Files</h2><ol>' + "".join(self.index) + "</ol></nav>",
                "</aside>",
            ]
        )
