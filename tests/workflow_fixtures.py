"""A small rule file of our own for the workflow tests (config, suppressions, baseline, fixes), so they
do not depend on the wording of the shipped rule pack; and a helper that runs `kmlint check` on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RULES = """\
rules:
  - id: TS101
    name: absolute-safety
    category: safety-absolute
    severity: error
    kind: phrase
    message: "“{match}” promises safety."
    suggestion: Say when and for whom it is safe.
    rationale: Test rule.
    references: [{title: Test, url: "https://example.org/"}]
    phrases: ["safe and non(-|)addictive", "risk(-|)free"]
    examples: {flag: [It is risk-free.], pass: [It is mostly fine.]}
  - id: TS201
    name: breakthrough
    category: hype
    severity: warning
    kind: phrase
    message: "“{match}” is hype."
    suggestion: Describe what it does.
    rationale: Test rule.
    references: [{title: Test, url: "https://example.org/"}]
    phrases: [breakthrough, "game(-|)changer"]
    examples: {flag: [A breakthrough.], pass: [A treatment.]}
  - id: TS202
    name: cutting-edge
    category: hype
    severity: info
    kind: substitution
    message: "“{match}” is a superlative."
    suggestion: "Write “{replacement}”."
    rationale: Test rule.
    references: [{title: Test, url: "https://example.org/"}]
    swap:
      "cutting(-|)edge": modern
      "state(-| )of(-| )the(-| )art": modern
    fix: safe
    examples: {flag: [A cutting-edge clinic.], pass: [A modern clinic.]}
  - id: TS301
    name: no-side-effects
    category: risk-minimizing
    severity: warning
    kind: substitution
    message: "“{match}” denies known risks."
    suggestion: "Write “{replacement}”."
    rationale: Test rule.
    references: [{title: Test, url: "https://example.org/"}]
    swap:
      "no side effects": "few side effects for most people"
    examples: {flag: [It has no side effects.], pass: [It has side effects.]}
"""


def write_rules(folder: Path) -> Path:
    path = folder / "test-rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@dataclass
class Checked:
    status: int
    findings: list[dict]
    diagnostics: list[dict]
    err: str

    @property
    def rules(self) -> list[str]:
        return [finding["rule"] for finding in self.findings]


def check_json(run_cli, rules: Path | None, *args: str) -> Checked:
    """`kmlint check --format json` without the shipped rules (the test rules given here, or by a
    config's `rules:` when `rules` is None); the report parsed."""
    extra = ("--rules", str(rules)) if rules is not None else ()
    result = run_cli("check", "--format", "json", "--jobs", "1", "--no-builtin-rules", *extra, *args)
    if result.status == 2 and not result.out:
        return Checked(result.status, [], [], result.err)
    report = json.loads(result.out)
    return Checked(result.status, report["findings"], report["diagnostics"], result.err)
