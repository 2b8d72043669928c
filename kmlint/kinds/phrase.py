"""The `phrase` kind: literal phrases or patterns, cancelled by a surrounding exception or a hedge in the sentence."""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.ruleset import Rule
from kmlint.terms import TermSet, local_matcher


class PhraseCheck:
    def __init__(self, rule: Rule):
        self.rule = rule
        timed = not rule.built_in
        self._exceptions = local_matcher(rule.terms["exceptions"], timed) if "exceptions" in rule.terms else None
        self._unless = local_matcher(rule.terms["unless"], timed) if "unless" in rule.terms else None

    def roles(self) -> Mapping[str, TermSet]:
        return {"match": self.rule.terms["phrases"]}

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        for start, end in hits.get("match", ()):
            if self.accepts(doc, start, end):
                yield Match(start, end)

    def accepts(self, doc: Document, start: int, end: int, sentence: tuple[int, int] | None = None) -> bool:
        """In scope, not inside an exception phrase, and no hedge in its sentence (given when the
        caller has it already)."""
        rule = self.rule
        if rule.scope is not None and doc.blocks[doc.block_index(start)].scope not in rule.scope:
            return False
        if self._exceptions is None and self._unless is None:
            return True
        sentence_start, sentence_end = sentence or doc.sentence(start, end)
        if self._exceptions is not None:
            for ex_start, ex_end in self._exceptions.spans(doc, sentence_start, sentence_end):
                if ex_start <= start and end <= ex_end:
                    return False
        if self._unless is not None and self._unless.found(doc, sentence_start, sentence_end):
            return False
        return True
