"""The `claim` kind: named groups of terms that must all occur in one sentence; the finding spans the reported group."""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.kinds.phrase import PhraseCheck
from kmlint.ruleset import Rule
from kmlint.terms import LocalMatcher, TermSet, local_matcher


class ClaimCheck(PhraseCheck):
    def __init__(self, rule: Rule):
        super().__init__(rule)
        # Only the reported group is scanned over the whole document; the other groups (common
        # words such as "ketamine" or "depression") are looked for in the sentences around its hits.
        self._others = [local_matcher(terms, timed=not rule.built_in) for name, terms in rule.groups.items() if name != rule.report]

    def roles(self) -> Mapping[str, TermSet]:
        assert self.rule.report is not None
        return {self.rule.report: self.rule.groups[self.rule.report]}

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        assert self.rule.report is not None
        for start, end in hits.get(self.rule.report, ()):
            sentence_start, sentence_end = doc.sentence(start, end)
            if all(_elsewhere_in(group, doc, sentence_start, sentence_end, start, end) for group in self._others):
                if self.accepts(doc, start, end, (sentence_start, sentence_end)):
                    yield Match(start, end)


def _elsewhere_in(group: LocalMatcher, doc: Document, low: int, high: int, start: int, end: int) -> bool:
    """The group occurs in [low, high), other than inside the reported words themselves."""
    return any(not (span_start >= start and span_end <= end) for span_start, span_end in group.spans(doc, low, high))
