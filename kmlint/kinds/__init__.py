"""Rule kinds: each turns one Rule into a Check that says what to scan for and judges the hits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Protocol, Sequence

from kmlint.document import Document
from kmlint.ruleset import Rule
from kmlint.terms import TermSet

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Match:
    """Words a rule flags, as document-text offsets; `replacement` for substitutions."""

    start: int
    end: int
    replacement: str | None = None


class Check(Protocol):
    """A compiled rule: the terms the shared scanner looks for, by role, and the judgement."""

    rule: Rule

    def roles(self) -> Mapping[str, TermSet]: ...

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]: ...


def _registry() -> dict[str, Callable[[Rule], Check]]:
    from kmlint.kinds.answer import AnswerCheck
    from kmlint.kinds.claim import ClaimCheck
    from kmlint.kinds.phrase import PhraseCheck
    from kmlint.kinds.require import RequireCheck
    from kmlint.kinds.substitution import SubstitutionCheck

    return {
        "phrase": PhraseCheck,
        "substitution": SubstitutionCheck,
        "claim": ClaimCheck,
        "require": RequireCheck,
        "answer": AnswerCheck,
    }


def compile_rule(rule: Rule) -> Check:
    return _registry()[rule.kind](rule)
