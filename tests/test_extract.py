"""Extraction by table: what is prose (and where it came from) and what is not, per file kind."""

from __future__ import annotations

import bisect
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kmlint.document import Document, lower
from kmlint.engine import Linter
from kmlint.extract import EXTRACTORS
from kmlint.ruleset import builtin_rules_dir, load_rules
from kmlint.source import SourceFile

KM101 = Linter([rule for rule in load_rules([builtin_rules_dir()]) if rule.id == "KM101"])
CLAIM = "safe and non-addictive"


def spans(kind: str, source: str) -> list[str]:
    """The source slices of every KM101 finding."""
    result = KM101.check_source(SourceFile(path="p", text=source, kind=kind))
    return [source[f.start : f.end] for f in result.findings]


FOUND = [
    ("html", "<p>It is safe &amp; calm, safe and non&#8209;addictive.</p>", "safe and non&#8209;addictive"),
    ("html", "<p>It is <strong>safe</strong> and <em>non-addictive</em>.</p>", "safe</strong> and <em>non-addictive"),
    ("html", '<meta name="description" content="Ketamine: safe and non-addictive.">', CLAIM),
    ("html", '<meta property="og:description" content="Safe and non-addictive care">', "Safe and non-addictive"),
    ("html", "<meta name='twitter:description' content='safe and non-addictive'>", CLAIM),
    ("html", '<img src="a.png" alt="safe and non-addictive infusions">', CLAIM),
    ("html", '<span title="safe and non-addictive">i</span>', CLAIM),
    ("html", "<title>Safe and Non-Addictive | Clinic</title>", "Safe and Non-Addictive"),
    ("html", "<p>safe and\r\n\tnon-addictive</p>", "safe and\r\n\tnon-addictive"),
    ("html", "<p>safe&nbsp;and\u00a0non-addic\u00adtive</p>", "safe&nbsp;and\u00a0non-addic\u00adtive"),
    ("html", "<p>safe and non\u200b-addictive</p>", "safe and non\u200b-addictive"),
    ("html", '<p><a href="/book">safe and non-addictive</a></p>', CLAIM),
    ("html", "\ufeff<p>Ünïcödé 😀 then safe and non-addictive</p>", CLAIM),
    ("markdown", "---\ntitle: Safe and non-addictive\n---\nBody.\n", "Safe and non-addictive"),
    ("markdown", "---\ndescription: 'safe and non-addictive'\n---\n", CLAIM),
    ("markdown", "It is **safe and\nnon-addictive**.\n", "safe and\nnon-addictive"),
    ("markdown", "It is [safe and non-addictive](https://example.com/x).\n", CLAIM),
    ("markdown", "![safe and non-addictive](pic.png)\n", CLAIM),
    ("markdown", "> Quote: safe and\n> non-addictive\n", "safe and\n> non-addictive"),
    ("markdown", "- item: safe and non-addictive\n", CLAIM),
    ("markdown", "| a | safe and non-addictive |\n|---|---|\n", CLAIM),
    ("markdown", "## Safe and non-addictive ##\n", "Safe and non-addictive"),
    ("markdown", "<div>\n<p>safe and non-addictive</p>\n</div>\n", CLAIM),
    ("markdown", "safe &amp; sure: safe and non&#8209;addictive\n", "safe and non&#8209;addictive"),
    ("text", "Our care is safe and\r\nnon-addictive.\r\n", "safe and\r\nnon-addictive"),
    ("text", "safe\tand\u00a0non-addictive", "safe\tand\u00a0non-addictive"),
]

NOT_PROSE = [
    ("html", '<script>var s = "safe and non-addictive";</script>'),
    ("html", "<style>/* safe and non-addictive */</style>"),
    ("html", "<!-- safe and non-addictive -->"),
    ("html", "<pre>safe and non-addictive</pre>"),
    ("html", "<p><code>safe and non-addictive</code></p>"),
    ("html", "<noscript>safe and non-addictive</noscript>"),
    ("html", "<template><p>safe and non-addictive</p></template>"),
    ("html", '<a href="https://x.com/safe-and-non-addictive">book</a>'),
    ("html", "<p>see https://x.com/safe-and-non-addictive today</p>"),
    ("html", '<meta name="keywords" content="safe and non-addictive">'),
    ("markdown", "```\nsafe and non-addictive\n```\n"),
    ("markdown", "~~~md\nsafe and non-addictive\n~~~\n"),
    ("markdown", "Intro.\n\n    safe and non-addictive\n"),
    ("markdown", "Use `safe and non-addictive` as an example.\n"),
    ("markdown", "[book](https://x.com/safe-and-non-addictive)\n"),
    ("markdown", "<https://x.com/safe-and-non-addictive>\n"),
    ("markdown", "[ref]: https://x.com/safe-and-non-addictive\n"),
    ("markdown", "---\nslug: safe and non-addictive\n---\n"),
    ("markdown", "<!-- safe and non-addictive -->\n"),
    ("markdown", "<script>\nsafe and non-addictive\n</script>\n"),
    ("text", "see www.example.com/safe-and-non-addictive"),
]


@pytest.mark.parametrize("kind,source,expected", FOUND)
def test_claim_is_prose_at_its_exact_source_span(kind, source, expected):
    assert expected in spans(kind, source)


@pytest.mark.parametrize("kind,source", NOT_PROSE)
def test_decoy_is_not_prose(kind, source):
    assert spans(kind, source) == []


@pytest.mark.parametrize(
    "kind,source,scopes",
    [
        ("html", "<title>T</title><h1>H</h1><p>B</p><img alt=A><meta name=description content=M>", ["title", "heading", "body", "alt", "meta"]),
        ("markdown", "---\ntitle: T\ndescription: M\n---\n# H\n\nB\n\n![A](a.png)\n", ["title", "meta", "heading", "body", "alt"]),
        ("text", "A Short Heading\nBody text goes here.\n", ["heading", "body"]),
    ],
)
def test_blocks_carry_their_scope(kind, source, scopes):
    doc = EXTRACTORS[kind](source)
    assert [block.scope for block in doc.blocks] == scopes


@pytest.mark.parametrize(
    "source,text",
    [
        ("<p>a<b>b</b>c</p>", "abc"),  # inline tags do not break a word
        ("<p>one</p><p>two</p>", "one\ntwo"),  # block tags separate blocks
        ("<p>line<br>break</p>", "line break"),
        ("<p>  lots \n\n of   space  </p>", "lots of space"),
        ("<p>&lt;tag&gt; &amp; &copy; &#233; &#xE9; &unknown;</p>", "<tag> & © é é &unknown;"),
        ("<p>a < b and c > d</p>", "a < b and c > d"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("<p>x<!-- unterminated comment", "x"),
    ],
)
def test_html_prose_text(source, text):
    assert EXTRACTORS["html"](source).text.rstrip("\n") == text


@pytest.mark.parametrize(
    "source,text",
    [
        ("*a* __b__ ~~c~~ snake_case", "a b c snake_case"),
        ("a \\*literal\\* star", "a *literal* star"),
        ("[text](http://u \"title\") and [ref][r]\n\n[r]: /x", "text and ref\ntitle"),  # a title is a tooltip: read
        ("[ref][r] with no definition", "[ref][r] with no definition"),  # not a link: shown as it is
        ("It is **safe and *calm", "It is safe and calm"),  # stray delimiters hide no words
        ("a**b 2 * 3 snake_case _x", "a**b 2 * 3 snake_case _x"),  # inside a word or text, or "_" (a word character): kept
        ("line one\nline two", "line one line two"),
        ("# Title #\npara", "Title\npara"),
        ("Setext\n======\n\npara", "Setext\npara"),
        ("```\ncode\n", ""),  # an unclosed fence runs to the end
        # Markup at the start or end of a wrapped line: the line break still separates words.
        ("Some\n**bold** text", "Some bold text"),
        ("See\n[our prices](/p) now", "See our prices now"),
        ("Some **bold**\ntext", "Some bold text"),
        ("a `code`\nb", "a b"),
    ],
)
def test_markdown_prose_text(source, text):
    assert EXTRACTORS["markdown"](source).text.rstrip("\n") == text


def test_sentences_split_after_terminal_punctuation_but_not_abbreviations_or_decimals():
    doc = EXTRACTORS["text"]("Dr. Smith gave 2.5 mg. It helped, e.g. for sleep! Did it? Yes.")
    starts = []
    position = 0
    while position < len(doc.text.rstrip("\n")):
        start, end = doc.sentence(position, position + 1)
        starts.append(doc.text[start:end].strip())
        position = end
    assert starts == ["Dr. Smith gave 2.5 mg.", "It helped, e.g. for sleep!", "Did it?", "Yes."]


def _sentences_block_by_block(doc: Document, start: int, end: int) -> tuple[int, int]:
    """Document.sentence as first written: each block searched alone, with one expression."""
    block = doc.blocks[doc.block_index(start)]
    starts = [block.start]
    for match in re.finditer(r"([.?!\u2026]+)[\"'\u2019\u201d)\]]*( +)(?=[\"'\u2018\u201c(\[]?[A-Z0-9])", doc.text[: block.end]):
        if match.start() < block.start:
            continue
        if match.group(1) == ".":
            word = re.search(r"([\w.]+)$", doc.text[max(block.start, match.start(1) - 8) : match.start(1)])
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in {"dr", "e.g", "u.s", "etc", "approx"} or re.fullmatch(r"[^\W\d_]", token):
                continue
        starts.append(match.end())
    low = starts[bisect.bisect_right(starts, start) - 1]
    last = bisect.bisect_left(starts, end)
    return low, starts[last] if last < len(starts) else block.end


# Words, abbreviations, initials, terminal marks alone and in runs, closing and opening quotes,
# spaces and paragraph breaks: where sentences do and do not break.
_SENTENCE_PIECES = st.sampled_from(
    ["Dr", "DR", "e.g", "E.G", "U.S", "etc", "approx", "A", "x", "2", "_", "\u00bd", "word", "Next"]
    + [".", "?", "!", "\u2026", "...", "?!", '"', "\u201d", ")", "(", " ", "  ", "\n\n"]
)


@given(st.lists(_SENTENCE_PIECES, max_size=40).map("".join))
@example("Dr. Smith. Yes?! No\u2026 Fine.\n\nA. Next")
def test_sentences_are_found_for_the_whole_document_as_block_by_block(source):
    doc = EXTRACTORS["text"](source)
    for block in doc.blocks:
        for position in range(block.start, block.end):
            assert doc.sentence(position, position + 1) == _sentences_block_by_block(doc, position, position + 1)


def test_markdown_brackets_without_a_target_stay_text_so_footnote_markers_count():
    assert EXTRACTORS["markdown"]("Most patients improved [1].").text.rstrip("\n") == "Most patients improved [1]."


# Mostly ASCII, as clinic copy is, with characters with and without case, the final-sigma rule
# (lower case of "Σ" depends on the letter before it), one that lowers to two ("İ"), and lone
# surrogates.
_MOSTLY_ASCII = st.text(st.one_of(st.characters(max_codepoint=127), st.sampled_from("©·’éÉΣσßİ\ud800"), st.characters()))


@given(_MOSTLY_ASCII)
@example("Safe © 2026")  # only a character without case: lowered through its UTF-8 bytes
@example("ΟΔΟΣ safe")  # final sigma: str.lower's own path
def test_lower_is_str_lower(text):
    assert lower(text) == text.lower()
