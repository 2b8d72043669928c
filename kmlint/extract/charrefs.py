"""HTML character references as the WHATWG tokenizer decodes them: named (the spec's table, legacy names without ';'), numeric."""

from __future__ import annotations

import re
from functools import lru_cache
from html.entities import html5 as NAMED_REFERENCES  # the WHATWG table: "amp;" and the legacy "amp" both

# A candidate reference: what the tokenizer consumes after "&" before deciding (HTML 13.2.5.72-80).
REFERENCE = r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z0-9]+;?)"
# The longest name in the table that may appear without ";" (the legacy ones: "frac34", "middot").
_LONGEST_LEGACY = max(len(name) for name in NAMED_REFERENCES if not name.endswith(";"))
_ALPHANUMERIC = re.compile("[A-Za-z0-9]")


@lru_cache(maxsize=2048)
def decode_reference(raw: str, in_attribute: bool, next_char: str) -> tuple[int, str] | None:
    """How a candidate reference `raw` (a REFERENCE match) decodes: (characters consumed, text), or
    None when it is no reference and stays as written. `next_char` is the source character after
    `raw`: in an attribute value, a legacy name followed by "=" or an alphanumeric stays as written."""
    if raw[1] == "#":
        hexadecimal = raw[2] in "xX"
        digits = raw[3 if hexadecimal else 2 :].rstrip(";").lstrip("0") or "0"
        # Past eight digits the value is out of range whatever they are (and int() has a length limit).
        return len(raw), _numeric(int(digits, 16 if hexadecimal else 10) if len(digits) <= 8 else 0x110000)
    if raw.endswith(";") and raw[1:] in NAMED_REFERENCES:
        return len(raw), NAMED_REFERENCES[raw[1:]]
    name = raw[1:].rstrip(";")
    # Without ";", the longest legacy name the characters start with (&notit; is "¬it;").
    for length in range(min(len(name), _LONGEST_LEGACY), 1, -1):
        decoded = NAMED_REFERENCES.get(name[:length])
        if decoded is not None:
            following = name[length] if length < len(name) else raw[-1] if raw.endswith(";") else next_char
            if in_attribute and (following == "=" or _ALPHANUMERIC.match(following)):
                return None  # kept as written for old URLs in attributes (href="?a=1&copy=2")
            return length + 1, decoded
    return None


def _numeric(number: int) -> str:
    """A numeric reference's character, with the spec's replacements (13.2.5.80)."""
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= number <= 0x9F:
        # The spec's table for C1 controls is windows-1252; its five holes stay controls.
        try:
            return bytes((number,)).decode("cp1252")
        except UnicodeDecodeError:
            return chr(number)
    return chr(number)
