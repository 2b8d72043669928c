"""Editor positions (UTF-16 and UTF-32 code units) for the language server, and where a suppression comment goes."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmlint.codeunits import TextPositions, apply_change
from kmlint.config import Config, resolve
from kmlint.engine import Linter
from kmlint.source import SourceFile
from kmlint.suppress import disable_next_line

_LSP_BREAK = re.compile(r"\r\n|\r|\n")
# Characters that trip position code: astral (two UTF-16 units), CJK, a combining mark, breaks the
# LSP does not count as line breaks (form feed, U+2028, NEL), and all three real line breaks.
_ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "😀", "𝒜", "中", "é", "e\u0301", "\u2028", "\x0c", "\x85", "\t"])


def _lines(text: str) -> list[tuple[int, str]]:
    """(start offset, content) of each LSP line: split at \\r\\n, \\r and \\n only (LSP 3.17)."""
    starts = [0] + [match.end() for match in _LSP_BREAK.finditer(text)]
    out = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        out.append((start, text[start:end].rstrip("\r\n")))
    return out


def reference_offset(text: str, line: int, character: int, utf16: bool) -> int:
    """A code-point offset from an LSP position, worked out independently (by encoding the line)."""
    start, content = _lines(text)[line]
    if not utf16:
        return start + character
    return start + len(content.encode("utf-16-le")[: 2 * character].decode("utf-16-le"))


def lsp_slice(text: str, start: tuple[int, int], end: tuple[int, int], utf16: bool) -> str:
    return text[reference_offset(text, *start, utf16) : reference_offset(text, *end, utf16)]


texts = st.lists(_ALPHABET, max_size=40).map("".join)


@given(texts, st.data(), st.booleans())
def test_positions_round_trip_through_code_units(text, data, utf16):
    positions = TextPositions(text, utf16)
    offset = data.draw(st.integers(0, len(text)))
    if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n":
        offset += 1  # between \r and \n is no position at all in the LSP
    line, character = positions.position(offset)
    assert reference_offset(text, line, character, utf16) == offset
    assert positions.offset(line, character) == offset


@given(texts, st.data(), st.booleans(), st.text(max_size=3))
def test_an_incremental_change_replaces_exactly_its_range(text, data, utf16, new_text):
    positions = TextPositions(text, utf16)
    boundaries = sorted({0, len(text), *[m.start() for m in re.finditer(r"(?s).", text) if text[m.start() - 1 : m.start() + 1] != "\r\n"]})
    start = data.draw(st.sampled_from(boundaries))
    end = data.draw(st.sampled_from([b for b in boundaries if b >= start]))
    span = (*positions.position(start), *positions.position(end))
    assert apply_change(text, span, new_text, utf16) == text[:start] + new_text + text[end:]


def test_positions_past_the_end_clamp_as_the_lsp_says():
    positions = TextPositions("ab😀\ncd", utf16=True)
    assert positions.offset(0, 99) == 3  # the end of the line, before its break
    assert positions.offset(7, 0) == 6  # a line past the end: the end of the text
    assert positions.offset(0, 3) == 3  # inside the surrogate pair: after the character
    assert positions.position(3) == (0, 4)
    assert TextPositions("😀中😀", utf16=True).position(3) == (0, 5)


_LINTER: list[Linter] = []


def _linter() -> Linter:
    if not _LINTER:
        settings_ = resolve(Config())
        _LINTER.append(Linter(settings_.rules, settings_.severities, settings_.file_ignores))
    return _LINTER[0]


# Claims as written, and the source the finding covers: from its first word to its last.
_CLAIMS = {
    "html": ["safe and non-addictive", "safe &amp; non-addictive", "<em>safe</em> and non-addictive", "safe and\r\nnon-addictive"],
    "markdown": ["safe and non-addictive", "*safe* and non-addictive", "safe and\nnon-addictive"],
    "text": ["safe and non-addictive", "safe and\nnon-addictive"],
}
_MARKUP_BEFORE = ("<em>", "*")
_PREFIX = st.lists(st.sampled_from(["Our 😀 clinic. ", "中文 ", "café ", "e\u0301 ", "𝒜 ", "\n", "\r\n", "x\u2028y "]), max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_CLAIMS)), st.data(), _PREFIX, st.booleans())
def test_diagnostic_ranges_select_exactly_the_findings_words(kind, data, prefix, utf16):
    claim = data.draw(st.sampled_from(_CLAIMS[kind]))
    body = f"{prefix}Ketamine is {claim} for everyone."
    text = f"<p>{body}</p>\n" if kind == "html" else body + "\n"
    source = SourceFile("page", text, kind)
    findings = _linter().check_source(source).findings
    positions = TextPositions(text, utf16)
    assert any(finding.rule == "KM101" for finding in findings)
    for finding in findings:
        selected = lsp_slice(text, positions.position(finding.start), positions.position(finding.end), utf16)
        assert selected == text[finding.start : finding.end]
        if finding.rule == "KM101":
            assert selected == claim.removeprefix(_MARKUP_BEFORE[0]).removeprefix(_MARKUP_BEFORE[1])


# -- disable-next-line comments -----------------------------------------------------------------

_COMMENT = "<!-- kmlint-disable-next-line KM101 -- reason -->"
SUPPRESSIONS = [
    # (kind, text, the text with the comment inserted)
    ("html", "<div>\n  <p>Ketamine is safe and non-addictive.</p>\n</div>\n", f"<div>\n  {_COMMENT}\n  <p>Ketamine is safe and non-addictive.</p>\n</div>\n"),
    ("html", "<p>Ketamine is safe and non-addictive.</p>", f"{_COMMENT}\n<p>Ketamine is safe and non-addictive.</p>"),
    ("html", "<p>Hi</p>\r\n<p>Ketamine is safe and non-addictive.</p>\r\n", f"<p>Hi</p>\r\n{_COMMENT}\r\n<p>Ketamine is safe and non-addictive.</p>\r\n"),
    ("markdown", "Our clinic is open.\nKetamine is safe and non-addictive.\n", f"Our clinic is open. {_COMMENT}\nKetamine is safe and non-addictive.\n"),
    ("markdown", "Our clinic is open.  \nKetamine is safe and non-addictive.\n", f"Our clinic is open. {_COMMENT}  \nKetamine is safe and non-addictive.\n"),
    ("markdown", "- First item\n- Ketamine is safe and non-addictive.\n", f"- First item {_COMMENT}\n- Ketamine is safe and non-addictive.\n"),
    ("markdown", "Intro.\n\nKetamine is safe and non-addictive.\n", f"Intro.\n\n{_COMMENT}\nKetamine is safe and non-addictive.\n"),
    ("markdown", "> Intro.\n>\n> Ketamine is safe and non-addictive.\n", f"> Intro.\n>\n> {_COMMENT}\n> Ketamine is safe and non-addictive.\n"),
    ("markdown", "# Care\nKetamine is safe and non-addictive.\n", f"# Care\n{_COMMENT}\nKetamine is safe and non-addictive.\n"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), SUPPRESSIONS)
def test_a_disable_next_line_comment_silences_the_finding(kind, text, expected):
    source = SourceFile("page", text, kind)
    result = _linter().check_source(source, keep_document=True)
    finding = next(f for f in result.findings if f.rule == "KM101")
    assert result.document is not None
    insertion = disable_next_line(source, result.document, finding, "reason")
    assert insertion is not None
    changed = text[: insertion[0]] + insertion[1] + text[insertion[0] :]
    assert changed == expected
    after = _linter().check_source(SourceFile("page", changed, kind)).findings
    assert not any(f.rule == "KM101" for f in after)
    # Nothing else changed: the other findings are the same rules on the same words.
    assert sorted((f.rule, f.text) for f in after) == sorted((f.rule, f.text) for f in result.findings if f.rule != "KM101")


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("text", "Ketamine is safe and non-addictive.\n"),
        ("markdown", "---\ntitle: Ketamine is safe and non-addictive\n---\n\nHello.\n"),
        ("html", '<img src="a.png"\n  alt="Ketamine is safe and non-addictive">\n'),
        ("markdown", "| Claim | Note |\n|---|---|\n| Ketamine is safe and non-addictive | none |\n"),
    ],
)
def test_no_comment_where_none_can_go(kind, text):
    source = SourceFile("page", text, kind)
    result = _linter().check_source(source, keep_document=True)
    finding = next(f for f in result.findings if f.rule == "KM101")
    assert result.document is not None
    assert disable_next_line(source, result.document, finding, "reason") is None


_MARKDOWN_LINES = ["Our clinic is open.", "", "- An item", "1. A step", "> A quote", "# Care", "Text with a hard break  ", "Line\\", "* * *"]
_HTML_LINES = ["<p>Our clinic is open.</p>", "", "<ul>", "<li>An item</li>", "</ul>", "  <div>", "<h2>Care</h2>", "Plain words"]
_CLAIM = "Ketamine is safe and non-addictive."
_CLAIM_LINES = {
    "markdown": [_CLAIM, f"- {_CLAIM}", f"> {_CLAIM}", "## Safe and non-addictive"],
    "html": [f"<p>{_CLAIM}</p>", "  <li>Safe and non-addictive</li>", _CLAIM, '<img alt="Safe and non-addictive">'],
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["markdown", "html"]), st.data())
def test_wherever_the_claim_is_the_comment_silences_it_and_nothing_else(kind, data):
    filler = _MARKDOWN_LINES if kind == "markdown" else _HTML_LINES
    before = data.draw(st.lists(st.sampled_from(filler), max_size=5))
    after = data.draw(st.lists(st.sampled_from(filler), max_size=3))
    claim = data.draw(st.sampled_from(_CLAIM_LINES[kind]))
    text = "\n".join([*before, claim, *after]) + "\n"
    source = SourceFile("page", text, kind)
    result = _linter().check_source(source, keep_document=True)
    targets = [f for f in result.findings if f.rule == "KM101"]
    assert targets and result.document is not None
    insertion = disable_next_line(source, result.document, targets[0], "reason")
    if insertion is None:
        return
    changed = text[: insertion[0]] + insertion[1] + text[insertion[0] :]
    found = _linter().check_source(SourceFile("page", changed, kind)).findings
    assert not [f for f in found if f.rule == "KM101"]
    assert sorted((f.rule, f.text) for f in found) == sorted((f.rule, f.text) for f in result.findings if f.rule != "KM101")
