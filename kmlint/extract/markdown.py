"""Markdown extraction: a line-based block scanner and an inline tokenizer that keep prose and drop code, URLs and markup."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.html import HtmlReader
from kmlint.extract.prose import add_prose

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
# A prose line (one starting with a letter, after its indentation) and the lines after it that only
# continue its paragraph: each follows the one before with a "\n" alone and starts, in its first
# column, with a letter or with what opens no block inside a paragraph (a link or image, a bracket
# or quote, inline code or emphasis). The rest of a line is [^\n]* where the source has no "\r":
# the regular expression engine runs through it in a tight loop, three times as fast as through
# [^\r\n]*, a set tested at each character.
_PLAIN_LINES = r"( {0,3})[^\W\d_]LINE_REST(?:\n(?:[^\W\d_]|[\[!(\"']|`(?!``)|\*(?=[^\s*])|_(?=[^\s_]))LINE_REST)*"
_PLAIN_LINES_LF = re.compile(_PLAIN_LINES.replace("LINE_REST", r"[^\n]*"))
_PLAIN_LINES_CR = re.compile(_PLAIN_LINES.replace("LINE_REST", r"[^\r\n]*"))
_QUOTE_PREFIX = re.compile(r"(?: {0,3}> ?)+")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)[ \t]*")
_ATX_CLOSE = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"( {0,3})(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)")
_REFERENCE_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S")
_TABLE_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HTML_BLOCK_NAMES = frozenset(
    """address article aside base basefont blockquote body caption center col colgroup dd details dialog dir
    div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html
    iframe legend li link main menu menuitem nav noframes ol optgroup option p param search section summary
    table tbody td tfoot th thead title tr track ul""".split()
)
_HTML_RAW_BLOCK = re.compile(r" {0,3}<(script|pre|style|textarea)(?=[\s>]|$)", re.IGNORECASE)
_HTML_BLOCK = re.compile(r" {0,3}<(?:(!--)|[?!]|/?([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$))")
_HTML_LONE_TAG = re.compile(r""" {0,3}</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>\s*$""")
# A "|" not escaped; the look-back comes after it so that the search jumps from one "|" to the next
# (a pattern starting with the look-back is tried at every character, three times as slow).
_CELL_BORDER = re.compile(r"\|(?<!\\\|)")
_FRONT_MATTER_FIELD = re.compile(r"(title|description)[ \t]*[:=][ \t]*(.*)$")

# Inline constructs, tried left to right over a paragraph's text. A link's label and address
# take runs of plain characters possessively (++, *+): one step per run, not one per character,
# and never given back (what follows them could not match a character they took).
_INLINE = re.compile(
    r"""(?P<escape>\\[!-/:-@\[-`{-~])
      | (?P<code>(?<!`)(`+)(?!`)[\s\S]*?(?<!`)(?P=code_ticks)(?!`))
      | (?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>)
      | (?P<html><!--[\s\S]*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>)
      | (?P<link>(?P<image>!)?\[(?P<label>(?:[^\[\]\\]++|\\.|\[[^\[\]]*+\])*+)\]
          (?P<target>\(\s*(?:<[^>\n]*>|(?:[^()\s]++|\([^()\s]*+\))*+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)|\[[^\]]*\])?)
      | (?P<markup>(?<![\w*])\*+|\*+(?![\w*])|(?<![\w_])_+|_+(?![\w_])|~~|\\(?=\n))
    """.replace("(?P=code_ticks)", "\\3"),
    re.VERBOSE,
)
# Every _INLINE token starts with one of these characters (keep the two in step): _INLINE is tried
# only where they are, each turned into "*" in a text's marks (see _BlockText).
_INLINE_MARKS = bytes.maketrans(b"\\`<![]*_~", b"*********")
# What add_prose looks for (entities, escapes, web addresses; keep the two in step): text without
# any of these it keeps as it is.
_PROSE_SPECIALS = ("&", "\\", "://", "www.", "mailto:")


def _occurrences(text: str, strings: Iterable[str]) -> Iterator[int]:
    """Where each of `strings` occurs in text."""
    for string in strings:
        at = text.find(string)
        while at >= 0:
            yield at
            at = text.find(string, at + 1)


def _line_ranges(source: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break (\n, \r\n or \r)."""
    if "\r" in source:
        return [(m.start(), m.start() + len(m.group().rstrip("\r\n"))) for m in _LINE.finditer(source) if m.end() > m.start()]
    ranges = []
    offset = 0
    for line in source.split("\n"):
        end = offset + len(line)
        ranges.append((offset, end))
        offset = end + 1
    if ranges[-1][0] == len(source):
        ranges.pop()  # the empty piece after a final line break (or of an empty source) is no line
    return ranges


@dataclass
class _Paragraph:
    """Source ranges of the lines of one block, and its scope. Lines that follow each other with
    a \\n alone between them share one range."""

    scope: str = "body"
    lines: list[tuple[int, int]] = field(default_factory=list)


class MarkdownReader:
    def __init__(self, source: str):
        self.source = source
        self.builder = DocumentBuilder(source)
        self.html = HtmlReader(self.builder, source)
        self._plain_lines = _PLAIN_LINES_CR if "\r" in source else _PLAIN_LINES_LF
        # Where in the source add_prose would have work to do, and the source's end (see _emit).
        self._specials = sorted(_occurrences(source, _PROSE_SPECIALS)) + [len(source)]
        # The block text of every block of one source range (most blocks): the source itself,
        # read in place, its marks found once.
        self._source_text = _BlockText(source, [(0, len(source))])

    def read(self) -> Document:
        source = self.source
        lines = _line_ranges(source)
        index = self._front_matter(lines)
        paragraph = _Paragraph()
        previous_blank = True
        in_list = False
        line_count = len(lines)
        while index < line_count:
            start, end = lines[index]
            if start == end:  # an empty line (most blank lines): as a blank one below, without its tests
                self._flush(paragraph)
                previous_blank = True
                index += 1
                continue
            plain = self._plain_lines.match(source, start)
            if plain:
                # Most lines are prose: one starting with a letter opens no block (the checks
                # below all fail for it) and goes straight to the paragraph, as at the end. The
                # lines that only continue the paragraph are taken with it, as one range.
                indent = plain.end(1) - start
                run_end = plain.end()
                index += 1 + source.count("\n", end, run_end)
                if not paragraph.lines and (index == line_count or lines[index][0] == lines[index][1]):
                    # A whole paragraph, an empty line or the end after it (most paragraphs): read
                    # at once with the empty line, without collecting it first.
                    self._read_range(start + indent, run_end, "body")
                    in_list = in_list and not (previous_blank and indent == 0)  # as in _paragraph_line
                    previous_blank = True
                    index += 1
                    continue
                in_list = self._paragraph_line(paragraph, start + indent, run_end, indent, previous_blank, in_list)
                previous_blank = False
                continue
            quote = _QUOTE_PREFIX.match(source, start, end) if source[start] in " >" else None
            content = quote.end() if quote else start
            text = source[content:end]
            if not text.strip():
                self._flush(paragraph)
                previous_blank = True
                index += 1
                continue
            indent = len(text) - len(text.lstrip(" \t"))
            expanded_indent = len(text[:indent].expandtabs(4)) if indent else 0
            if expanded_indent >= 4 and previous_blank and not in_list and not paragraph.lines:
                # At least this line: one indented only inside its quote marker (">     code") does
                # not count as indented code for the skip, which would then never move on.
                index = max(index + 1, self._skip_indented_code(lines, index))
                continue
            # Each block below starts with one of a few characters after the indentation: testing
            # it first saves trying every pattern on every line.
            marker = text[indent]
            fence = _FENCE.match(source, content, end) if marker in "`~" else None
            if fence and not (fence.group(1)[0] == "`" and "`" in source[fence.end() : end]):
                self._flush(paragraph)
                index = self._skip_fence(lines, index, fence.group(1))
                previous_blank = False
                continue
            if paragraph.lines and marker in "=-" and _SETEXT.match(source, content, end) and not _LIST_ITEM.match(source, content, end):
                paragraph.scope = "heading"
                self._flush(paragraph)
                index += 1
                continue
            if marker in "-*_" and _THEMATIC.match(source, content, end):
                self._flush(paragraph)
                index += 1
                continue
            atx = _ATX.match(source, content, end) if marker == "#" else None
            if atx:
                self._flush(paragraph)
                # A closing sequence or trailing blank ends the line: searching for it (a try at each
                # character) is only worth it then.
                close = _ATX_CLOSE.search(source, atx.end(), end) if source[end - 1] in " \t#" else None
                self._read_range(atx.end(), close.start() if close else end, "heading")
                index += 1
                previous_blank = False
                continue
            html_end = self._html_block(lines, index, content, bool(paragraph.lines)) if marker == "<" else None
            if html_end is not None:
                self._flush(paragraph)
                self.html.read(content, lines[html_end - 1][1])
                self.builder.block(self.html.scope)
                self.html.scope = "body"
                index = html_end
                previous_blank = False
                continue
            if marker == "[" and not paragraph.lines and _REFERENCE_DEFINITION.match(source, content, end):
                index += 1
                continue
            if marker in "|:-" and _TABLE_DELIMITER.match(source, content, end) and paragraph.lines and "|" in text:
                header_start, header_end = paragraph.lines.pop()
                last_break = source.rfind("\n", header_start, header_end)
                if last_break >= 0:  # the header is the last of several lines in one range
                    paragraph.lines.append((header_start, last_break))
                    header_start = last_break + 1
                self._flush(paragraph)
                self._table_row(header_start, header_end)
                index = self._table_body(lines, index + 1)
                continue
            item = _LIST_ITEM.match(source, content, end) if marker in "-+*" or marker.isdecimal() else None
            if item:
                self._flush(paragraph)
                in_list = True
                paragraph.lines.append((item.end(), end))
            else:
                in_list = self._paragraph_line(paragraph, content + indent, end, indent, previous_blank, in_list)
            previous_blank = False
            index += 1
        self._flush(paragraph)
        self.html.finish()
        return self.builder.build()

    def _paragraph_line(self, paragraph: _Paragraph, start: int, end: int, indent: int, previous_blank: bool, in_list: bool) -> bool:
        """Add a prose line: after a blank line it starts a new paragraph, and an unindented one
        ends a list. Returns whether a list is still open."""
        if previous_blank:
            self._flush(paragraph)
        lines = paragraph.lines
        if lines and start == lines[-1][1] + 1 and self.source[start - 1] == "\n":
            lines[-1] = (lines[-1][0], end)  # it follows the line before with a "\n" alone: one range
        else:
            lines.append((start, end))
        return in_list and not (previous_blank and indent == 0)

    # -- blocks -------------------------------------------------------------------------------

    def _front_matter(self, lines: list[tuple[int, int]]) -> int:
        """Front matter between --- (YAML) or +++ (TOML) lines: title and description are prose."""
        if not lines:
            return 0
        opening = self.source[lines[0][0] : lines[0][1]].strip()
        if opening not in ("---", "+++"):
            return 0
        for number in range(1, len(lines)):
            line = self.source[lines[number][0] : lines[number][1]].strip()
            if line == opening or (opening == "---" and line == "..."):
                self._front_matter_fields(lines[1:number])
                return number + 1
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

    def _skip_indented_code(self, lines: list[tuple[int, int]], index: int) -> int:
        while index < len(lines):
            text = self.source[lines[index][0] : lines[index][1]]
            if text.strip() and len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip()) < 4:
                break
            index += 1
        return index

    def _skip_fence(self, lines: list[tuple[int, int]], index: int, opening: str) -> int:
        closing = re.compile(r"(?: {0,3}> ?)* {0,3}" + re.escape(opening[0]) + "{" + str(len(opening)) + r",}[ \t]*$")
        for number in range(index + 1, len(lines)):
            if closing.match(self.source, *lines[number]):
                return number + 1
        return len(lines)  # an unclosed fence runs to the end of the document (CommonMark 4.5)

    def _html_block(self, lines: list[tuple[int, int]], index: int, content: int, interrupts: bool) -> int | None:
        """The index after an HTML block starting at this line, or None when the line starts none."""
        source = self.source
        end = lines[index][1]
        raw = _HTML_RAW_BLOCK.match(source, content, end)
        if raw:
            closer = re.compile(rf"</{raw.group(1)}\s*>", re.IGNORECASE)
            return self._until(lines, index, lambda s, e: closer.search(source, s, e) is not None)
        match = _HTML_BLOCK.match(source, content, end)
        if not match:
            return None
        if match.group(1):
            return self._until(lines, index, lambda s, e: source.find("-->", s, e) >= 0, first_from=content + 4)
        name = (match.group(2) or "").lower()
        if name in _HTML_BLOCK_NAMES or (not interrupts and name and _HTML_LONE_TAG.match(source, content, end)):
            number = index + 1
            while number < len(lines) and source[lines[number][0] : lines[number][1]].strip():
                number += 1
            return number
        if not name:  # <? ... ?> or <!X ...>
            return self._until(lines, index, lambda s, e: source.find(">", s, e) >= 0)
        return None

    def _until(self, lines: list[tuple[int, int]], index: int, found: Callable[[int, int], bool], first_from: int | None = None) -> int:
        for number in range(index, len(lines)):
            start, end = lines[number]
            if found(first_from if number == index and first_from is not None else start, end):
                return number + 1
        return len(lines)

    def _table_body(self, lines: list[tuple[int, int]], index: int) -> int:
        while index < len(lines):
            start, end = lines[index]
            if "|" not in self.source[start:end] or not self.source[start:end].strip():
                break
            self._table_row(start, end)
            index += 1
        return index

    def _table_row(self, start: int, end: int) -> None:
        """Each cell of a table row is a block of its own."""
        row = self.source[start:end]  # a slice: a "|" at its start is a border, whatever is before
        cell_start = 0
        for border in _CELL_BORDER.finditer(row):
            if border.start() > cell_start:  # not the empty cell before a leading border: no prose
                self._read_range(start + cell_start, start + border.start(), "body")
            cell_start = border.end()
        if start + cell_start < end:  # nor after a trailing one
            self._read_range(start + cell_start, end, "body")

    # -- inline -------------------------------------------------------------------------------

    def _flush(self, paragraph: _Paragraph) -> None:
        if paragraph.lines:
            self._read_block(paragraph.lines, paragraph.scope)
            paragraph.lines = []
            paragraph.scope = "body"

    def _read_block(self, ranges: list[tuple[int, int]], scope: str) -> None:
        """Add a block, given as the source ranges of its lines (as in _Paragraph), as prose with
        inline markup taken out."""
        if len(ranges) == 1:
            self._read_range(*ranges[0], scope)
            return
        block = _BlockText(self.source, ranges)
        self._inline(block, block.start, block.end)
        self.builder.block(scope)

    def _read_range(self, start: int, end: int, scope: str) -> None:
        """Add a block of one source range (most blocks), read in place."""
        self._inline(self._source_text, start, end)
        self.builder.block(scope)

    def _inline(self, block: _BlockText, start: int, end: int) -> None:
        text = block.text
        marks = block.marks
        position = start
        token_start = marks.find(b"*", start, end)
        while token_start >= 0:
            token = _INLINE.match(text, token_start, end)
            if token is None:  # not markup after all: a "*" inside a word, a lone "`"
                token_start = marks.find(b"*", token_start + 1, end)
                continue
            self._emit(block, position, token_start)
            position = token.end()
            kind = token.lastgroup
            if kind == "markup":
                if text[token_start] == "\\":  # a hard line break
                    self._space(block, token_start)
            elif kind == "escape":
                escaped_at = block.source_offset(token_start)
                self.builder.replaced(escaped_at, escaped_at + 2, text[token_start + 1])
            elif kind == "code" or kind == "autolink":
                self._space(block, token_start)
            elif kind == "html":
                self._inline_html(block, token)
            else:  # a link or an image
                label_start, label_end = token.span("label")
                if token.group("image"):
                    self._aside(block, label_start, label_end)
                elif token.group("target"):
                    self.builder.link_start()
                    self._inline(block, label_start, label_end)
                    self.builder.link_end()
                else:
                    # "[1]" with no target: brackets are text (a footnote marker is a citation).
                    self._emit(block, token_start, label_start)
                    self._inline(block, label_start, label_end)
                    self._emit(block, label_end, token.end())
            token_start = marks.find(b"*", position, end)
        self._emit(block, position, end)

    def _inline_html(self, block: _BlockText, token: re.Match[str]) -> None:
        tag = token.group("html")
        source_start = block.source_offset(token.start())
        if tag.startswith("<!--"):
            self.builder.directive(source_start, tag)
            return
        if "\n" not in tag:
            self.html.read(source_start, source_start + len(tag))

    def _aside(self, block: _BlockText, start: int, end: int) -> None:
        """Image alt text: each line a block of its own (scope alt), added after the body."""
        for piece_start, piece_end in block.source_ranges(start, end):
            for line_start, line_end in self._source_lines(piece_start, piece_end):
                if line_end > line_start:
                    self.html._aside.append(("alt", line_start, line_end))

    def _emit(self, block: _BlockText, start: int, end: int) -> None:
        """Add text [start, end) of a block as prose, a word break between lines: one step per
        range of the block it holds text of (DocumentBuilder.lines keeps a range's lines)."""
        if start >= end:  # between two tokens
            return
        text = block.text
        if text is self.source and text[start] != "\n" and text[end - 1] != "\n" and self._specials[bisect.bisect_left(self._specials, start)] >= end:
            # The common case, as below without a list of ranges to go through (Markdown is read
            # 7% faster): in a block read in place, no line break at either end, no add_prose.
            self.builder.lines(start, end)
            return
        # A line break at either end of the piece (markup at the start or end of a line, as in
        # "Some\n**bold**") separates words too, at the break itself (between a range's lines,
        # builder.lines puts the word break where the next line starts).
        break_after = text[end - 1] == "\n"
        if break_after:
            end -= 1
        if text[start] == "\n":
            self._space(block, start)
            start += 1
        first = True
        for source_start, source_end in block.source_ranges(start, end):
            if not first:
                self.builder.space(source_start, source_start)
            first = False
            # add_prose keeps text holding no entity, escape or web address as it is: such text
            # (most of it) goes to the builder straight, without add_prose's checks of each piece.
            if self._specials[bisect.bisect_left(self._specials, source_start)] >= source_end:
                self.builder.lines(source_start, source_end)
                continue
            # add_prose keeps one line: the range's lines one by one (none is empty: a blank line
            # ends a paragraph), with a word break where each starts, as builder.lines does.
            for number, (line_start, line_end) in enumerate(self._source_lines(source_start, source_end)):
                if number:
                    self.builder.space(line_start, line_start)
                add_prose(self.builder, self.source, line_start, line_end, entities=True, escapes=True)
        if break_after:
            self._space(block, end)

    def _source_lines(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Source ranges of the lines of source[start:end] (lines separated by "\\n")."""
        line_start = start
        for line in self.source[start:end].split("\n"):
            yield line_start, line_start + len(line)
            line_start += len(line) + 1

    def _space(self, block: _BlockText, start: int) -> None:
        source_start = block.source_offset(start)
        self.builder.space(source_start, source_start)


class _BlockText:
    """The lines of a block as one text, `text[start:end]`, with \\n between lines: what inline
    markup is found in. It maps back to source offsets.

    A block of one source range (most blocks: its lines follow each other with a \\n alone
    between them) is read in place, in the reader's one block text of the whole source: `text`
    is the source itself. That is safe: the inline patterns look back one character, and before a
    block there is only a line break, a space or tab, a quote marker, "#" or a table border (a
    list marker only before an empty first line). Other blocks (lines after a quote marker or
    indentation, \\r\\n breaks) are joined into a new string.
    """

    __slots__ = ("text", "start", "end", "marks", "_starts", "_shifts")

    def __init__(self, source: str, ranges: list[tuple[int, int]]):
        # Per range: where it starts in the text, and what to add to a text offset in it to get
        # the source offset.
        self._starts = [0]
        if len(ranges) == 1:
            self.text = source
            self.start, self.end = ranges[0]
            self._shifts = [0]
        else:
            self._shifts = [ranges[0][0]]
            for (start, end), (following_start, _) in itertools.pairwise(ranges):
                self._starts.append(self._starts[-1] + end - start + 1)
                self._shifts.append(following_start - self._starts[-1])
            self.text = "\n".join([source[start:end] for start, end in ranges])
            self.start, self.end = 0, len(self.text)
        # The text as bytes, a byte per character, "*" where an inline token may start (the rest
        # is never read: "?" for what Latin-1 lacks). bytes.find finds the next "*" at memory
        # speed, where searching for a set of characters tests each character in turn (Markdown is
        # read 6% faster).
        self.marks = self.text.encode("latin-1", "replace").translate(_INLINE_MARKS)

    def source_offset(self, offset: int) -> int:
        return offset + self._shifts[bisect.bisect_right(self._starts, offset) - 1]  # in the last range starting at or before it

    def source_ranges(self, start: int, end: int) -> list[tuple[int, int]]:
        """Source ranges of text [start, end), one per range of the block it holds text of."""
        starts = self._starts
        if len(starts) == 1:  # read in place (most blocks): nothing to look up
            shift = self._shifts[0]
            return [(start + shift, end + shift)] if start < end else []
        number = bisect.bisect_right(starts, start) - 1  # the last range starting at or before start
        ranges = []
        while start < end:
            # The range ends at the \n joining it to the next one, or at the end of the text.
            range_end = min(end, starts[number + 1] - 1) if number + 1 < len(starts) else end
            if range_end > start:
                ranges.append((start + self._shifts[number], range_end + self._shifts[number]))
            number += 1
            start = range_end + 1
        return ranges


def extract_markdown(source: str) -> Document:
    return MarkdownReader(source).read()
