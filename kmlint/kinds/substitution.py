"""The `substitution` kind: a phrase with a better wording, carried on the finding (and applied by --fix when safe)."""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.kinds.phrase import PhraseCheck
from kmlint.terms import phrase_key


class SubstitutionCheck(PhraseCheck):
    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        by_key = {phrase_key(phrase): replacement for phrase, replacement in self.rule.swap.items()}
        for start, end in hits.get("match", ()):
            if self.accepts(doc, start, end):
                yield Match(start, end, by_key.get(phrase_key(doc.folded[start:end])))
