"""The text reporter: `path:line:col: severity ID[name] message`, the line with carets, the suggestion, a summary."""

from __future__ import annotations

from typing import TextIO

from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary, counted, rule_statistics, severity_counts

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
        line, column, end_column = _excerpt(finding)
        carets = " " * (column - 1) + "^" * max(end_column - column, 1)
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
        if self.context.statistics:
            self.stream.writelines(rule_statistics(summary, self.context.rules))
        files = counted(summary.files, "file")
        if summary.findings:
            write(self._paint(f"Found {counted(summary.findings, 'problem')} ({severity_counts(summary.by_severity)}) in {files}.", "bold") + "\n")
        else:
            # A file that could not be checked is never counted as clean.
            write(self._paint(f"No problems found in {counted(summary.files - summary.failed, 'file')}.", "green") + "\n")
        if summary.failed:
            write(self._paint(f"{counted(summary.failed, 'file')} could not be checked.", "error") + "\n")


# A longer line (a minified page, a 5 MB line) is shown as an excerpt around the finding: the
# whole line once per finding would make the report many times the size of the file.
_LONGEST_LINE = 240
_CONTEXT = 60


def _excerpt(finding: Finding) -> tuple[str, int, int]:
    """The line to show, with the finding's start and end column in it (1-based, end exclusive)."""
    line = finding.source_line
    column = finding.column
    end_column = finding.end_column if finding.end_line == finding.line else len(line) + 1
    if len(line) > _LONGEST_LINE:
        start = max(0, column - 1 - _CONTEXT)
        stop = min(len(line), column - 1 + min(end_column - column, _LONGEST_LINE - 2 * _CONTEXT) + _CONTEXT)
        before = "…" if start else ""
        line = before + line[start:stop] + ("…" if stop < len(line) else "")
        column += len(before) - start
        end_column = min(end_column + len(before) - start, len(line) + 1)
    # Tabs shown as one space keep the carets under the right code points.
    return line.replace("\t", " "), column, end_column
