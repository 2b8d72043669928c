"""Prose helpers shared by the extractors: entities, escapes and web addresses, with exact offsets."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from kmlint.document import DocumentBuilder

# Entities and escapes start with a plain character (no group, no \b), so that the regular
# expression engine jumps from one "&" or "\\" to the next: five times as fast as trying each
# alternative at each character. Web addresses do not, and are looked for only in text that may
# hold one (has_web_address).
# Web and e-mail addresses are never prose, wherever they appear (a URL may spell out a claim as a
# slug): any scheme with "//" (irc://, ftp://), www., mailto: and bare e-mail addresses. A URL runs
# to the next space less its trailing punctuation; a ")" or "]" inside it does not cut it (see
# web_address_end). Only text that holds "://", "www.", or "@" is searched for them.
_URL_TAIL = r"[^\s<>]*[^\s<>.,;:!?*_~'\"]"
WEB_ADDRESS = rf"[A-Za-z][A-Za-z0-9+.\-]*://{_URL_TAIL}|www\.{_URL_TAIL}|[mM](?<!\w[mM])[aA][iI][lL][tT][oO]:{_URL_TAIL}|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
# Character references as HTML5 reads them: numeric with or without ';', named with ';', and the
# commonest legacy names without it.
_ENTITY = r"&(?P<entity>#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|(?:amp|lt|gt|quot|nbsp|copy|reg|AMP|LT|GT|QUOT)(?![A-Za-z0-9=;]))"
# Markdown backslash escapes of ASCII punctuation (CommonMark 2.4).
_ESCAPE = r"\\(?P<escape>[!-/:-@\[-`{-~])"
# By what the text holds (entities, escapes, web addresses): an alternative that cannot match is left
# out.
_SPECIALS = {
    (entities, escapes, web): re.compile("|".join(pattern for pattern, wanted in ((_ENTITY, entities), (_ESCAPE, escapes), (WEB_ADDRESS, web)) if wanted))
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
    has_web = has_web_address(chunk)
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
            address_end = web_address_end(source, special.start(), special.end())
            builder.space(special.start(), address_end)
            builder.text(address_end, special.end())
        position = special.end()
    builder.text(position, end)


def has_web_address(chunk: str) -> bool:
    """Whether text may hold a web or e-mail address (the cheap test before WEB_ADDRESS is searched)."""
    return (":" in chunk and "://" in chunk) or "www." in chunk or "@" in chunk  # ":" first: found twice as fast


def web_address_end(source: str, start: int, end: int) -> int:
    """Where the web address matched as source[start:end] ends: a closing bracket with no opening
    one in the address is not part of it, nor the punctuation before it (as GFM's autolinks end)."""
    while source[end - 1] in ")]":
        closer = source[end - 1]
        address = source[start:end]
        if address.count(closer) <= address.count("(" if closer == ")" else "["):
            break
        end -= 1
        while end > start + 1 and source[end - 1] in ".,;:!?*_~'\"":
            end -= 1
    return end
