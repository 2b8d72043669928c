"""Plain-text extraction: paragraphs separated by blank lines; a heading-like line starts its own block."""

from __future__ import annotations

import re

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.prose import add_prose

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_SENTENCE_END = re.compile(r"[.?!:][\"')\]]*\s*$")
_ANY_PUNCTUATION_END = re.compile(r"[.?!:;,][\"')\]]*\s*$")


def extract_text(source: str) -> Document:
    builder = DocumentBuilder(source)
    lines = [(m.start(), m.end()) for m in _LINE.finditer(source) if m.end() > m.start()]
    for number, (start, end) in enumerate(lines):
        content = source[start:end].rstrip("\r\n")
        if not content.strip():
            builder.block()
            continue
        add_prose(builder, source, start, start + len(content))
        following = lines[number + 1] if number + 1 < len(lines) else None
        if following is None:
            continue
        next_line = source[following[0] : following[1]].lstrip()
        if _looks_like_heading(content, next_line):
            builder.block("heading")
        elif _SENTENCE_END.search(content) and next_line[:1].isupper():
            # A line that ends a sentence, followed by a capitalized line: a new paragraph.
            builder.block()
        else:
            builder.space(start + len(content), end)
    return builder.build()


def _looks_like_heading(line: str, next_line: str) -> bool:
    """A short line without closing punctuation whose last word is capitalized, before a capitalized line."""
    words = line.split()
    if not words or len(words) > 15 or _ANY_PUNCTUATION_END.search(line):
        return False
    if not (next_line[:1].isupper() or next_line[:1].isdigit()):
        return False
    return words[-1][:1].isupper() or words[-1][:1].isdigit()
