"""The `require` kind: a page that triggers a caveat must mention it somewhere; one finding at the first trigger."""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.ruleset import Rule
from kmlint.terms import TermSet


class RequireCheck:
    def __init__(self, rule: Rule):
        self.rule = rule

    def roles(self) -> Mapping[str, TermSet]:
        return {"when": self.rule.terms["when"], "mentions": self.rule.terms["mentions"]}

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        triggers = hits.get("when")
        if not triggers or hits.get("mentions"):
            return
        # Blocks are not always in source order (meta and alt text come last): take the earliest in the source.
        start, end = min(triggers, key=lambda span: doc.source_span(*span)[0])
        yield Match(start, end)
