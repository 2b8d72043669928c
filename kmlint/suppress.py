"""Suppressions: `<!-- kmlint-disable ... -->` comments in HTML and Markdown silence findings by source position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from kmlint.document import Document, normalize_phrase
from kmlint.findings import Diagnostic, Finding, finding_at
from kmlint.ruleset import Reference, Rule
from kmlint.selection import selector_matches
from kmlint.source import SourceFile

VERBS = ("disable", "enable", "disable-next-line", "disable-file")
_DIRECTIVE = re.compile(r"kmlint-(?P<verb>[A-Za-z-]*[A-Za-z])(?P<rest>(?:\s[\s\S]*)?)")
_SELECTOR_SPLIT = re.compile(r"[\s,]+")

# A suppression that silences nothing (reported with --report-unused-suppressions) is a finding of
# this pseudo-rule, so every reporter, --fail-on and the baseline treat it like any other finding.
UNUSED_SUPPRESSION = Rule(
    id="KM000",
    name="unused-suppression",
    category="suppression",
    severity="warning",
    kind="directive",
    message="This kmlint comment silences nothing.",
    suggestion="Remove the comment, or correct the rules it names.",
    rationale=(
        "A suppression that no longer matches a finding hides nothing today but would silently hide a "
        "future claim at that place; removing stale suppressions keeps every exemption deliberate."
    ),
    # Prior art for reporting stale suppressions (every reporter expects at least one reference).
    references=(Reference("Ruff rule RUF100, unused-noqa", "https://docs.astral.sh/ruff/rules/unused-noqa/"),),
    flag_examples=(),
    pass_examples=(),
    scope=None,
    terms={},
)


@dataclass(frozen=True, slots=True)
class Directive:
    """One `kmlint-...` comment: what it does, to which rules (none listed: all), why, and where."""

    verb: str
    selectors: tuple[str, ...]
    reason: str
    start: int  # source offset of "<!--"
    end: int  # source offset just past "-->"
    line: int  # the line the comment ends on: disable-next-line applies to the line after it

    def covers(self, rule: Rule) -> bool:
        return not self.selectors or any(selector_matches(rule, selector) for selector in self.selectors)

    @property
    def label(self) -> str:
        return " ".join(("kmlint-" + self.verb, ",".join(self.selectors))).strip()


def parse_directives(source: SourceFile, doc: Document) -> tuple[list[Directive], list[Diagnostic]]:
    """The kmlint directives among a document's comments, and a warning for each `kmlint-` comment
    that is not one (a misspelt verb would otherwise silently suppress nothing)."""
    directives: list[Directive] = []
    problems: list[Diagnostic] = []
    for start, comment in doc.directives:
        body = comment.removeprefix("<!--").removesuffix("-->").strip()
        found = _DIRECTIVE.fullmatch(body)
        if found is None:
            continue
        closing = source.text.find("-->", start + 4)
        end = len(source.text) if closing < 0 else closing + 3
        line = source.lines.position(end - 1)[0]
        verb = found.group("verb").lower()
        if verb not in VERBS:
            expected = ", ".join("kmlint-" + v for v in VERBS)
            problems.append(Diagnostic(source.path, "warning", f"line {line}: unknown directive 'kmlint-{verb}' (expected {expected})"))
            continue
        listed, _, reason = found.group("rest").partition("--")
        selectors = tuple(part for part in _SELECTOR_SPLIT.split(listed) if part)
        directives.append(Directive(verb, selectors, reason.strip(), start, end, line))
    return directives, problems


def _silencer(directives: Sequence[Directive], rule: Rule, finding: Finding) -> Directive | None:
    """The directive that silences a finding, the most specific first: next-line, then a
    disable/enable range (the last one before the finding decides), then disable-file."""
    for directive in directives:
        if directive.verb == "disable-next-line" and finding.line == directive.line + 1 and directive.covers(rule):
            return directive
    current: Directive | None = None
    for directive in directives:
        if directive.end > finding.start:
            break
        if directive.verb in ("disable", "enable") and directive.covers(rule):
            current = directive if directive.verb == "disable" else None
    if current is not None:
        return current
    for directive in directives:
        if directive.verb == "disable-file" and directive.covers(rule):
            return directive
    return None


def apply_suppressions(
    source: SourceFile,
    doc: Document,
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    report_unused: bool = False,
) -> tuple[list[Finding], list[Diagnostic]]:
    """The findings no directive silences (plus, when asked, a KM000 finding for each directive that
    silenced nothing and names a rule of this run), and warnings about unknown directives."""
    if not doc.directives:
        return list(findings), []
    directives, problems = parse_directives(source, doc)
    if not directives:
        return list(findings), problems
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        silencer = _silencer(directives, rules[finding.rule], finding)
        if silencer is None:
            kept.append(finding)
        else:
            used.add(silencer.start)
    if report_unused:
        for directive in directives:
            # A directive naming only rules this run does not check (--select, presets) is not
            # unused: those rules may well find something there when they run.
            if directive.verb != "enable" and directive.start not in used and _names_active_rule(directive, rules):
                kept.append(_unused_finding(source, directive))
        kept.sort(key=lambda f: f.sort_key)
    return kept, problems


def _names_active_rule(directive: Directive, rules: Mapping[str, Rule]) -> bool:
    return any(directive.covers(rule) for rule in rules.values())


def _unused_finding(source: SourceFile, directive: Directive) -> Finding:
    rule = UNUSED_SUPPRESSION
    comment = source.text[directive.start : directive.end]
    return finding_at(
        source,
        directive.start,
        directive.end,
        rule,
        message=f"“{directive.label}” silences nothing.",
        suggestion=rule.suggestion,
        text=comment,
        context=normalize_phrase(comment),
    )


# Markdown lines an inline comment must not be added to: a fence, a table row, a setext underline
# or thematic break, a heading, an HTML line (a comment would change what they are).
_MARKDOWN_SYNTAX_LINE = re.compile(r"[ \t>]*(?:`{3}|~{3}|\||[-=*_][-=*_ \t]*$|#|<)")
_MARKDOWN_LIST_ITEM = re.compile(r"[ \t>]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_MARKDOWN_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*")  # indentation and block-quote markers
_INDENTATION = re.compile(r"[ \t]*")
_ANY_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_START = re.compile(r"<[A-Za-z!/?]")


def disable_next_line(source: SourceFile, doc: Document, finding: Finding, reason: str) -> tuple[int, str] | None:
    """Where to insert what, so that a `kmlint-disable-next-line RULE -- reason` comment silences
    `finding` without changing how the page renders; None where no comment can (plain text has no
    comments; a line that starts inside a tag; Markdown front matter and tables).

    The comment goes on a line of its own above the finding's line, indented like it. In Markdown,
    where such a line would split a paragraph or a list, it goes at the end of the line before
    instead (an inline comment), ahead of any trailing hard-break spaces or backslash."""
    if source.kind not in ("html", "markdown"):
        return None
    comment = f"<!-- kmlint-disable-next-line {finding.rule} -- {reason} -->"
    text = source.text
    line_start = finding.start - (finding.column - 1)
    opening = text.rfind("<", 0, line_start)
    if opening > text.rfind(">", 0, line_start) and _TAG_START.match(text, opening):
        return None  # a tag (an attribute value) continued from an earlier line: no comment fits there
    line_text = source.lines.line_text(finding.line)
    if source.kind == "markdown" and finding.line > 1:
        block = doc.blocks[doc.block_index(finding.doc_start)]
        if block.scope in ("title", "meta"):
            return None  # front matter is YAML
        previous = source.lines.line_text(finding.line - 1)
        if "|" in line_text and ("|" in previous or line_text.lstrip(" \t>").startswith("|")):
            return None  # a table row: a comment line would end the table, an inline one add a cell
        continues_block = source.lines.position(doc.source_span(block.start, block.start + 1)[0])[0] < finding.line
        if previous.strip() and (continues_block or _MARKDOWN_LIST_ITEM.match(line_text)) and not _MARKDOWN_SYNTAX_LINE.match(previous):
            kept = previous.rstrip(" \t")
            kept = (kept[:-1] if kept.endswith("\\") else kept).rstrip(" \t")
            previous_start = line_start - len(_break_before(text, line_start)) - len(previous)
            return previous_start + len(kept), " " + comment
    prefix_match = (_MARKDOWN_PREFIX if source.kind == "markdown" else _INDENTATION).match(line_text)
    prefix = prefix_match.group() if prefix_match else ""
    newline = _break_before(text, line_start) if line_start else _first_break(text)
    return line_start, prefix + comment + newline


def _break_before(text: str, line_start: int) -> str:
    """The line break that ends just before `line_start` (a line's first offset, not the first line's)."""
    return "\r\n" if line_start >= 2 and text[line_start - 2 : line_start] == "\r\n" else text[line_start - 1 : line_start]


def _first_break(text: str) -> str:
    """The line break a file uses (its first one), "\\n" when it has none."""
    found = _ANY_BREAK.search(text)
    return found.group() if found else "\n"
