"""Fuzzing (issue 4): random bytes and random markup never make decoding, the HTML, Markdown and
text extractors, or the whole `check` path raise; and every finding lies inside its file, with
`Document.text[doc_start:doc_end]` equal to the finding's text and the source span holding the same
words once tags, entities and markup are taken out."""

from __future__ import annotations

import html
import json
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kmlint.engine import Linter
from kmlint.errors import SourceError
from kmlint.extract import EXTRACTORS
from kmlint.ruleset import builtin_rules_dir, load_rules
from kmlint.source import SourceFile, decode

RULES = Path(__file__).resolve().parent / "nasty" / "rules.yaml"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CLAIMS = ["completely safe", "Completely  SAFE", "risk-free", "risk free", "cutting-edge", "cutting edge", "non-addictive"]
WORDS = ["Our", "clinic", "care", "is", "may", "help", "some patients", "the", "Dr.", "e.g.", "U.S.", "ketamine", "42%", "."]
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\r\n", "\r", "\u00a0", "\u00ad", "\u200b", "\u2019", "“", "”", "\u2013"]
HTML_BITS = [
    "<p>", "</p>", "<b>", "</b>", "<em>", "</em>", "<br>", "<br/>", "<div>", "</div>", "<h2>", "</h2>", "<li>", "<ul>",
    "&amp;", "&nbsp;", "&#8217;", "&#45;", "&quot;", "&bogus;", "&", "<", ">", "<!-- ; -->", "<!--", "-->",
    "<script>;</script>", "<style>;</style>", "<pre>;</pre>", "<code>;</code>", "<title>", "</title>",
    '<img alt="completely safe">', '<img alt="a risk-free visit" title="x">', '<meta name="description" content="risk-free">',
    "<![CDATA[;]]>", "<?php ; ?>", "<!DOCTYPE html>", '<a href="#">', "</a>", "<svg>", "</svg>", "<td>", "<table>",
]
MARKDOWN_BITS = [
    "# ", "## ", "- ", "* ", "+ ", "1. ", "> ", "**", "*", "_", "__", "~~", "`;`", "``;``", "```\n", "~~~\n", "    ",
    "---\n", "===\n", "***\n", "| a | b |\n|---|---|\n", "\\*", "\\-", "[", "](#)", "![", "<br>", "<!-- ; -->",
    "&amp;", "&#45;", "<b>", "</b>", "---\ntitle: risk-free\n---\n", "[x]: #\n", "<div>\n", "</div>\n",
]


def markup(bits: list[str]) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(CLAIMS + WORDS + SPACES + bits) | st.text(max_size=4)
    return st.lists(pieces, max_size=40).map("".join)


DOCUMENTS = st.one_of(
    st.tuples(st.just("html"), markup(HTML_BITS)),
    st.tuples(st.just("markdown"), markup(MARKDOWN_BITS)),
    st.tuples(st.just("text"), markup([])),
    st.tuples(st.sampled_from(sorted(EXTRACTORS)), st.text(max_size=300)),
)


@lru_cache(maxsize=1)
def linter() -> Linter:
    """The shipped rule pack (every rule kind) and the test rules, compiled once."""
    return Linter(load_rules([builtin_rules_dir(), RULES]))


_TAG = re.compile(r"<[^<>]*>")
_NOT_WORD = re.compile(r"[\W_]+")


def words(text: str) -> str:
    """The words of a stretch of source or prose: tags out, entities decoded, all else but letters and digits dropped."""
    return _NOT_WORD.sub("", html.unescape(_TAG.sub(" ", text))).casefold()


@FUZZ
@given(st.binary(max_size=3000))
@example(b"\xff\xfe")
@example(b"\xef\xbb\xbf\xff")
@example(b'<meta charset="idna">\xe9')
@example(b"\x00a\x00b")
def test_random_bytes_decode_or_are_refused_with_a_reason(data):
    try:
        text, encoding, warnings = decode(data, "page")
    except SourceError as error:
        assert error.message.startswith("binary file")
        return
    assert isinstance(text, str) and encoding and all(isinstance(w, str) for w in warnings)
    for extract in EXTRACTORS.values():
        extract(text)


@FUZZ
@given(DOCUMENTS)
@example(("html", "<p>It is <b>completely</b>&nbsp;safe &amp; risk&#45;free</p>"))
@example(("markdown", "It is **completely\nsafe** and `;` risk\\-free.\n"))
@example(("html", "<div>" * 300 + "risk-free"))
def test_extractors_never_raise_and_map_every_character_into_the_source(document):
    kind, text = document
    doc = EXTRACTORS[kind](text)
    assert len(doc.text) == len(doc.folded)
    for block in doc.blocks:
        assert 0 <= block.start < block.end <= len(doc.text)
        assert "\n" not in doc.text[block.start : block.end]
    for index, char in enumerate(doc.text):
        if char == "\n":
            continue
        start, end = doc.source_span(index, index + 1)
        # a space may stand for markup between words, or for nothing (a line joined to the next)
        assert 0 <= start <= end <= len(text) and (start < end or char == " ")
        if end - start == 1 and char.isalnum():
            assert text[start] == char  # a letter copied as it is sits at its own place


@FUZZ
@given(DOCUMENTS)
@example(("html", "<p>It is <b>completely</b> safe.</p><p>Risk-free!</p>"))
@example(("markdown", "- Completely safe\n- *risk*-free\n\n```\ncompletely safe\n"))
@example(("text", "Completely\r\nsafe.\rRisk\u00adfree\u00a0care"))
def test_every_finding_is_inside_the_file_at_the_words_it_quotes(document):
    kind, text = document
    source = SourceFile(path="page", text=text, kind=kind)
    result = linter().check_source(source, keep_document=True)
    doc = result.document
    assert doc is not None
    for finding in result.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert doc.text[finding.doc_start : finding.doc_end] == finding.text
        assert (finding.line, finding.column) == source.lines.position(finding.start)
        assert (finding.end_line, finding.end_column) == source.lines.position(finding.end)
        assert words(text[finding.start : finding.end]) == words(finding.text)


@FUZZ
@given(suffix=st.sampled_from([".html", ".md", ".txt", ".xhtml"]), data=st.binary(max_size=2000) | markup(HTML_BITS + MARKDOWN_BITS).map(str.encode))
def test_check_on_random_bytes_ends_with_a_report_and_a_status(run_cli, suffix, data):
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / f"page{suffix}"
        page.write_bytes(data)
        result = run_cli("check", "--no-builtin-rules", "--rules", str(RULES), "--format", "json", "--jobs", "1", str(page))
    assert result.status in (0, 1, 2)
    assert result.err == ""
    report = json.loads(result.out)
    assert report["files"] == [str(page)]
    assert all(d["message"].endswith("skipped") or d["level"] == "warning" for d in report["diagnostics"])
    if result.status == 2:
        assert report["summary"]["files_failed"] == 1
