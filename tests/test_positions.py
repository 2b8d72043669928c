"""Positions are sacred: a claim embedded in random markup, entities, whitespace, CRLF and non-ASCII text is
reported at exactly its source span, in HTML, Markdown and plain text (hypothesis property tests)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmlint.engine import Linter
from kmlint.ruleset import builtin_rules_dir, load_rules
from kmlint.source import SourceFile

RULE = [rule for rule in load_rules([builtin_rules_dir()]) if rule.id == "KM101"]
LINTER = Linter(RULE)

WORDS = ["clinic", "café", "naïve", "中文", "😀", "Zürich", "ok", "x", "patients", "visit"]
SEPARATORS_TEXT = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", " \u200b", "\u2003"]
SEPARATORS_HTML = SEPARATORS_TEXT + [" <strong>", "</strong> ", " <em>", "</em> ", " <span class=\"a\">", "&nbsp;", " &#32;", "\r\n\t<b>"]
# A "*" that opens or closes nothing is not read; a lone "_" is a word character (CommonMark shows
# it), so "_" comes in pairs around a word (claim_md).
SEPARATORS_MD = SEPARATORS_TEXT + [" **", "** ", " *", "&nbsp;", " <strong>", "</strong> "]
FILLER_HTML = WORDS + ["<b>", "</b>", "<p>", "</p>", "<div class='x'>", "</div>", "<br>", "&amp;", "&eacute;", "&#x1F600;",
                       "<!-- comment -->", "<a href=\"https://example.com/a-b\">", "</a>", " ", "\r\n", "\t", "<h2>", "</h2>"]
FILLER_MD = WORDS + ["**bold**", "`code`", "[link](https://example.com/x)", "&amp;", "\\*", " ", "\n", "\r\n", "\t", "# heading\n", "- item\n"]
FILLER_TEXT = WORDS + [" ", "\n", "\r\n", "\t", "\u00a0", "\n\n"]


def claim(separators: list[str]):
    """'safe and non-addictive' with random separators between words and ignorable characters inside words."""
    separator = st.sampled_from(separators)
    inside = st.sampled_from(["", "", "\u00ad", "\u200b"])
    return st.tuples(separator, separator, inside).map(lambda t: f"safe{t[0]}and{t[1]}non-addic{t[2]}tive")


def claim_md():
    """As claim(SEPARATORS_MD), the middle word maybe emphasized (_and_, __and__, *and*, ~~and~~)."""
    emphasis = st.sampled_from(["", "_", "__", "*", "**", "~~"])
    # Not "_" after a zero-width space: to CommonMark that is no space, so the "_" opens nothing and is shown.
    return st.tuples(claim(SEPARATORS_MD), emphasis).filter(lambda t: not (t[1][:1] == "_" and "\u200band" in t[0])).map(
        lambda t: t[0].replace("and", f"{t[1]}and{t[1]}", 1)
    )


def filler(tokens: list[str]):
    return st.lists(st.sampled_from(tokens), max_size=12).map(lambda parts: " ".join(parts))


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Reference implementation: \\r\\n, \\r and \\n are each one break; columns count code points."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    line = max(i for i, start in enumerate(starts) if start <= offset)
    return line + 1, offset - starts[line] + 1


def assert_reported_exactly(kind: str, before: str, phrase: str, after: str) -> None:
    text = f"{before} {phrase} {after}"
    start = len(before) + 1
    end = start + len(phrase)
    result = LINTER.check_source(SourceFile(path=f"page.{kind}", text=text, kind=kind))
    spans = [(f.start, f.end) for f in result.findings]
    assert (start, end) in spans, (text, spans)
    finding = result.findings[spans.index((start, end))]
    assert (finding.line, finding.column) == line_column(text, start)
    assert (finding.end_line, finding.end_column) == line_column(text, end)


settings.register_profile("positions", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(settings.get_profile("positions"))
@given(filler(FILLER_HTML), claim(SEPARATORS_HTML), filler(FILLER_HTML))
def test_html_claim_span_is_exact(before, phrase, after):
    assert_reported_exactly("html", "<p>" + before + " word", phrase, after)


@settings(settings.get_profile("positions"))
@given(filler(FILLER_MD), claim_md(), filler(FILLER_MD))
def test_markdown_claim_span_is_exact(before, phrase, after):
    assert_reported_exactly("markdown", before + "\n\nword", phrase, after)


@settings(settings.get_profile("positions"))
@given(filler(FILLER_TEXT), claim(SEPARATORS_TEXT), filler(FILLER_TEXT))
def test_text_claim_span_is_exact(before, phrase, after):
    assert_reported_exactly("text", before + " word", phrase, after)


@settings(settings.get_profile("positions"))
@given(st.text(alphabet=st.sampled_from(list("ab é中😀\t\r\n&;<>#*_`[]()!-\u00a0\u200b")), max_size=80))
def test_every_span_starts_and_ends_on_the_claim_characters(noise):
    for kind in ("html", "markdown", "text"):
        source = noise + " safe and non-addictive " + noise
        result = LINTER.check_source(SourceFile(path="p", text=source, kind=kind))
        for finding in result.findings:
            assert 0 <= finding.start < finding.end <= len(source)
            assert source[finding.start] == finding.text[0]
            assert source[finding.end - 1] == finding.text[-1]


@given(st.text(alphabet=st.sampled_from(list("ab\r\n中")), max_size=30), st.data())
def test_a_span_has_the_lines_and_columns_of_its_two_ends(text, data):
    lines = SourceFile(path="p", text=text, kind="text").lines
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert lines.span(start, end) == lines.position(start) + lines.position(end)
