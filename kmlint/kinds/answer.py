"""The `answer` kind: a yes-or-no question about the treatment, answered so that the answer makes the claim ("Is ketamine addictive? No.")."""

from __future__ import annotations

import re
from typing import Iterator, Mapping, Sequence

from kmlint.claims import yes_no_question
from kmlint.document import Document
from kmlint.kinds import Match, Span
from kmlint.ruleset import Rule
from kmlint.terms import TermSet, local_matcher

# The answer opens the next sentence and stands alone ("No.", "Absolutely not!", "Yes, ..."):
# "No one knows" or "Never before ..." answer nothing.
_STANDS_ALONE = r"(?=\s*(?:[.,!;:-]|$))"
_ANSWERS = {
    "no": re.compile(
        r"[\"'*\s-]*(?:no|nope|never|none|no way|not at all|not in the slightest|absolutely not|definitely not|certainly not|not really)" + _STANDS_ALONE
    ),
    "yes": re.compile(r"[\"'*\s-]*(?:yes|yep|absolutely|definitely|certainly|completely|totally|of course|indeed|without a doubt|100%)" + _STANDS_ALONE),
}
_LEADING = re.compile(r"[\"'*\s-]*")


class AnswerCheck:
    def __init__(self, rule: Rule):
        assert rule.answer is not None
        self.rule = rule
        self._answer = _ANSWERS[rule.answer]
        self._unless = local_matcher(rule.terms["unless"], not rule.built_in) if "unless" in rule.terms else None

    def roles(self) -> Mapping[str, TermSet]:
        return {"question": self.rule.terms["question"]}

    def evaluate(self, doc: Document, hits: Mapping[str, Sequence[Span]]) -> Iterator[Match]:
        answered: set[int] = set()
        for start, end in hits.get("question", ()):
            if doc.folded.find("?", start, doc.blocks[doc.block_index(start)].end) < 0:
                continue  # no question mark after the words in their block: not a question (and no sentence to work out)
            low, high = doc.sentence(start, end)
            if not yes_no_question(doc, low, high):
                continue
            at = self._next_sentence(doc, high)
            if at is None or at in answered:
                continue
            answer = self._answer.match(doc.folded, at)
            if answer is None:
                continue
            answered.add(at)
            words_start = _LEADING.match(doc.folded, at)
            assert words_start is not None
            if self.rule.scope is not None and doc.blocks[doc.block_index(at)].scope not in self.rule.scope:
                continue
            if self._unless is not None:
                answer_low, answer_high = doc.sentence(at, answer.end())
                if self._unless.found(doc, answer_low, answer_high):
                    continue
            yield Match(words_start.end(), answer.end())

    @staticmethod
    def _next_sentence(doc: Document, high: int) -> int | None:
        """Where the sentence after the one ending at `high` starts: in the same block, or the next block
        (an FAQ's question is often a heading and its answer the paragraph after it)."""
        index = doc.block_index(max(high - 1, 0))
        block = doc.blocks[index]
        if high < block.end:
            return high
        if index + 1 < len(doc.blocks):
            return doc.blocks[index + 1].start
        return None
