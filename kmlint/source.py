"""Source files: reading bytes, decoding them to text, and turning offsets into line and column."""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field

from kmlint.errors import SourceError

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
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_UTF8_NAMES = {"utf-8", "utf8"}


def kind_for(name: str) -> str | None:
    """The extractor kind for a file name, or None when it is not a file kmlint reads."""
    dot = name.rfind(".")
    return KIND_BY_SUFFIX.get(name[dot:].lower()) if dot >= 0 else None


class LineIndex:
    """Maps a character offset to a 1-based line and a 1-based column in code points.

    `\\n`, `\\r\\n` and a lone `\\r` are each one line break; a BOM was removed when decoding.
    """

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str):
        self._text = text
        self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self._text)
        return self._text[start:end].rstrip("\r\n")


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
    if data.startswith(codecs.BOM_UTF8):
        return _strict_or_replace(data[3:], "utf-8", path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", ()
        except UnicodeDecodeError:
            raise SourceError("invalid UTF-16 text; skipped", path) from None
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (NUL bytes); skipped", path)
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:4096])
    if declared and declared not in _UTF8_NAMES:
        try:
            return data.decode(declared), declared, ()
        except (LookupError, UnicodeDecodeError):
            pass
    if not _has_utf8_sequence(data):
        # No valid multi-byte UTF-8 sequence at all: legacy 8-bit copy, most often Windows-1252
        # (curly quotes in 0x91-0x94); its undefined bytes fall back to Latin-1.
        text = data.decode("cp1252", errors="latin1fallback")
        return text, "windows-1252", ("not UTF-8; decoded as Windows-1252",)
    return _strict_or_replace(data, "utf-8", path)


def _strict_or_replace(data: bytes, encoding: str, path: str) -> tuple[str, str, tuple[str, ...]]:
    try:
        return data.decode(encoding), encoding, ()
    except UnicodeDecodeError as error:
        text = data.decode(encoding, errors="replace")
        line = data.count(b"\n", 0, error.start) + 1
        return text, encoding, (f"invalid UTF-8 bytes from line {line}; replaced with U+FFFD",)


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


def read_source(path: str, kind: str | None = None, data: bytes | None = None) -> SourceFile:
    """Read and decode one file (or given bytes, for stdin) into a SourceFile."""
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise SourceError("no such file; skipped", path) from None
        except IsADirectoryError:
            raise SourceError("is a folder; skipped", path) from None
        except OSError as error:
            raise SourceError(f"cannot read ({error.strerror or error}); skipped", path) from None
    text, encoding, warnings = decode(data, path)
    return SourceFile(path=path, text=text, kind=kind or kind_for(path) or "text", encoding=encoding, warnings=warnings)
