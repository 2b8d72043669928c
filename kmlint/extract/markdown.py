"""Markdown extraction: a line-based block scanner and an inline tokenizer that keep prose and drop code, URLs and markup."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.html import HtmlReader
from kmlint.extract.prose import add_prose

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_PLAIN_LINE = re.compile(r" {0,3}[^\W\d_]")
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
_FRONT_MATTER_FIELD = re.compile(r"(title|description)[ \t]*[:=][ \t]*(.*)$")

# Inline constructs, tried left to right over a paragraph's text.
_INLINE = re.compile(
    r"""(?P<escape>\\[!-/:-@\[-`{-~])
      | (?P<code>(?<!`)(`+)(?!`)[\s\S]*?(?<!`)(?P=code_ticks)(?!`))
      | (?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>)
      | (?P<html><!--[\s\S]*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>)
      | (?P<link>(?P<image>!)?\[(?P<label>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]
          (?P<target>\(\s*(?:<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)|\[[^\]]*\])?)
      | (?P<markup>(?<![\w*])\*+|\*+(?![\w*])|(?<![\w_])_+|_+(?![\w_])|~~|\\(?=\n))
    """.replace("(?P=code_ticks)", "\\3"),
    re.VERBOSE,
)
# Every _INLINE token starts with one of these characters (keep the two in step). Searching for
# them first skips plain prose in C: _INLINE.finditer alone tries every branch at every position.
_INLINE_START = re.compile(r"[\\`<!\[\]*_~]")


def _inline_tokens(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The matches of _INLINE.finditer(text, start, end), found faster."""
    position = start
    while True:
        candidate = _INLINE_START.search(text, position, end)
        if candidate is None:
            return
        token = _INLINE.match(text, candidate.start(), end)
        if token is None:
            position = candidate.start() + 1
        else:
            yield token
            position = token.end()


def _line_ranges(source: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break (\n, \r\n or \r)."""
    if "\r" in source:
        return [(m.start(), m.start() + len(m.group().rstrip("\r\n"))) for m in _LINE.finditer(source) if m.end() > m.start()]
    ranges = []
    offset = 0
    for line in source.split("\n"):
        ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    if ranges[-1][0] == len(source):
        ranges.pop()  # the empty piece after a final line break (or of an empty source) is no line
    return ranges


@dataclass
class _Paragraph:
    """Source ranges of the lines of one block, and its scope."""

    scope: str = "body"
    lines: list[tuple[int, int]] = field(default_factory=list)


class MarkdownReader:
    def __init__(self, source: str):
        self.source = source
        self.builder = DocumentBuilder(source)
        self.html = HtmlReader(self.builder, source)

    def read(self) -> Document:
        source = self.source
        lines = _line_ranges(source)
        index = self._front_matter(lines)
        paragraph = _Paragraph()
        previous_blank = True
        in_list = False
        while index < len(lines):
            start, end = lines[index]
            plain = _PLAIN_LINE.match(source, start, end)
            if plain:
                # Most lines are prose: one starting with a letter opens no block (the checks
                # below all fail for it) and goes straight to the paragraph, as at the end.
                indent = plain.end() - 1 - start
                in_list = self._paragraph_line(paragraph, start + indent, end, indent, previous_blank, in_list)
                previous_blank = False
                index += 1
                continue
            quote = _QUOTE_PREFIX.match(source, start, end)
            content = quote.end() if quote else start
            text = source[content:end]
            if not text.strip():
                self._flush(paragraph)
                previous_blank = True
                index += 1
                continue
            indent = len(text) - len(text.lstrip(" \t"))
            expanded_indent = len(text[:indent].expandtabs(4))
            if expanded_indent >= 4 and previous_blank and not in_list and not paragraph.lines:
                # At least this line: one indented only inside its quote marker (">     code") does
                # not count as indented code for the skip, which would then never move on.
                index = max(index + 1, self._skip_indented_code(lines, index))
                continue
            fence = _FENCE.match(source, content, end)
            if fence and not (fence.group(1)[0] == "`" and "`" in source[fence.end() : end]):
                self._flush(paragraph)
                index = self._skip_fence(lines, index, fence.group(1))
                previous_blank = False
                continue
            if paragraph.lines and _SETEXT.match(source, content, end) and not _LIST_ITEM.match(source, content, end):
                paragraph.scope = "heading"
                self._flush(paragraph)
                index += 1
                continue
            if _THEMATIC.match(source, content, end):
                self._flush(paragraph)
                index += 1
                continue
            atx = _ATX.match(source, content, end)
            if atx:
                self._flush(paragraph)
                close = _ATX_CLOSE.search(source, atx.end(), end)
                self._flush(_Paragraph("heading", [(atx.end(), close.start() if close else end)]))
                index += 1
                previous_blank = False
                continue
            html_end = self._html_block(lines, index, content, bool(paragraph.lines))
            if html_end is not None:
                self._flush(paragraph)
                self.html.read(content, lines[html_end - 1][1])
                self.builder.block(self.html.scope)
                self.html.scope = "body"
                index = html_end
                previous_blank = False
                continue
            if not paragraph.lines and _REFERENCE_DEFINITION.match(source, content, end):
                index += 1
                continue
            if _TABLE_DELIMITER.match(source, content, end) and paragraph.lines and "|" in text:
                header = paragraph.lines[-1]
                paragraph.lines.pop()
                self._flush(paragraph)
                self._table_row(*header)
                index = self._table_body(lines, index + 1)
                continue
            item = _LIST_ITEM.match(source, content, end)
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
        paragraph.lines.append((start, end))
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
        source = self.source
        cell_start = start
        for position in range(start, end + 1):
            if position == end or (source[position] == "|" and (position == start or source[position - 1] != "\\")):
                self._flush(_Paragraph("body", [(cell_start, position)]))
                cell_start = position + 1

    # -- inline -------------------------------------------------------------------------------

    def _flush(self, paragraph: _Paragraph) -> None:
        if not paragraph.lines:
            return
        # The paragraph's lines joined by "\n" give the inline text; `pieces` maps it back.
        text_parts: list[str] = []
        pieces: list[tuple[int, int]] = []  # (offset in joined text, source offset) per line
        length = 0
        for start, end in paragraph.lines:
            pieces.append((length, start))
            text_parts.append(self.source[start:end])
            length += end - start + 1
        joined = "\n".join(text_parts)
        self._inline(joined, pieces, 0, len(joined))
        self.builder.block(paragraph.scope)
        paragraph.lines = []
        paragraph.scope = "body"

    def _inline(self, joined: str, pieces: list[tuple[int, int]], start: int, end: int) -> None:
        position = start
        for token in _inline_tokens(joined, start, end):
            self._emit(joined, pieces, position, token.start())
            position = token.end()
            kind = token.lastgroup
            if token.group("escape") is not None:
                escaped_at = self._source_offset(pieces, token.start())
                self.builder.replaced(escaped_at, escaped_at + 2, token.group()[1])
            elif token.group("code") is not None or token.group("autolink") is not None:
                self._space(pieces, token.start(), token.end())
            elif token.group("html") is not None:
                self._inline_html(joined, pieces, token)
            elif token.group("link") is not None:
                label_start, label_end = token.span("label")
                if token.group("image"):
                    self._aside(pieces, label_start, label_end)
                elif token.group("target"):
                    self.builder.link_start()
                    self._inline(joined, pieces, label_start, label_end)
                    self.builder.link_end()
                else:
                    # "[1]" with no target: brackets are text (a footnote marker is a citation).
                    self._emit(joined, pieces, token.start(), label_start)
                    self._inline(joined, pieces, label_start, label_end)
                    self._emit(joined, pieces, label_end, token.end())
            elif kind == "markup" and token.group().startswith("\\"):
                self._space(pieces, token.start(), token.end())
        self._emit(joined, pieces, position, end)

    def _inline_html(self, joined: str, pieces: list[tuple[int, int]], token: re.Match[str]) -> None:
        tag = token.group("html")
        source_start = self._source_offset(pieces, token.start())
        if tag.startswith("<!--"):
            self.builder.directive(source_start, tag)
            return
        if "\n" not in tag:
            self.html.read(source_start, source_start + len(tag))

    def _aside(self, pieces: list[tuple[int, int]], start: int, end: int) -> None:
        """Image alt text: a block of its own (scope alt), added after the body."""
        for piece_start, piece_end in self._source_ranges(pieces, start, end):
            self.html._aside.append(("alt", piece_start, piece_end))

    def _emit(self, joined: str, pieces: list[tuple[int, int]], start: int, end: int) -> None:
        first = True
        for source_start, source_end in self._source_ranges(pieces, start, end):
            if not first:
                self.builder.space(source_start, source_start)
            add_prose(self.builder, self.source, source_start, source_end, entities=True, escapes=True)
            first = False

    def _space(self, pieces: list[tuple[int, int]], start: int, end: int) -> None:
        self.builder.space(self._source_offset(pieces, start), self._source_offset(pieces, start))

    def _source_ranges(self, pieces: list[tuple[int, int]], start: int, end: int) -> Iterator[tuple[int, int]]:
        """Source ranges of joined-text [start, end), one per line it touches."""
        # From the line holding `start` (found by bisection: a long paragraph has many lines).
        for number in range(max(0, bisect.bisect_right(pieces, (start, math.inf)) - 1), len(pieces)):
            piece_start, source_start = pieces[number]
            piece_end = pieces[number + 1][0] - 1 if number + 1 < len(pieces) else None
            if piece_end is not None and piece_end < start:
                continue
            if piece_start >= end:
                break
            low = max(start, piece_start)
            high = end if piece_end is None else min(end, piece_end)
            if high > low or (low == high and piece_start >= start):
                yield source_start + low - piece_start, source_start + high - piece_start

    @staticmethod
    def _source_offset(pieces: list[tuple[int, int]], offset: int) -> int:
        number = bisect.bisect_right(pieces, (offset, math.inf)) - 1  # the last line starting at or before offset
        if number >= 0:
            piece_start, source_start = pieces[number]
            return source_start + offset - piece_start
        return pieces[0][1]


def extract_markdown(source: str) -> Document:
    return MarkdownReader(source).read()
