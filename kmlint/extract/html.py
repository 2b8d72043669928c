"""HTML extraction: prose from text, the title, meta descriptions, alt and title attributes; code, scripts and comments left out."""

from __future__ import annotations

import re

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.prose import add_prose

# Elements that end a block of prose (sentences never cross them); all others are inline.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li
    main menu nav ol optgroup option p section summary table tbody td tfoot th thead tr ul""".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Content read as raw text up to the closing tag (HTML5 raw-text and escapable raw-text elements,
# plus noscript and template, whose content is not shown as page copy).
RAW_TEXT = frozenset("script style textarea xmp iframe noembed noframes noscript template plaintext".split())
# Content that may hold markup but is code, not copy: skipped up to the matching closing tag.
NON_PROSE = frozenset("code pre kbd samp var svg math".split())
DESCRIPTION_NAMES = frozenset(("description", "og:description", "twitter:description"))
# Inline elements that only format their text: their tags are read with the text before them, in one
# token (a fast path: any other tag is read on its own, to the same effect).
FORMATTING = frozenset("abbr b bdi bdo cite data del dfn em font i img ins mark q s small span strong sub sup time u".split())
_SKIPS_CONTENT = RAW_TEXT | NON_PROSE | {"title"}


def _names(names: frozenset[str]) -> str:
    """A pattern for any of `names` in lower case (the fast paths take only that; the general path
    reads any spelling), as a trie: an alternation of the whole names is slower to match."""
    first: dict[str, list[str]] = {}
    for name in names:
        if name:
            first.setdefault(name[0], []).append(name[1:])
    branches = [re.escape(char) + _names(frozenset(rest)) for char, rest in sorted(first.items())]
    if not branches:
        return ""
    pattern = branches[0] if len(branches) == 1 and "" not in names else "(?:" + "|".join(branches) + ")"
    return pattern + "?" if "" in names else pattern


# A start tag's attributes (as the general path reads them) where _ALT_OR_TITLE finds nothing, not
# even inside a quoted value: every "=" follows neither a space nor "alt" or "title" in any case.
_EQUALS = r"(?<!\s)(?<![aA][lL][tT])(?<![tT][iI][tT][lL][eE])="
_PLAIN_ATTRIBUTES = rf"""(?:[^>"'=]++|{_EQUALS}|"(?:[^"=]++|{_EQUALS})*+"|'(?:[^'=]++|{_EQUALS})*+')*+"""
_HEADING = rf"{_names(HEADINGS)}(?=[\s/>])"
_BLOCK = rf"{_names(BLOCK_TAGS - HEADINGS)}(?=[\s/>])"
_FORMATTING = rf"{_names(FORMATTING)}(?=[\s/>])"
# Formatting tags right after a piece of text: read with it.
_FORMATTING_TAGS = rf"(?:<(?:{_FORMATTING}{_PLAIN_ATTRIBUTES}|/{_FORMATTING}[^>]*+)>)*+"
# One token per match, named by its outermost group that matched (`lastgroup`). Text, block tags in
# a row and links are fast paths for the commonest tokens (a page takes two fifths as many tokens as
# read tag by tag); the general path reads any markup, theirs included, to the same effect.
_TOKEN = re.compile(
    rf"""
    # Text that is not only whitespace, with the formatting tags right after it.
    (?P<text>[ \t\n\r]*+[^< \t\n\r][^<]*+){_FORMATTING_TAGS}
    # Block tags in a row, without alt or title attributes: one block boundary; the last of them
    # that sets the scope (entering a heading, or leaving one or entering another block) sets it.
  | (?P<blocks>(?:[ \t\n\r]*+<(?:
          {_HEADING}{_PLAIN_ATTRIBUTES}>(?P<to_heading>)
        | (?:/{_HEADING}[^>]*+|{_BLOCK}{_PLAIN_ATTRIBUTES})>(?P<to_body>)
        | /{_BLOCK}[^>]*+>
    ))++)
    # A link holding only text, with the whitespace before it.
  | (?P<link_gap>[ \t\n\r]*+)<a(?=[\s/>])(?P<link_attributes>{_PLAIN_ATTRIBUTES})>(?P<link>[^<]*+)</a(?=[\s/>])[^>]*+>
    # Markup, with the whitespace before it (`gap`: a word break, unless a block tag follows).
  | (?P<gap>[ \t\n\r]*+)<(?:
        (?P<comment>!--)
      | (?P<other>[!?][^>]*+>?)
      | (?P<end>/(?P<end_name>[A-Za-z][^\s/>]*+)[^>]*+>?)
      | (?P<start>(?P<name>[A-Za-z][^\s/>]*+)(?P<attrs>(?:[^>"']++|"[^"]*+"|'[^']*+')*+)>?)
    )
    # Whitespace before no tag (at the end, or before a "<" that starts none), or such a "<": text too.
  | (?P<rest>[^<]++|<){_FORMATTING_TAGS}
    """,
    re.VERBOSE,
)
# Only meta tags and alt or title attributes give prose: other tags' attributes are not parsed.
# Both patterns start with a character class (not a group or \b: [hH](?<!\w[hH]) is \b[hH]), so that
# a search jumps from one candidate letter to the next. ASCII letters only: re.IGNORECASE would also
# take "ı" and "İ" for "i", but _attributes lower-cases names, and no such name lowers to "title".
_ALT_OR_TITLE = re.compile(r"(?:[aA][lL][tT]|[tT][iI][tT][lL][eE])\s*=")
_HREF = re.compile(r"[hH](?<!\w[hH])[rR][eE][fF]\s*=")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_CLOSERS: dict[str, re.Pattern[str]] = {}


def _closer(name: str) -> re.Pattern[str]:
    pattern = _CLOSERS.get(name)
    if pattern is None:
        pattern = _CLOSERS[name] = re.compile(rf"</{re.escape(name)}(?=[\s/>])[^>]*>?", re.IGNORECASE)
    return pattern


class HtmlReader:
    """Walks HTML source left to right, feeding prose to a DocumentBuilder.

    Attribute text (alt, title, meta descriptions) is kept aside and added as blocks of its own
    by `finish`, so it never splits the paragraph it sits in."""

    def __init__(self, builder: DocumentBuilder, source: str):
        self.builder = builder
        self.source = source
        self.scope = "body"
        self._aside: list[tuple[str, int, int]] = []

    def read(self, start: int, end: int) -> None:
        source, builder = self.source, self.builder
        position = start
        while position < end:
            # The tokens follow each other; a skipped element or a comment starts a new search.
            for token in _TOKEN.finditer(source, position, end):
                kind = token.lastgroup
                if kind == "text" or kind == "rest":
                    add_prose(builder, source, token.start(), token.end(kind), entities=True)
                    continue
                if kind == "link":
                    gap_end = token.end("link_gap")
                    if gap_end > token.start():
                        builder.space(token.start(), gap_end)
                    if _HREF.search(source, *token.span("link_attributes")):
                        builder.link_start()
                    text_start, text_end = token.span("link")
                    if text_start < text_end:
                        add_prose(builder, source, text_start, text_end, entities=True)
                    builder.link_end()
                    continue
                if kind == "blocks":
                    builder.block(self.scope)
                    to_heading, to_body = token.start("to_heading"), token.start("to_body")
                    if to_heading > to_body:
                        self.scope = "heading"
                    elif to_body >= 0:
                        self.scope = "body"
                    continue
                if kind == "start":
                    name = token.group("name").lower()
                    attributes_start, attributes_end = token.span("attrs")
                    if attributes_start < attributes_end and (name == "meta" or _ALT_OR_TITLE.search(source, attributes_start, attributes_end)):
                        self._attributes(name, attributes_start, attributes_end)
                    if name in BLOCK_TAGS:
                        builder.block(self.scope)
                        self.scope = "heading" if name in HEADINGS else "body"
                        continue
                    gap_end = token.end("gap")
                    if gap_end > token.start():
                        builder.space(token.start(), gap_end)
                    if name in _SKIPS_CONTENT:
                        position = self._skip_content(name, token, end)
                        break
                    if name == "a" and _HREF.search(source, attributes_start, attributes_end):
                        builder.link_start()
                    elif name == "br":
                        builder.space(gap_end, token.end())
                    continue
                if kind == "end":
                    name = token.group("end_name").lower()
                    if name in BLOCK_TAGS:
                        builder.block(self.scope)
                        if name in HEADINGS:
                            self.scope = "body"
                        continue
                    if name == "a":
                        builder.link_end()
                gap_end = token.end("gap")
                if gap_end > token.start():
                    builder.space(token.start(), gap_end)
                if kind == "comment":
                    close = source.find("-->", gap_end + 4, end)
                    position = end if close < 0 else close + 3
                    builder.directive(gap_end, source[gap_end:position])
                    break
            else:
                return

    def finish(self) -> None:
        builder = self.builder
        builder.block(self.scope)
        for scope, start, end in self._aside:
            add_prose(builder, self.source, start, end, entities=True)
            builder.block(scope)
        self._aside.clear()

    def _skip_content(self, name: str, token: re.Match[str], end: int) -> int:
        """Skip the content of a title, raw-text or code element (the title is read as a block of
        its own); returns where reading goes on."""
        after = token.end()
        if name in NON_PROSE:
            if token.group("attrs").rstrip().endswith("/"):
                return after  # <svg/>: no content
            self.builder.space(token.end("gap"), after)
            return self._skip_nested(name, after, end)
        closer = _closer(name).search(self.source, after, end)
        stop = closer.start() if closer else end
        if name == "title":
            self.builder.block(self.scope)
            if after < stop:
                add_prose(self.builder, self.source, after, stop, entities=True)
            self.builder.block("title")
        return closer.end() if closer else end

    def _skip_nested(self, name: str, start: int, end: int) -> int:
        tags = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>?", re.IGNORECASE)
        depth = 1
        for tag in tags.finditer(self.source, start, end):
            if tag.group(1):
                depth -= 1
                if depth == 0:
                    return tag.end()
            elif not tag.group().endswith("/>"):
                depth += 1
        return end

    def _attributes(self, tag: str, start: int, end: int) -> None:
        if start >= end:
            return
        values: dict[str, tuple[int, int]] = {}
        for attribute in _ATTRIBUTE.finditer(self.source, start, end):
            for group in (2, 3, 4):
                if attribute.group(group) is not None:
                    values.setdefault(attribute.group(1).lower(), attribute.span(group))
                    break
        if tag == "meta":
            kind = values.get("name") or values.get("property")
            if kind and self.source[kind[0] : kind[1]].strip().lower() in DESCRIPTION_NAMES and "content" in values:
                self._aside.append(("meta", *values["content"]))
            return
        for name in ("alt", "title"):
            if name in values:
                self._aside.append(("alt", *values[name]))


def extract_html(source: str) -> Document:
    builder = DocumentBuilder(source)
    reader = HtmlReader(builder, source)
    reader.read(0, len(source))
    reader.finish()
    return builder.build()
