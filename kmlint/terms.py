"""Terms: rule phrases and patterns, expanded and compiled; one shared scanner finds all of them in a document."""

from __future__ import annotations

import itertools
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import ahocorasick
import regex

from kmlint import cache
from kmlint.document import Document, normalize_phrase
from kmlint.patterns import any_of, backtracking_risk, group_depth, is_word_character, leading_words

# Rule files are untrusted: a user-written regular expression gets this long (seconds) per
# document, plus a second per 2 million characters, before its rule is abandoned. The regex
# module may overrun a timeout two- or threefold, so the base is short; the shipped patterns
# take up to about 0.1 s per million characters, so large files leave them a wide margin.
REGEX_TIMEOUT = 0.5
_CHARACTERS_PER_EXTRA_SECOND = 2_000_000
# More hits than this for one pattern in one document, plus one per 100 characters, is a pattern
# that matches nearly anything (`.`, `\w`): its rule is abandoned before the hits fill the memory.
MAX_PATTERN_HITS = 100_000
MAX_VARIANTS = 5000
# A claim is a few words: the pack's longest phrase has 82 characters. Each character of a phrase
# can nest one group deeper in the trie-shaped regular expression, and Python's `re` parses and
# compiles groups by recursion (about 400 levels fit in its stack): 200 keeps a wide margin.
MAX_PHRASE_LENGTH = 200
# A rule's own regular expression may nest groups this deep (the regex module parses them by
# recursion too); the pack's deepest nest 3.
MAX_REGEX_DEPTH = 50
_SHOWN_LENGTH = 100
# What the scanner reports hits by: a rule's index in the run and the role of the terms.
Tag = tuple[int, str]
# A trie of characters: each key a character ("" marks the end of a phrase), each value the rest.
_Trie = dict[str, "_Trie"]
_ALTERNATION = re.compile(r"(\([^()]*\))")


class TermError(ValueError):
    """A phrase template or pattern that cannot be compiled; the loader adds file and line."""


def expand_phrase(template: str) -> list[str]:
    """Expand `(a|b|)` alternation groups of a phrase template into normalized literal phrases
    (with itertools.product: no recursion, whatever the number of groups or words)."""
    if template.count("(") != template.count(")"):
        raise TermError(f"unbalanced parentheses in phrase {shown(template)}")
    options = []
    count = 1
    for part in _ALTERNATION.split(template):
        if part.startswith("(") and part.endswith(")"):
            choices = part[1:-1].split("|")
        else:
            if "(" in part or ")" in part:
                raise TermError(f"nested parentheses in phrase {shown(template)}")
            choices = [part]
        options.append(choices)
        count *= len(choices)
        if count > MAX_VARIANTS:
            raise TermError(f"phrase {shown(template)} expands to more than {MAX_VARIANTS} variants")
    phrases = []
    for combination in itertools.product(*options):
        phrase = normalize_phrase("".join(combination))
        if len(phrase) > MAX_PHRASE_LENGTH:
            raise TermError(f"phrase {shown(phrase)} is longer than {MAX_PHRASE_LENGTH} characters; flag its key words instead")
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        raise TermError(f"phrase {shown(template)} is empty")
    return phrases


def shown(value: object) -> str:
    """`value` quoted for a one-line message (repr), cut short when long: a rule file can hold megabytes."""
    text = repr(value)
    return text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "..."


def phrase_key(text: str) -> str:
    """Phrases match whatever their words are joined by (space, hyphen or nothing): the key drops both."""
    return text.replace(" ", "").replace("-", "")


def compile_regex(pattern: str) -> regex.Pattern[str]:
    """Compile a rule's regular expression; it runs over folded (lower-case) text."""
    if group_depth(pattern) > MAX_REGEX_DEPTH:
        raise TermError(f"regular expression {shown(pattern)} nests groups more than {MAX_REGEX_DEPTH} deep")
    try:
        compiled = regex.compile(pattern, regex.VERSION0)
    except regex.error as error:
        raise TermError(f"invalid regular expression {shown(pattern)}: {error}") from None
    except Exception as error:  # the regex module raises more than regex.error on odd input: ValueError for (?V1)
        raise TermError(f"invalid regular expression {shown(pattern)}: {error}") from None
    risk = backtracking_risk(pattern)
    if risk:
        raise TermError(
            f"regular expression {shown(pattern)} can take exponential time: {risk}; match each character one way "
            "only, or make the group atomic (?>...) or its repetition possessive (*+, ++)"
        )
    return compiled


@dataclass(frozen=True, slots=True)
class TermSet:
    """Literal phrases (normalized) and regular expressions that one rule role looks for."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[regex.Pattern[str], ...] = ()
    links: bool = False  # link text counts as a match (a cited source); used by hedges only


# Characters in English text, commonest first: trie branches are tried in this order, so that a
# word start finds its branch after fewer tries (any order gives the same matches: the branches of
# a node start with different characters).
_COMMON_FIRST = {char: rank for rank, char in enumerate(" etaoinsrhldcumfpgwybvkxjqz0123456789-'")}


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for many literal phrases, shaped as a trie so that each position
    follows a single path. Words may be joined by a space, a hyphen or nothing; a phrase starting
    or ending with a word character must start or end on a word boundary; longer phrases win."""
    root: _Trie = {}
    for phrase in phrases:
        node = root
        for char in re.sub(r"[ -]+", " ", phrase):
            node = node.setdefault(char, {})
        node[""] = {}

    def branch_order(node: _Trie) -> list[tuple[str, _Trie]]:
        children = [(char, child) for char, child in node.items() if char]
        return sorted(children, key=lambda item: (_COMMON_FIRST.get(item[0], len(_COMMON_FIRST)), item[0]))

    def build(top: _Trie, top_last: str) -> str:
        # Depth first with a stack of its own, not by recursion: a phrase's length sets the depth.
        # A frame: the node, the character leading to it, its children in order, the next child
        # to build, and the regular expressions of the children built so far.
        frames: list[tuple[_Trie, str, list[tuple[str, _Trie]], list[int], list[str]]] = [(top, top_last, branch_order(top), [0], [])]
        done = ""
        while True:
            node, last, children, next_child, branches = frames[-1]
            if next_child[0] < len(children):
                char, child = children[next_child[0]]
                next_child[0] += 1
                frames.append((child, char, branch_order(child), [0], []))
                continue
            if "" in node:
                branches.append(r"(?!\w)" if is_word_character(last) else "")
            done = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
            frames.pop()
            if not frames:
                return done
            parent_branches = frames[-1][4]
            parent_branches.append(("[ -]?" if last == " " else re.escape(last)) + done)

    word_starts = {c: n for c, n in root.items() if is_word_character(c)}
    other_starts = {c: n for c, n in root.items() if c and not is_word_character(c)}
    alternatives = []
    if word_starts:
        alternatives.append(r"(?<!\w)" + build(word_starts, ""))
    if other_starts:
        alternatives.append(build(other_starts, ""))
    return "|".join(alternatives) if alternatives else r"(?!x)x"


def compile_trie(phrases: Iterable[str]) -> re.Pattern[str]:
    """re.compile(trie_pattern(phrases)) through the start-up cache: building and compiling the trie
    of a full rule pack takes seconds, loading it from the cache milliseconds."""
    forms = list(dict.fromkeys(phrases))  # the trie does not depend on their order: the same rules give the same key
    return cache.compiled_pattern(cache.key("trie", "\n".join(forms)), lambda: trie_pattern(forms))


def regex_timeout(text: str) -> float:
    """The time a rule's regular expression may take over `text`."""
    return REGEX_TIMEOUT + len(text) / _CHARACTERS_PER_EXTRA_SECOND


# The end of the time allowed to the rule being evaluated on the current document (set by the
# engine around each rule): patterns searched sentence by sentence must not add up to minutes
# over thousands of sentences, each under the limit.
_deadline: float | None = None


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Regular expressions searched by LocalMatchers inside this block share `seconds`; past
    them, TimeoutError is raised."""
    global _deadline
    previous, _deadline = _deadline, time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline = previous


def _time_left() -> float:
    if _deadline is None:
        return REGEX_TIMEOUT
    left = _deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("regular expression time limit reached")
    return left


class LocalMatcher:
    """Finds a TermSet inside a small window (a sentence): used for hedges and exceptions."""

    __slots__ = ("_literal", "_patterns", "_any_pattern", "_links", "_timed")

    def __init__(self, terms: TermSet, timed: bool = True):
        self._literal = compile_trie(terms.phrases) if terms.phrases else None
        self._patterns = terms.patterns
        # Whether a hedge occurs is asked for nearly every hit, and hedge lists hold several
        # patterns: one search for all of them costs a fifth of one search each.
        self._any_pattern = any_of(terms.patterns)
        self._links = terms.links
        self._timed = timed  # the patterns come from a user's rule file: each search is time-limited

    def spans(self, doc: Document, start: int, end: int) -> Iterator[tuple[int, int]]:
        text = doc.folded
        if self._links:
            yield from doc.links_overlapping(start, end)
        if self._literal is not None:
            for match in self._literal.finditer(text, start, end):
                yield match.span()
        for pattern in self._patterns:
            matches = pattern.finditer(text, start, end, timeout=_time_left()) if self._timed else pattern.finditer(text, start, end)
            for match in matches:
                yield match.span()

    def found(self, doc: Document, start: int, end: int) -> bool:
        """Whether the terms occur in the window (what `spans` would yield any of, searched for directly)."""
        text = doc.folded
        if self._links and next(doc.links_overlapping(start, end), None) is not None:
            return True
        if self._literal is not None and self._literal.search(text, start, end):
            return True
        patterns = self._patterns if self._any_pattern is None else (self._any_pattern,)
        if self._timed:
            return any(pattern.search(text, start, end, timeout=_time_left()) for pattern in patterns)
        return any(pattern.search(text, start, end) for pattern in patterns)


# Where phrases end in a text the trie matched: (length, tags of those phrases, regexes they lead).
_Cuts = tuple[tuple[int, tuple[Tag, ...], tuple[int, ...]], ...]
# A phrase's opening, as the automaton that finds where phrases may start looks for it: its first
# words, up to this many letters and at most this many words. Longer openings turn away more
# false starts ("no" is everywhere, "no side" is not) but make the automaton larger.
_OPENING_LETTERS = 10
_OPENING_WORDS = 3


class Scanner:
    """Every literal phrase of every rule in one trie-shaped regex, tried where an Aho-Corasick
    automaton finds a phrase may start; regular expressions are scanned one by one, each only where
    its leading words occur when it has some (see patterns.leading_words). Hits come back grouped
    by the tag each term was added with (a rule and its role)."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[Tag]] = defaultdict(list)
        # Leading words of regular expressions: phrase key -> indices into _regexes.
        self._anchors: dict[str, list[int]] = defaultdict(list)
        self._forms: dict[str, None] = {}  # a set in insertion order: the same rules give the same cache key
        self._regexes: list[tuple[regex.Pattern[str], Tag, bool, bool]] = []  # pattern, tag, anchored, timed
        self._literal: re.Pattern[str] | None = None
        self._openings: ahocorasick.Automaton | None = None
        self._readings: dict[str, _Cuts] = {}  # see _read

    def add(self, terms: TermSet, tag: Tag, timed: bool = True) -> None:
        """Look for `terms`, reporting hits under `tag`; `timed`: their regular expressions come
        from a user's rule file and run under the time limit."""
        self._forms.update(dict.fromkeys(terms.phrases))
        by_key = self._by_key
        for key in map(phrase_key, terms.phrases):
            tags = by_key[key]
            if tag not in tags:
                tags.append(tag)
        for pattern in terms.patterns:
            words = leading_words(pattern.pattern)
            if words:
                self._forms.update(dict.fromkeys(words))
                for key in dict.fromkeys(map(phrase_key, words)):
                    self._anchors[key].append(len(self._regexes))
            self._regexes.append((pattern, tag, bool(words), timed))

    def compile(self) -> None:
        self._literal = compile_trie(self._forms) if self._forms else None
        self._openings = opening_automaton(self._forms) if self._forms else None
        self._readings.clear()

    def scan(self, text: str) -> tuple[dict[Tag, list[tuple[int, int]]], dict[Tag, str]]:
        """Hits by tag, and the tags whose regular expression failed, with why (it ran past the
        time limit or matched too often)."""
        failed: dict[Tag, str] = {}
        timeout = regex_timeout(text)
        most_hits = MAX_PATTERN_HITS + len(text) // 100
        found: dict[Tag, set[tuple[int, int]]] = defaultdict(set)
        starts: dict[int, set[int]] = defaultdict(set)  # where each anchored regex may match
        if self._literal is not None and self._openings is not None:
            match, readings = self._literal.match, self._readings
            # Where a phrase may start: the automaton runs in C, the trie is tried only there.
            for start in {end - length + 1 for end, length in self._openings.iter(text.replace("-", " "))}:
                phrase = match(text, start)
                if phrase:
                    matched = phrase.group()
                    self._record(start, readings.get(matched) or self._read(matched), found, starts)
        for index, (pattern, tag, anchored, timed) in enumerate(self._regexes):
            if tag in failed:
                continue
            spans = found[tag]
            try:
                if anchored:
                    if index not in starts:
                        continue
                    matches = _matches_at(pattern, text, sorted(starts[index]), timeout if timed else None)
                else:
                    matches = pattern.finditer(text, timeout=timeout if timed else None)
                for match in matches:
                    if match.end() > match.start():
                        spans.add(match.span())
                        if len(spans) > most_hits:
                            failed[tag] = f"a regular expression matched more than {most_hits} times"
                            break
            except TimeoutError:
                failed[tag] = f"a regular expression ran past its time limit ({timeout:.1f} s)"
        return {tag: sorted(spans) for tag, spans in found.items() if spans and tag not in failed}, failed

    @staticmethod
    def _record(start: int, cuts: _Cuts, found: dict[Tag, set[tuple[int, int]]], starts: dict[int, set[int]]) -> None:
        for cut, tags, anchored in cuts:
            span = (start, start + cut)
            for tag in tags:
                found[tag].add(span)
            for index in anchored:
                starts[index].add(start)

    def _read(self, matched: str) -> _Cuts:
        """Where phrases and leading words end in a text the trie matched, with their tags and
        regexes, worked out once per text (the same words recur on every page): the trie returns
        only the longest phrase at a position, and shorter ones ending inside it are hits too."""
        ends = [end for end in range(1, len(matched)) if _may_end_before(matched, end)]
        ends.append(len(matched))
        cuts = []
        for end in ends:
            key = phrase_key(matched[:end])
            if key in self._by_key or key in self._anchors:
                cuts.append((end, tuple(self._by_key.get(key, ())), tuple(self._anchors.get(key, ()))))
        reading = self._readings[matched] = tuple(cuts)
        return reading


def _may_end_before(matched: str, end: int) -> bool:
    """Whether a shorter phrase may end at `end` inside a longer match: as the trie ends phrases,
    before any character that is not a word character (a joiner, and as well an apostrophe or
    punctuation: "repair the brain" inside "repair the brain's"), or after one that is not a joiner
    ("100%" inside "100%safe")."""
    after = matched[end]
    before = matched[end - 1]
    return not is_word_character(after) or (not is_word_character(before) and before not in " -")


def phrase_openings(phrases: Iterable[str]) -> list[str]:
    """What the start of each phrase looks like in folded text with hyphens read as spaces: its
    first words (see _OPENING_LETTERS), each word break either a space or nothing, as the trie
    takes them. An opening that begins with another is left out: it finds no other starts."""
    openings: set[str] = set()
    for phrase in phrases:
        if not phrase.strip(" -"):
            continue  # joiners alone ("-"): its opening would be empty and hide every other
        words = re.sub(r"[ -]+", " ", phrase).split(" ")
        count, letters = 1, len(words[0])
        while count < min(len(words), _OPENING_WORDS) and letters < _OPENING_LETTERS:
            letters += len(words[count])
            count += 1
        for breaks in itertools.product((" ", ""), repeat=count - 1):
            openings.add(words[0] + "".join(join + word for join, word in zip(breaks, words[1:count], strict=True)))
    kept: list[str] = []
    for opening in sorted(openings):  # an opening comes right after the ones it begins with
        if not kept or not opening.startswith(kept[-1]):
            kept.append(opening)
    return kept


def opening_automaton(phrases: Iterable[str]) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton of the phrases' openings, which reports each hit with its length,
    through the start-up cache (building it takes a fifth of a second for a full rule pack)."""
    forms = list(dict.fromkeys(phrases))
    entry = cache.key("openings", str(_OPENING_LETTERS), str(_OPENING_WORDS), "\n".join(forms))
    automaton = cache.load("openings", entry)
    if not _usable(automaton):
        automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for opening in phrase_openings(forms):
            automaton.add_word(opening)
        automaton.make_automaton()
        cache.store("openings", entry, automaton)
    return automaton


def _usable(automaton: object) -> bool:
    # An entry pickled by another version of pyahocorasick must not pass for an automaton.
    return (
        isinstance(automaton, ahocorasick.Automaton)
        and automaton.kind == ahocorasick.AHOCORASICK
        and automaton.store == ahocorasick.STORE_LENGTH
        and automaton.get_stats()["words_count"] > 0
    )


def _matches_at(pattern: regex.Pattern[str], text: str, starts: list[int], timeout: float | None) -> Iterator[regex.Match[str]]:
    """The matches pattern.finditer(text, timeout=timeout) finds, given (in order) every position
    where one can start."""
    deadline = None if timeout is None else time.monotonic() + timeout
    end = 0
    for start in starts:
        if start < end:
            continue  # inside the previous match: finditer goes on from its end
        if deadline is None:
            match = pattern.match(text, start)
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("regular expression time limit reached")
            match = pattern.match(text, start, timeout=left)
        if match:
            yield match
            end = match.end()
