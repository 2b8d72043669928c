"""The SARIF reporter: one SARIF 2.1.0 log for code scanning and editors, with rule help and stable fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from kmlint import __version__
from kmlint.document import normalize_phrase
from kmlint.findings import Diagnostic, FileResult, Finding
from kmlint.reporters import ReportContext, Summary
from kmlint.ruleset import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# SARIF has no "info" level; "note" is its equivalent (SARIF 2.1.0 §3.27.10).
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Versioned so a change to what is hashed can never be mistaken for the same findings.
FINGERPRINT_KEY = "kmlintClaim/v1"
SOURCE_ROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict[str, str]:
    """A relative path stays relative to %SRCROOT% (forward slashes, percent-encoded); an absolute one becomes a file: URI."""
    if os.path.isabs(path):
        return {"uri": PurePath(path).as_uri()}
    posix = path.replace(os.sep, "/")
    # ":" is encoded too: in a relative reference's first segment it would read as a scheme.
    # os.fsencode: a file name that is not UTF-8 (held as surrogates) is quoted as its own bytes.
    return {"uri": quote(os.fsencode(posix), safe="/"), "uriBaseId": SOURCE_ROOT}


def fingerprints(findings: list[Finding], uri: str) -> list[str]:
    """One hash per finding from rule, path, normalized claim words and which occurrence of them it is.

    Line numbers are left out on purpose: an edit above a claim must not turn it into a new alert."""
    seen: dict[tuple[str, str], int] = {}
    hashes = []
    for finding in findings:
        key = (finding.rule, normalize_phrase(finding.text))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        material = "\x00".join((finding.rule, uri, key[1], str(occurrence)))
        hashes.append(hashlib.sha256(material.encode("utf-8")).hexdigest()[:32])
    return hashes


def _rule_template(text: str) -> str:
    """A per-finding template shown at rule level: the placeholders become an ellipsis."""
    return text.replace("{match}", "…").replace("{replacement}", "…")


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>#|~"})


def markdown_text(text: str) -> str:
    """Rule text as literal Markdown: its punctuation never turns into emphasis, links or HTML."""
    return text.translate(_MARKDOWN_SPECIAL)


def markdown_references(rule: Rule) -> str:
    """A rule's references as a Markdown list of links, with their dates."""
    return "\n".join(f"- [{markdown_text(ref.title)}](<{ref.url}>){f' ({markdown_text(ref.date)})' if ref.date else ''}" for ref in rule.references)


def help_uri(rule: Rule) -> str:
    """Where a rule is explained, for a link from a result or a diagnostic: its first reference."""
    return rule.references[0].url


def _humanize(name: str) -> str:
    return name.replace("-", " ").capitalize()


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    suggestion = _rule_template(rule.suggestion)
    swaps = [f"“{phrase}” → “{wording}”" for phrase, wording in rule.swap.items()]
    references = [f"{ref.title}{f' ({ref.date})' if ref.date else ''}: {ref.url}" for ref in rule.references]
    text = "\n\n".join(
        [
            f"Why it matters: {rule.rationale.strip()}",
            f"Safer wording: {suggestion}",
            *(["Replacements: " + "; ".join(swaps)] if swaps else []),
            "References:\n" + "\n".join(f"- {line}" for line in references),
        ]
    )
    markdown = "\n\n".join(
        [
            f"**Why it matters.** {markdown_text(rule.rationale.strip())}",
            f"**Safer wording.** {markdown_text(suggestion)}",
            *(["**Replacements.** " + markdown_text("; ".join(swaps))] if swaps else []),
            "**References.**\n" + markdown_references(rule),
        ]
    )
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": f"{_humanize(rule.name)} ({rule.category})"},
        "fullDescription": {"text": rule.rationale.strip()},
        "help": {"text": text, "markdown": markdown},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"category": rule.category, "tags": ["compliance", rule.category]},
    }


def _region(finding: Finding) -> dict[str, Any]:
    if finding.line == finding.end_line:
        snippet = finding.source_line[finding.column - 1 : finding.end_column - 1]
    else:
        # Only the first line of the source is at hand; a claim across lines is quoted as its words.
        snippet = finding.text
    return {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "snippet": {"text": snippet},
    }


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "level": diagnostic.level,
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(diagnostic.path)}}],
    }


class SarifReporter:
    def __init__(self, stream: TextIO, context: ReportContext):
        self.stream = stream
        self.rules = sorted(context.rules.values(), key=lambda rule: rule.id)
        self.rule_index = {rule.id: index for index, rule in enumerate(self.rules)}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []

    def file(self, result: FileResult) -> None:
        location = artifact_location(result.path)
        for finding, fingerprint in zip(result.findings, fingerprints(list(result.findings), location["uri"]), strict=True):
            self.results.append(self._result(finding, location, fingerprint))
        self.notifications.extend(_notification(d) for d in result.diagnostics)

    def _result(self, finding: Finding, location: dict[str, str], fingerprint: str) -> dict[str, Any]:
        result: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in self.rule_index:
            result["ruleIndex"] = self.rule_index[finding.rule]
        properties: dict[str, Any] = {"category": finding.category, "severity": finding.severity, "suggestion": finding.suggestion}
        if finding.replacement is not None:
            properties["replacement"] = finding.replacement
        result.update(
            {
                "level": LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": {"artifactLocation": dict(location), "region": _region(finding)}}],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
                "properties": properties,
            }
        )
        return result

    def finish(self, summary: Summary) -> None:
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "kmlint",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "rules": [rule_descriptor(rule) for rule in self.rules],
                }
            },
            # Columns count code points, as everywhere in kmlint (SARIF 2.1.0 §3.14.13).
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not summary.failed, "toolExecutionNotifications": self.notifications}],
            "results": self.results,
        }
        log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        json.dump(log, self.stream, indent=2, ensure_ascii=False)
        self.stream.write("\n")
