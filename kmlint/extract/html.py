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
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
DESCRIPTION_NAMES = frozenset(("description", "og:description", "twitter:description"))

_MARKUP = re.compile(
    r"""<(?:
        (?P<comment>!--)
      | (?P<bang>![^>]*>?)
      | (?P<pi>\?[^>]*>?)
      | /(?P<end>[A-Za-z][^\s/>]*)[^>]*>?
      | (?P<start>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>"']+|"[^"]*"|'[^']*')*)(?P<close>>?)
    )""",
    re.VERBOSE,
)
# Only meta tags and alt or title attributes give prose: other tags' attributes are not parsed.
_ALT_OR_TITLE = re.compile(r"(?:alt|title)\s*=", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=", re.IGNORECASE)
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
            opening = source.find("<", position, end)
            if opening < 0:
                opening = end
            if position < opening:
                add_prose(builder, source, position, opening, entities=True)
            if opening == end:
                return
            position = self._markup(opening, end)

    def finish(self) -> None:
        builder = self.builder
        builder.block(self.scope)
        for scope, start, end in self._aside:
            add_prose(builder, self.source, start, end, entities=True)
            builder.block(scope)
        self._aside.clear()

    def _text(self, start: int, end: int) -> None:
        if start < end:
            add_prose(self.builder, self.source, start, end, entities=True)

    def _markup(self, opening: int, end: int) -> int:
        source = self.source
        match = _MARKUP.match(source, opening, end)
        if match is None:
            self._text(opening, opening + 1)  # a "<" that starts no tag is text
            return opening + 1
        kind = match.lastgroup  # "close" for a start tag, else the one group that matched
        if kind == "close":
            return self._start_tag(match.group("start").lower(), match, end)
        if kind == "comment":
            close = source.find("-->", opening + 4, end)
            stop = end if close < 0 else close + 3
            self.builder.directive(opening, source[opening:stop])
            return stop
        if kind == "end":
            name = match.group("end").lower()
            if name == "a":
                self.builder.link_end()
            if name in BLOCK_TAGS:
                self._boundary(match.start(), match.end(), leaving=name)
        return match.end()  # an end tag, <!...> or <?...>

    def _start_tag(self, name: str, match: re.Match[str], end: int) -> int:
        attributes_start, attributes_end = match.span("attrs")
        if attributes_start < attributes_end and (name == "meta" or _ALT_OR_TITLE.search(self.source, attributes_start, attributes_end)):
            self._attributes(name, attributes_start, attributes_end)
        after = match.end()
        if name == "title":
            closer = _closer(name).search(self.source, after, end)
            stop = closer.start() if closer else end
            self.builder.block(self.scope)
            self._text(after, stop)
            self.builder.block("title")
            return closer.end() if closer else end
        if name in RAW_TEXT:
            closer = _closer(name).search(self.source, after, end)
            return closer.end() if closer else end
        if name in NON_PROSE and not match.group("attrs").rstrip().endswith("/"):
            self.builder.space(match.start(), after)
            return self._skip_nested(name, after, end)
        if name == "a" and _HREF.search(match.group("attrs")):
            self.builder.link_start()
        if name == "br":
            self.builder.space(match.start(), after)
        elif name in BLOCK_TAGS:
            self._boundary(match.start(), after, entering=name)
        return after

    def _boundary(self, start: int, end: int, entering: str = "", leaving: str = "") -> None:
        self.builder.block(self.scope)
        if entering in HEADINGS:
            self.scope = "heading"
        elif leaving in HEADINGS or entering:
            self.scope = "body"

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
