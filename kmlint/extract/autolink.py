"""Web and e-mail addresses written out in Markdown text, found as GitHub links them (GFM's autolink extension)."""

from __future__ import annotations

import re
from typing import Iterator

# Where an address may be: each holds one of these (the reader keeps text holding none as it is).
MARKS = ("://", "www.", "@")

# GFM 0.29, 6.9: "www." after the start, a space or * _ ~ (; or http://, https://, ftp://; then a
# domain and what follows up to a space or "<". E-mail: local@domain with a "." in the domain (also
# after mailto: or xmpp:, as cmark-gfm reads them). Trailing punctuation is taken off afterwards (_url_end).
_ADDRESS = re.compile(
    r"""(?P<url>(?:(?<![A-Za-z0-9])(?:https?|ftp)://|(?<![^\s*_~(])www\.)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*[^\s<]*)
      | (?P<email>(?<![A-Za-z0-9.+_-])(?:(?:mailto|xmpp):)?[A-Za-z0-9.+_-]+@[A-Za-z0-9._-]+)""",
    re.VERBOSE,
)
_ENTITY_NAME = re.compile(r"[A-Za-z0-9]+")
_TRAILING = "?!.,:*_~"


def addresses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The spans of the addresses GitHub links in text[start:end]."""
    for found in _ADDRESS.finditer(text, start, end):
        if found.lastgroup == "url":
            yield found.start(), _url_end(text, found.start(), found.end())
            continue
        link_end = _email_end(text, found.start(), found.end())
        if link_end is not None:
            yield found.start(), link_end


def _url_end(text: str, start: int, end: int) -> int:
    """Where an extended URL ends once trailing punctuation, an unbalanced ")" and an entity-like
    ending ("&hl;") are taken off (GFM 6.9, extended autolink path validation)."""
    opening, closing = text.count("(", start, end), text.count(")", start, end)  # counted once: a URL may end in many
    while end > start:
        last = text[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last == ")" and closing > opening:
            end -= 1
            closing -= 1
        elif last == ";" and (ampersand := text.rfind("&", start, end - 1)) >= 0 and _ENTITY_NAME.fullmatch(text, ampersand + 1, end - 1):
            end = ampersand
        else:
            break
    return end


def _email_end(text: str, start: int, end: int) -> int | None:
    """Where an extended e-mail address ends, or None when it is not one: a trailing "." is not
    part of it, and one ending in "-" or "_", or with no "." after the "@", is not an address."""
    while text[end - 1] == ".":
        end -= 1
    if "." not in text[text.index("@", start, end) : end] or text[end - 1] in "-_":
        return None
    return end
