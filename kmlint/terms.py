"""Terms: rule phrases and patterns, expanded and compiled; one shared scanner finds all of them in a document."""

from __future__ import annotations

import bisect
import itertools
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterable, Iterator

import ahocorasick
import regex

from kmlint import cache, patterns
from kmlint.document import Document, hyphens_as_spaces, normalize_phrase, normalize_piece
from kmlint.patterns import PHRASE_END, TRIE_JOINER, any_of, backtracking_risk, following_words, group_depth, is_word_character, leading_words

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
# A template of kmlint's own pack whose (a|b) groups multiply to more phrases than this is matched
# as one regular expression, tried only where its first words occur, not as phrases in the trie:
# templates of thousands of phrases each made the trie five times larger (212,000 phrases), and
# start-up, memory and the scan with it.
TEMPLATE_PATTERN_MIN_PHRASES = 64
# Its first words must be this long at least: a template that opens with a common short word
# ("is", "the", "no") is tried in the trie, which turns such a start away faster than a regex.
_TEMPLATE_MIN_LEADING = 8
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
# The trie's word break. The trie reads text whose hyphens are spaces (Document.spaced), where
# TRIE_JOINER's "space, hyphen or nothing" is "space or nothing": 7 words of the compiled program
# instead of 11, and there is one per word break of every phrase.
TRIE_SPACE = " ?"


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


_JOINERS = re.compile(r"([ -]+)")


def template_pattern(template: str, phrases: list[str]) -> str | None:
    """A regular expression that matches in folded text just what the trie matches for `phrases`,
    the expansion of `template`, longer phrases first; None when the template is not of a shape
    read here (a phrase starting with a joiner or other than a word character, two joiners in a
    row, first words too many or too short to anchor it), and it stays expanded."""
    if not all(is_word_character(phrase[0]) for phrase in phrases):
        return None
    body = []
    ends = {"start"}  # what the text read so far may end with: nothing yet, a joiner or a word
    for part in _ALTERNATION.split(template):
        choices = part[1:-1].split("|") if part.startswith("(") else [part]
        alternatives = []
        next_ends = set()
        for choice in choices:
            pieces = _JOINERS.split(normalize_piece(choice))
            if pieces == [""]:
                alternatives.append("")
                next_ends |= ends
                continue
            if pieces[0] == "" and ends & {"start", "joiner"}:
                return None  # a joiner first, after a joiner or at the start: the trie reads one only
            alternatives.append("".join(TRIE_JOINER if index % 2 else re.escape(piece) for index, piece in enumerate(pieces)))
            next_ends.add("joiner" if pieces[-1] == "" else "word")
        ends = next_ends
        ordered = sorted(dict.fromkeys(alternatives), key=len, reverse=True)  # longer first, the empty one last
        body.append(ordered[0] if len(ordered) == 1 else "(?:" + "|".join(ordered) + ")")
    if ends != {"word"}:
        return None  # a joiner last, or an empty phrase
    pattern = r"\b" + "".join(body) + PHRASE_END
    words = leading_words(pattern)
    if words is None or min(map(len, words)) < _TEMPLATE_MIN_LEADING:
        return None
    compiled = re.compile(pattern)
    if not all(compiled.fullmatch(phrase) for phrase in phrases):
        return None  # not read as the trie reads it: keep the phrases
    return pattern


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
    templates: tuple[str, ...] = ()  # phrase templates too large for the trie, as expressions (see template_pattern)


# Characters in English text, commonest first: trie branches are tried in this order, so that a
# word start finds its branch after fewer tries (any order gives the same matches: the branches of
# a node start with different characters).
_COMMON_FIRST = {char: rank for rank, char in enumerate(" etaoinsrhldcumfpgwybvkxjqz0123456789-'")}


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for many literal phrases, shaped as a trie so that each position
    follows a single path, to match in text whose hyphens are spaces (Document.spaced). Words may
    be joined by a space (or hyphen) or nothing; a phrase starting or ending with a word character
    must start or end on a word boundary; longer phrases win."""
    root: _Trie = {}
    for phrase in phrases:
        node = root
        for char in re.sub(r"[ -]+", " ", phrase):
            node = node.setdefault(char, {})
        node[""] = {}

    conflicts = _merge_joined_readings(root)

    def branch_order(node: _Trie) -> list[tuple[str, _Trie]]:
        children = [(char, child) for char, child in node.items() if char]
        if id(node) in conflicts:  # the word break last: its joined reading is in the letters' branches
            return sorted(children, key=lambda item: (item[0] == " ", _COMMON_FIRST.get(item[0], len(_COMMON_FIRST)), item[0]))
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
                # After a word character, "not before another" is a word boundary: \b is two
                # words of the compiled program, (?!\w) eight, and there is one per phrase.
                branches.append(r"\b" if is_word_character(last) else "")
            done = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
            frames.pop()
            if not frames:
                return done
            parent_branches = frames[-1][4]
            parent_branches.append((TRIE_SPACE if last == " " else re.escape(last)) + done)

    word_starts = {c: n for c, n in root.items() if is_word_character(c)}
    other_starts = {c: n for c, n in root.items() if c and not is_word_character(c)}
    alternatives = []
    if word_starts:
        alternatives.append(r"(?<!\w)" + build(word_starts, ""))
    if other_starts:
        alternatives.append(build(other_starts, ""))
    return "|".join(alternatives) if alternatives else r"(?!x)x"


def _merge_joined_readings(root: _Trie) -> set[int]:
    """A word break may be nothing ("can not" matches "cannot"): where the next word after a break
    starts with a letter that also goes on without one ("cannot receive" and "can not"), the
    regular expression would take the first branch that matches, not the longest. Copy the joined
    reading into the letter's branch, so that a character leads into one branch only; the nodes
    where this was done, and those where a word break ends leading words ("advance " and
    "advancement"), try the word break last (their ids are returned)."""
    conflicts: set[int] = set()
    nodes = [root]
    while nodes:
        node = nodes.pop()
        joined = node.get(" ")
        if joined is not None:
            if "" in joined and len(node) > 1:  # leading words that end in a word break ("advance "), and "advancement"
                conflicts.add(id(node))
            for char, child in joined.items():
                if char and char in node:
                    conflicts.add(id(node))
                    _merge_trie(node[char], child)
        nodes.extend(child for char, child in node.items() if char)
    return conflicts


def _merge_trie(into: _Trie, other: _Trie) -> None:
    """Add the phrases of trie `other` to trie `into` (copied: `other` stays where it is too)."""
    pairs = [(into, other)]
    while pairs:
        target, source = pairs.pop()
        for char, child in source.items():
            if char in target:
                pairs.append((target[char], child))
            else:
                copy: _Trie = {}
                target[char] = copy
                pairs.append((copy, child))


def compile_trie(phrases: Iterable[str], entry: str | None = None) -> re.Pattern[str]:
    """re.compile(trie_pattern(phrases)) through the start-up cache: building and compiling the trie
    of a full rule pack takes seconds, loading it from the cache milliseconds. Kept under `entry`
    when the caller has a key that stands for the phrases (they are then read only to build it)."""
    if entry is None:
        forms = list(dict.fromkeys(phrases))  # the trie does not depend on their order: the same rules give the same key
        return cache.compiled_pattern(cache.key("trie", "\n".join(forms)), lambda: trie_pattern(forms))
    return cache.compiled_pattern(cache.key("trie", entry), lambda: trie_pattern(phrases))


def compile_templates(templates: Iterable[str]) -> list[re.Pattern[str]]:
    """The expressions of phrase templates (see template_pattern), compiled through the start-up cache."""
    compiled = plain_patterns(templates)
    return [pattern for pattern in compiled.values() if pattern is not None]  # `re` reads every one: it is made for it


def plain_patterns(sources: Iterable[str]) -> dict[str, re.Pattern[str] | None]:
    """Regular expressions compiled by `re` through the start-up cache, by their text; None for those
    `re` reads otherwise (see cache.compiled_patterns). `re` runs a pattern faster than the regex
    module, which the patterns of a user's rule file need for its time limit."""
    texts = list(dict.fromkeys(sources))
    if not texts:
        return {}
    return dict(zip(texts, cache.compiled_patterns(cache.key("plain", *texts), lambda: texts), strict=True))


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


@lru_cache(maxsize=1024)
def local_matcher(terms: TermSet, timed: bool = True) -> LocalMatcher:
    """The LocalMatcher of `terms`, one for all the rules that share them (most share a list of
    hedges), so that the answers a document remembers for it serve them all."""
    return LocalMatcher(terms, timed)


class LocalMatcher:
    """Finds a TermSet inside a small window (a sentence): used for hedges and exceptions."""

    __slots__ = ("_trie", "_templates", "_patterns", "_any_pattern", "_links", "_timed")

    def __init__(self, terms: TermSet, timed: bool = True):
        # The trie of the phrases (it reads Document.spaced) and the expressions of large templates
        # (they read Document.folded): literal text, untimed.
        self._trie = compile_trie(terms.phrases) if terms.phrases else None
        self._templates = compile_templates(terms.templates)
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
        if self._trie is not None:
            for match in self._trie.finditer(doc.spaced, start, end):
                yield match.span()
        for template in self._templates:
            for match in template.finditer(text, start, end):
                yield match.span()
        for pattern in self._patterns:
            matches = pattern.finditer(text, start, end, timeout=_time_left()) if self._timed else pattern.finditer(text, start, end)
            for match in matches:
                yield match.span()

    def found(self, doc: Document, start: int, end: int) -> bool:
        """Whether the terms occur in the window (what `spans` would yield any of, searched for
        directly), remembered by the document: a sentence is asked about once per rule with a hit
        in it, and rules share their hedges."""
        return doc.remembered((self, start, end), lambda: self._search(doc, start, end))

    def _search(self, doc: Document, start: int, end: int) -> bool:
        text = doc.folded
        if self._links and next(doc.links_overlapping(start, end), None) is not None:
            return True
        if self._trie is not None and self._trie.search(doc.spaced, start, end):
            return True
        if any(template.search(text, start, end) for template in self._templates):
            return True
        patterns = self._patterns if self._any_pattern is None else (self._any_pattern,)
        if self._timed:
            return any(pattern.search(text, start, end, timeout=_time_left()) for pattern in patterns)
        return any(pattern.search(text, start, end) for pattern in patterns)


# Where phrases end in a text the trie matched: (length, tags of those phrases, regexes they lead,
# regexes they are following words of).
_Cuts = tuple[tuple[int, tuple[Tag, ...], tuple[int, ...], tuple[int, ...]], ...]
# A phrase's opening, as the automaton that finds where phrases may start looks for it: its first
# words, up to this many letters and at most this many words. Longer openings turn away more
# false starts ("no" is everywhere, "no side" is not) but make the automaton larger.
_OPENING_LETTERS = 10
_OPENING_WORDS = 3


@dataclass(frozen=True, slots=True)
class _Index:
    """What a Scanner works out from its terms before it can scan, kept in the start-up cache
    (building it for a full rule pack took a third of a second on every run)."""

    by_key: dict[str, tuple[Tag, ...]]  # phrase key -> the tags of the phrases with that key
    anchors: dict[str, tuple[int, ...]]  # leading-word key -> the regular expressions it leads
    open_anchors: dict[str, tuple[int, ...]]  # the same, for leading words that end in a word break (see _read)
    anchored: tuple[bool, ...]  # for each regular expression, whether it has leading words
    follows: dict[str, tuple[int, ...]]  # following-word key -> the regular expressions whose matches hold it
    spans: tuple[int, ...]  # for each regular expression with following words, its longest match; else 0
    has_forms: bool  # whether there is anything for the trie to look for


# Marks a text the trie matched that ends inside a word, where only leading words that end in a
# word break can end (a character the folded text never holds).
_INSIDE_A_WORD = "\0"


class Scanner:
    """Every literal phrase of every rule in one trie-shaped regex, tried where an Aho-Corasick
    automaton finds a phrase may start; regular expressions are scanned one by one, each only where
    its leading words occur when it has some (see patterns.leading_words). Hits come back grouped
    by the tag each term was added with (a rule and its role)."""

    def __init__(self) -> None:
        self._added: list[tuple[TermSet, Tag, bool]] = []
        # Worked out by `compile` (see _Index): phrase key -> tags, leading-word key -> regexes.
        self._by_key: dict[str, tuple[Tag, ...]] = {}
        self._anchors: dict[str, tuple[int, ...]] = {}
        self._open_anchors: dict[str, tuple[int, ...]] = {}
        self._follows: dict[str, tuple[int, ...]] = {}
        self._spans: tuple[int, ...] = ()
        # Pattern, tag, anchored, timed: each term set's patterns, then its templates' expressions.
        self._regexes: list[tuple[regex.Pattern[str] | re.Pattern[str], Tag, bool, bool]] = []
        self._unanchored: list[int] = []  # indices into _regexes of those searched everywhere
        self._literal: re.Pattern[str] | None = None
        self._openings: ahocorasick.Automaton | None = None
        self._readings: dict[str, _Cuts] = {}  # see _read

    def add(self, terms: TermSet, tag: Tag, timed: bool = True) -> None:
        """Look for `terms`, reporting hits under `tag`; `timed`: their regular expressions come
        from a user's rule file and run under the time limit."""
        self._added.append((terms, tag, timed))

    def compile(self) -> None:
        entry = self._entry()
        index = cache.load("scanner", entry)
        if not isinstance(index, _Index) or len(index.anchored) != sum(len(t.patterns) + len(t.templates) for t, _, _ in self._added):
            index = self._index()
            cache.store("scanner", entry, index)
        self._by_key, self._anchors, self._open_anchors = index.by_key, index.anchors, index.open_anchors
        self._follows, self._spans = index.follows, index.spans
        self._regexes = self._runnable_regexes(index.anchored)
        self._unanchored = [number for number, anchored in enumerate(index.anchored) if not anchored]
        self._literal = compile_trie(self._forms(), entry) if index.has_forms else None
        self._openings = opening_automaton(self._forms(), entry) if index.has_forms else None
        self._readings.clear()

    def _entry(self) -> str | None:
        """The cache key of what `compile` works out: everything added, in order (the same rules
        give the same entry), and the limits that shape it."""
        added = [
            f"{tag!r} {timed}\0" + "\1".join(terms.phrases) + "\0" + "\1".join(terms.templates) + "\0" + "\1".join(p.pattern for p in terms.patterns)
            for terms, tag, timed in self._added
        ]
        return cache.key("scanner", str(patterns.MAX_LEADING_WORDS), *added)

    def _runnable_regexes(self, anchored: tuple[bool, ...]) -> list[tuple[regex.Pattern[str] | re.Pattern[str], Tag, bool, bool]]:
        """Each term set's patterns, then its templates' expressions: pattern, tag, anchored, timed.
        Tried where their leading words occur, the built-in rules' patterns (untimed) and the
        templates' expressions run in `re`, which starts a match faster; searched everywhere, a
        pattern runs in the regex module, which finds where one may start faster."""
        regexes: list[tuple[regex.Pattern[str] | str, Tag, bool]] = []
        for terms, tag, timed in self._added:
            regexes += [(pattern, tag, timed) for pattern in terms.patterns]
            regexes += [(template, tag, False) for template in terms.templates]
        sources = [pattern if isinstance(pattern, str) else pattern.pattern for pattern, _, _ in regexes]
        plain = plain_patterns(source for source, (_, _, timed), leads in zip(sources, regexes, anchored, strict=True) if leads and not timed)
        runnable: list[tuple[regex.Pattern[str] | re.Pattern[str], Tag, bool, bool]] = []
        for source, (pattern, tag, timed), leads in zip(sources, regexes, anchored, strict=True):
            fast = plain[source] if leads and not timed else None
            # A template's expression is made for `re`, and has leading words: it always has `fast`.
            assert fast is not None or not isinstance(pattern, str)
            runnable.append((fast or pattern, tag, leads, timed))
        return runnable

    @cached_property
    def _readings_of_regexes(self) -> list[tuple[list[str] | None, tuple[list[str], int] | None]]:
        """The leading words and the following words of each regular expression, in the order of
        _regexes (read only when the index, the trie or the automaton is not in the cache)."""
        return [
            (leading_words(source), following_words(source))
            for terms, _, _ in self._added
            for source in [pattern.pattern for pattern in terms.patterns] + list(terms.templates)
        ]

    @cached_property
    def _all_forms(self) -> list[str]:
        """What the trie looks for: every phrase, leading word and following word, first ones first."""
        seen: dict[str, None] = {}
        for terms, _, _ in self._added:
            seen.update(dict.fromkeys(terms.phrases))
        for leading, following in self._readings_of_regexes:
            seen.update(dict.fromkeys(leading or ()))
            seen.update(dict.fromkeys(following[0] if following else ()))
        return list(seen)

    def _forms(self) -> Iterator[str]:
        """_all_forms, worked out only if iterated: not when the trie and the automaton come from the cache."""
        yield from self._all_forms

    def _index(self) -> _Index:
        by_key: dict[str, list[Tag]] = defaultdict(list)
        for terms, tag, _ in self._added:
            for key in map(phrase_key, terms.phrases):
                tags = by_key[key]
                if tag not in tags:
                    tags.append(tag)
        anchors: dict[str, list[int]] = defaultdict(list)
        open_anchors: dict[str, list[int]] = defaultdict(list)
        follows: dict[str, list[int]] = defaultdict(list)
        anchored, spans = [], []
        for number, (leading, following) in enumerate(self._readings_of_regexes):
            for word in dict.fromkeys(leading or ()):
                (open_anchors if word.endswith(" ") else anchors)[phrase_key(word)].append(number)
            anchored.append(bool(leading))
            for key in dict.fromkeys(map(phrase_key, following[0] if following else ())):
                follows[key].append(number)
            spans.append(following[1] if following else 0)
        shared: dict[tuple[object, ...], tuple[object, ...]] = {}  # a few hundred distinct values: stored once each
        return _Index(
            {key: shared.setdefault(tuple(tags), tuple(tags)) for key, tags in by_key.items()},  # type: ignore[misc]
            {key: shared.setdefault(tuple(numbers), tuple(numbers)) for key, numbers in anchors.items()},  # type: ignore[misc]
            {key: shared.setdefault(tuple(numbers), tuple(numbers)) for key, numbers in open_anchors.items()},  # type: ignore[misc]
            tuple(anchored),
            {key: shared.setdefault(tuple(numbers), tuple(numbers)) for key, numbers in follows.items()},  # type: ignore[misc]
            tuple(spans),
            bool(by_key or anchors or open_anchors or follows),
        )

    def scan(self, text: str, spaced: str | None = None) -> tuple[dict[Tag, list[tuple[int, int]]], dict[Tag, str]]:
        """Hits by tag in folded `text`, and the tags whose regular expression failed, with why (it
        ran past the time limit or matched too often). `spaced`: hyphens_as_spaces(text), when the
        caller has it (Document.spaced)."""
        failed: dict[Tag, str] = {}
        timeout = regex_timeout(text)
        most_hits = MAX_PATTERN_HITS + len(text) // 100
        found: dict[Tag, set[tuple[int, int]]] = defaultdict(set)
        starts: dict[int, set[int]] = defaultdict(set)  # where each anchored regex may match
        following: dict[int, list[int]] = defaultdict(list)  # where each regex's following words start
        if self._literal is not None and self._openings is not None:
            if spaced is None:
                spaced = hyphens_as_spaces(text)  # as the automaton and the trie read it
            match, length = self._literal.match, len(text)
            # Where each text the trie matched starts: the same words recur on a page, so their
            # hits are handed out below once per text, not once per place.
            places: dict[str, list[int]] = defaultdict(list)
            # Where a phrase may start: the automaton runs in C, the trie is tried only there. No two
            # openings start at one place (one would begin with the other: see phrase_openings).
            for last, size in self._openings.iter(spaced):
                start = last - size + 1
                phrase = match(spaced, start)
                if not phrase:
                    continue
                matched = phrase.group()
                end = phrase.end()
                # It ends inside a word (leading words before a word break): see _read. (Inlined
                # is_word_character: this runs for every phrase found.)
                if end < length and (spaced[end].isalnum() or spaced[end] == "_") and (matched[-1].isalnum() or matched[-1] == "_"):
                    matched += _INSIDE_A_WORD
                places[matched].append(start)
            readings = self._readings
            for matched, at in places.items():
                # Where its phrases and leading words end (see _read).
                for cut, tags, leads, followed in readings.get(matched) or self._read(matched):
                    if tags:
                        hits = [(start, start + cut) for start in at]
                        for tag in tags:
                            found[tag].update(hits)
                    for index in leads:
                        starts[index].update(at)
                    for index in followed:
                        following[index] += at
        for index in sorted(starts.keys() | self._unanchored):
            pattern, tag, anchored, timed = self._regexes[index]
            if tag in failed:
                continue
            span = self._spans[index]
            if span and index not in following:
                continue  # none of the words its matches hold occurs
            spans = found[tag]
            try:
                if anchored:
                    candidates = sorted(starts[index])
                    if span:
                        candidates = _followed_within(candidates, sorted(following[index]), span)
                    matches = _matches_at(pattern, text, candidates, timeout if timed else None)
                elif timed:
                    assert isinstance(pattern, regex.Pattern)  # a user's pattern runs in the regex module, for its time limit
                    matches = pattern.finditer(text, timeout=timeout)
                else:
                    matches = pattern.finditer(text)
                for match in matches:
                    if match.end() > match.start():
                        spans.add(match.span())
                        if len(spans) > most_hits:
                            failed[tag] = f"a regular expression matched more than {most_hits} times"
                            break
            except TimeoutError:
                failed[tag] = f"a regular expression ran past its time limit ({timeout:.1f} s)"
        return {tag: sorted(spans) for tag, spans in found.items() if spans and tag not in failed}, failed

    def _read(self, matched: str) -> _Cuts:
        """Where phrases and leading words end in a text the trie matched, with their tags and
        regexes, worked out once per text (the same words recur on every page): the trie returns
        only the longest phrase at a position, and shorter ones ending inside it are hits too.
        Leading words that end in a word break ("fast relief ") may end inside a word: their
        regex may go on with the next word joined by nothing ("fast reliefnow"). `matched` ends in
        _INSIDE_A_WORD where the text goes on with the same word."""
        text = matched.removesuffix(_INSIDE_A_WORD)
        ends_a_word = text == matched
        cuts = []
        for end in range(1, len(text) + 1):
            key = phrase_key(text[:end])
            # A phrase ends where the trie ends one: not after a word break (the one a leading word
            # ends in), nor where the text goes on with the same word.
            whole = (_may_end_before(text, end) if end < len(text) else ends_a_word) and text[end - 1] not in " -"
            tags = self._by_key.get(key, ()) if whole else ()
            regexes = (self._anchors.get(key, ()) if whole else ()) + self._open_anchors.get(key, ())
            followed = self._follows.get(key, ()) if whole else ()
            if tags or regexes or followed:
                cuts.append((end, tags, regexes, followed))
        reading = self._readings[matched] = tuple(cuts)
        return reading


def _followed_within(starts: list[int], following: list[int], span: int) -> list[int]:
    """The starts (in order) with a following word (positions in order) at most `span` characters on."""
    return [start for start in starts if (at := bisect.bisect_left(following, start)) < len(following) and following[at] <= start + span]


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


def opening_automaton(phrases: Iterable[str], entry: str | None = None) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton of the phrases' openings, which reports each hit with its length,
    through the start-up cache (building it takes a fifth of a second for a full rule pack); kept
    under `entry` as compile_trie does."""
    if entry is None:
        phrases = list(dict.fromkeys(phrases))
        entry = cache.key("\n".join(phrases))
    entry = cache.key("openings", str(_OPENING_LETTERS), str(_OPENING_WORDS), entry or "")
    automaton = cache.load("openings", entry)
    if not _usable(automaton):
        automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for opening in phrase_openings(phrases):
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
