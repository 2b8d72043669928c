"""Prose helpers shared by the extractors: entities, escapes and web addresses, with exact offsets."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from kmlint.document import DocumentBuilder

# Every alternative below starts with a plain character (no group, no \b), so that the regular
# expression engine jumps from one "&", "\\", "h", "w" or "m" to the next: five times as fast as
# trying each alternative at each character.
# Web addresses are never prose, wherever they appear (a URL may spell out a claim as a slug).
_URL_TAIL = r"[^\s<>\"'`)\]]*[^\s<>\"'`)\].,;:!?]"
_URL = rf"https?://{_URL_TAIL}|www\.{_URL_TAIL}|m(?<!\wm)ailto:[^\s<>\"']+"  # m(?<!\wm) is \bm
# Character references as HTML5 reads them: numeric with or without ';', named with ';', and the
# commonest legacy names without it.
_ENTITY = r"&(?P<entity>#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|(?:amp|lt|gt|quot|nbsp|copy|reg|AMP|LT|GT|QUOT)(?![A-Za-z0-9=;]))"
# Markdown backslash escapes of ASCII punctuation (CommonMark 2.4).
_ESCAPE = r"\\(?P<escape>[!-/:-@\[-`{-~])"
# By what the text holds (entities, escapes, web addresses): an alternative that cannot match is left
# out (a pattern without web addresses has no "h", "w" or "m" to stop at).
_SPECIALS = {
    (entities, escapes, web): re.compile("|".join(pattern for pattern, wanted in ((_ENTITY, entities), (_ESCAPE, escapes), (_URL, web)) if wanted))
    for entities in (False, True)
    for escapes in (False, True)
    for web in (False, True)
    if entities or escapes or web
}


# A page repeats a few entities (&nbsp; &rsquo; ...) many times; html.unescape costs microseconds each.
_decode_entity = lru_cache(maxsize=1024)(html.unescape)


def add_prose(builder: DocumentBuilder, source: str, start: int, end: int, entities: bool = False, escapes: bool = False) -> None:
    """Add source[start:end] as prose: entities and escapes decoded (when asked), web addresses left out."""
    chunk = source[start:end]
    has_entities = (entities or escapes) and "&" in chunk
    has_escapes = escapes and "\\" in chunk
    has_web = (":" in chunk and ("://" in chunk or "mailto:" in chunk)) or "www." in chunk  # ":" first: found twice as fast
    if not (has_entities or has_escapes or has_web):
        builder.text(start, end)
        return
    position = start
    for special in _SPECIALS[has_entities, has_escapes, has_web].finditer(source, start, end):
        builder.text(position, special.start())
        if special.lastgroup == "entity":
            raw = special.group()
            decoded = _decode_entity(raw)
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
