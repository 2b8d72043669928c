"""The GitHub reporter: workflow commands (`::error file=..,line=..::message`) that Actions shows as annotations."""

from __future__ import annotations

from typing import TextIO

from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary, counted, rule_statistics, severity_counts

# Workflow commands know error, warning and notice (docs.github.com, "Workflow commands for GitHub Actions").
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus the `:` and `,` that delimit properties (`escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    fields = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {fields}::{escape_data(message)}\n"


def annotation(finding: Finding, quiet: bool = False) -> str:
    properties: dict[str, object] = {"file": finding.path, "line": finding.line}
    # The runner drops columns unless the annotation starts and ends on the same line.
    if finding.end_line == finding.line:
        properties.update(col=finding.column, endLine=finding.end_line, endColumn=finding.end_column)
    else:
        properties["endLine"] = finding.end_line
    properties["title"] = f"{finding.rule} {finding.name}"
    message = finding.message if quiet else f"{finding.message}\nSuggestion: {finding.suggestion}"
    return command(COMMANDS[finding.severity], properties, message)


class GithubReporter:
    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.context = context

    def file(self, result: FileResult) -> None:
        for finding in result.findings:
            self.stream.write(annotation(finding, self.context.quiet))
        for diagnostic in result.diagnostics:
            self.stream.write(command(diagnostic.level, {"file": diagnostic.path, "title": "kmlint"}, diagnostic.message))

    def finish(self, summary: Summary) -> None:
        # Plain lines are kept in the job log as they are; they are not annotations.
        write = self.stream.write
        if self.context.statistics:
            self.stream.writelines(rule_statistics(summary, self.context.rules))
        files = counted(summary.files, "file")
        if summary.findings:
            write(f"kmlint: {counted(summary.findings, 'problem')} ({severity_counts(summary.by_severity)}) in {files}.\n")
        else:
            write(f"kmlint: no problems in {files}.\n")
        if summary.failed:
            write(f"kmlint: {counted(summary.failed, 'file')} could not be checked.\n")
