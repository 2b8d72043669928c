"""The `claim` kind: named groups of terms that must all occur in one sentence; the finding spans the reported group."""

from __future__ import annotations

import bisect
from typing import Iterator, Mapping, Sequence

from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.kinds.phrase import PhraseCheck
from kmlint.terms import TermSet


class ClaimCheck(PhraseCheck):
    def roles(self) -> Mapping[str, TermSet]:
        return dict(self.rule.groups)

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        report = self.rule.report
        assert report is not None
        others = [name for name in self.rule.groups if name != report]
        if any(name not in hits for name in others):
            return
        for start, end in hits.get(report, ()):
            sentence_start, sentence_end = doc.sentence(start, end)
            if all(_has_hit_within(hits[name], sentence_start, sentence_end, start, end) for name in others):
                if self.accepts(doc, start, end):
                    yield Match(start, end)


def _has_hit_within(spans: Sequence[Span], low: int, high: int, start: int, end: int) -> bool:
    """A span inside [low, high) that is not the reported words themselves."""
    index = bisect.bisect_left(spans, (low, low))
    while index < len(spans) and spans[index][0] < high:
        span = spans[index]
        if span[1] <= high and not (span[0] >= start and span[1] <= end):
            return True
        index += 1
    return False
