"""HTML extraction by the WHATWG parsing rules where they decide what is visible: text, the title, meta descriptions, alt and title attributes."""

from __future__ import annotations

import re

from kmlint.document import Document, DocumentBuilder
from kmlint.extract.charrefs import REFERENCE, decode_reference
from kmlint.extract.prose import WEB_ADDRESS, web_address_end

# Elements rendered as blocks: they end a block of prose (sentences never cross them). Not table
# rows and sections: text misplaced in a table is moved before it (foster parenting), where it
# joins the text before the table; cells and captions are blocks inside a table only (elsewhere the
# tree builder drops their tags, as it drops html, head and body tags after the first).
BLOCK_TAGS = frozenset(
    """address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr legend li listing main menu nav ol optgroup option p plaintext pre search
    section summary td th ul xmp""".split()
)
_CELLS = frozenset(("caption", "td", "th"))
_TABLE_STRUCTURE = frozenset("caption table tbody td tfoot th thead tr".split())
# Text or a tag other than the table's own right after a table tag: text that may be misplaced.
_MAY_FOSTER = re.compile(
    r"(?:<table|</?t(?:r|body|head|foot)|</t[dh]|</caption)(?=[\t\n\f\r />])[^>]*>[\t\n\f\r ]*"
    r"(?:[^<\t\n\f\r ]|<(?!/?(?:t[drh]|tbody|thead|tfoot|table|caption|col|colgroup|script|style|template|form|input)[\t\n\f\r />]|!--))",
    re.IGNORECASE,
)
_TABLE_END = re.compile(r"</table[\t\n\f\r />]", re.IGNORECASE)
_VOID = frozenset("area base br col embed hr img image input keygen link meta param source track wbr".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Inline elements rendered as a box of their own (controls, media, replaced elements): the words on
# either side of one are separate words.
WORD_BREAKS = frozenset(
    "applet audio br button canvas embed iframe img input keygen marquee math meter object progress rp rt select svg textarea video".split()
)
# Elements whose content is not read: the HTML tokenizer's raw text elements (noscript: scripting
# on, as in a browser) and the content the tree builder keeps apart (template) or that is code, not
# copy (code, pre and their kin). Script data has escapes of its own (_script_content_end).
RAW_TEXT = frozenset("iframe noembed noframes noscript style xmp".split())
RCDATA = frozenset(("textarea", "title"))
HIDDEN = frozenset("code kbd listing pre samp template var".split())
DESCRIPTION_NAMES = frozenset(("description", "og:description", "twitter:description"))
# Inline elements that only format their text: their tags are read with the text before them, in one
# token (a fast path: any other tag is read on its own, to the same effect).
FORMATTING = frozenset("abbr b bdi bdo big cite data del dfn em font i ins mark nobr q s small span strike strong sub sup time tt u".split())
# Tags that end foreign content (svg, math) when they start in it (HTML 13.2.6.5), and the foreign
# elements whose content follows the HTML rules (integration points).
BREAKOUT = frozenset(
    """b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol
    p pre ruby s small span strong strike sub sup table tt u ul var""".split()
)
# SVG elements that run on inside a line of text; every other svg and math element is a box of its own.
_FOREIGN_INLINE = frozenset(("a", "textpath", "tspan"))
_INTEGRATION_POINTS = {"svg": frozenset(("foreignobject", "desc", "title")), "math": frozenset(("mi", "mo", "mn", "ms", "mtext"))}
# Start tags that tell the tree builder a page is not a frameset page ("frameset-ok", 13.2.6.4.7).
_FRAMESET_BLOCKERS = re.compile(
    r"<(?:pre|listing|li|dd|dt|button|applet|marquee|object|table|area|br|embed|img|image|keygen|wbr|input|hr|textarea|xmp|iframe|select|body)"
    r"(?=[\t\n\f\r />])|</br(?=[\t\n\f\r />])",
    re.IGNORECASE,
)
_FOREIGN, _INTEGRATION, _FOREIGN_HIDDEN = 0, 1, 2  # kinds of open foreign elements


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


# A tag's attributes as the tokenizer reads them (13.2.5.32-42): a quote opens a value only after
# "=", an unquoted value runs to a space or ">", and anything else up to "=", "/", ">" or a space is
# a name. Every character is taken, so a tag that does not end in ">" ran into the end of the input.
_WS = r"\t\n\f\r "
_VALUE = rf"""(?:[{_WS}]*+=[{_WS}]*+(?:"[^"]*+"?|'[^']*+'?|[^{_WS}>]*+))?+"""
_ATTRIBUTES = rf"(?:[{_WS}/]++|[^{_WS}/>][^{_WS}/>=]*+{_VALUE})*+"
# The same, without alt or title attributes (the fast paths read no attributes).
_NOT_READ = rf"(?![aA][lL][tT][{_WS}/>=]|[tT][iI][tT][lL][eE][{_WS}/>=])"
_PLAIN_ATTRIBUTES = rf"(?:[{_WS}/]++|{_NOT_READ}[^{_WS}/>][^{_WS}/>=]*+{_VALUE})*+"
_END = rf"(?=[{_WS}/>])"
_HEADING = rf"{_names(HEADINGS)}{_END}"
# Blocks that need nothing more than a block boundary (the others go the general path).
_BLOCK = rf"{_names(BLOCK_TAGS - HEADINGS - RAW_TEXT - HIDDEN - _CELLS - {'plaintext'})}{_END}"
_FORMATTING = rf"{_names(FORMATTING)}{_END}"
# Formatting tags right after a piece of text: read with it.
_FORMATTING_TAGS = rf"(?:<(?:{_FORMATTING}{_PLAIN_ATTRIBUTES}|/{_FORMATTING}{_ATTRIBUTES})>)*+"
# Markup read one token at a time: a comment's start, a bogus comment or doctype ("<!x", "<?x",
# "</ x" up to ">"; "</>" is nothing), an end tag, a start tag; or text ("<" that starts no markup).
_MARKUP = rf"""
    (?P<gap>[ \t\n\r\f]*+)<(?:
        (?P<comment>!--)
      | (?P<other>[!?][^>]*+>?|/(?:>|[^A-Za-z>][^>]*+>?))
      | /(?P<end_name>[A-Za-z][^{_WS}/>]*+){_ATTRIBUTES}(?P<end>>?)
      | (?P<name>[A-Za-z][^{_WS}/>]*+)(?P<attrs>{_ATTRIBUTES})(?P<start>>?)
    )
  | (?P<rest>[^<]++|<)"""
# One token per match, named by its outermost group that matched last (`lastgroup`). Text, block
# tags in a row and links are fast paths for the commonest tokens (a page takes two fifths as many
# tokens as read tag by tag); the general path reads any markup, theirs included, to the same effect.
_TOKEN = re.compile(
    rf"""
    # Text that is not only whitespace, with the formatting tags right after it.
    (?P<text>[ \t\n\r\f]*+[^< \t\n\r\f][^<]*+){_FORMATTING_TAGS}
    # Block tags in a row, without alt or title attributes: one block boundary; the last of them
    # that sets the scope (entering a heading, or leaving one or entering another block) sets it.
  | (?P<blocks>(?:[ \t\n\r\f]*+<(?:
          {_HEADING}{_PLAIN_ATTRIBUTES}>(?P<to_heading>)
        | {_BLOCK}{_PLAIN_ATTRIBUTES}>(?P<to_body>)
        | /{_BLOCK}{_ATTRIBUTES}>
    ))++)
    # A link holding only text, with the whitespace before it.
  | (?P<link_gap>[ \t\n\r\f]*+)<a{_END}(?P<link_attributes>{_PLAIN_ATTRIBUTES})>(?P<link>[^<]*+)</a{_END}{_ATTRIBUTES}>
    # Markup, with the whitespace before it (`gap`: a word break, unless a block tag follows).
  | {_MARKUP}{_FORMATTING_TAGS}
    """,
    re.VERBOSE,
)
# A word may follow a tag (what follows is not a space, nor a tag that breaks words anyway).
_WORD_AHEAD = re.compile(rf"(?![\t\n\f\r ]|<(?:{_BLOCK}|{_HEADING}|/?{_names(WORD_BREAKS)}{_END}))")
# Inside template, code or foreign content, or after a frameset: every tag counts, no fast path.
_GENERAL = re.compile(_MARKUP, re.VERBOSE)
# Only meta tags and alt or title attributes give prose: other tags' attributes are not parsed.
# Both patterns start with a character class (not a group or \b: [hH](?<!\w[hH]) is \b[hH]), so that
# a search jumps from one candidate letter to the next. ASCII letters only: re.IGNORECASE would also
# take "ı" and "İ" for "i", but _attributes lower-cases names, and no such name lowers to "title".
_ALT_OR_TITLE = re.compile(r"(?:[aA][lL][tT]|[tT][iI][tT][lL][eE])[\t\n\f\r ]*=")
_HREF = re.compile(r"[hH](?<!\w[hH])[rR][eE][fF]\s*=")
_ATTRIBUTE = re.compile(rf"""[{_WS}/]*+([^{_WS}/>][^{_WS}/>=]*+)(?:[{_WS}]*+=[{_WS}]*+(?:"([^"]*+)"?|'([^']*+)'?|([^{_WS}>]*+)))?+""")
_FONT_BREAKOUT = re.compile(r"(?:^|[\t\n\f\r /])(?:color|face|size)[\t\n\f\r /=>]|(?:color|face|size)$", re.IGNORECASE)
# Where script data changes state (13.2.5.4, 15-31): "<!--" escapes, "<script" inside an escape
# escapes twice, "-->" ends both; "</script" ends the script unless escaped twice.
_SCRIPT_MARKS = re.compile(rf"<!--|-->|<(/?)[sS][cC][rR][iI][pP][tT]{_END}")
_TEXT_SPECIALS = {
    (references, web): re.compile("|".join(p for p, wanted in ((REFERENCE, references), ("\x00", True), (WEB_ADDRESS, web)) if wanted))
    for references in (False, True)
    for web in (False, True)
}
_CLOSERS: dict[str, re.Pattern[str]] = {}
_TAGS_OF: dict[str, re.Pattern[str]] = {}
_ANY_HEADING = "h[1-6]"  # headings close each other: counted as one
_TAG_NAME = re.compile(rf"<(/?)([A-Za-z][^{_WS}/>]*+)")


def _tag_of(name: str) -> re.Pattern[str]:
    """Start and end tags of one element (group 1: "/" for an end tag)."""
    pattern = _TAGS_OF.get(name)
    if pattern is None:
        pattern = _TAGS_OF[name] = re.compile(rf"<(/?){name if name == _ANY_HEADING else re.escape(name)}{_END}", re.IGNORECASE)
    return pattern


def _closer(name: str) -> re.Pattern[str]:
    """The end tag that ends a raw text or RCDATA element's content."""
    pattern = _CLOSERS.get(name)
    if pattern is None:
        pattern = _CLOSERS[name] = re.compile(rf"</{re.escape(name)}{_END}{_ATTRIBUTES}>?", re.IGNORECASE)
    return pattern


class HtmlReader:
    """Walks HTML source left to right, feeding prose to a DocumentBuilder.

    It follows the tokenizer exactly and the tree builder where it decides what is shown: which
    content is hidden (templates, code, raw text), where foreign content (svg, math) ends, and
    that nothing after a frameset is. Attribute text (alt, title, meta descriptions) is kept aside
    and added as blocks of its own by `finish`, so it never splits the paragraph it sits in."""

    def __init__(self, builder: DocumentBuilder, source: str):
        self.builder = builder
        self.source = source
        self.scope = "body"
        self._aside: list[tuple[str, int, int]] = []
        self._hidden: list[str] = []  # elements open in content that is not read (see _hidden_token)
        self._foreign: list[tuple[str, str, int]] = []  # open svg and math elements: name, namespace, kind
        self._frameset = False
        # Per open table, whether a cell or caption of it is open: text in a table outside them is
        # moved before the table by the tree builder (foster parenting).
        self._cells: list[bool] = []
        self._fostered: set[int] = set()  # where such text starts, when it was read before its table
        self._foster: list[tuple[int, int]] | None = None  # set while looking ahead for it (_foster_text)
        self._open: dict[str, tuple[int, int]] = {}  # per element name: counted up to, how many open (_is_open)
        self._title_length = 0  # document characters read from titles (they leave a frameset possible)
        self._hidden_text = False  # whether there was text in hidden content (it rules a frameset out)

    def read(self, start: int, end: int) -> None:
        source, builder, cells = self.source, self.builder, self._cells
        position = start
        while position < end:
            if self._hidden or self._foreign or self._frameset:
                position = self._read_general(position, end)
                continue
            # The tokens follow each other; skipped content and a change of state start a new search.
            word_end = -1  # where the last text read ends (see "blocks")
            for token in _TOKEN.finditer(source, position, end):
                kind = token.lastgroup
                if kind == "text" or kind == "rest":
                    if cells and not cells[-1] and self._is_fostered(token.start(), token.end(kind)):
                        continue
                    self._text(token.start(), token.end(kind))
                    word_end = token.end()
                    continue
                if kind == "link":
                    gap_end = token.end("link_gap")
                    if gap_end > token.start():
                        builder.space(token.start(), gap_end)
                    if _HREF.search(source, *token.span("link_attributes")):
                        builder.link_start()
                    text_start, text_end = token.span("link")
                    if text_start < text_end:
                        self._text(text_start, text_end)
                    builder.link_end()
                    word_end = token.end()
                    continue
                if kind == "blocks":
                    to_heading, to_body = token.start("to_heading"), token.start("to_body")
                    # End tags between two words that close nothing are dropped (<p>a</div>b is
                    # "ab"). Looked at only there: a run with a start tag is a block anyway.
                    if to_heading < 0 and to_body < 0 and token.start() == word_end and _WORD_AHEAD.match(source, token.end(), end) and self._all_stray(token):
                        word_end = token.end()
                        continue
                    builder.block(self.scope)
                    if to_heading > to_body:
                        self.scope = "heading"
                    elif to_body >= 0:
                        self.scope = "body"
                    continue
                if kind == "start":
                    resume = self._start_tag(token, end)
                elif kind == "end":
                    resume = self._end_tag(token, end)
                else:
                    resume = self._markup(token, end)
                if resume is not None:
                    position = resume
                    break
                if token.start() == word_end:
                    word_end = token.end()  # an inline tag: the word may go on after it
            else:
                return

    def finish(self) -> None:
        builder = self.builder
        builder.block(self.scope)
        for scope, start, end in self._aside:
            self._text(start, end, in_attribute=True, nul="\ufffd")
            builder.block(scope)
        self._aside.clear()

    # -- tokens ---------------------------------------------------------------------------

    def _markup(self, token: re.Match[str], end: int) -> int | None:
        """Read a comment, bogus comment or doctype; returns where reading goes on after a comment."""
        gap_end = token.end("gap")
        if gap_end > token.start():
            self.builder.space(token.start(), gap_end)
        if token.lastgroup == "comment":
            return self._comment(gap_end, end)
        return None

    def _start_tag(self, token: re.Match[str], end: int) -> int | None:
        builder, source = self.builder, self.source
        if not token.group("start"):
            return end  # the input ends inside the tag: the tag is dropped
        name = token.group("name").lower()
        if name == "image":
            name = "img"  # the tree builder's own correction
        attributes_start, attributes_end = token.span("attrs")
        if attributes_start < attributes_end and (name == "meta" or _ALT_OR_TITLE.search(source, attributes_start, attributes_end)):
            self._attributes(name, attributes_start, attributes_end)
        after = token.end("start")  # not token.end(): formatting tags may follow in the same token
        cells = self._cells
        if cells and name in _TABLE_STRUCTURE and name != "table":
            cells[-1] = name in _CELLS
        if name in BLOCK_TAGS and (cells or name not in _CELLS):
            builder.block(self.scope)
            self.scope = "heading" if name in HEADINGS else "body"
        else:
            gap_end = token.end("gap")
            if gap_end > token.start():
                builder.space(token.start(), gap_end)
            if name in WORD_BREAKS:
                builder.space(gap_end, after)
        if name in RAW_TEXT or name in RCDATA:
            closer = _closer(name).search(source, after, end)
            stop = closer.start() if closer else end
            if name == "title":
                builder.block(self.scope)
                before = builder.length
                if after < stop:
                    self._text(after, stop, nul="\ufffd")
                builder.block("title")
                self._title_length += builder.length - before
            elif name == "textarea" and after < stop:
                self._text(after, stop, nul="\ufffd")
                builder.space(stop, stop)
            return closer.end() if closer and closer.group().endswith(">") else end
        if name == "script":
            stop = self._script_content_end(after, end)
            closer = _closer(name).match(source, stop, end)
            return closer.end() if closer and closer.group().endswith(">") else end
        if name == "plaintext":
            self._text(after, end, references=False, nul="\ufffd")
            return end
        if name in HIDDEN:
            self._hidden.append(name)
            return after
        if name == "svg" or name == "math":
            if not token.group("attrs").endswith("/"):  # <svg/> has no content
                self._foreign.append((name, name, _FOREIGN))
                return after
            return None
        if name == "frameset":
            return after if self._take_frameset(token) else None
        if name == "table":
            if not cells and self._foster is None and _MAY_FOSTER.search(source, after, _table_end_guess(source, after, end)):
                # Text misplaced in the table goes before it, next to the text before it.
                fostered = self._foster_text(token.start(), end)
                for text_start, text_end in fostered:
                    self._text(text_start, text_end)
                    self._fostered.add(text_start)
                if fostered:
                    builder.block(self.scope)  # the table's own text follows, from earlier in the source
            cells.append(False)
            return None
        if name == "a" and _HREF.search(source, attributes_start, attributes_end):
            builder.link_start()
        return None

    def _take_frameset(self, token: re.Match[str]) -> bool:
        """Whether a frameset start tag is taken: only where no text or content came first. Then
        nothing after it is shown; it replaces the body, and the titles of what was in it."""
        if self._hidden_text or self.builder.length > self._title_length or _FRAMESET_BLOCKERS.search(self.source, 0, token.start()):
            return False
        self._frameset = True
        self._hidden.clear()
        self._aside = [aside for aside in self._aside if aside[0] == "meta"]
        return True

    def _is_fostered(self, start: int, end: int) -> bool:
        """For text in a table outside its cells: whether it was read before the table (or, while
        looking ahead, is to be: it is noted and not read)."""
        if self._foster is not None:
            if len(self._cells) == 1 and self.source[start:end].strip(" \t\n\r\f"):
                self._foster.append((start, end))
            return True
        return start in self._fostered

    def _foster_text(self, start: int, end: int) -> list[tuple[int, int]]:
        """The text in the table whose tag starts at `start` that the tree builder moves before it:
        the table read ahead by a reader of its own, up to its end tag."""
        probe = HtmlReader(_Discard(self.source), self.source)
        probe._foster = []
        probe.read(start, end)
        return probe._foster

    def _end_tag(self, token: re.Match[str], end: int) -> int | None:
        builder = self.builder
        if not token.group("end"):
            return end  # the input ends inside the tag
        name = token.group("end_name").lower()
        cells = self._cells
        if cells and name in _TABLE_STRUCTURE:
            if name == "table":
                cells.pop()
                builder.block(self.scope)
                if not cells and self._foster is not None:
                    return end  # looking ahead: the table ends here
                return None
            cells[-1] = False
        if name in BLOCK_TAGS and (cells or name not in _CELLS):
            if name not in _CELLS and name != "p" and not self._closes_something(name, token.end("gap")):
                return None  # it closes nothing: dropped
            builder.block(self.scope)
            if name in HEADINGS:
                self.scope = "body"
            return None
        if name == "a":
            builder.link_end()
        gap_end = token.end("gap")
        if gap_end > token.start():
            builder.space(token.start(), gap_end)
        # </br> is read as <br>; </img> is dropped, and so is </svg> here (svg ends in _foreign_token).
        if name == "br" or (name in WORD_BREAKS and name not in _VOID and name not in ("svg", "math") and self._is_open(name, gap_end)):
            builder.space(gap_end, token.end("end"))
        return None

    def _all_stray(self, token: re.Match[str]) -> bool:
        """Whether a run of block tags is only end tags that close nothing (not </p>: it makes a
        paragraph of its own)."""
        tags = token.group()
        if tags.count("<") != tags.count("</"):
            return False  # a start tag: a block begins anyway
        for tag in _TAG_NAME.finditer(self.source, token.start(), token.end()):
            name = tag.group(2).lower()
            if not tag.group(1) or name == "p" or self._closes_something(name, tag.start()):
                return False
        return True

    def _closes_something(self, name: str, position: int) -> bool:
        """Whether an end tag closes an element (a heading's closes a heading of any level)."""
        return self._is_open(_ANY_HEADING if name in HEADINGS else name, position)

    def _is_open(self, name: str, position: int) -> bool:
        """Whether an element `name` is open at `position`, by its start and end tags before it
        (counted once: each look goes on from the last one for that name)."""
        scanned, open_count = self._open.get(name, (0, 0))
        for tag in _tag_of(name).finditer(self.source, scanned, position):
            open_count = max(open_count - 1, 0) if tag.group(1) else open_count + 1
        self._open[name] = (max(position, scanned), open_count)
        return open_count > 0

    def _comment(self, start: int, end: int) -> int:
        """A comment from its "<!--" at `start`: it ends at "-->" or "--!>", and "<!-->" and "<!--->"
        are whole comments (13.2.5.43-52); returns its end."""
        source = self.source
        close = source.find("-->", start + 2, end)
        bang = source.find("--!>", start + 4, end)
        if bang >= 0 and (close < 0 or bang < close):
            stop = bang + 4
        else:
            stop = end if close < 0 else close + 3
        self.builder.directive(start, source[start:stop])
        return stop

    def _script_content_end(self, start: int, end: int) -> int:
        """Where a script's content ends: at the first "</script" that is not escaped twice."""
        source = self.source
        escaped = twice = False
        position = start
        while True:
            mark = _SCRIPT_MARKS.search(source, position, end)
            if mark is None:
                return end
            text = mark.group()
            if text == "<!--":
                escaped = True
                position = mark.start() + 2  # its dashes may end it too: "<!-->"
            elif text == "-->":
                escaped = twice = False
                position = mark.end()
            elif mark.group(1):
                if not twice:
                    return mark.start()
                twice = False
                position = mark.end()
            else:
                twice = twice or escaped
                position = mark.end()

    # -- hidden content, foreign content, framesets -----------------------------------------

    def _read_general(self, position: int, end: int) -> int:
        """Read token by token while content is hidden, in foreign content, or after a frameset;
        returns where the fast paths can take over again."""
        source = self.source
        for token in _GENERAL.finditer(source, position, end):
            kind = token.lastgroup
            if kind == "comment":
                return self._comment(token.end("gap"), end)
            if self._frameset:
                # Only frames and their titles are left; noframes content is not shown.
                if kind == "start" and token.group("start"):
                    name = token.group("name").lower()
                    if name in ("frame", "frameset") and _ALT_OR_TITLE.search(source, *token.span("attrs")):
                        self._attributes(name, *token.span("attrs"))
                    elif name == "noframes":
                        closer = _closer(name).search(source, token.end(), end)
                        return closer.end() if closer else end
                continue
            if self._hidden:
                resume = self._hidden_token(token, end)
            else:
                resume = self._foreign_token(token, end)
            if resume is not None:
                return resume
            if not self._hidden and not self._foreign:
                return token.end()
        return end

    def _hidden_token(self, token: re.Match[str], end: int) -> int | None:
        """A token in hidden content: only where it ends counts. `_hidden` holds the elements opened
        since it began (the first is the template, code or pre that hides it)."""
        kind = token.lastgroup
        hidden = self._hidden
        if kind == "rest":
            if self.source[token.start() : token.end()].strip(" \t\n\r\f"):
                self._hidden_text = True  # text, even unread, rules out a frameset
            return None
        if kind == "start":
            if not token.group("start"):
                return end
            name = token.group("name").lower()
            if name in RAW_TEXT or name in RCDATA:
                closer = _closer(name).search(self.source, token.end(), end)
                return closer.end() if closer else end
            if name == "script":
                closer = _closer(name).match(self.source, self._script_content_end(token.end(), end), end)
                return closer.end() if closer else end
            if name == "plaintext":
                return end
            if name == "frameset" and self._take_frameset(token):
                return token.end()
            if name not in _VOID:
                hidden.append(name)
        elif kind == "end":
            name = token.group("end_name").lower()
            if name in hidden:
                del hidden[len(hidden) - 1 - hidden[::-1].index(name) :]
            elif (
                "template" not in hidden
                and (name in BLOCK_TAGS or (name in WORD_BREAKS and name not in _VOID))
                and name not in _CELLS
                and self._is_open(name, token.end("gap"))
            ):
                # It closes an element around the hidden one (<div><pre>x</div>), and so that one;
                # code is a formatting element, which the tree builder opens again after.
                hidden[:] = ["code"] if "code" in hidden else []
        return None

    def _foreign_token(self, token: re.Match[str], end: int) -> int | None:
        """A token in svg or math: text is shown (but for scripts and styles), tags nest until a
        matching end tag or an HTML tag that breaks out; integration points hold HTML."""
        builder, source, foreign = self.builder, self.source, self._foreign
        kind = token.lastgroup
        _, namespace, current = foreign[-1]
        shown = all(entry[2] != _FOREIGN_HIDDEN for entry in foreign)
        if kind == "rest":
            if shown:
                self._text(token.start(), token.end(), nul="\ufffd")
            return None
        gap_end = token.end("gap")
        if gap_end > token.start():
            builder.space(token.start(), gap_end)
        if kind == "other":
            # CDATA sections are read wherever the current node is foreign (integration points too).
            if source.startswith("![CDATA[", gap_end + 1):
                content = gap_end + 9
                close = source.find("]]>", content, end)
                stop = end if close < 0 else close
                if shown:
                    self._text(content, stop, references=False, nul="\ufffd")
                return end if close < 0 else close + 3
            return None
        if kind == "start":
            if not token.group("start"):
                return end
            name = token.group("name").lower()
            if current == _INTEGRATION and name not in ("svg", "math"):
                return self._start_tag(token, end) if shown else None
            if current != _INTEGRATION and (name in BREAKOUT or (name == "font" and _FONT_BREAKOUT.search(source, *token.span("attrs")))):
                while foreign and foreign[-1][2] != _INTEGRATION:
                    foreign.pop()
                return token.start()  # read again by the HTML rules
            if current == _INTEGRATION:
                namespace = name
            attributes_start, attributes_end = token.span("attrs")
            if shown and attributes_start < attributes_end and _ALT_OR_TITLE.search(source, attributes_start, attributes_end):
                self._attributes(name, attributes_start, attributes_end)
            if name not in _FOREIGN_INLINE:
                builder.space(gap_end, token.end())
            if not token.group("attrs").endswith("/"):
                if name in _INTEGRATION_POINTS[namespace] or (name == "annotation-xml" and _is_html_annotation(source, attributes_start, attributes_end)):
                    foreign.append((name, namespace, _INTEGRATION))
                else:
                    foreign.append((name, namespace, _FOREIGN_HIDDEN if name == "script" or name in RAW_TEXT or name in HIDDEN else _FOREIGN))
            return None
        if kind == "end":
            if not token.group("end"):
                return end
            name = token.group("end_name").lower()
            if name == "br" or name == "p":
                builder.space(gap_end, token.end())
                if current == _INTEGRATION:
                    return self._end_tag(token, end)
                while foreign and foreign[-1][2] != _INTEGRATION:
                    foreign.pop()
                return token.start()
            # Any other end tag closes the innermost open element of its name; one that matches
            # none is dropped (kmlint does not track the HTML elements around the svg or math).
            for index in range(len(foreign) - 1, -1, -1):
                if foreign[index][0] == name:
                    del foreign[index:]
                    if name not in _FOREIGN_INLINE:
                        builder.space(gap_end, token.end())
                    return None
        return None

    # -- text and attributes ---------------------------------------------------------------

    def _text(self, start: int, end: int, in_attribute: bool = False, references: bool = True, nul: str = "") -> None:
        """Add source[start:end] as prose: character references decoded (13.2.5.72), NUL dropped
        (as the tree builder drops it in body text) or replaced, web addresses left out."""
        source, builder = self.source, self.builder
        chunk = source[start:end]
        has_references = references and "&" in chunk
        has_web = (":" in chunk and "://" in chunk) or "www." in chunk or "@" in chunk  # has_web_address, inlined: a hot path
        if not (has_references or has_web or "\x00" in chunk):
            builder.text(start, end)
            return
        position = start
        for special in _TEXT_SPECIALS[has_references, has_web].finditer(source, start, end):
            special_start, special_end = special.span()
            builder.text(position, special_start)
            first = source[special_start]
            if first == "&":
                decoded = decode_reference(special.group(), in_attribute, source[special_end : special_end + 1])
                if decoded is None:
                    builder.text(special_start, special_end)
                else:
                    consumed, replacement = decoded
                    builder.replaced(special_start, special_start + consumed, replacement)
                    builder.text(special_start + consumed, special_end)
            elif first == "\x00":
                if nul:
                    builder.replaced(special_start, special_end, nul)
            else:
                address_end = web_address_end(source, special_start, special_end)
                builder.space(special_start, address_end)
                builder.text(address_end, special_end)
            position = special_end
        builder.text(position, end)

    def _attributes(self, tag: str, start: int, end: int) -> None:
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


def _is_html_annotation(source: str, start: int, end: int) -> bool:
    """Whether a MathML annotation-xml element holds HTML (its encoding says so)."""
    for attribute in _ATTRIBUTE.finditer(source, start, end):
        if attribute.group(1).lower() == "encoding":
            value = next((group for group in attribute.groups()[1:] if group is not None), "")
            return value.lower() in ("text/html", "application/xhtml+xml")
    return False


def _table_end_guess(source: str, start: int, end: int) -> int:
    """Where a table that starts at `start` likely ends (its first end tag), for a quick look."""
    closer = _TABLE_END.search(source, start, end)
    return closer.start() if closer else end


class _Discard(DocumentBuilder):
    """A builder that keeps nothing: for a reader that only looks ahead."""

    def __init__(self, source: str) -> None:  # no super().__init__(): it would prepare the whole source
        pass

    @property
    def length(self) -> int:
        return 0

    def text(self, start: int, end: int) -> None:
        pass

    def replaced(self, start: int, end: int, text: str) -> None:
        pass

    def space(self, start: int, end: int) -> None:
        pass

    def block(self, scope: str = "body") -> None:
        pass

    def directive(self, source_offset: int, comment: str) -> None:
        pass

    def link_start(self) -> None:
        pass

    def link_end(self) -> None:
        pass


def extract_html(source: str) -> Document:
    builder = DocumentBuilder(source)
    reader = HtmlReader(builder, source)
    reader.read(0, len(source))
    reader.finish()
    return builder.build()
