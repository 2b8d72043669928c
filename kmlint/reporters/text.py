"""The text reporter: `path:line:col: severity ID[name] message`, the line with carets, the suggestion, a summary."""

from __future__ import annotations

from typing import TextIO

from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "bold": "\x1b[1m", "dim": "\x1b[2m", "green": "\x1b[32m"}
_RESET = "\x1b[0m"


class TextReporter:
    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.context = context

    def _paint(self, text: str, style: str) -> str:
        return f"{_COLORS[style]}{text}{_RESET}" if self.context.color else text

    def file(self, result: FileResult) -> None:
        write = self.stream.write
        for finding in result.findings:
            write(self.render(finding))
        for diagnostic in result.diagnostics:
            write(f"{self._paint(diagnostic.path, 'bold')}: {self._paint(diagnostic.level, diagnostic.level)}: {diagnostic.message}\n")

    def render(self, finding: Finding) -> str:
        head = (
            f"{self._paint(f'{finding.path}:{finding.line}:{finding.column}', 'bold')}: "
            f"{self._paint(finding.severity, finding.severity)} "
            f"{self._paint(finding.rule, 'bold')}[{finding.name}] {finding.message}\n"
        )
        if self.context.quiet:
            return head
        number = str(finding.line)
        gutter = " " * len(number)
        # Tabs shown as one space keep the carets under the right code points.
        line = finding.source_line.replace("\t", " ")
        width = (finding.end_column if finding.end_line == finding.line else len(line) + 1) - finding.column
        carets = " " * (finding.column - 1) + "^" * max(width, 1)
        suggestion = f"suggestion: {finding.suggestion}"
        if finding.replacement:
            suggestion = f"replace with: “{finding.replacement}”\n {gutter} = {suggestion}"
        return (
            head
            + f" {self._paint(number, 'dim')} | {line}\n"
            + f" {gutter} | {self._paint(carets, finding.severity)}\n"
            + f" {gutter} = {self._paint(suggestion, 'green')}\n\n"
        )

    def finish(self, summary: Summary) -> None:
        write = self.stream.write
        if self.context.statistics and summary.by_rule:
            for rule_id, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])):
                rule = self.context.rules.get(rule_id)
                write(f"{count:6}  {rule_id}  {rule.name if rule else ''}\n")
        files = _count(summary.files, "file")
        if summary.findings:
            counts = summary.by_severity
            parts = [_count(counts[level], level) for level in ("error", "warning", "info") if counts.get(level)]
            write(self._paint(f"Found {_count(summary.findings, 'problem')} ({', '.join(parts)}) in {files}.", "bold") + "\n")
        else:
            write(self._paint(f"No problems found in {files}.", "green") + "\n")
        if summary.failed:
            write(self._paint(f"{_count(summary.failed, 'file')} could not be checked.", "error") + "\n")


def _count(number: int, noun: str) -> str:
    plural = noun if number == 1 or noun == "info" else noun + "s"
    return f"{number} {plural}"
