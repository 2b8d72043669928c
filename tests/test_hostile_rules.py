"""Rule files are untrusted input (issue 4): YAML loaded safely and bounded, every bad rule file a
golden one-line error at its line, patterns that backtrack catastrophically rejected at load time,
and a hostile pattern that slips through stopped at run time with a diagnostic naming the rule,
while the other rules' findings still come out.

tests/bad_rules/ holds one bad rule file per problem; BAD_RULES below is the golden table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
BAD_RULES = TESTS / "bad_rules"
RULES = TESTS / "nasty" / "rules.yaml"

# file -> (position after the path, message)
GOLDEN = {
    "bad-report-group.yaml": (":14:13", "report group 'promise' is not one of the rule's groups (what, claim)"),
    "bad-severity.yaml": (":5:15", "rules.0.severity: 'fatal' is not one of error, warning, info"),
    "billion-laughs.yaml": ("", "more than 200000 YAML nodes once aliases are expanded"),
    "duplicate-id.yaml": (":13", "duplicate rule id 'BR101' (first defined at {path}:2)"),
    "duplicate-key.yaml": (":12:5", "duplicate key 'phrases' (first at line 11)"),
    "empty.yaml": ("", "empty YAML file"),
    "invalid-regex.yaml": (":13:9", "invalid regular expression 'cure(s': missing ) at position 6"),
    "missing-examples.yaml": (":2:5", "rules.0: missing required key 'examples'"),
    "nested-quantifier.yaml": (
        ":12:9",
        (
            r"regular expression '(?:\\w+\\s?)+ cure' can take exponential time: (?:\w+\s?)+ repeats a group that itself "
            "repeats without bound; match each character one way only, or make the group atomic (?>...) or its repetition "
            "possessive (*+, ++)"
        ),
    ),
    "not-a-mapping.yaml": (":1:1", "file: expected object, got list"),
    "not-utf8.yaml": (":7", "rule file is not UTF-8 text"),
    "object-tag.yaml": (":9:16", "invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    "overlapping-alternatives.yaml": (
        ":13:9",
        (
            "regular expression '(?:may|might|ma)+ help' can take exponential time: (?:may|might|ma)+ repeats alternatives "
            "that can both start with 'm'; match each character one way only, or make the group atomic (?>...) or its "
            "repetition possessive (*+, ++)"
        ),
    ),
    "phrase-explosion.yaml": (
        ":12:9",
        (
            "phrase '(a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j)' expands to "
            "more than 5000 variants"
        ),
    ),
    "self-alias.yaml": (":2:11", "an alias refers to a node that contains it"),
    "syntax-error.yaml": (":12:13", "invalid YAML: expected ',' or ']', but got ':'"),
    "tab-indent.yaml": (":11:1", "invalid YAML: found character '\\t' that cannot start any token"),
    "too-deep.yaml": (":1:71", "YAML nested more than 64 levels deep"),
    "unbalanced-phrase.yaml": (":11:15", "unbalanced parentheses in phrase 'miracle (cure|fix'"),
    "unknown-key.yaml": (":2:5", "rules.0: unknown key 'phrasse'"),
    "unknown-list.yaml": (":12:14", "unknown list '@hedgez' (define it under 'lists:' in the same file)"),
}


def test_every_bad_rule_file_has_a_golden_error():
    assert sorted(GOLDEN) == sorted(p.name for p in BAD_RULES.iterdir())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_bad_rule_file_is_one_line_at_its_place(run_cli, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a YAML object tag would write, if it ran
    path = BAD_RULES / name
    where, message = GOLDEN[name]
    expected = f"kmlint: error: {path}{where}: {message.format(path=path)}\n"
    validated = run_cli("rules", "validate", str(path))
    assert (validated.status, validated.out, validated.err) == (2, "", expected)
    page = tmp_path / "page.txt"
    page.write_text("A miracle.\n", encoding="utf-8")
    checked = run_cli("check", "--rules", str(path), str(page))
    assert (checked.status, checked.out, checked.err) == (2, "", expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]  # nothing ran, nothing written


def test_duplicate_rule_ids_across_files_name_both_places(run_cli, tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("rules", "validate", str(RULES), str(copy))
    assert result.status == 2
    assert result.err == f"kmlint: error: {copy}:8: duplicate rule id 'NS101' (first defined at {RULES}:8)\n"


# -- hostile rules at run time ---------------------------------------------------------------------

RULE = """\
  - id: {id}
    name: {name}
    category: hype
    severity: warning
    kind: phrase
    message: "“{{match}}” {{0}} %s {{match!r}} {{__class__}}"
    suggestion: Describe what it does.
    rationale: Test rule.
    references: [{{title: Test, url: "https://example.org/"}}]
{terms}
    examples: {{flag: [A miracle.], pass: [A treatment.]}}
"""
# Backtracks catastrophically on a run of a's that does not end the text, yet passes the load-time
# check (its alternatives start with groups, whose first characters it does not look into).
EXPONENTIAL = "(?:(a)|(a))*$"


def hostile_rules(tmp_path, **terms: str) -> Path:
    """A rule file with one rule per keyword: HS901, HS902, ... with the given term lines."""
    body = "".join(
        RULE.format(id=f"HS9{number:02d}", name=name.replace("_", "-"), terms=lines)
        for number, (name, lines) in enumerate(terms.items(), start=1)
    )
    path = tmp_path / "hostile.yaml"
    path.write_text("rules:\n" + body, encoding="utf-8")
    return path


def check(run_cli, rules: Path, *pages: Path):
    result = run_cli("check", "--no-builtin-rules", "--rules", str(RULES), "--rules", str(rules), "--format", "json", "--jobs", "1", *map(str, pages))
    return result, json.loads(result.out)


def test_the_pattern_used_here_is_really_exponential_and_passes_the_load_check():
    import regex

    from kmlint.patterns import backtracking_risk

    assert backtracking_risk(EXPONENTIAL) is None
    with pytest.raises(TimeoutError):
        regex.compile(EXPONENTIAL).search("a" * 40 + "!", timeout=0.2)


def test_a_hostile_pattern_is_stopped_and_named_per_file_and_other_rules_still_report(run_cli, tmp_path):
    rules = hostile_rules(tmp_path, exponential=f"    patterns: ['{EXPONENTIAL}']", plain="    phrases: [miracle]")
    pages = []
    for name in ("first.txt", "second.txt"):
        page = tmp_path / name
        page.write_text("A miracle: it is completely safe.\n\n" + "a" * 40 + "!\n", encoding="utf-8")
        pages.append(page)
    result, data = check(run_cli, rules, *pages)
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [
        (str(pages[0]), "HS902"), (str(pages[0]), "NS101"), (str(pages[1]), "HS902"), (str(pages[1]), "NS101"),
    ]
    # given up on each page (so --jobs N reports exactly what --jobs 1 does), within its time limit
    assert data["diagnostics"] == [
        {
            "path": str(page),
            "level": "error",
            "message": f"rule HS901 ({rules}:2) not applied to this file: a regular expression ran past its time limit (0.5 s)",
        }
        for page in pages
    ]
    assert result.status == 2  # the pages were not fully checked


def test_a_hostile_hedge_pattern_is_stopped_and_named(run_cli, tmp_path):
    rules = hostile_rules(tmp_path, hedged="    phrases: [miracle]\n    unless: [{regex: '" + EXPONENTIAL + "'}]")
    page = tmp_path / "page.txt"
    page.write_text("A miracle, completely safe " + "a" * 40 + "!\n", encoding="utf-8")
    result, data = check(run_cli, rules, page)
    assert [f["rule"] for f in data["findings"]] == ["NS101"]
    assert [d["message"] for d in data["diagnostics"]] == [
        f"rule HS901 ({rules}:2) not applied to this file: a regular expression ran past its time limit (0.5 s)"
    ]
    assert result.status == 2


def test_a_pattern_that_matches_nearly_everything_is_given_up(run_cli, tmp_path, monkeypatch):
    import kmlint.terms

    monkeypatch.setattr(kmlint.terms, "MAX_PATTERN_HITS", 20)
    rules = hostile_rules(tmp_path, letters="    patterns: ['\\w']")
    page = tmp_path / "page.txt"
    page.write_text("Completely safe, and then some more words.\n", encoding="utf-8")
    result, data = check(run_cli, rules, page)
    assert [f["rule"] for f in data["findings"]] == ["NS101"]
    assert [d["message"] for d in data["diagnostics"]] == [
        f"rule HS901 ({rules}:2) not applied to this file: a regular expression matched more than 20 times"
    ]
    assert result.status == 2


def test_messages_are_not_format_strings(run_cli, tmp_path):
    rules = hostile_rules(tmp_path, plain="    phrases: [miracle]")
    page = tmp_path / "page.txt"
    page.write_text("A miracle.\n", encoding="utf-8")
    _, data = check(run_cli, rules, page)
    assert [f["message"] for f in data["findings"]] == ["“miracle” {0} %s {match!r} {__class__}"]
