"""Editor positions: code-point offsets to LSP (line, character) in UTF-16 or UTF-32 code units and back, and edits applied to text."""

from __future__ import annotations

import bisect
import re
from array import array

# The LSP's line breaks (3.17, "Text Documents"), the same three as kmlint's LineIndex.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class TextPositions:
    """One text's line starts, for turning offsets (code points) into LSP positions and back.

    `utf16` picks the client's unit: UTF-16 code units (the LSP default) or code points (UTF-32)."""

    __slots__ = ("_astral", "_starts", "_text", "_utf16")

    def __init__(self, text: str, utf16: bool):
        self._text = text
        self._utf16 = utf16
        self._starts = array("q", [0])
        self._starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
        # Where the characters that take two UTF-16 units are: a position is then a count, not a
        # re-encoding of its line (a 2 MB line with thousands of findings would be quadratic).
        self._astral = array("q", (match.start() for match in _ASTRAL.finditer(text)) if utf16 and not text.isascii() else ())

    def position(self, offset: int) -> tuple[int, int]:
        """The 0-based line and character (in the client's units) of a code-point offset."""
        offset = max(0, min(offset, len(self._text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        return line, offset - start + self._astral_between(start, offset)

    def _astral_between(self, start: int, end: int) -> int:
        if not self._astral:
            return 0
        return bisect.bisect_left(self._astral, end) - bisect.bisect_left(self._astral, start)

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position. As the LSP says, a line past the end means the
        end of the text and a character past the end of its line means the end of that line; a
        position inside a surrogate pair (UTF-16) moves past the pair."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self._text)
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self._text)
        while end > start and self._text[end - 1] in "\r\n":
            end -= 1
        character = max(0, character)
        extra = 0  # UTF-16 units beyond one per character, before the place reached
        for index in range(bisect.bisect_left(self._astral, start), bisect.bisect_left(self._astral, end)):
            astral = self._astral[index]
            units = astral - start + extra
            if character <= units:
                break
            if character == units + 1:
                return astral + 1  # inside the pair
            extra += 1
        return min(start + character - extra, end)


def apply_change(text: str, span: tuple[int, int, int, int] | None, new_text: str, utf16: bool) -> str:
    """`text` after one LSP content change: `span` is (start line, start character, end line,
    end character) in the client's units, or None for the whole text."""
    if span is None:
        return new_text
    positions = TextPositions(text, utf16)
    start = positions.offset(span[0], span[1])
    end = max(start, positions.offset(span[2], span[3]))
    return text[:start] + new_text + text[end:]

