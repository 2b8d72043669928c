"""Source files: reading bytes, decoding them to text, and turning offsets into line and column."""

from __future__ import annotations

import bisect
import codecs
import re
from array import array
from dataclasses import dataclass, field

from kmlint.errors import SourceError
from kmlint.fsutil import Unreadable, read_regular, size_problem

# Extensions linted when a folder is walked, and the extractor each one gets.
KIND_BY_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NEWLINE = re.compile(r"\n")
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_UTF8_NAMES = {"utf-8", "utf8"}
# Labels a page may declare that browsers read as Windows-1252 (WHATWG Encoding Standard, "windows-1252"
# labels): a page saying iso-8859-1 with curly quotes in 0x91-0x94 means them as quotes.
_WINDOWS_1252_ALIASES = {"iso8859-1", "ascii", "cp1252"}  # codecs.lookup() names
# Bytes that plain text never holds (C0 controls other than tab, line breaks, form feed and escape):
# a file whose head is full of them is binary even without a NUL byte.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
# Every other byte: deleting these from the head leaves its control bytes, counted in C.
_NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
_BINARY_SHARE = 0.1
_SNIFF = 8192
# Checking a file takes a few seconds per 10 MB and up to about 20 times its size in memory: beyond
# this size a file is skipped with a diagnostic rather than hold a pre-commit hook for a minute or
# risk the run being killed for lack of memory. 16 MiB is far past any real page (a few MB at most).
MAX_FILE_BYTES = 16 * 1024 * 1024


def kind_for(name: str) -> str | None:
    """The extractor kind for a file name, or None when it is not a file kmlint reads."""
    dot = name.rfind(".")
    return KIND_BY_SUFFIX.get(name[dot:].lower()) if dot >= 0 else None


class LineIndex:
    """Maps a character offset to a 1-based line and a 1-based column in code points.

    `\\n`, `\\r\\n` and a lone `\\r` are each one line break; a BOM was removed when decoding.
    """

    __slots__ = ("_last", "_starts", "_text")

    def __init__(self, text: str):
        self._text = text
        # An array of machine integers: a 100 MB file has millions of lines.
        self._starts = array("q", [0])
        if "\r" in text:
            self._starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        else:  # the common case, three times faster: one literal to find, no Python code per line
            self._starts.extend(map(re.Match.end, _NEWLINE.finditer(text)))
        # The last line asked for: findings on one line share one string (a 5 MB line with
        # thousands of findings must not be copied once per finding).
        self._last: tuple[int, str] = (0, "")

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """position(start) + position(end), with one search when both are on one line (most spans)."""
        starts = self._starts
        index = bisect.bisect_right(starts, start) - 1
        line_start = starts[index]
        if index + 1 == len(starts) or end < starts[index + 1]:
            return index + 1, start - line_start + 1, index + 1, end - line_start + 1
        return (index + 1, start - line_start + 1, *self.position(end))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if self._last[0] == line:
            return self._last[1]
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self._text)
        if end > start and self._text[end - 1] == "\n":
            end -= 1
        if end > start and self._text[end - 1] == "\r":
            end -= 1
        text = self._text[start:end]
        self._last = (line, text)
        return text


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input as decoded text, with the path it is reported under and the extractor it needs."""

    path: str
    text: str
    kind: str
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    lines: LineIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", LineIndex(self.text))


def decode(data: bytes, path: str) -> tuple[str, str, tuple[str, ...]]:
    """Decode file bytes to text: BOMs first, then UTF-8, a declared charset, then Windows-1252.

    Returns (text, encoding, warnings). Raises SourceError for binary content.
    """
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _strict_or_replace(data, "utf-32", path)
    if data.startswith(codecs.BOM_UTF8):
        return _strict_or_replace(data[3:], "utf-8", path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict_or_replace(data, "utf-16", path)
    head = data[:_SNIFF]
    if b"\x00" in head:
        bomless = _bomless_utf16(head)
        if bomless is None:
            raise SourceError("binary file (NUL bytes); skipped", path)
        text, encoding, warnings = _strict_or_replace(data, bomless, path)
        return text, encoding, (f"no byte order mark; read as {bomless.upper()}", *warnings)
    if len(head.translate(None, _NOT_CONTROL_BYTES)) > _BINARY_SHARE * len(head):
        raise SourceError("binary file (control bytes); skipped", path)
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:4096])
    if declared and declared not in _UTF8_NAMES and declared not in _WINDOWS_1252_ALIASES:
        try:
            return data.decode(declared), declared, ()
        except (LookupError, ValueError):  # ValueError: UnicodeError, and codecs that are not text encodings
            pass
    if declared in _WINDOWS_1252_ALIASES or not _has_utf8_sequence(data):
        # Declared Latin-1 (read as Windows-1252 by browsers), or no valid multi-byte UTF-8 sequence
        # at all: legacy 8-bit copy, most often Windows-1252 (curly quotes in 0x91-0x94); its
        # undefined bytes fall back to Latin-1.
        text = data.decode("cp1252", errors="latin1fallback")
        warnings = () if declared in _WINDOWS_1252_ALIASES else ("not UTF-8; decoded as Windows-1252",)
        return text, "windows-1252", warnings
    return _strict_or_replace(data, "utf-8", path)


def _bomless_utf16(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the head looks like UTF-16 text without a BOM (mostly ASCII,
    so every other byte is NUL), else None."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    for encoding, zero_at in (("utf-16-le", 1), ("utf-16-be", 0)):
        zeros = head[zero_at : pairs * 2 : 2].count(0)
        others = head[1 - zero_at : pairs * 2 : 2].count(0)
        if zeros >= 0.9 * pairs and others == 0:
            return encoding
    return None


def _strict_or_replace(data: bytes, encoding: str, path: str) -> tuple[str, str, tuple[str, ...]]:
    try:
        return data.decode(encoding), encoding, ()
    except UnicodeDecodeError as error:
        text = data.decode(encoding, errors="replace")
        before = data[: error.start].decode(encoding, errors="replace")
        line = sum(1 for _ in _LINE_BREAK.finditer(before)) + 1
        name = "UTF-8" if encoding == "utf-8" else encoding.upper()
        return text, encoding, (f"invalid {name} bytes from line {line}; replaced with U+FFFD",)


def _declared_charset(head: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(head)
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_sequence(data: bytes) -> bool:
    return _UTF8_MULTIBYTE.search(data) is not None


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("latin1fallback", _latin1_fallback)


def read_bytes(path: str) -> bytes:
    """The bytes of a regular file within MAX_FILE_BYTES; SourceError (one line, the file skipped)
    for anything else: a named pipe or device is never read (see fsutil.read_regular)."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except Unreadable as error:
        raise SourceError(_NOT_READ[error.problem].format(error.detail), path) from None


_NOT_READ = {
    "missing": "no such file (it may have been removed during the run); skipped",
    "folder": "is a folder; skipped",
    "not-regular": "not a regular file ({}); skipped",
    "too-large": "too large to check ({}); skipped",
    "os-error": "cannot read ({}); skipped",
    "bad-name": "not a valid file name; skipped",
}


def read_source(path: str, kind: str | None = None, data: bytes | None = None) -> SourceFile:
    """Read and decode one file (or given bytes, for stdin) into a SourceFile."""
    if data is None:
        data = read_bytes(path)
    elif len(data) > MAX_FILE_BYTES:
        # Standard input is read only up to a little past the limit: its whole size is not known.
        raise SourceError(f"too large to check ({size_problem(len(data), MAX_FILE_BYTES, exact=False)}); skipped", path)
    text, encoding, warnings = decode(data, path)
    return SourceFile(path=path, text=text, kind=kind or kind_for(path) or "text", encoding=encoding, warnings=warnings)
