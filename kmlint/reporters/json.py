"""The JSON reporter: one object with every finding, a contract other tools (and the scorer) rely on."""

from __future__ import annotations

import json
from typing import TextIO

from kmlint import __version__
from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary

FIELDS = ("path", "line", "column", "end_line", "end_column", "rule", "name", "category", "severity", "message", "suggestion", "text")


def finding_json(finding: Finding) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(finding, name) for name in FIELDS}
    if finding.replacement is not None:
        data["replacement"] = finding.replacement
    return data


class JsonReporter:
    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.files: list[str] = []
        self.findings: list[Finding] = []
        self.diagnostics: list[dict[str, str]] = []

    def file(self, result: FileResult) -> None:
        self.files.append(result.path)
        self.findings.extend(result.findings)
        self.diagnostics.extend({"path": d.path, "level": d.level, "message": d.message} for d in result.diagnostics)

    def finish(self, summary: Summary) -> None:
        self.findings.sort(key=lambda f: f.sort_key)
        report = {
            "version": __version__,
            "files": self.files,
            "findings": [finding_json(f) for f in self.findings],
            "diagnostics": self.diagnostics,
            "summary": {
                "files": summary.files,
                "files_failed": summary.failed,
                "findings": summary.findings,
                "by_severity": dict(summary.by_severity),
                "by_rule": dict(sorted(summary.by_rule.items())),
            },
        }
        json.dump(report, self.stream, indent=2, ensure_ascii=False)
        self.stream.write("\n")
