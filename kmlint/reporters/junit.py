"""The JUnit reporter: JUnit XML for CI dashboards, one testcase per file, failing when the file has findings."""

from __future__ import annotations

import re
from collections import Counter
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from kmlint.findings import FileResult, Finding
from kmlint.reporters import ReportContext, Summary, counted, severity_counts

# Characters XML 1.0 cannot carry at all, even as references (XML 1.0 §2.2); they become U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def xml_attribute(text: str) -> str:
    # quoteattr keeps tabs and line breaks as references, so they survive attribute normalization.
    return quoteattr(_NOT_XML.sub("\ufffd", text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def finding_line(finding: Finding) -> str:
    return (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.severity} {finding.rule}[{finding.name}] "
        f"{finding.message}\n    suggestion: {finding.suggestion}\n"
    )


class JunitReporter:
    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.cases: list[str] = []
        self.failures = 0
        self.errors = 0

    def file(self, result: FileResult) -> None:
        name = xml_attribute(result.path)
        outcome: list[str] = []
        broken = [d for d in result.diagnostics if d.level == "error"]
        counts = severity_counts(Counter(f.severity for f in result.findings))
        findings = "".join(finding_line(f) for f in result.findings)
        # A testcase has one outcome: a file not (fully) checked is an error, whatever was found in it.
        if broken:
            self.errors += 1
            message = "; ".join(d.message for d in broken)
            body = "".join(f"{d}\n" for d in broken) + findings
            outcome.append(f'      <error type="kmlint" message={xml_attribute(message)}>{xml_text(body)}</error>\n')
        elif result.findings:
            self.failures += 1
            message = f"{counted(len(result.findings), 'problem')} ({counts})"
            outcome.append(f'      <failure type="kmlint" message={xml_attribute(message)}>{xml_text(findings)}</failure>\n')
        notes = "".join(f"{d}\n" for d in result.diagnostics if d.level != "error")
        if notes:
            outcome.append(f"      <system-err>{xml_text(notes)}</system-err>\n")
        case = f'    <testcase classname="kmlint" name={name} file={name}'
        if outcome:
            self.cases.append(f"{case}>\n{''.join(outcome)}    </testcase>\n")
        else:
            self.cases.append(f"{case}/>\n")

    def finish(self, summary: Summary) -> None:
        counts = f'tests="{len(self.cases)}" failures="{self.failures}" errors="{self.errors}"'
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(f'<testsuites name="kmlint" {counts}>\n')
        self.stream.write(f'  <testsuite name="kmlint" {counts} skipped="0">\n')
        self.stream.writelines(self.cases)
        self.stream.write("  </testsuite>\n</testsuites>\n")
