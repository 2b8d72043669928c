"""Terms: rule phrases and patterns, expanded and compiled; one shared scanner finds all of them in a document."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Hashable, Iterable, Iterator

import regex

from kmlint.document import Document, normalize_phrase

# A user-written regular expression gets this long (seconds) per document before it is abandoned.
REGEX_TIMEOUT = 2.0
MAX_VARIANTS = 5000
_ALTERNATION = re.compile(r"(\([^()]*\))")


class TermError(ValueError):
    """A phrase template or pattern that cannot be compiled; the loader adds file and line."""


def expand_phrase(template: str) -> list[str]:
    """Expand `(a|b|)` alternation groups of a phrase template into normalized literal phrases."""
    if template.count("(") != template.count(")"):
        raise TermError(f"unbalanced parentheses in phrase {template!r}")
    options = []
    count = 1
    for part in _ALTERNATION.split(template):
        if part.startswith("(") and part.endswith(")"):
            choices = part[1:-1].split("|")
        else:
            if "(" in part or ")" in part:
                raise TermError(f"nested parentheses in phrase {template!r}")
            choices = [part]
        options.append(choices)
        count *= len(choices)
        if count > MAX_VARIANTS:
            raise TermError(f"phrase {template!r} expands to more than {MAX_VARIANTS} variants")
    phrases = []
    for combination in itertools.product(*options):
        phrase = normalize_phrase("".join(combination))
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        raise TermError(f"phrase {template!r} is empty")
    return phrases


def phrase_key(text: str) -> str:
    """Phrases match whatever their words are joined by (space, hyphen or nothing): the key drops both."""
    return text.replace(" ", "").replace("-", "")


def compile_regex(pattern: str) -> regex.Pattern[str]:
    """Compile a rule's regular expression; it runs over folded (lower-case) text."""
    try:
        return regex.compile(pattern, regex.VERSION0)
    except regex.error as error:
        raise TermError(f"invalid regular expression {pattern!r}: {error}") from None


@dataclass(frozen=True, slots=True)
class TermSet:
    """Literal phrases (normalized) and regular expressions that one rule role looks for."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[regex.Pattern[str], ...] = ()
    links: bool = False  # link text counts as a match (a cited source); used by hedges only

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns or self.links)


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for many literal phrases, shaped as a trie so that each position
    follows a single path. Words may be joined by a space, a hyphen or nothing; a phrase starting
    or ending with a word character must start or end on a word boundary; longer phrases win."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for char in re.sub(r"[ -]+", " ", phrase):
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict], last: str) -> str:
        branches = []
        for char, child in sorted(node.items()):
            if char == "":
                continue
            step = "[ -]?" if char == " " else re.escape(char)
            branches.append(step + build(child, char))
        if "" in node:
            branches.append(r"(?!\w)" if _is_word(last) else "")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    word_starts = {c: n for c, n in root.items() if _is_word(c)}
    other_starts = {c: n for c, n in root.items() if c and not _is_word(c)}
    alternatives = []
    if word_starts:
        alternatives.append(r"(?<!\w)" + build(word_starts, ""))
    if other_starts:
        alternatives.append(build(other_starts, ""))
    return "|".join(alternatives) if alternatives else r"(?!x)x"


def _is_word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_")


class LocalMatcher:
    """Finds a TermSet inside a small window (a sentence): used for hedges and exceptions."""

    __slots__ = ("_literal", "_patterns", "_links")

    def __init__(self, terms: TermSet):
        self._literal = re.compile(trie_pattern(terms.phrases)) if terms.phrases else None
        self._patterns = terms.patterns
        self._links = terms.links

    def spans(self, doc: Document, start: int, end: int) -> Iterator[tuple[int, int]]:
        text = doc.folded
        if self._links:
            for link_start, link_end in doc.links:
                if link_start < end and start < link_end:
                    yield link_start, link_end
        if self._literal is not None:
            for match in self._literal.finditer(text, start, end):
                yield match.span()
        for pattern in self._patterns:
            for match in pattern.finditer(text, start, end, timeout=REGEX_TIMEOUT):
                yield match.span()

    def found(self, doc: Document, start: int, end: int) -> bool:
        return next(self.spans(doc, start, end), None) is not None


_INNER_WORD = re.compile(r"(?<=[ -])\w")


class Scanner:
    """Every literal phrase of every rule in one trie-shaped regex, scanned once per document;
    regular expressions are scanned one by one. Hits come back grouped by the tag each term was
    added with (a rule and its role)."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[Hashable]] = defaultdict(list)
        self._forms: set[str] = set()
        self._regexes: list[tuple[regex.Pattern[str], Hashable]] = []
        self._literal: re.Pattern[str] | None = None

    def add(self, terms: TermSet, tag: Hashable) -> None:
        for phrase in terms.phrases:
            self._forms.add(phrase)
            tags = self._by_key[phrase_key(phrase)]
            if tag not in tags:
                tags.append(tag)
        self._regexes.extend((pattern, tag) for pattern in terms.patterns)

    def compile(self) -> None:
        self._literal = re.compile(trie_pattern(sorted(self._forms))) if self._forms else None

    def scan(self, text: str) -> tuple[dict[Hashable, list[tuple[int, int]]], list[Hashable]]:
        """Hits by tag, and the tags whose regular expression ran past the time limit."""
        timed_out: list[Hashable] = []
        found: dict[Hashable, set[tuple[int, int]]] = defaultdict(set)
        literal = self._literal
        if literal is not None:
            for match in literal.finditer(text):
                self._literal_hits(match.start(), match.group(), found)
                # Phrases may overlap (one rule's phrase inside another's): look again at each
                # later word start inside the match.
                for inner in _INNER_WORD.finditer(text, match.start() + 1, match.end()):
                    again = literal.match(text, inner.start())
                    if again:
                        self._literal_hits(again.start(), again.group(), found)
        for pattern, tag in self._regexes:
            try:
                for match in pattern.finditer(text, timeout=REGEX_TIMEOUT):
                    if match.end() > match.start():
                        found[tag].add(match.span())
            except TimeoutError:
                timed_out.append(tag)
        return {tag: sorted(spans) for tag, spans in found.items()}, timed_out

    def _literal_hits(self, start: int, matched: str, found: dict[Hashable, set[tuple[int, int]]]) -> None:
        # The trie returns the longest phrase at `start`; shorter phrases ending on a word
        # boundary inside it are hits too (for other rules or roles).
        for cut in range(1, len(matched) + 1):
            if cut == len(matched) or matched[cut] in " -":
                for tag in self._by_key.get(phrase_key(matched[:cut]), ()):
                    found[tag].add((start, start + cut))
