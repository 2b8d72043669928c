"""Claims, not mentions: the engine's one judgement of where a rule's words are claimed, for every span rule."""

from __future__ import annotations

import pytest

from kmlint.engine import Linter
from kmlint.ruleset import load_rules
from kmlint.source import SourceFile

RULES = """
rules:
  - id: T001
    name: instant-relief
    category: efficacy-overclaim
    severity: warning
    kind: phrase
    message: "“{match}”"
    suggestion: s
    rationale: r
    references: [{title: t, url: "https://example.org"}]
    phrases: [instant relief, "cure(s|) ptsd"]
    examples: {flag: [Instant relief.], pass: [Relief.]}
  - id: T002
    name: banned-word
    category: hype
    severity: info
    kind: phrase
    claims-only: false
    message: "“{match}”"
    suggestion: s
    rationale: r
    references: [{title: t, url: "https://example.org"}]
    phrases: [miracle]
    examples: {flag: ["Is it a miracle?"], pass: [Relief.]}
  - id: T003
    name: caveat
    category: missing-risk-disclosure
    severity: warning
    kind: require
    pages: promoting
    message: "“{match}”"
    suggestion: s
    rationale: r
    references: [{title: t, url: "https://example.org"}]
    when: [ketamine]
    mentions: [side effects]
    examples: {flag: [Ketamine infusions.], pass: [Ketamine has side effects.]}
"""


@pytest.fixture(scope="module")
def linter(tmp_path_factory) -> Linter:
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return Linter(load_rules([path]))


def rule_ids(linter: Linter, text: str) -> list[str]:
    return [f.rule for f in linter.check_source(SourceFile(path="page.md", text=text, kind="markdown")).findings]


@pytest.mark.parametrize(
    "text",
    [
        "Our infusions bring instant relief.",
        "Instant relief, every time",
        "How does ketamine cure PTSD?",  # presupposes the cure
        "Why do our patients feel instant relief?",
        "What makes it bring instant relief so often?",
        "Instant relief from depression?",  # a headline, not a question
        "We are proud of the instant relief our patients feel.",
        "Text with a line break: instant relief.",  # "text" is a call to action only as "text us"
        "Schedule III drugs can bring instant relief, our ads said.",
    ],
)
def test_claims_are_flagged(linter, text):
    assert "T001" in rule_ids(linter, text), text


@pytest.mark.parametrize(
    "text",
    [
        "Can ketamine bring instant relief?",
        "Is instant relief realistic?",
        "Does ketamine cure PTSD? Here is what the research says.",
        "So, will I feel instant relief?",
        "Book a consultation to learn whether instant relief is realistic for you.",
        "Call us today: instant relief may not be possible.",
        "- Schedule your visit for instant relief",
        "Some websites are promising instant relief, which no clinic can promise.",
        "It is a myth that ketamine cures PTSD.",
        "Beware of clinics that claim to offer instant relief.",
    ],
)
def test_mentions_are_not_flagged(linter, text):
    assert "T001" not in rule_ids(linter, text), text


def test_a_question_in_one_sentence_leaves_the_next_sentence_a_claim(linter):
    assert rule_ids(linter, "Does it work? Yes: instant relief, every time.") == ["T001"]


def test_claims_only_false_flags_mentions_too(linter):
    assert rule_ids(linter, "Is it a miracle?") == ["T002"]


def test_a_promoting_caveat_skips_pages_of_another_genre(linter):
    editorial = "Editorial: a city's new ketamine clinics need oversight.\n\nThe FDA warns that compounded ketamine carries risks."
    assert "T003" not in rule_ids(linter, editorial)
    clinic = "Ketamine infusions at our clinic. Book a consultation today."
    assert rule_ids(linter, clinic) == ["T003"]


def test_a_provider_voice_outweighs_a_passing_genre_word(linter):
    page = "Our clinic offers ketamine infusions; our team answers questions. Read the editorial we wrote for the local paper."
    assert rule_ids(linter, page) == ["T003"]
