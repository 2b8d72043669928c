"""Rule regular expressions read before they run: shapes that backtrack exponentially, and the literal words every match starts with."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from re import _constants as _re_constants  # type: ignore[attr-defined]
from re import _parser as _re_parser  # type: ignore[attr-defined]
from typing import Any, Iterator

import regex

from kmlint import cache

# -- patterns that can backtrack catastrophically -----------------------------------------------
# Rule files are untrusted. A group repeated without bound that itself repeats without bound,
# (a+)+, or whose alternatives can start with the same character, (a|aa)*, can take exponential
# time on text that almost matches. The time limit stops such a pattern at run time; rejecting
# it at load time tells the rule's author which pattern and how to fix it. Deliberately narrow:
# only these two shapes, and never inside atomic groups or under possessive quantifiers.
_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})([?+]?)")
_UNBOUNDED = re.compile(r"[*+]|\{\d*,\}")
_FLAGS_ONLY = re.compile(r"\(\?[a-zA-Z-]+\)")
_GROUP_OPENING = re.compile(r"\((?:\?(?:[:>|=!]|<[=!]|P?<\w+>|'\w+'|[a-zA-Z-]+:))?")
_NO_FIRST = ""  # a branch whose first character is not known (it starts with a group or may be empty)
# Atomic groups and lookarounds: the engine never backtracks into them.
_OPAQUE = ("(?>", "(?=", "(?!", "(?<=", "(?<!")
# Characters tried against two alternatives' first atoms to see whether they overlap.
_PROBES = string.ascii_lowercase + string.digits + string.punctuation + " \t\n\u00e9\u00df\u2019\u4e00"


@dataclass
class _Group:
    opening: str
    start: int
    unbounded: bool = False  # holds a repetition without an upper bound
    firsts: list[str] = field(default_factory=list)  # first atom of each finished alternative
    first: str | None = None  # first atom of the alternative being read (None: nothing yet)
    text: str = ""  # the whole group, once closed


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` can take exponential time (a repeated group that repeats, or repeated
    alternatives that overlap), or None."""
    stack = [_Group("", 0)]
    last: str | _Group | None = None  # the item a quantifier would apply to
    last_is_first = False  # ... and it is the first atom of its alternative
    position = 0
    while position < len(pattern):
        group = stack[-1]
        char = pattern[position]
        quantifier = _QUANTIFIER.match(pattern, position)
        if quantifier and last is not None:
            text = quantifier.group()
            possessive = quantifier.group(1) == "+"
            unbounded = not possessive and _UNBOUNDED.match(text) is not None
            if unbounded and isinstance(last, _Group) and not last.opening.startswith(_OPAQUE):
                if last.unbounded:
                    return f"{last.text}{text} repeats a group that itself repeats without bound"
                overlap = _overlapping(last.firsts)
                if overlap:
                    return f"{last.text}{text} repeats alternatives that can both start with {overlap!r}"
            group.unbounded |= unbounded
            if last_is_first and (text[0] in "*?" or text.startswith(("{0", "{,"))):
                group.first = _NO_FIRST  # an optional first atom: the alternative may start later
            last = None
            position = quantifier.end()
            continue
        if char == "\\":
            end = position + 2
            if pattern[position + 1 : position + 2] in ("p", "P", "N", "x", "u", "U") and pattern[end : end + 1] == "{":
                end = pattern.find("}", end) + 1 or len(pattern)
            atom = pattern[position:end]
        elif char == "[":
            end = _class_end(pattern, position)
            atom = pattern[position:end]
        elif char == "(":
            flags = _FLAGS_ONLY.match(pattern, position)
            if flags or pattern.startswith("(?#", position):
                position = flags.end() if flags else (pattern.find(")", position) + 1 or len(pattern))
                continue
            opening = _GROUP_OPENING.match(pattern, position)
            assert opening is not None
            stack.append(_Group(opening.group(), position))
            last = None
            position = opening.end()
            continue
        elif char == ")" and len(stack) > 1:
            closed = stack.pop()
            closed.text = pattern[closed.start : position + 1]
            closed.firsts.append(closed.first or _NO_FIRST)
            parent = stack[-1]
            if not closed.opening.startswith(_OPAQUE):
                parent.unbounded |= closed.unbounded
            if parent.first is None:
                parent.first = _NO_FIRST
            last, last_is_first = closed, False
            position += 1
            continue
        elif char == "|":
            group.firsts.append(group.first or _NO_FIRST)
            group.first = None
            last = None
            position += 1
            continue
        elif char in "^$":
            last = None
            position += 1
            continue
        else:
            end = position + 1
            atom = char
        last_is_first = group.first is None
        if last_is_first:
            group.first = atom
        last = atom
        position = end
    return None


def _overlapping(firsts: list[str]) -> str | None:
    """A character two of the alternatives can both start with, if any."""
    seen: set[str] = set()
    for first in firsts:
        if first == _NO_FIRST:
            continue
        matched = _first_characters(first)
        common = seen & matched
        if common:
            return min(common)
        seen |= matched
    return None


@lru_cache(maxsize=1024)
def _first_characters(atom: str) -> frozenset[str]:
    try:
        compiled = regex.compile(atom, regex.VERSION0)
    except regex.error:
        return frozenset()
    return frozenset(char for char in _PROBES if compiled.fullmatch(char))


# -- the literal words a match starts with ------------------------------------------------------
# A pattern such as \b(?:relief|improv(?:es|ed))\b[^.]{0,50}?\bwithin hours is tried by the regex
# engine at every position of a document, and its opening alternation costs as much as the whole
# trie of phrases. When every match must start with one of a few hundred literal words, the
# scanner finds those words in its single trie pass and tries the pattern only where they occur.
MAX_LEADING_WORDS = 500
# Leading words of more characters than this are few enough in any text: the trie need not hold more.
SELECTIVE_LENGTH = 12
_SPECIAL_CHARACTERS = frozenset(".^$*+?{}[]()|\\")
# A word break as the trie reads one (a space, a hyphen or nothing), as template expressions write
# it (and as a rule may), and what stands for it in the texts while they are read. The trie itself
# reads text whose hyphens are spaces, and writes it " ?" (terms.TRIE_SPACE).
TRIE_JOINER = "[ -]?"
_TRIE_JOINERS = (TRIE_JOINER, "[- ]?")
_OPTIONAL_JOINER = "\0"
# Where a phrase ends, as the trie ends it: after a word character, not before another.
PHRASE_END = r"(?:(?<=\w)(?!\w)|(?<!\w))"


class _NotLiteral(Exception):
    """The part of the pattern being read is not a finite set of literal texts."""


def leading_words(pattern: str) -> list[str] | None:
    """The literal texts every match of `pattern` starts with, or None when that is not known.

    Known for a pattern that opens with \\b and a word character, then literal characters, groups
    of alternatives, optional ? items, \\b between words and the trie's word breaks ([ -]?): as much
    of that as gives at most MAX_LEADING_WORDS texts (and no more than makes each longer than
    SELECTIVE_LENGTH), each cut back to its last whole word unless what follows cannot continue
    the word (see _ends_word)."""
    if not pattern.startswith(r"\b") or _OPTIONAL_JOINER in pattern or _has_top_level_alternation(pattern):
        return None
    try:
        texts, stop = _sequence(pattern, 2, inside_group=False)
    except _NotLiteral:
        return None
    ends_word = _ends_word(pattern, stop)
    words = []
    for text in texts:
        if text and is_word_character(text[-1]) and not ends_word:
            # The pattern may go on with more of the same word ("improv" then [a-z]*): keep only
            # whole words, which the trie wants to see end.
            text = text[: max((i for i, char in enumerate(text) if not is_word_character(char)), default=-1) + 1]
        # The trie takes a space as optional: "can " is "can" then a space. A word break as the trie
        # reads one, last, is kept: the trie finds "fast relief " in "fast relief-now" and in
        # "fast reliefnow" (after a space at the end a phrase need not end a word).
        words.append(text.rstrip(" ").replace(_OPTIONAL_JOINER, " "))
        if not words[-1] or not is_word_character(text[0]):
            return None
    return list(dict.fromkeys(words))


# One character that is not a word character, as written in a class: whitespace and \W, an
# escaped symbol, or a symbol other than "\", "]" and "-" (a range such as " -~" holds letters).
_NON_WORD_MEMBER = r"(?:\\[sWtnrfv]|\\[^\w]|[^\w\\\]\-])"
# An item that matches only characters that cannot continue a word: \s, \W, a space, or a class
# of such characters ([ ], [ ,;-]) that is not negated.
_NON_WORD_ITEM = re.compile(rf"\\[sW]|\\? |\[(?!\^)-?{_NON_WORD_MEMBER}+-?\]")
_MAY_BE_EMPTY = re.compile(r"[?*]|\{0*[,}]")  # a quantifier that allows no repetition: ?, *, {0,n}, {,n}


def _ends_word(pattern: str, position: int) -> bool:
    """Whether what follows the leading words at `position` ends their last word: \\b, or an item
    that matches at least one character that is not a word character (\\s, \\s+, [ ]; not \\s?,
    after which the word may go on)."""
    if pattern.startswith((r"\b", PHRASE_END), position):
        return True
    item = _NON_WORD_ITEM.match(pattern, position)
    return item is not None and not _MAY_BE_EMPTY.match(pattern, item.end())


def _sequence(pattern: str, position: int, inside_group: bool) -> tuple[list[str], int]:
    """The texts a run of items can match, from `position` up to the end of its group (inside a
    group, where anything not literal raises) or the first item that is not literal (at the top).
    At the top, a \\b between literal items takes no text ("patients\\b tolerate"); one before
    anything else ends the run there, where _ends_word reads it."""
    texts = [""]
    while position < len(pattern) and not (inside_group and pattern[position] in "|)"):
        if not inside_group and all(text.endswith((" ", _OPTIONAL_JOINER)) and len(text) > SELECTIVE_LENGTH for text in texts):
            break  # long enough to find few places to try the pattern at, and each at a word break
        boundary = not inside_group and pattern.startswith(r"\b", position)
        if boundary and position + 2 == len(pattern):
            break
        step = _step(pattern, position + 2 if boundary else position, inside_group, len(texts))
        if step is None:
            break
        choices, position = step
        texts = [text + choice for text in texts for choice in choices]
    return texts, position


def _step(pattern: str, position: int, inside_group: bool, count: int) -> tuple[list[str], int] | None:
    """The texts of the item at `position` (with its quantifier) and where it ends, when a run of
    `count` texts goes on through it; None when the run stops before it."""
    item = _item(pattern, position)
    if item is None:
        if inside_group:
            raise _NotLiteral
        return None
    choices, after = item
    quantifier = pattern[after : after + 1]
    if quantifier == "?":
        choices = [*choices, ""]
        after += 1 + (pattern[after + 1 : after + 2] in ("?", "+"))  # lazy or possessive: the same texts
    elif quantifier and quantifier in "*+{":
        if inside_group:
            raise _NotLiteral
        return None
    if count * len(choices) > MAX_LEADING_WORDS:
        if inside_group:
            raise _NotLiteral
        return None  # enough to go on: the texts so far
    return choices, after


def _item(pattern: str, position: int) -> tuple[list[str], int] | None:
    """The texts of the one item at `position` and where it ends, or None when it is not literal."""
    char = pattern[position]
    if pattern.startswith(_TRIE_JOINERS, position):
        return [_OPTIONAL_JOINER], position + 5
    if char == "\\":
        escaped = pattern[position + 1 : position + 2]
        if not escaped or escaped.isalnum():
            return None  # a class (\s, \d), an assertion (\b) or a code (\x41): not read here
        return [escaped], position + 2
    if char == "(":
        if pattern.startswith("(?:", position):
            position += 3
        elif pattern.startswith("(?", position):
            return None  # lookarounds, atomic and named groups, flags
        else:
            position += 1
        choices: list[str] = []
        try:
            while True:
                texts, position = _sequence(pattern, position, inside_group=True)
                choices += texts
                if position >= len(pattern):
                    return None
                position += 1
                if pattern[position - 1] == ")":
                    return choices, position
        except _NotLiteral:
            return None
    if char in _SPECIAL_CHARACTERS:
        return None
    return [char], position + 1


def _has_top_level_alternation(pattern: str) -> bool:
    return any(char == "|" and depth == 0 for char, depth in _structure(pattern))


def group_depth(pattern: str) -> int:
    """How deeply the groups of `pattern` nest (escapes and character classes left out)."""
    return max((depth for char, depth in _structure(pattern) if char == "("), default=0)


def _structure(pattern: str) -> Iterator[tuple[str, int]]:
    """The group brackets and "|" of `pattern`, outside escapes and character classes, each with
    the depth of groups it stands at (an opening bracket at the depth it opens)."""
    depth = 0
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = _class_end(pattern, position)
            continue
        if char == "(":
            depth += 1
            yield char, depth
        elif char == ")":
            depth -= 1
            yield char, depth
        elif char == "|":
            yield char, depth
        position += 1


def _class_end(pattern: str, position: int) -> int:
    """Where the character class opening at `position` ends (just past its "]"); a "]" first in
    the class, or escaped, is one of its characters."""
    end = position + 1 + (pattern[position + 1 : position + 2] == "^")
    end += pattern[end : end + 1] == "]"
    while end < len(pattern) and pattern[end] != "]":
        end += 2 if pattern[end] == "\\" else 1
    return end + 1


def is_word_character(char: str) -> bool:
    """What \\w matches in `re` and `regex` (a letter, digit or "_"); False for "" (no character)."""
    return char.isalnum() or char == "_"


# -- one pattern for several --------------------------------------------------------------------
# Group references and inline flags mean something else once patterns are joined.
_NOT_JOINABLE = re.compile(r"\\[1-9]|\\g<|\(\?P=|\(\?[a-zA-Z]*[aiLmsux][a-zA-Z]*[-)]")


def any_of(patterns: tuple[regex.Pattern[str], ...]) -> regex.Pattern[str] | None:
    """One pattern that matches somewhere in a text exactly when one of `patterns` does (their
    alternation), to ask that in one search rather than one per pattern; None when they cannot
    be joined (a group reference or an inline flag) or there is nothing to join."""
    if len(patterns) < 2 or any(_NOT_JOINABLE.search(pattern.pattern) for pattern in patterns):
        return patterns[0] if len(patterns) == 1 else None
    return _alternation("|".join(f"(?:{pattern.pattern})" for pattern in patterns))


@lru_cache(maxsize=256)
def _alternation(pattern: str) -> regex.Pattern[str] | None:
    # Rules share hedge lists: the same alternation is compiled once per run, not once per rule,
    # and kept in the start-up cache (compiling the pack's took a seventh of a second per run).
    entry = cache.key("alternation", pattern)
    compiled = cache.load("alternation", entry, remember=False)
    if isinstance(compiled, regex.Pattern) and compiled.pattern == pattern:
        return compiled
    try:
        compiled = regex.compile(pattern, regex.VERSION0)
    except regex.error:
        return None
    cache.store("alternation", entry, compiled, remember=False)
    return compiled


# -- the words a match holds further on ----------------------------------------------------------
# A pattern such as \b(?:results|studies)\b[^.]{0,40}\b(?:prove|proves)\b is tried wherever its
# leading words occur, and common leading words ("results") occur on every page. When every match
# also holds one of a few whole words further on, the scanner finds those in its trie pass too and
# tries the pattern only where one of them follows within the pattern's longest match.
MAX_FOLLOWING_WORDS = 200
# What stands for "no limit" as a match's longest span (a repetition without an upper bound).
UNBOUNDED_SPAN = 2**62
# Shorter words ("in", "is", "with") are on every line: finding them would cost more than it saves.
MIN_FOLLOWING_LENGTH = 5


def following_words(pattern: str) -> tuple[list[str], int] | None:
    """Whole words one of which every match of `pattern` holds after its start (not among its
    leading words), and the most characters a match spans (UNBOUNDED_SPAN when it has no limit);
    None when that is not known (the pattern reads otherwise in `re`, or ignores case)."""
    try:
        parsed = _re_parser.parse(pattern)
    except Exception:  # a pattern for the regex module that `re` reads otherwise, or not at all
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    span = min(parsed.getwidth()[1], UNBOUNDED_SPAN)
    best: list[str] | None = None
    items = list(parsed.data)
    position = 0
    while position < len(items):
        run_end = position
        texts = [""]
        while run_end < len(items):
            choices = _literal_choices(items[run_end])
            if choices is None or len(texts) * len(choices) > MAX_FOLLOWING_WORDS:
                break
            texts = [text + choice for text in texts for choice in choices]
            run_end += 1
        if run_end > position:
            if position > 0:  # the first run holds the leading words
                after = items[run_end] if run_end < len(items) else None
                words = _whole_words(items[position - 1], items[position], items[run_end - 1], after, texts)
                if words and min(map(len, words)) >= MIN_FOLLOWING_LENGTH and (best is None or _more_selective(words, best)):
                    best = words
            position = run_end
        else:
            position += 1
    return (best, span) if best else None


_OPTIONAL = (_re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT, _re_constants.POSSESSIVE_REPEAT)


def _literal_choices(item: tuple[object, object]) -> list[str] | None:
    """The texts one parsed item matches (a word boundary as "", an optional item with "" among
    them), or None."""
    op, value = item
    if op is _re_constants.LITERAL:
        return [chr(value)]  # type: ignore[arg-type]
    if op is _re_constants.AT and value is _re_constants.AT_BOUNDARY:
        return [""]
    if op is _re_constants.SUBPATTERN:
        return _literal_sequence(value[3])  # type: ignore[index]
    if op in _OPTIONAL and value[:2] == (0, 1):  # type: ignore[index]
        texts = _literal_sequence(value[2])  # type: ignore[index]
        return None if texts is None else [*texts, ""]
    if op is _re_constants.BRANCH:
        choices: list[str] = []
        for branch in value[1]:  # type: ignore[index]
            texts = _literal_sequence(branch)
            if texts is None:
                return None
            choices += texts
        return choices
    return None


def _literal_sequence(items: object) -> list[str] | None:
    texts = [""]
    for item in items:  # type: ignore[attr-defined]
        choices = _literal_choices(item)
        if choices is None or len(texts) * len(choices) > MAX_FOLLOWING_WORDS:
            return None
        texts = [text + choice for text in texts for choice in choices]
    return texts


def _whole_words(
    before: tuple[object, object], first: tuple[object, object], last: tuple[object, object], after: tuple[object, object] | None, texts: list[str]
) -> list[str] | None:
    """The texts of a run as words the trie finds: the run must start and end at a word boundary
    (\\b, a space it holds, or an item next to it that matches no word character, such as \\s),
    and hold a word in every text."""
    boundary = (_re_constants.AT, _re_constants.AT_BOUNDARY)
    starts = first == boundary or _breaks_words(before) or all(text.startswith(" ") for text in texts)
    ends = last == boundary or (after is not None and _breaks_words(after)) or all(text.endswith(" ") for text in texts)
    words = [text.strip(" ") for text in texts]
    if not (starts and ends) or not all(word and is_word_character(word[0]) and is_word_character(word[-1]) for word in words):
        return None
    return list(dict.fromkeys(words))


# What \s and \W stand for in a parsed class, and the same in `re`'s Unicode reading.
_NON_WORD_CATEGORIES = frozenset(
    getattr(_re_constants, name) for name in ("CATEGORY_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_UNI_SPACE", "CATEGORY_UNI_NOT_WORD")
)


def _breaks_words(item: tuple[Any, Any]) -> bool:
    """Whether a parsed item matches at least one character, each of which cannot be part of a
    word (\\s, \\W, \\s+, [ ,;]): a word ends before it and starts after it."""
    op, value = item
    if op in _OPTIONAL:
        low, _, body = value
        return bool(low >= 1 and len(body) == 1 and _breaks_words(body[0]))
    if op is _re_constants.LITERAL:
        return not is_word_character(chr(value))
    if op is _re_constants.IN:
        return bool(value) and all(
            (kind is _re_constants.CATEGORY and member in _NON_WORD_CATEGORIES) or (kind is _re_constants.LITERAL and not is_word_character(chr(member)))
            for kind, member in value
        )
    return False


def _more_selective(words: list[str], other: list[str]) -> bool:
    """Longer shortest word first (rarer in any text), then fewer words."""
    return (min(map(len, words)), -len(words)) > (min(map(len, other)), -len(other))
