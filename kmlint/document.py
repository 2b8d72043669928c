"""Documents: the prose of one source as normalized text, split into blocks, with an exact map back to source offsets."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Callable, Hashable, Iterator, TypeVar

from kmlint import cache

_Answer = TypeVar("_Answer")

SCOPES = ("title", "heading", "body", "meta", "alt")

# Whitespace of every kind becomes one plain space (1:1), then runs collapse to one space.
_SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_OTHER_SPACES = _SPACES.replace(" ", "")
# Characters that vanish: soft hyphen, zero-width space/joiners, word joiner, BOM, Mongolian vowel separator.
_IGNORABLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_SPECIAL = re.compile("  +|[" + _IGNORABLE + "]+")
_IGNORABLE_ONLY = re.compile("[" + _IGNORABLE + "]+")

# Folding for matching only (1:1, so matching text and display text share offsets): quotes,
# hyphens and dashes, and the one character whose lower case is two characters (U+0130).
_FOLDS = {
    **{ch: "'" for ch in "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07`\u00b4"},
    **{ch: '"' for ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"},
    **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"},
    "\u0130": "i",
}


def fold(text: str) -> str:
    """The matching form of already space-normalized text: same length, lower case, plain quotes and hyphens."""
    # str.replace per character present beats str.translate (a dict lookup per character) tenfold.
    for char, plain in _FOLDS.items():
        if char in text:
            text = text.replace(char, plain)
    return lower(text)


_ASCII_BYTES = bytes(range(128))


def lower(text: str) -> str:
    """text.lower(), in half the time for the commonest text: ASCII but for a few characters
    without case (a copyright sign, a middle dot). One such character sends str.lower down its
    slow path for the whole string; bytes.lower changes ASCII letters only, so lowering the UTF-8
    bytes gives the same string when no other character has a lower case of its own."""
    if text.isascii():
        return text.lower()
    encoded = text.encode("utf-8", "surrogatepass")
    others = encoded.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")  # whole sequences: their bytes are all non-ASCII
    if any(char.lower() != char for char in set(others)):
        return text.lower()
    return encoded.lower().decode("utf-8", "surrogatepass")


def plain_spaces(text: str) -> str:
    """Every kind of whitespace as one plain space each (same length)."""
    for char in _OTHER_SPACES:
        if char in text:  # a scan in C; a regular expression tests each character in turn, far slower
            text = text.replace(char, " ")
    return text


def normalize_phrase(text: str) -> str:
    """The matching form of a phrase written in a rule: spaces collapsed, ignorables dropped, folded."""
    return " ".join(normalize_piece(text).split())


def normalize_piece(text: str) -> str:
    """A part of a phrase in its matching form, spaces as they are: ignorables dropped, folded."""
    return fold(_IGNORABLE_ONLY.sub("", plain_spaces(text)))


@dataclass(frozen=True, slots=True)
class Block:
    """A run of prose that sentences never cross: a paragraph, heading, list item, title, meta or alt text."""

    start: int
    end: int
    scope: str


# How a run of the OffsetMap maps its document characters to the source.
_REPLACED = 0  # all of them stand for the run's whole source range (an entity, a collapsed space)
_VERBATIM = 1  # one document character per source character
_LINES = 2  # as _VERBATIM, but a line break ("\n") stands for a word break at the start of the next line


class OffsetMap:
    """Maps document-text offsets to source offsets, as runs: each run is either copied verbatim
    (one document character per source character), maybe across line breaks that stand for word
    breaks, or replaces a source range (an entity, a collapsed whitespace run) as a whole."""

    __slots__ = ("_runs", "_doc_starts", "_source")

    def __init__(self, runs: list[int], source: str) -> None:
        # Four numbers per run, in one flat list, as the DocumentBuilder collects them (it extends
        # the list itself: a method call per run cost more than the rest of the run): document
        # start, source start, source end, and how it maps (_REPLACED, _VERBATIM, _LINES), in
        # document order. A _LINES run is a paragraph's lines in one run, not a run per line and
        # one per line break: the source tells where its line breaks are.
        self._runs = runs
        self._doc_starts = runs[0::4]
        self._source = source

    def _run(self, index: int) -> int:
        """Where in `_runs` the run holding document character `index` starts."""
        return (bisect.bisect_right(self._doc_starts, index) - 1) * 4

    def start(self, index: int) -> int:
        """Source offset where document character `index` begins."""
        at = self._run(index)
        runs = self._runs
        if runs[at + 3]:
            offset = runs[at + 1] + index - runs[at]
            if runs[at + 3] == _LINES and self._source[offset] == "\n":
                return offset + 1  # the word break is the empty range where the next line starts
            return offset
        return runs[at + 1]

    def end(self, index: int) -> int:
        """Source offset just past document character `index`."""
        at = self._run(index)
        runs = self._runs
        if runs[at + 3]:
            return runs[at + 1] + index - runs[at] + 1
        return runs[at + 2]


_ABBREVIATIONS = "dr mr mrs ms prof st vs etc e.g i.e u.s u.k inc ltd co jr sr no fig approx dept mt ph.d m.d ca al".split()


def _after_no_abbreviation() -> str:
    """Look-behinds that fail after an abbreviation (Dr., e.g., U.S.: the whole run of word
    characters and dots before the period, in any case) or a single initial (a word character
    other than a digit or "_")."""
    by_length: dict[int, list[str]] = {1: [r"[^\W\d_]"]}
    for abbreviation in _ABBREVIATIONS:
        # Each letter in either case; "k" also as the Kelvin sign, the one other character whose
        # lower case (str.lower) is an ASCII letter.
        letters = "".join(f"[{c}{c.upper()}{chr(0x212A) * (c == 'k')}]" if c.isalpha() else re.escape(c) for c in abbreviation)
        by_length.setdefault(len(abbreviation), []).append(letters)
    # `re` needs each look-behind to have one width: one per length.
    return "".join(rf"(?<!(?<![\w.])(?:{'|'.join(words)})\.)" for _, words in sorted(by_length.items()))


# A sentence break: a run of terminal marks (starting here: not after another one), closing
# quotes or brackets, spaces, then a capital or digit; a period alone not after an abbreviation.
# One expression per mark, each starting with it: `re` finds a literal first character with a
# fast scan, but tries a match at every character when an expression starts with a character
# class or a group (ten times the cost).
_TERMINAL = ".?!\u2026"
_SENTENCE_BREAK_TEXTS = {
    mark: rf"({re.escape(mark)}(?<![{_TERMINAL}]{re.escape(mark)})"
    + (rf"(?:[{_TERMINAL}]+|{_after_no_abbreviation()})" if mark == "." else rf"[{_TERMINAL}]*")
    + r""")["'\u2019\u201d)\]]*( +)(?=["'\u2018\u201c(\[]?[A-Z0-9])"""
    for mark in _TERMINAL
}


@lru_cache(maxsize=1)
def _sentence_breaks() -> dict[str, re.Pattern[str]]:
    """The sentence-break expressions, compiled through the start-up cache: `re` compiles the
    abbreviations' look-behinds in Python, which took milliseconds of every run."""
    texts = list(_SENTENCE_BREAK_TEXTS.values())
    compiled = cache.compiled_patterns(cache.key("sentence breaks", *texts), lambda: texts)
    breaks = {mark: pattern for mark, pattern in zip(_SENTENCE_BREAK_TEXTS, compiled, strict=True) if pattern is not None}
    assert len(breaks) == len(texts)  # written for `re`, which reads each one
    return breaks


_SENTENCE_REACH = 400  # characters either side of the words; a real sentence rarely needs more


@dataclass(frozen=True, slots=True)
class Document:
    """The prose of one source: `text` for display, `folded` for matching (same length), blocks, and the offset map."""

    text: str
    folded: str
    blocks: tuple[Block, ...]
    offsets: OffsetMap = field(repr=False, compare=False)
    directives: tuple[tuple[int, str], ...] = ()
    links: tuple[tuple[int, int], ...] = ()  # document spans of link text (a cited source, for hedges)
    _block_starts: list[int] = field(init=False, repr=False, compare=False)
    _sentence_starts: list[int] = field(init=False, repr=False, compare=False)  # every block's, worked out when first asked
    _sentences: dict[tuple[int, int], tuple[int, int]] = field(init=False, repr=False, compare=False)  # see sentence
    _link_ends: list[int] = field(init=False, repr=False, compare=False)
    # `folded` with every hyphen a space: what the phrase tries read (see terms.TRIE_SPACE).
    spaced: str = field(init=False, repr=False, compare=False)
    _remembered: dict[Hashable, Any] = field(init=False, repr=False, compare=False)  # see remembered

    def __post_init__(self) -> None:
        object.__setattr__(self, "spaced", hyphens_as_spaces(self.folded))
        object.__setattr__(self, "_block_starts", [block.start for block in self.blocks])
        object.__setattr__(self, "_sentence_starts", [])
        object.__setattr__(self, "_sentences", {})
        object.__setattr__(self, "_remembered", {})
        object.__setattr__(self, "_link_ends", [end for _, end in self.links])

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source offsets (start, exclusive end) of document text [start, end)."""
        return self.offsets.start(start), self.offsets.end(end - 1)

    def block_index(self, position: int) -> int:
        return bisect.bisect_right(self._block_starts, position) - 1

    def links_overlapping(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The spans of link text that overlap document text [start, end) (links are in order and never overlap)."""
        links = self.links
        index = bisect.bisect_right(self._link_ends, start)
        while index < len(links) and links[index][0] < end:
            yield links[index]
            index += 1

    def __getstate__(self) -> list[Any]:
        # What rules asked of the text (see `remembered`) is keyed by their matchers, which hold
        # compiled patterns: a document sent to another process (--jobs, for reports that show
        # the prose) goes without it.
        return [{} if item.name == "_remembered" else getattr(self, item.name) for item in fields(self)]

    def remembered(self, key: Hashable, work: Callable[[], _Answer]) -> _Answer:
        """work(), done once per document for each key: what rules ask of its text again and again."""
        try:
            return self._remembered[key]  # type: ignore[no-any-return]
        except KeyError:
            answer = self._remembered[key] = work()
            return answer

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The bounds of the sentence(s) holding document text [start, end), never crossing a block."""
        # Asked again for most words: by the rule that found them, whether they are a claim, and
        # the finding (its context).
        known = self._sentences.get((start, end))
        if known is not None:
            return known
        block = self.blocks[self.block_index(start)]
        starts = self._sentence_starts
        if not starts:
            starts += _find_sentence_starts(self.text, self._block_starts)
        low = starts[bisect.bisect_right(starts, start) - 1]  # a block's start is a sentence start: never before it
        last = bisect.bisect_left(starts, end)
        high = min(starts[last], block.end) if last < len(starts) else block.end
        # Text with no sentence break for thousands of characters (a minified page, a 5 MB line)
        # is not prose: the "sentence" is cut, at a space, to some way either side of the words,
        # or every search in it (hedges, exceptions, claim terms) would make the file quadratic.
        if start - low > _SENTENCE_REACH:
            cut = self.text.find(" ", start - _SENTENCE_REACH, start)
            low = cut + 1 if cut >= 0 else start
        if high - end > _SENTENCE_REACH:
            cut = self.text.rfind(" ", end, end + _SENTENCE_REACH)
            high = cut if cut >= 0 else end
        bounds = self._sentences[start, end] = (low, high)
        return bounds


def hyphens_as_spaces(folded: str) -> str:
    """Folded text as the phrase tries and the scanner's automaton read it: each hyphen a space (same length)."""
    return folded.replace("-", " ")


def _find_sentence_starts(text: str, block_starts: list[int]) -> list[int]:
    """Sentence starts in a document, in order: each block's start, and each sentence break's end
    (no break crosses a block: blocks are separated by a line break, and a break needs a space)."""
    expressions = _sentence_breaks()
    breaks = [match.end() for mark in _TERMINAL if mark in text for match in expressions[mark].finditer(text)]
    return sorted(block_starts + breaks)  # a few runs in order, which sorted() merges


@lru_cache(maxsize=1024)
def _plain_replacement(text: str) -> str:
    """Text that stands for a source range (a decoded entity or escape; the same few come again and
    again), with plain spaces and no ignorable characters."""
    return _IGNORABLE_ONLY.sub("", plain_spaces(text))


class DocumentBuilder:
    """Collects prose from an extractor, piece by piece, and builds the Document.

    Extractors call `text` for source characters kept as they are, `replaced` for a source range
    that stands for other text (an entity, an escape), `space` for markup that separates words,
    and `block` to end a block (paragraph, heading, ...). Whitespace is collapsed here, once.
    """

    def __init__(self, source: str):
        self._source = source
        # Every kind of whitespace as a plain space, once for the whole source (not per piece).
        self._spaced = plain_spaces(source)
        self._ignorables = any(char in source for char in _IGNORABLE)
        self._parts: list[str] = []
        self._length = 0
        self._runs: list[int] = []  # the OffsetMap's runs, four numbers each
        self._blocks: list[Block] = []
        self._block_start = 0
        self._pending_space: tuple[int, int] | None = None
        self._directives: list[tuple[int, str]] = []
        self._links: list[tuple[int, int]] = []
        self._link_start: int | None = None

    @property
    def length(self) -> int:
        """How many characters of document text there are so far."""
        return self._length

    # -- pieces ---------------------------------------------------------------------------

    def text(self, start: int, end: int) -> None:
        """Keep source[start:end] as prose (whitespace in it is normalized)."""
        chunk = self._spaced[start:end]
        words = chunk.strip(" ")
        if not words:
            if chunk:
                self.space(start, end)  # only whitespace, such as indentation between tags
            return
        if "  " in words or (self._ignorables and _IGNORABLE_ONLY.search(words)):
            # Runs of spaces and ignorable characters cut the chunk into pieces that have none.
            position = start
            for special in _SPECIAL.finditer(self._spaced, start, end):
                self.text(position, special.start())
                if special.group()[0] == " ":
                    self.space(special.start(), special.end())
                position = special.end()
            self.text(position, end)
            return
        # The commonest case: words with single spaces between them, none around them (str.strip
        # gives the string itself when there is nothing to strip; where it does not, the general
        # case below keeps the same).
        if words is chunk:
            self._keep(start, end, words, _VERBATIM)
            return
        # Words with single spaces between them and spaces around them.
        first = start + len(chunk) - len(chunk.lstrip(" ")) if chunk[0] == " " else start
        self._keep_words(start, end, first, words, _VERBATIM)

    def lines(self, start: int, end: int) -> None:
        """Keep source[start:end], lines separated by "\\n" alone, as prose: each line as `text` keeps
        it, with a word break at the start of each line after the first (Markdown's soft breaks)."""
        chunk = self._spaced[start:end]
        words = chunk.strip(" ")
        source = self._source
        if not words or "  " in chunk or source[start] == "\n" or source[end - 1] == "\n" or (self._ignorables and _IGNORABLE_ONLY.search(words)):
            # Spaces next to a line break, an empty line, a run of spaces, ignorable characters:
            # line by line.
            line_start = start
            line_break = source.find("\n", start, end)
            while line_break >= 0:
                self.text(line_start, line_break)
                line_start = line_break + 1
                self.space(line_start, line_start)
                line_break = source.find("\n", line_start, end)
            self.text(line_start, end)
            return
        # The common case (a paragraph's lines of words), in one step whatever the number of lines:
        # words with single spaces or line breaks between them, maybe one space at either end.
        # Line by line would keep the same text (a line break is a space in _spaced) with a run
        # per line and one per word break; one _LINES run maps each character the same way.
        if words is chunk:  # no space at either end (as in text)
            self._keep(start, end, words, _LINES)
            return
        self._keep_words(start, end, start + 1 if chunk[0] == " " else start, words, _LINES)

    def replaced(self, start: int, end: int, text: str) -> None:
        """Source[start:end] stands for `text` (a decoded entity or escape)."""
        text = _plain_replacement(text)
        if not text:
            return
        if text.isspace():
            self.space(start, end)
            return
        self._keep(start, end, text, _REPLACED)

    def space(self, start: int, end: int) -> None:
        """Words are separated here (whitespace or markup such as <br>); collapses with neighbours."""
        if self._length > self._block_start and self._pending_space is None:
            self._pending_space = (start, end)

    def block(self, scope: str = "body") -> None:
        """End the current block; the text so far becomes one block with `scope`."""
        self._pending_space = None
        length = self._length
        if length > self._block_start:
            self._blocks.append(Block(self._block_start, length, scope))
            # A line break separates blocks in the document text: no rule pattern may cross it.
            self._runs += (length, 0, 0, _REPLACED)
            self._parts.append("\n")
            length = self._length = length + 1
        self._block_start = length

    def directive(self, source_offset: int, comment: str) -> None:
        """Record a comment that may hold a kmlint directive (suppressions)."""
        self._directives.append((source_offset, comment))

    def link_start(self) -> None:
        """Link text begins here (an HTML <a href> or a Markdown link)."""
        self._link_start = self._length

    def link_end(self) -> None:
        if self._link_start is not None and self._length > self._link_start:
            self._links.append((self._link_start, self._length))
        self._link_start = None

    def build(self, scope: str = "body") -> Document:
        self.block(scope)
        text = "".join(self._parts)
        return Document(text, fold(text), tuple(self._blocks), OffsetMap(self._runs, self._source), tuple(self._directives), tuple(self._links))

    # -- internals ------------------------------------------------------------------------

    def _keep_words(self, start: int, end: int, first: int, words: str, mapping: int) -> None:
        """Keep `words`, which start at `first` in source[start:end]: the spaces around them separate words."""
        if first > start:
            self.space(start, first)
        last = first + len(words)
        self._keep(first, last, words, mapping)
        if last < end:
            self._pending_space = (last, end)  # what `space` would do: text was just kept

    def _keep(self, start: int, end: int, text: str, mapping: int) -> None:
        """Add `text` for source[start:end], mapped to it as `mapping` says (see OffsetMap), after
        the pending word break if there is one."""
        length = self._length
        pending = self._pending_space
        if pending is not None:
            self._pending_space = None
            self._runs += (length, pending[0], pending[1], _REPLACED)
            self._parts.append(" ")
            length += 1
        self._runs += (length, start, end, mapping)
        self._parts.append(text)
        self._length = length + len(text)
