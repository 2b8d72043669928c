"""Prose helpers shared by the extractors: entities, escapes and web addresses, with exact offsets."""

from __future__ import annotations

import html
import re

from kmlint.document import DocumentBuilder

# Web addresses are never prose, wherever they appear (a URL may spell out a claim as a slug).
_URL = r"(?:https?://|www\.)[^\s<>\"'`)\]]*[^\s<>\"'`)\].,;:!?]|\bmailto:[^\s<>\"']+"
# Character references as HTML5 reads them: numeric with or without ';', named with ';', and the
# commonest legacy names without it.
_ENTITY = r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|(?:amp|lt|gt|quot|nbsp|copy|reg|AMP|LT|GT|QUOT)(?![A-Za-z0-9=;]))"
# Markdown backslash escapes of ASCII punctuation (CommonMark 2.4).
_ESCAPE = r"\\[!-/:-@\[-`{-~]"
_SPECIALS = {
    (False, False): re.compile(_URL),
    (True, False): re.compile(f"(?P<entity>{_ENTITY})|{_URL}"),
    (True, True): re.compile(f"(?P<entity>{_ENTITY})|(?P<escape>{_ESCAPE})|{_URL}"),
}


def add_prose(builder: DocumentBuilder, source: str, start: int, end: int, entities: bool = False, escapes: bool = False) -> None:
    """Add source[start:end] as prose: entities and escapes decoded (when asked), web addresses left out."""
    chunk = source[start:end]
    if not chunk.strip(" \t\n\r"):
        if chunk:
            builder.space(start, end)  # only whitespace (as between two tags): a word break
        return
    if "&" not in chunk and "\\" not in chunk and "://" not in chunk and "www." not in chunk and "mailto:" not in chunk:
        builder.text(start, end)
        return
    position = start
    for special in _SPECIALS[(entities or escapes, escapes)].finditer(source, start, end):
        builder.text(position, special.start())
        if special.lastgroup == "entity":
            raw = special.group()
            decoded = html.unescape(raw)
            if decoded == raw:
                builder.text(special.start(), special.end())
            else:
                builder.replaced(special.start(), special.end(), decoded)
        elif special.lastgroup == "escape":
            builder.replaced(special.start(), special.end(), special.group()[1])
        else:
            builder.space(special.start(), special.end())
        position = special.end()
    builder.text(position, end)
