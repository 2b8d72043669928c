"""Every shipped rule's own examples, one test per rule: each `flag` example gives that rule's finding, each `pass` example none."""

from __future__ import annotations

import pytest

from kmlint.engine import Linter
from kmlint.ruleset import builtin_rules_dir, load_rules
from kmlint.ruletest import example_findings
from kmlint.source import SourceFile

RULES = load_rules([builtin_rules_dir()])


@pytest.mark.parametrize("rule", RULES, ids=[f"{rule.id}-{rule.name}" for rule in RULES])
def test_rule_examples(rule):
    linter = Linter([rule])
    missed = [example for example in rule.flag_examples if not example_findings(linter, rule, example)]
    wrongly_flagged = [example for example in rule.pass_examples if example_findings(linter, rule, example)]
    assert not missed, f"{rule.id} did not flag: {missed}"
    assert not wrongly_flagged, f"{rule.id} flagged: {wrongly_flagged}"


@pytest.mark.parametrize("rule", RULES, ids=[f"{rule.id}-{rule.name}" for rule in RULES])
def test_span_examples_are_reported_inside_the_example(rule):
    """A flagged example's finding covers words of that example: positions survive the example run."""
    linter = Linter([rule])
    for example in rule.flag_examples:
        result = linter.check_source(SourceFile(path="<example>", text=example, kind="markdown"))
        for finding in result.findings:
            assert 0 <= finding.start < finding.end <= len(example)
            if not rule.is_document_rule:
                assert example[finding.start : finding.end] == finding.text, (rule.id, example)
