"""Markdown conformance: in the CommonMark and GFM spec examples, kmlint reads the words a reader
sees in the spec's expected HTML (text outside code, alt and title attributes; no URLs, no comments);
footnotes, in neither spec, by cases of their own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import html5lib
import pytest
import regex
from conftest import SHARED

from kmlint.engine import Linter
from kmlint.extract import extract
from kmlint.ruleset import builtin_rules_dir, load_rules
from kmlint.source import SourceFile

CONFORMANCE = SHARED / "conformance"
SPECS = {"commonmark": "commonmark-examples.json", "gfm": "gfm-examples.json"}
EVERY_WORD = Linter(load_rules([Path(__file__).parent / "every-word.yaml"]))
FLOOR = 0.98

# Examples where the words differ, each with the reason. The test fails when one of them starts
# agreeing, so that the list stays honest.
_FRONT_MATTER = "the file opens with --- lines: front matter to kmlint (as to GitHub, Jekyll, Hugo), not a thematic break and a heading"
_PRE_ACROSS_BLOCKS = (
    "a <pre> opened in one HTML block and closed in a later one: kmlint reads each HTML block on its own, so the Markdown "
    "paragraph between them is prose (a browser puts it in the <pre>)"
)
_ESCAPED_ADDRESS = "an e-mail address broken by a backslash escape (foo\\+@...): found after the escape, so the word before it is read"
_COMMENT_RULES = "GFM 0.29 predates CommonMark 0.31's comment rules (<!--> is a comment, -- may be inside one); kmlint follows 0.31"
KNOWN: dict[str, dict[int, str]] = {
    "commonmark": {96: _FRONT_MATTER, 148: _PRE_ACROSS_BLOCKS, 608: _ESCAPED_ADDRESS},
    "gfm": {
        66: _FRONT_MATTER,
        118: _PRE_ACROSS_BLOCKS,
        614: _ESCAPED_ADDRESS,
        631: "GitHub links no address ending in - or _, and kmlint reads such an address as words; the test leaves any address out",
        645: _COMMENT_RULES,
        646: _COMMENT_RULES,
        653: "GitHub's tag filter shows <title>, <style> and <xmp> as text; kmlint reads them as a browser reads raw HTML: tags, their content no copy",
    },
}


def kmlint_words(markdown: str) -> Counter[str]:
    """The words kmlint reads: every match of a rule reporting each word, in the Document's text."""
    doc = extract(SourceFile(path="example.md", text=markdown, kind="markdown"))
    matches, notes = EVERY_WORD.matches(doc)
    assert not notes
    return Counter(doc.text[match.start : match.end] for _, match in matches)


# Elements whose tags do not separate words (`foo<em>bar</em>` is one word to a reader).
_INLINE = frozenset("a abbr b bdi bdo cite data del dfn em i ins mark q s small span strong sub sup time u".split())
# Content a reader does not see as copy (the README's reading rules, as tests/test_html_conformance.py
# reads them: a textarea's text and SVG or MathML text are shown, and read).
_HIDDEN = frozenset("script style template noscript iframe noembed noframes code pre kbd samp var listing xmp".split())
# Web and e-mail addresses written out in text are not words, linked or not (kmlint never lints them).
_ADDRESS = regex.compile(r"(?<![\w.+-])(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = regex.compile(r"\w+")  # as kmlint's rules read \w: the regex module's Unicode word characters


def reader_words(html: str) -> Counter[str]:
    """The words a reader sees in an HTML fragment, parsed as a browser parses it (html5lib):
    text outside code, comments and autolinks (a link showing its own address), and the alt and
    title attributes."""
    pieces: list[str] = []
    asides: list[str] = []

    def visit(node: ElementTree.Element, hidden: bool) -> None:
        name = node.tag
        if isinstance(name, str):  # an element (a comment's tag is a function)
            asides.extend(value for attribute, value in node.items() if attribute in ("alt", "title"))
            address = name == "a" and unquote(node.get("href", "")) in _shown_as("".join(node.itertext()))
            hides = hidden or name in _HIDDEN or address
            separates = name not in _INLINE or address
            if separates:
                pieces.append(" ")
            if node.text and not hides:
                pieces.append(node.text)
            for child in node:
                visit(child, hides)
            if separates:
                pieces.append(" ")
        if node.tail and not hidden:
            pieces.append(node.tail)

    visit(html5lib.parseFragment(html, namespaceHTMLElements=False), False)
    words: Counter[str] = Counter()
    for text in ["".join(pieces), *asides]:
        words.update(_WORD.findall(_ADDRESS.sub(" ", text)))
    return words


def _shown_as(text: str) -> tuple[str, ...]:
    """The addresses of a link that shows `text` as its own address."""
    return (text, "mailto:" + text, "http://" + text)


def load_examples(spec: str) -> list[dict[str, str | int]]:
    path = CONFORMANCE / SPECS[spec]
    if not path.is_file():
        pytest.skip(f"{path} is not there (the spec examples live in ../shared/conformance)")
    examples: list[dict[str, str | int]] = json.loads(path.read_text(encoding="utf-8"))
    return examples


def disagreements(spec: str) -> dict[int, str]:
    """Example number -> what differs (words kmlint reads that a reader does not see, and the reverse)."""
    found = {}
    for example in load_examples(spec):
        read, seen = kmlint_words(str(example["markdown"])), reader_words(str(example["html"]))
        if read != seen:
            found[int(example["number"])] = f"kmlint only: {sorted((read - seen).elements())}, reader only: {sorted((seen - read).elements())}"
    return found


@pytest.mark.parametrize("spec", SPECS)
def test_words_read_agree_with_the_words_a_reader_sees(spec):
    examples = load_examples(spec)
    differing = disagreements(spec)
    new = {number: why for number, why in differing.items() if number not in KNOWN[spec]}
    fixed = sorted(set(KNOWN[spec]) - set(differing))
    agreement = 1 - len(differing) / len(examples)
    assert not new, f"{spec}: {len(new)} examples disagree that are not listed: " + "; ".join(f"#{n}: {why}" for n, why in sorted(new.items()))
    assert not fixed, f"{spec}: listed exceptions that now agree (remove them from KNOWN): {fixed}"
    assert agreement >= FLOOR, f"{spec}: {agreement:.1%} agree"


# Footnotes (GFM, as github.com renders them) are in neither spec: these cases are written here. A
# definition's text is prose; a reference marker ([^1]) is a superscript number, not a word.
KM101 = Linter([rule for rule in load_rules([builtin_rules_dir()]) if rule.id == "KM101"])
FOOTNOTES = [
    ("Relief for some.[^1]\n\n[^1]: Results vary.\n", ["Relief", "for", "some", "Results", "vary"]),
    ("A named note[^source] here.\n\n[^source]: From a 2024 trial.\n", ["A", "named", "note", "here", "From", "a", "2024", "trial"]),
    ("Text[^a].\n\n[^a]: First line\nlazy line.\n\n    Second *paragraph* &amp; more.\n", "Text First line lazy line Second paragraph more".split()),
    ("> Quoted[^q].\n>\n> [^q]: A note in a quote.\n", ["Quoted", "A", "note", "in", "a", "quote"]),
    ("No such note[^missing].\n", ["No", "such", "note", "missing"]),  # no definition: shown as text
    ("Code.\n\n```\n[^x]: not a note\n```\n", ["Code"]),
]


@pytest.mark.parametrize("markdown,words", FOOTNOTES)
def test_footnote_definitions_are_prose_and_markers_are_not_words(markdown, words):
    assert kmlint_words(markdown) == Counter(words)


@pytest.mark.parametrize(
    "markdown,claim",
    [
        ("Our care.[^1]\n\n[^1]: It is safe and non-addictive.\n", "safe and non-addictive"),
        ("Care[^n].\n\n[^n]: It is safe and\n    non-addictive, &amp; more.\n", "safe and\n    non-addictive"),
        ("Care[^n].\n\n[^n]: Intro.\n\n    It is **safe** and\r\n    non&#8209;addictive.\n", "safe** and\r\n    non&#8209;addictive"),
        ("It is safe[^1] and non-addictive.\n\n[^1]: A note.\n", "safe[^1] and non-addictive"),  # the marker joins nothing
    ],
)
def test_a_claim_in_a_footnote_is_reported_at_its_exact_source_span(markdown, claim):
    result = KM101.check_source(SourceFile(path="page.md", text=markdown, kind="markdown"))
    assert [markdown[finding.start : finding.end] for finding in result.findings] == [claim]
