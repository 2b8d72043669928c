"""Leading words of rule regular expressions (kmlint/patterns.py), and the scanner that tries a
pattern only where they occur: it must find exactly what running the pattern everywhere finds."""

from __future__ import annotations

import json
import pickle
import re
import textwrap
from unittest import mock

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kmlint import patterns, terms
from kmlint.engine import Linter
from kmlint.extract import extract
from kmlint.patterns import MAX_LEADING_WORDS, any_of, leading_words
from kmlint.ruleset import builtin_rules_dir, load_rule_file, load_rules
from kmlint.source import SourceFile
from kmlint.terms import LocalMatcher, Scanner, TermSet, compile_regex, expand_phrase, local_matcher, phrase_openings, template_pattern


@pytest.mark.parametrize(
    "pattern,words",
    [
        (r"\b(?:relief|reliev(?:es|ed))\b[^.]{0,50}?\bwithin hours\b", ["relief", "relieves", "relieved"]),
        (r"\b(?:works?|worked)\s(?:even\s)?when", ["works", "work", "worked"]),
        (r"\bkicks? in\b", ["kicks in", "kick in"]),
        (r"\b(?:can|may) (?:[a-z]+ ){0,3}?fast", ["can", "may"]),  # the space after them ends the word
        (r"\bnon-addictive\b", ["non-addictive"]),
        (r"\b(?:a(?:b|c)?)\W", ["ab", "ac", "a"]),
        (r"\b100\%", ["100%"]),  # ends in a non-word character: whatever follows may start a word
        (r"\b(cure|fix)s?\b", ["cures", "cure", "fixs", "fix"]),
        # At least one character that cannot continue a word follows: the words are whole.
        (r"\b(?:can|may)[ ](?:fast|now)", ["can", "may"]),
        (r"\bkicks in[ ]fast", ["kicks in"]),
        (r"\bcan +fast", ["can"]),
        (r"\bcan\s{1,2}fast", ["can"]),
        (r"\bcan[ \t,;-]fast", ["can"]),
        # What follows may continue the last word: cut back to whole words.
        (r"\b(?:in|from) (?:a|the) (?:19|20)\d\d\b", ["in a", "in the", "from a", "from the"]),
        # More texts than MAX_LEADING_WORDS: stop before the group that would make too many.
        (r"\b(?:a|b) " + "(?:c|d|e|f|g|h|i|j|k|l) " * 3 + r"x\b", [f"{a} {b} {c}" for a in "ab" for b in "cdefghijkl" for c in "cdefghijkl"]),
        # A \b between literal words takes no text; one before anything else ends the words.
        (r"\b(?:most|all)\b (?:patients|people)\b[^.]{0,20}\bwell\b", ["most patients", "most people", "all patients", "all people"]),
        # The trie's own word break, [ -]?: last, it stays ("fast relief " finds "fast reliefnow").
        (r"\b(?:fast|rapid)[ -]?relief[ -]?(?:now|" + "|".join("abcdefghijklmnopqrstuvwxyz") + ")" * 2, ["fast relief ", "rapid relief "]),
        (r"\bnon[ -]?addictive(?:(?<=\w)(?!\w)|(?<!\w))", ["non addictive"]),  # ends as a phrase of the trie ends
    ],
)
def test_leading_words_of_a_pattern(pattern, words):
    assert leading_words(pattern) == words


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:relief|cure)\b",  # no \b before: a match may start inside a word
        r"\bcure",  # the word may go on ("cured"), and the trie wants it to end
        r"\b(?:cure|heal)[a-z]*\b",  # ditto
        r"\bcure\s?d\b",  # the word may go on after no space at all ("cured")
        r"\bcure\W*d\b",  # ditto
        r"\bcure[ ]{0,2}d\b",  # ditto
        r"\bcure[^ ]",  # a negated class: a letter may follow
        r"\bcure[ -z]",  # a range from a space to a letter
        r"\b(?:19|20)\d\d",  # digits follow: the word goes on
        r"\bcure\b|miracle",  # a top-level alternative does not start with the words
        r"\b(?:cure|heal)+\b",  # repeated: not a finite set
        r"\b(?:x|[a-z])\b",  # a class inside the group
        r"\b(?=cure)\w+",  # a lookahead first
        r"\b(?i)cure\b",  # flags
        r"\b(?:cure|)\b",  # may be empty
        r"\b" + "(?:a|b|c|d|e)" * 4 + r"\b",  # more than MAX_LEADING_WORDS texts
    ],
)
def test_no_leading_words(pattern):
    assert leading_words(pattern) is None


def test_the_largest_set_of_leading_words_is_bounded():
    assert 5**4 > MAX_LEADING_WORDS > 5**3


ANCHORED = [
    r"\b(?:relief|better|works?)\b[^.!?\n]{0,20}?\b(?:within|in) (?:hours|days)\b",
    r"\b(?:can|may) (?:[a-z]+ ){0,2}?(?:fast|quickly)\b",
    r"\b(?:kicks? in|works)\s(?:fast|now)",
    r"\bnon-?(?:addictive|habit)\b",
    r"\b(?:can|may)[ ](?:fast|now)\b",
    # Whole words further on (patterns.following_words): tried only where one follows closely enough.
    r"\b(?:works?|relief)\b[^.\n]{0,12}\b(?:fast|quickly) now\b",
    r"\bnon\b[^.]{0,8}(?:\bhabit|\baddictive)\b",
    r"\b(?:relief|works)\b[^.\n]{0,15}\b(?:within )?(?:hours|quickly)\b",
    r"\b(?:works?|relief)\s(?:within|quickly)\s(?:hours|days)",  # words between \s: whole words too
    r"\b(?:relief|better)\b[^.\n]*? hours\b",  # no longest match: a following word anywhere after will do
    r"\b(?:relief|works) [a-z]{0,3}quickly\b",  # after letters: not a whole word, not a following word
]
WORDS = ["relief", "better", "work", "works", "within", "in", "hours", "days", "can", "may", "fast", "quickly",
         "kicks", "kick", "now", "non", "addictive", "habit", "xrelief", "relieff"]
SEPARATORS = [" ", " ", " ", "-", ".", "\n", ", ", "", "  "]


@settings(max_examples=300, deadline=None)
@example(pieces=[("can", " "), ("work", " "), ("in", " "), ("hours", ".")], phrases=["can work"])  # a word inside a phrase
@example(pieces=[("non", "-"), ("addictive", " "), ("relief", " "), ("in", " "), ("days", "")], phrases=["non addictive"])
@example(pieces=[("relief", " "), ("can", " "), ("fast", " "), ("now", " "), ("non", " "), ("can", " "), ("habit", "")], phrases=[])  # words further on
@example(pieces=[("relief", " "), ("can", ""), ("quickly", " ")], phrases=[])  # a word inside another
@given(
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40),
    st.lists(st.sampled_from(["relief in hours", "can work", "non addictive", "kicks"]), max_size=3),
)
def test_anchored_patterns_find_what_finditer_finds(pieces, phrases):
    text = "".join(word + separator for word, separator in pieces)
    scanner = Scanner()
    patterns = [compile_regex(pattern) for pattern in ANCHORED]
    assert all(leading_words(pattern.pattern) for pattern in patterns)
    # Other rules' phrases share the trie: overlapping them must not hide a leading word.
    scanner.add(TermSet(phrases=tuple(phrases)), (0, "match"))
    for index, pattern in enumerate(patterns, 1):
        scanner.add(TermSet(patterns=(pattern,)), (index, "match"))
    scanner.compile()
    hits, failed = scanner.scan(text)
    assert not failed
    for index, pattern in enumerate(patterns, 1):
        expected = sorted(m.span() for m in regex.finditer(pattern, text) if m.end() > m.start())
        assert hits.get((index, "match"), []) == expected, pattern


def test_a_pattern_whose_word_may_go_on_is_tried_where_it_does():
    # \s? may match nothing, so "cure" is not a whole word in a match: the pattern runs everywhere.
    pattern = compile_regex(r"\bcure\s?d\b")
    scanner = Scanner()
    scanner.add(TermSet(phrases=("cure",)), (0, "match"))
    scanner.add(TermSet(patterns=(pattern,)), (1, "match"))
    scanner.compile()
    hits, _ = scanner.scan("it cured me; a cure d")
    assert hits == {(0, "match"): [(15, 19)], (1, "match"): [(3, 8), (15, 21)]}


# Phrases of three and more words: the automaton that finds where phrases may start knows only
# their first words (see terms.phrase_openings).
PHRASES = ["cure", "miracle cure", "cure all", "safe", "100%", "100% safe", "#1 clinic", "non addictive", "no risk"]
PHRASES += ["no risk at all", "safe and effective cure"]
# Phrases that extend another by a character other than a joiner: the shorter one still occurs
# where the longer does when it ends before a non-word character or ends in one itself.
PHRASES += ["brain", "brain's", "cure.", "100%s", "100%4"]
# Phrases whose words, joined by nothing, start as another phrase goes on: "can not" is also read
# in "cannot", where "cannot help" is longer.
PHRASES += ["can not", "cannot help", "every one", "everyone helps"]
PIECES = ["cure", "miracle", "all", "safe", "100", "%", "#1", "clinic", "non", "addictive", "no", "risk", "at", "and", "effective", "é", "x"]
PIECES += ["brain", "s", "4", "can", "not", "cannot", "help", "helps", "every", "one", "everyone"]
GLUE = [" ", " ", "-", "", ". ", "\n", "\u00ab", "'", "(", "\u00e9"]


def _every_occurrence(phrase: str, text: str) -> set[tuple[int, int]]:
    """Where the phrase occurs as the trie defines it, found one start position at a time."""
    body = "[ -]?".join(map(re.escape, phrase.split(" ")))
    pattern = re.compile(("(?<!\\w)" if phrase[0].isalnum() else "") + body + ("(?!\\w)" if phrase[-1].isalnum() else ""))
    return {match.span() for match in (pattern.match(text, i) for i in range(len(text))) if match}


@settings(max_examples=400, deadline=None)
@example(pieces=[("cure", "")], chosen=["cure"])  # a phrase at the very start
@example(pieces=[("100", ""), ("%", ""), ("safe", "")], chosen=["100%", "safe"])  # right after a phrase ending in "%"
@example(pieces=[("é", ""), ("cure", " ")], chosen=["cure"])  # after a non-ASCII letter: not a word start
@example(pieces=[("x", "\u00ab"), ("cure", "\u00bb")], chosen=["cure"])  # after non-ASCII punctuation: a word start
@example(pieces=[("clinic", ""), ("#1", " "), ("clinic", "")], chosen=["#1 clinic", "cure"])  # starts with "#", after a word
@example(pieces=[("no", "-"), ("risk", ""), ("at", " "), ("all", "")], chosen=["no risk at all"])  # each word break a different way
@example(pieces=[("safe", " "), ("and", " "), ("effective", "")], chosen=["safe and effective cure"])  # the opening, not the phrase
@example(pieces=[("brain", "'"), ("s", " ")], chosen=["brain", "brain's"])  # extended by an apostrophe
@example(pieces=[("cure", ". ")], chosen=["cure", "cure."])  # extended by punctuation
@example(pieces=[("100", ""), ("%", ""), ("s", "")], chosen=["100%", "100%s"])  # extended by a letter after a non-word end
@example(pieces=[("100", ""), ("%", ""), ("4", "")], chosen=["100%", "100%4"])  # ... by a digit
@example(pieces=[("100", ""), ("%", ""), ("safe", "")], chosen=["100%", "100% safe"])  # ... and by a word joined by nothing
@example(pieces=[("cannot", " "), ("help", "")], chosen=["can not", "cannot help"])  # the joined reading is not the longest
@given(
    st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GLUE)), max_size=30),
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=5, unique=True),
)
def test_scanner_finds_every_phrase_occurrence(pieces, chosen):
    text = "".join(piece + glue for piece, glue in pieces)
    scanner = Scanner()
    for index, phrase in enumerate(chosen):
        scanner.add(TermSet(phrases=(phrase,)), (index, "match"))
    scanner.compile()
    hits, _ = scanner.scan(text)
    for index, phrase in enumerate(chosen):
        assert set(hits.get((index, "match"), [])) == _every_occurrence(phrase, text), (phrase, text)


# A phrase and a longer text that extends it by something other than a joiner, as a phrase of
# another rule or as the leading words of its pattern ("repair the brain" and a pattern opening
# with "repair the brain's"): the trie matches the longer, and the shorter must still be found.
SHORTER = ["brain", "repair the brain", "cure", "100%", "no risk"]
EXTENSIONS = ["'s", "'", ".", "s", "4", "%", "!", "/day", "+", "-ish", " all"]


@settings(max_examples=300, deadline=None)
@example(shorter="repair the brain", extension="'s", as_pattern=True, pieces=[("repair the brain's", " ")])  # as reported
@given(
    st.sampled_from(SHORTER),
    st.sampled_from(EXTENSIONS),
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(["repair", "the", "brain", "cure", "100%", "no", "risk", "s", "4", "x"]), st.sampled_from(GLUE)), max_size=12),
)
def test_a_phrase_is_found_inside_one_that_extends_it(shorter, extension, as_pattern, pieces):
    longer = shorter + extension
    text = "".join(piece + glue for piece, glue in [(longer, " "), *pieces, (longer, ""), (shorter, extension)])
    scanner = Scanner()
    scanner.add(TermSet(phrases=(shorter,)), (0, "match"))
    if as_pattern:
        pattern = compile_regex(r"\b" + regex.escape(longer) + r"\W")
        words = leading_words(pattern.pattern)
        assert words and longer.startswith(words[0])  # the trie looks for it, or for enough of it
        scanner.add(TermSet(patterns=(pattern,)), (1, "match"))
        expected = {match.span() for match in pattern.finditer(text)}
    else:
        scanner.add(TermSet(phrases=(longer,)), (1, "match"))
        expected = _every_occurrence(longer, text)
    scanner.compile()
    hits, _ = scanner.scan(text)
    assert set(hits.get((0, "match"), [])) == _every_occurrence(shorter, text), (shorter, text)
    assert set(hits.get((1, "match"), [])) == expected, (longer, text)


def _rule_file(rule_id: str, terms: str, flag: str) -> str:
    return textwrap.dedent(
        f"""\
        rules:
          - id: {rule_id}
            name: repair-{rule_id.lower()}
            category: hype
            severity: info
            kind: phrase
            message: "{{match}} overpromises."
            suggestion: Say what it does.
            rationale: Repair claims overpromise.
            references: [{{title: FTC, url: "https://www.ftc.gov"}}]
            phrases: [{terms}]
            examples: {{flag: ["{flag}"], pass: [we study the brain]}}
        """
    )


def test_a_rule_phrase_is_found_where_another_rules_pattern_extends_it(run_cli, tmp_path):
    # The report: a pattern whose leading words were "repair the brain's" hid the phrase
    # "repair the brain" of another rule wherever both occurred.
    (tmp_path / "phrase.yaml").write_text(_rule_file("XT301", "repair the brain", "we repair the brain"), encoding="utf-8")
    pattern = r"{regex: '\brepair the brain''s (?:wiring|circuits)'}"
    (tmp_path / "pattern.yaml").write_text(_rule_file("XT302", pattern, "we repair the brain's wiring"), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("Our sessions repair the brain's wiring, they say.\n", encoding="utf-8")
    rules = ["--no-builtin-rules", "--rules", str(tmp_path / "phrase.yaml"), "--rules", str(tmp_path / "pattern.yaml")]
    result = run_cli("check", "--format", "json", "--fail-on", "never", *rules, str(page))
    assert result.status == 0, result.err
    found = sorted((item["rule"], item["line"], item["column"], item["end_column"]) for item in json.loads(result.out)["findings"])
    assert found == [("XT301", 1, 14, 30), ("XT302", 1, 14, 39)]


def test_phrase_openings_are_the_first_words_with_each_word_break_both_ways():
    # Up to 10 letters, at most three words; a hyphen is a word break like a space.
    assert phrase_openings(["miracle cure", "no-risk at all", "completely risk free"]) == [
        "completely",
        "miracle cure",
        "miraclecure",
        "no risk at",
        "no riskat",
        "norisk at",
        "noriskat",
    ]


def test_an_opening_that_begins_with_another_is_left_out():
    # "cure" already finds every place where "cure all" may start.
    assert phrase_openings(["cure all", "cure", "100% safe"]) == ["100% safe", "100%safe", "cure"]
    assert phrase_openings(["-", "cure"]) == ["cure"]  # nothing: it would begin every other one


HEDGE_LIKE = [
    r"\b(?:may|might) help\b",
    r"(?<![\w.])\d{1,3}%",
    r"\((?:[a-z]+),? (?:19|20)\d\d\)",
    r"\bresults (?:may )?vary\b",
]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abmyhelpirstuvn()%, 0129.", max_size=40), st.lists(st.sampled_from(HEDGE_LIKE), min_size=2, max_size=4, unique=True))
def test_any_of_matches_where_one_of_its_patterns_does(text, chosen):
    patterns = tuple(regex.compile(pattern, regex.VERSION0) for pattern in chosen)
    joined = any_of(patterns)
    assert joined is not None
    assert (joined.search(text) is not None) == any(pattern.search(text) for pattern in patterns)


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?P<x>a)(?P=x)", r"(?i)cure", r"a(?s:.)b(?m)"])
def test_any_of_does_not_join_references_or_flags(pattern):
    assert any_of((regex.compile(pattern, regex.VERSION0), regex.compile("b"))) is None


# A phrase template of many phrases is matched as one expression (terms.template_pattern), tried
# where its first words occur: it must find what the trie finds for the template's phrases, one
# match per start (overlapping ones of the same rule merge in the engine).
TEMPLATE_WORDS = ["fast", "relief", "non", "addictive", "safe", "safety", "no risk", "at all", "s", "non-addictive", "é"]


@st.composite
def _templates(draw):
    parts = []
    for choices in draw(st.lists(st.lists(st.sampled_from(TEMPLATE_WORDS), min_size=1, max_size=4, unique=True), min_size=1, max_size=4)):
        optional = draw(st.booleans())
        joiner = draw(st.sampled_from([" ", " ", "-", ""]))
        if optional:  # written as the pack writes them: "(the |a |)"
            parts.append("(" + "|".join(choice + joiner for choice in choices) + "|)")
        else:
            parts.append((choices[0] if len(choices) == 1 else "(" + "|".join(choices) + ")") + joiner)
    return "".join(parts).rstrip(" -")


@settings(max_examples=300, deadline=None)
@example(template="(fast|rapid) (relief|help)", pieces=[("fastrelief", " ")])  # the words joined by nothing
@example(template="(non-|not |)addictive", pieces=[("non", "-"), ("addictive", " "), ("non", ""), ("addictive", "")])
@given(_templates(), st.lists(st.tuples(st.sampled_from(PIECES + ["fast", "relief", "fastrelief"]), st.sampled_from(GLUE)), max_size=20))
def test_a_template_finds_what_its_phrases_find(template, pieces):
    phrases = expand_phrase(template)
    text = "".join(piece + glue for piece, glue in pieces) + " " + phrases[-1] + " " + phrases[0]
    # Few leading words, as a template of thousands of phrases has (they end before a group), and
    # short ones taken as well.
    with mock.patch.object(patterns, "MAX_LEADING_WORDS", 3), mock.patch.object(terms, "_TEMPLATE_MIN_LEADING", 0):
        pattern = template_pattern(template, phrases)
        if pattern is None:
            return  # left to the trie
        found = {}
        for name, term_set in (("trie", TermSet(phrases=tuple(phrases))), ("template", TermSet(templates=(pattern,)))):
            scanner = Scanner()
            scanner.add(term_set, (0, "match"), timed=False)
            scanner.compile()
            found[name] = set(scanner.scan(text)[0].get((0, "match"), []))
        # Its first words as phrases of another rule ("fast" where the template leads with "fast ").
        first_words = TermSet(phrases=tuple(dict.fromkeys(word.strip() for word in leading_words(pattern) or ())))
        scanner = Scanner()
        scanner.add(first_words, (2, "match"), timed=False)
        scanner.compile()
        found["first words"] = set(scanner.scan(text)[0].get((2, "match"), []))
        # All in one scanner, as rules share it: none changes what another finds.
        scanner = Scanner()
        scanner.add(TermSet(phrases=tuple(phrases)), (0, "match"), timed=False)
        scanner.add(TermSet(templates=(pattern,)), (1, "match"), timed=False)
        scanner.add(first_words, (2, "match"), timed=False)
        scanner.compile()
        hits = scanner.scan(text)[0]
        for index, name in enumerate(("trie", "template", "first words")):
            assert set(hits.get((index, "match"), [])) == found[name], (name, template, text)
    assert found["template"] <= found["trie"], (template, text)
    covered = set()
    for start, end in found["template"]:
        covered.update(range(start, end))
    assert {start for start, _ in found["trie"] if start not in covered} <= {start for start, _ in found["template"]}, (template, text)


def test_the_trie_of_the_rule_pack_matches_each_of_its_texts_in_full():
    # The trie-shaped regex takes the first branch that matches: wherever a word break may be
    # nothing, "can not" and "cannot ...", "advance " and "advancement", the longest text must win.
    scanner = Linter(load_rules([builtin_rules_dir()]))._scanner
    matches = {form: scanner._literal.match(form.replace("-", " ") + " x") for form in scanner._forms()}  # hyphens read as spaces
    assert [(form, match and match.group()) for form, match in matches.items() if not (match and match.end() >= len(form.rstrip()))] == []


def test_a_pattern_with_following_words_alone_in_its_scanner_is_found():
    # No phrases and no leading words: the trie still looks for the words further on.
    pattern = compile_regex(r"(?<![\w.])[0-9]{1,3} percent of patients\b")
    scanner = Scanner()
    scanner.add(TermSet(patterns=(pattern,)), (0, "match"))
    scanner.compile()
    assert scanner.scan("About 50 percent of patients improved.")[0] == {(0, "match"): [(6, 28)]}


def test_a_users_large_template_stays_in_the_trie(tmp_path):
    # An expression may backtrack through a template's alternatives with no time limit: only the
    # pack's own templates become expressions.
    template = "(fast|rapid|quick|speedy|swift|prompt|instant|brisk|hasty) (relief|help|results|change|gains|effects|improvement|healing)"
    (tmp_path / "rules.yaml").write_text(_rule_file("XT401", f"'{template}'", "fast relief"), encoding="utf-8")
    (rule,) = load_rule_file(tmp_path / "rules.yaml")
    assert rule.terms["phrases"].templates == ()
    assert len(rule.terms["phrases"].phrases) == len(expand_phrase(template)) > terms.TEMPLATE_PATTERN_MIN_PHRASES
    assert any(term_set.templates for rule in load_rules([builtin_rules_dir()]) for term_set in rule.terms.values())


def test_rules_that_share_terms_share_a_matcher_and_each_document_answers_once(monkeypatch):
    # Most rules share a list of hedges: a sentence with hits of five rules is searched once.
    first, second = local_matcher(TermSet(phrases=("may help",))), local_matcher(TermSet(phrases=("may help",)))
    assert first is second
    searches = []
    search = LocalMatcher._search
    monkeypatch.setattr(LocalMatcher, "_search", lambda self, doc, start, end: searches.append((start, end)) or search(self, doc, start, end))
    page = extract(SourceFile(path="p.txt", text="It may help. It is a cure.", kind="text"))
    other = extract(SourceFile(path="q.txt", text="It may help. It is a cure.", kind="text"))
    assert [first.found(page, 0, 12), second.found(page, 0, 12), first.found(page, 13, 26), first.found(other, 0, 12)] == [True, True, False, True]
    assert searches == [(0, 12), (13, 26), (0, 12)]  # once per document and window


def test_a_document_sent_to_another_process_leaves_what_rules_asked_of_it_behind():
    # Its answers are keyed by matchers, which hold compiled patterns (--jobs with the HTML report).
    page = extract(SourceFile(path="p.txt", text="It may help. It is a cure.", kind="text"))
    assert local_matcher(TermSet(phrases=("may help",))).found(page, 0, 12)
    sent = pickle.loads(pickle.dumps(page))
    assert sent == page and sent.spaced == page.spaced and sent.sentence(13, 15) == (13, 26)
    assert b"LocalMatcher" not in pickle.dumps(page)


@settings(max_examples=200, deadline=None)
@example(pieces=[("no", "-"), ("risk", " "), ("at", "-"), ("all", "")], chosen=["no risk at all", "no risk"])  # hyphens as word breaks
@example(pieces=[("safe", " "), ("and", " "), ("effective", " "), ("cure", "")], chosen=["safe", "safe and effective cure"])  # one match per place
@given(
    st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GLUE)), max_size=30),
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=5, unique=True),
)
def test_a_sentence_matcher_finds_what_the_scanner_finds(pieces, chosen):
    # Both read the folded text with hyphens as spaces; the matcher takes one match per place
    # (finditer), the scanner every phrase that ends there too.
    page = extract(SourceFile(path="p.txt", text="".join(piece + glue for piece, glue in pieces), kind="text"))
    scanner = Scanner()
    scanner.add(TermSet(phrases=tuple(chosen)), (0, "match"))
    scanner.compile()
    everywhere = set(scanner.scan(page.folded)[0].get((0, "match"), []))
    matcher = LocalMatcher(TermSet(phrases=tuple(chosen)))
    for start, end in [(block.start, block.end) for block in page.blocks]:
        found = set(matcher.spans(page, start, end))
        assert found <= everywhere and matcher.found(page, start, end) == bool(found)
        assert {hit_start for hit_start, hit_end in everywhere if start <= hit_start and hit_end <= end} <= {s for s, _ in found} | _covered(found)


def _covered(spans: set[tuple[int, int]]) -> set[int]:
    return {position for start, end in spans for position in range(start, end)}
