"""Markdown extraction: CommonMark and GFM as pulldown-cmark (pyromark) parses them, each piece of prose kept at its source range."""

from __future__ import annotations

import bisect
import html
import re
from functools import lru_cache
from itertools import pairwise
from typing import Any, Iterable, Iterator

import pyromark

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.autolink import MARKS, addresses
from kmlint.extract.html import HIDDEN, RAW_TEXT, HtmlReader
from kmlint.extract.prose import add_prose

# GitHub's Markdown: CommonMark with tables, strikethrough, task lists and footnotes (extended
# autolinks are found in the text: pulldown-cmark leaves them to the reader, see autolink.py).
_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_FOOTNOTES
)
_PARSER = pyromark.Markdown(options=_OPTIONS)

# Inline elements: their start and end leave the words around them joined ("foo*bar*" is one word).
_INLINE_TAGS = frozenset(("Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript"))
# Emphasis delimiters that open or close nothing come as text of their own (see _stray_delimiter).
_DELIMITERS = frozenset("*~")
# Links whose text is their address: not prose.
_ADDRESS_LINKS = frozenset(("Autolink", "Email"))
# Inline HTML elements whose content is not copy (their Markdown text is left out too).
# (what the HTML reader skips: code, raw text and script data).
_HIDDEN_ELEMENTS = HIDDEN | RAW_TEXT | {"script"}
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")

_FRONT_MATTER_OPENING = re.compile(r"[ \t]*(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_FRONT_MATTER_FIELD = re.compile(r"(title|description)[ \t]*[:=][ \t]*(.*)$")

# A title ("...", '...' or (...)) at the end of an inline link or image, before its ")".
_TITLE_CLOSERS = {'"': '"', "'": "'", ")": "("}
# Backslash escapes and character references with ";" (CommonMark 2.4, 2.5: "&copy" is text).
_TITLE_SPECIALS = re.compile(r"\\(?P<escape>[!-/:-@\[-`{-~])|&(?P<entity>#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_decode_entity = lru_cache(maxsize=256)(html.unescape)
# A link reference definition with a title (CommonMark 4.7), at the start of a line.
_DEFINITION = re.compile(
    r"""^[ \t]{0,3}\[(?P<label>(?:[^\[\]\\]|\\.){1,999})\]:
        [ \t]*(?:\r\n?|\n)?[ \t]*(?:<(?:[^<>\r\n\\]|\\.)*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)
        (?:[ \t]*(?:\r\n?|\n)[ \t]*|[ \t]+)
        (?P<title>"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'|\((?:[^()\\]|\\[\s\S])*\))[ \t]*(?:\r\n?|\n|$)""",
    re.MULTILINE | re.VERBOSE,
)
# Leaf blocks: no link reference definition inside their ranges.
_LEAF_BLOCKS = frozenset(("Paragraph", "Heading", "CodeBlock", "HtmlBlock", "Table"))
_NO_DETAILS: Any = None  # what a tag given by its name alone ("Paragraph") has
# Every byte of a non-ASCII character as 0x80, every ASCII byte as 0: where they are is found by bytes.find.
_HIGH_BYTES = bytes(0x80 if byte >= 0x80 else 0 for byte in range(256))
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Utf8Offsets:
    """The character offsets of the UTF-8 byte offsets pyromark gives: the same up to `first`, the
    first byte of a non-ASCII character (the length of the text when there is none), which is
    most offsets of most pages (a page has a few curly quotes, if any)."""

    __slots__ = ("first", "_run_ends", "_extra")

    def __init__(self, encoded: bytes):
        high = encoded.translate(_HIGH_BYTES)
        self._run_ends: list[int] = []  # where each run of non-ASCII characters ends, in bytes
        self._extra = [0]  # bytes beyond one per character, up to the end of each run
        at = high.find(0x80)
        self.first = len(encoded) if at < 0 else at
        while at >= 0:
            end = high.find(0, at)
            if end < 0:
                end = len(high)
            self._run_ends.append(end)
            self._extra.append(self._extra[-1] + end - at - len(encoded[at:end].decode("utf-8")))
            at = high.find(0x80, end)

    def char(self, byte_offset: int) -> int:
        # A byte offset is never inside a character: the runs before it are the ones ending at or before it.
        return byte_offset - self._extra[bisect.bisect_right(self._run_ends, byte_offset)]

    def span(self, span: pyromark.event.Range) -> tuple[int, int]:
        """An event's source range, in characters."""
        if span["end"] <= self.first:
            return span["start"], span["end"]
        return self.char(span["start"]), self.char(span["end"])


def _occurrences(text: str, strings: Iterable[str]) -> Iterator[int]:
    """Where each of `strings` occurs in text (str.find: a scan in C, faster than a regular expression)."""
    for string in strings:
        at = text.find(string)
        while at >= 0:
            yield at
            at = text.find(string, at + 1)


class MarkdownReader:
    """Walks pyromark's events, each with its source range, and feeds prose to a DocumentBuilder.

    Text pieces that follow each other in the source (a paragraph's lines) go to the builder as
    one range; a piece that stands for other text (an entity) as replaced text. Image alt text
    and link titles are kept aside and added after the body, as HTML attributes are."""

    def __init__(self, source: str):
        self.source = source
        self.builder = DocumentBuilder(source)
        self.html = HtmlReader(self.builder, source)
        # Where an address may be in the source (see autolink.py), and the source's end.
        self._marks = sorted(_occurrences(source, MARKS)) + [len(source)]
        # Alt text and titles: pieces of (start, end, text): text None for source kept as it is,
        # "" for a word break, else the text the range stands for.
        self._asides: list[list[tuple[int, int, str | None]]] = []
        self._labels: set[str] = set()  # of links by reference that have a title (found at their definition)
        self._leaf_spans: list[pyromark.event.Range] = []  # where no link reference definition can be
        self._delimiter_run = (0, 0, False)  # the last run of "*" and "~" looked at: start, end, inside a word

    def read(self) -> Document:
        source = self.source
        body_start = self._front_matter()
        # The front matter as a blank line, so that Markdown offsets are source offsets.
        fence_end = len(source[:body_start].rstrip("\r\n"))
        body = " " * fence_end + source[fence_end:] if body_start else source
        try:
            encoded = body.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (never in a decoded file): U+FFFD is as long, in characters and in bytes
            body = _SURROGATE.sub("\ufffd", body)
            encoded = body.encode("utf-8")
        offsets = _Utf8Offsets(encoded)
        self._events(body, offsets)
        self._definition_titles(offsets)
        builder = self.builder
        self.html.finish()
        for pieces in self._asides:
            self._pieces(pieces)
            builder.block("alt")
        return builder.build()

    # -- events ---------------------------------------------------------------------------------

    def _events(self, body: str, offsets: _Utf8Offsets) -> None:
        source, builder = self.source, self.builder
        first_high, char_offset, event_span = offsets.first, offsets.char, offsets.span
        keep, keep_text, keep_lines = self._keep_with_addresses, builder.text, builder.lines
        marks, bisect_left = self._marks, bisect.bisect_left
        # Source text kept as it is, not yet given to the builder: [run_start, run_end), "\n" line
        # breaks in it when run_lines (a paragraph's lines: one range, one call to the builder).
        run_start = run_end = -1
        run_lines = False
        skipping = 0  # inside code blocks and address links: their text is not prose
        hidden: list[str] = []  # open inline HTML elements whose content is not copy (code, script, ...)
        alt: list[tuple[int, int, str | None]] | None = None  # an image's alt text, while in one
        plain = True  # text is prose, in place: not skipping, nothing hidden, no alt text
        written = False  # text given to the builder since the last block break (block() after none is a call for nothing)
        images = 0
        links: list[tuple[pyromark.event.Range, str, str, str]] = []  # open links and images: span, type, title, label
        html_block: list[tuple[int, int]] = []
        leaf_spans = self._leaf_spans
        # An event is a one-key dict (pyromark types them as a union of TypedDicts) or a bare
        # string: read by key, as Any, which keeps the loop free of isinstance tests.
        events: Iterable[tuple[Any, pyromark.event.Range]] = _PARSER.events_with_range(body)
        for event, span in events:
            if event.__class__ is dict:
                text = event.get("Text")
                if text is not None:  # most events: text, kept in runs
                    start = span["start"]
                    end = span["end"]
                    if end > first_high:
                        start = char_offset(start)
                        end = char_offset(end)
                    verbatim = end - start == len(text)  # the source as it is (an entity is longer than what it stands for)
                    if verbatim:
                        if text in _DELIMITERS and self._stray_delimiter(start):
                            continue
                        if plain and start == run_end:
                            run_end = end
                            continue
                    if not plain:
                        if alt is not None and not skipping and not hidden:
                            alt.append((start, end, None if verbatim else text))
                        continue
            elif event == "SoftBreak" and run_end >= 0:
                start = span["start"]
                if start > first_high:
                    start = char_offset(start)
                if start == run_end and source[start] == "\n":
                    run_end = start + 1  # the next line joins the run (unless it is indented)
                    run_lines = True
                    continue
            # Any other event ends the run of text: to the builder, with the addresses in it left out.
            if run_end > run_start:
                if marks[bisect_left(marks, run_start)] < run_end:
                    keep(run_start, run_end, run_lines)
                elif run_lines:
                    keep_lines(run_start, run_end)
                else:
                    keep_text(run_start, run_end)
                run_lines = False
                written = True
            run_start = run_end = -1
            if event.__class__ is str:  # SoftBreak, HardBreak, Rule
                if skipping or hidden:
                    continue
                start, end = event_span(span)
                if alt is not None:
                    alt.append((start, end, ""))
                elif event == "Rule":
                    if written:
                        builder.block()
                        written = False
                else:
                    builder.space(start, end)
                continue
            if text is not None:
                if verbatim:  # a new run
                    run_start = start
                    run_end = end
                else:  # an entity: text that stands for its source range
                    builder.replaced(start, end, text)
                    written = True
                continue
            tag = event.get("Start")
            if tag is not None:
                # A bare name ("Paragraph"), or one with its details ({"Heading": {...}}).
                name, value = (tag, _NO_DETAILS) if tag.__class__ is str else next(iter(tag.items()))
                if name in _INLINE_TAGS:
                    continue
                if name == "Link" or name == "Image":
                    links.append((span, value["link_type"], value["title"], value["id"]))
                    if name == "Image":
                        images += 1
                        if plain:
                            alt = []
                            plain = False
                    elif value["link_type"] in _ADDRESS_LINKS:
                        skipping += 1
                        plain = False
                        builder.space(*event_span(span))
                    elif alt is None:
                        builder.link_start()
                    continue
                if written:
                    builder.block()
                    written = False
                if name in _LEAF_BLOCKS:
                    leaf_spans.append(span)
                if name == "HtmlBlock":
                    html_block = []
                elif name == "CodeBlock":
                    skipping += 1
                    plain = False
                continue
            tag = event.get("End")
            if tag is not None:
                if tag.__class__ is str:
                    if tag in _INLINE_TAGS:
                        continue
                    if tag == "Link" or tag == "Image":
                        link_span, link_type, title, label = links.pop()
                        if tag == "Image":
                            images -= 1
                            if images == 0 and alt is not None:
                                self._asides.append(alt)
                                alt = None
                        elif link_type in _ADDRESS_LINKS:
                            skipping -= 1
                        elif alt is None:
                            builder.link_end()
                        plain = not skipping and not hidden and alt is None
                        if title and not skipping and not hidden:
                            self._title(*event_span(link_span), link_type, label)
                        continue
                    if written:
                        builder.block()
                        written = False
                    if hidden and (tag == "Paragraph" or tag == "TableCell"):
                        hidden.clear()  # inline HTML elements end with their block
                        plain = not skipping and alt is None
                    elif tag == "CodeBlock":
                        skipping -= 1
                        plain = not skipping and not hidden and alt is None
                    elif tag == "HtmlBlock":
                        self._html_block(html_block)
                    continue
                if written:
                    builder.block("heading" if "Heading" in tag else "body")
                    written = False
                continue
            start, end = event_span(span)
            if "Html" in event:
                html_block.append((start, end))
            elif "InlineHtml" in event:
                if alt is None and not skipping:
                    self._inline_html(start, end, hidden)
                    plain = not hidden
                    written = True
            elif "Code" in event:
                if alt is not None:
                    alt.append((start, end, event["Code"]))
                elif plain:
                    builder.space(start, end)
            # A footnote reference or task-list marker: no words (a reference is a superscript
            # number after the word it annotates: "safe[^1]." reads "safe.").
        if run_end > run_start:
            keep(run_start, run_end, run_lines)

    def _stray_delimiter(self, at: int) -> bool:
        """Whether the "*" or "~" at source[at] is a delimiter that opened or closed nothing, at the
        edge of a word (not escaped, not inside a word): not read, as if it had worked, so that a
        stray "**" hides no claim ("safe and **non-addictive"). A "_" is a word character: kept."""
        source = self.source
        if at and source[at - 1] == "\\" and _unescaped(source, at - 1):
            return False
        before, after, in_word = self._delimiter_run
        if not before <= at < after:  # a run of delimiters comes a character per event: found once
            before, after = at, at + 1
            while before and source[before - 1] in "*~":
                before -= 1
            while after < len(source) and source[after] in "*~":
                after += 1
            in_word = bool(before and source[before - 1].isalnum() and after < len(source) and source[after].isalnum())
            self._delimiter_run = (before, after, in_word)
        return not in_word

    def _keep_with_addresses(self, start: int, end: int, lines: bool) -> None:
        """Source[start:end] as prose, web and e-mail addresses left out."""
        position = start
        for address_start, address_end in addresses(self.source, start, end):
            if address_start > position:
                (self.builder.lines if lines else self.builder.text)(position, address_start)
            self.builder.space(address_start, address_end)
            position = address_end
        if end > position:
            (self.builder.lines if lines else self.builder.text)(position, end)

    def _inline_html(self, start: int, end: int, hidden: list[str]) -> None:
        """A tag or comment in a paragraph: read as HTML; after the start tag of an element whose
        content is not copy (code, script, ...) the Markdown text is left out up to its end tag."""
        tag = _TAG_NAME.match(self.source, start, end)
        name = tag.group(2).lower() if tag else ""
        if hidden:
            if name == hidden[-1]:
                if tag and tag.group(1):
                    hidden.pop()
                elif not self.source.endswith("/>", start, end):
                    hidden.append(name)
            return
        self.html.read(start, end)
        if tag and not tag.group(1) and name in _HIDDEN_ELEMENTS and not self.source.endswith("/>", start, end):
            hidden.append(name)

    def _html_block(self, lines: list[tuple[int, int]]) -> None:
        """An HTML block, as HTML: in one piece when its lines follow each other in the source, else
        (inside a block quote) line by line."""
        if not lines:
            return
        if all(end == following for (_, end), (following, _) in pairwise(lines)):
            self.html.read(lines[0][0], lines[-1][1])
        else:
            for start, end in lines:
                self.html.read(start, end)
        self.builder.block(self.html.scope)
        self.html.scope = "body"

    # -- alt text and titles --------------------------------------------------------------------

    def _pieces(self, pieces: list[tuple[int, int, str | None]]) -> None:
        """Add alt text or a title, given as pieces (see _asides)."""
        builder = self.builder
        for start, end, text in pieces:
            if text is None:
                self._keep_with_addresses(start, end, False)
            elif text:
                builder.replaced(start, end, text)
            else:
                builder.space(start, end)

    def _title(self, start: int, end: int, link_type: str, label: str) -> None:
        """A link's or image's title (a tooltip): read where it is written, in the link itself or
        at the link reference definition it comes from (once, however many links use it)."""
        if link_type != "Inline":
            self._labels.add(" ".join(label.split()).casefold())
            return
        source = self.source
        close = end - 1  # the link's ")"
        while close > start and source[close - 1] in " \t\r\n":
            close -= 1
        opener = _TITLE_CLOSERS.get(source[close - 1])
        if opener is None:
            return
        open_at = close - 2
        while open_at > start and not (source[open_at] == opener and _unescaped(source, open_at)):
            open_at -= 1
        if open_at > start:
            self._asides.append(self._title_pieces(open_at + 1, close - 1))

    def _definition_titles(self, offsets: _Utf8Offsets) -> None:
        """Titles of links by reference, read at their definitions: the first definition of each
        label outside the leaf blocks (pulldown-cmark gives no event for a definition)."""
        if not self._labels:
            return
        source = self.source
        leaves = [offsets.span(span) for span in self._leaf_spans]
        leaf_starts = [start for start, _ in leaves]
        for definition in _DEFINITION.finditer(source):
            label = " ".join(definition.group("label").split()).casefold()
            if label not in self._labels:
                continue
            leaf = bisect.bisect_right(leaf_starts, definition.start()) - 1
            if leaf >= 0 and definition.start() < leaves[leaf][1]:
                continue  # in a paragraph or code block: not a definition
            self._labels.discard(label)
            title_start, title_end = definition.span("title")
            self._asides.append(self._title_pieces(title_start + 1, title_end - 1))

    def _title_pieces(self, start: int, end: int) -> list[tuple[int, int, str | None]]:
        """A title's pieces: escapes and entities decoded, line breaks as word breaks."""
        pieces: list[tuple[int, int, str | None]] = []
        source = self.source
        position = start
        for special in _TITLE_SPECIALS.finditer(source, start, end):
            _lines_into(pieces, source, position, special.start())
            if special.lastgroup == "escape":
                pieces.append((special.end() - 1, special.end(), None))
            else:
                raw = special.group()
                decoded = _decode_entity(raw)
                pieces.append((special.start(), special.end(), None if decoded == raw else decoded or "\ufffd"))
            position = special.end()
        _lines_into(pieces, source, position, end)
        return pieces

    # -- front matter ---------------------------------------------------------------------------

    def _front_matter(self) -> int:
        """Front matter between --- (YAML) or +++ (TOML) lines: title and description are prose.
        Returns where the Markdown after it starts."""
        source = self.source
        opening = _FRONT_MATTER_OPENING.match(source)
        if opening is None:
            return 0
        fence = opening.group(1)
        fields: list[tuple[int, int]] = []
        for line in _LINE.finditer(source, opening.end()):
            if line.end() == line.start():
                break
            text = line.group().strip()
            if text == fence or (fence == "---" and text == "..."):
                self._front_matter_fields(fields)
                return line.end()
            fields.append((line.start(), line.start() + len(line.group().rstrip("\r\n"))))
        return 0

    def _front_matter_fields(self, lines: list[tuple[int, int]]) -> None:
        source = self.source
        for number, (start, end) in enumerate(lines):
            field_match = _FRONT_MATTER_FIELD.match(source, start, end)
            if not field_match:
                continue
            scope = "title" if field_match.group(1) == "title" else "meta"
            value_start, value_end = field_match.span(2)
            value = source[value_start:value_end].rstrip()
            value_end = value_start + len(value)
            if value[:1] in ("|", ">"):
                for block_start, block_end in lines[number + 1 :]:
                    if source[block_start:block_end].strip() and not source[block_start:block_end][:1].isspace():
                        break
                    add_prose(self.builder, source, block_start, block_end)
                    self.builder.space(block_end, block_end)
            elif len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
                add_prose(self.builder, source, value_start + 1, value_end - 1)
            else:
                add_prose(self.builder, source, value_start, value_end)
            self.builder.block(scope)


def _unescaped(source: str, index: int) -> bool:
    """Whether source[index] is not escaped by a backslash (an even number of them before it)."""
    backslashes = 0
    while source[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 0


def _lines_into(pieces: list[tuple[int, int, str | None]], source: str, start: int, end: int) -> None:
    """Source[start:end] as pieces, a word break at each line break."""
    position = start
    for line_break in re.finditer(r"\r\n?|\n", source[start:end]):
        if line_break.start() + start > position:
            pieces.append((position, start + line_break.start(), None))
        pieces.append((start + line_break.start(), start + line_break.end(), ""))
        position = start + line_break.end()
    if end > position:
        pieces.append((position, end, None))


def extract_markdown(source: str) -> Document:
    return MarkdownReader(source).read()
