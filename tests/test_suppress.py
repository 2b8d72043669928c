"""Suppression comments: each form (range, next line, file), selectors, reasons, unused reports, and where they do not apply."""

from __future__ import annotations

import pytest
from workflow_fixtures import check_json, write_rules

from kmlint.document import DocumentBuilder
from kmlint.source import SourceFile
from kmlint.suppress import parse_directives


@pytest.fixture
def rules(tmp_path):
    return write_rules(tmp_path)


def lint(run_cli, rules, tmp_path, name: str, text: str, *args: str, newline: str = "\n"):
    page = tmp_path / name
    page.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return check_json(run_cli, rules, *args, str(page))


def lines_of(checked) -> list[tuple[int, str]]:
    return [(f["line"], f["rule"]) for f in checked.findings]


# -- parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "verb", "selectors", "reason"),
    [
        ("<!-- kmlint-disable -->", "disable", (), ""),
        ("<!--kmlint-disable TS101,hype-->", "disable", ("TS101", "hype"), ""),
        ("<!-- kmlint-disable TS101, hype TS2 -->", "disable", ("TS101", "hype", "TS2"), ""),
        ("<!-- kmlint-enable -->", "enable", (), ""),
        ("<!-- kmlint-disable-next-line TS101 -- quoted from the FDA label -->", "disable-next-line", ("TS101",), "quoted from the FDA label"),
        ("<!-- kmlint-disable-file -- legal page, reviewed 2024-05 -->", "disable-file", (), "legal page, reviewed 2024-05"),
        ("<!--\n  kmlint-disable-next-line\n  no-side-effects\n-->", "disable-next-line", ("no-side-effects",), ""),
    ],
)
def test_directive_parsing(comment, verb, selectors, reason):
    text = "<p>x</p>" + comment
    builder = DocumentBuilder(text)
    builder.directive(8, comment)
    directives, problems = parse_directives(SourceFile("p.html", text, "html"), builder.build())
    assert problems == []
    assert [(d.verb, d.selectors, d.reason, d.start, d.end) for d in directives] == [(verb, selectors, reason, 8, len(text))]


@pytest.mark.parametrize("comment", ["<!-- a comment -->", "<!-- kmlint is great -->", "<!-- see kmlint-disable docs -->", "<!-- ruleid: TS101 -->"])
def test_other_comments_are_not_directives(comment):
    builder = DocumentBuilder(comment)
    builder.directive(0, comment)
    assert parse_directives(SourceFile("p.html", comment, "html"), builder.build()) == ([], [])


# -- the forms ----------------------------------------------------------------------------------------

PAGE = """\
<p>Line one is risk-free.</p>
<!-- kmlint-disable -->
<p>Line three is risk-free and a breakthrough.</p>
<!-- kmlint-enable -->
<p>Line five is risk-free.</p>
"""


def test_disable_enable_range_silences_everything_between(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "range.html", PAGE)
    assert lines_of(checked) == [(1, "TS101"), (5, "TS101")]


def test_disable_with_selectors_silences_only_those_rules(run_cli, rules, tmp_path):
    for selectors in ("TS101", "absolute-safety", "safety-absolute", "TS1"):
        checked = lint(run_cli, rules, tmp_path, "some.html", PAGE.replace("kmlint-disable -->", f"kmlint-disable {selectors} -->"))
        assert lines_of(checked) == [(1, "TS101"), (3, "TS201"), (5, "TS101")], selectors


def test_enable_with_a_list_re_enables_only_those_rules(run_cli, rules, tmp_path):
    text = PAGE.replace("kmlint-enable -->", "kmlint-enable TS201 -->") + "<p>Line six: a breakthrough, risk-free.</p>\n"
    checked = lint(run_cli, rules, tmp_path, "partial.html", text)
    assert lines_of(checked) == [(1, "TS101"), (6, "TS201")]


def test_disable_without_enable_runs_to_the_end(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "open.html", PAGE.replace("<!-- kmlint-enable -->\n", ""))
    assert lines_of(checked) == [(1, "TS101")]


def test_disable_applies_from_the_comment_on_not_to_earlier_words_of_its_line(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "inline.html", "<p>It is risk-free. <!-- kmlint-disable --> Also risk-free.</p>\n")
    assert [(f["line"], f["column"]) for f in checked.findings] == [(1, 10)]


def test_disable_next_line_silences_only_the_next_line(run_cli, rules, tmp_path):
    text = (
        "<p>One: risk-free.</p>\n"
        "<!-- kmlint-disable-next-line TS101 -- quoted from the label -->\n"
        "<p>Three: risk-free, a breakthrough.</p>\n"
        "<p>Four: risk-free.</p>\n"
    )
    checked = lint(run_cli, rules, tmp_path, "next.html", text)
    assert lines_of(checked) == [(1, "TS101"), (3, "TS201"), (4, "TS101")]


def test_disable_next_line_counts_from_the_end_of_a_multi_line_comment_with_crlf(run_cli, rules, tmp_path):
    text = "<!--\nkmlint-disable-next-line\n-->\n<p>Four: risk-free.</p>\n<p>Five: risk-free.</p>\n"
    checked = lint(run_cli, rules, tmp_path, "multi.html", text, newline="\r\n")
    assert lines_of(checked) == [(5, "TS101")]


def test_disable_file_anywhere_silences_the_whole_file(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "file.html", PAGE + "<!-- kmlint-disable-file hype -- press release -->\n")
    assert lines_of(checked) == [(1, "TS101"), (5, "TS101")]
    checked = lint(run_cli, rules, tmp_path, "file.html", PAGE + "<!-- kmlint-disable-file -->\n")
    assert checked.findings == []


def test_markdown_html_block_and_inline_comments(run_cli, rules, tmp_path):
    text = (
        "# Our clinic\n"
        "\n"
        "<!-- kmlint-disable-next-line TS101 -->\n"
        "Ketamine is risk-free.\n"
        "\n"
        "A breakthrough, <!-- kmlint-disable hype --> a game-changer, risk-free.\n"
    )
    checked = lint(run_cli, rules, tmp_path, "page.md", text)
    assert [(f["line"], f["column"], f["rule"]) for f in checked.findings] == [(6, 3, "TS201"), (6, 62, "TS101")]


def test_comments_in_markdown_code_are_not_directives(run_cli, rules, tmp_path):
    text = "```html\n<!-- kmlint-disable-file -->\n```\n\nIt is risk-free.\n"
    assert lines_of(lint(run_cli, rules, tmp_path, "code.md", text)) == [(5, "TS101")]


def test_plain_text_has_no_suppression_comments(run_cli, rules, tmp_path):
    text = "<!-- kmlint-disable-file -->\nIt is risk-free.\n"
    assert lines_of(lint(run_cli, rules, tmp_path, "copy.txt", text)) == [(2, "TS101")]


# -- unused suppressions and unknown directives -----------------------------------------------------

UNUSED = """\
<!-- kmlint-disable-next-line TS101 -->
<p>Nothing risky here.</p>
<!-- kmlint-disable-next-line TS201 -->
<p>A breakthrough.</p>
"""


def test_unused_suppression_is_reported_as_km000_at_the_comment(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "unused.html", UNUSED, "--report-unused-suppressions")
    assert checked.status == 1
    [finding] = checked.findings
    assert (finding["rule"], finding["name"], finding["severity"]) == ("KM000", "unused-suppression", "warning")
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 1, 1, 40)
    assert finding["text"] == "<!-- kmlint-disable-next-line TS101 -->"
    assert "kmlint-disable-next-line TS101" in finding["message"]


def test_unused_suppressions_are_quiet_without_the_option(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "unused.html", UNUSED)
    assert (checked.findings, checked.status) == ([], 0)


def test_a_suppression_naming_only_unselected_rules_is_not_reported_unused(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "unused.html", UNUSED, "--report-unused-suppressions", "--select", "TS2")
    assert checked.findings == []


def test_unused_range_and_file_suppressions_are_reported_but_enable_is_not(run_cli, rules, tmp_path):
    text = "<!-- kmlint-disable TS202 -->\n<p>Fine.</p>\n<!-- kmlint-enable -->\n<!-- kmlint-disable-file hype -->\n"
    checked = lint(run_cli, rules, tmp_path, "stale.html", text, "--report-unused-suppressions")
    assert lines_of(checked) == [(1, "KM000"), (4, "KM000")]


def test_text_report_shows_the_unused_suppression(run_cli, rules, tmp_path):
    page = tmp_path / "unused.html"
    page.write_text(UNUSED, encoding="utf-8")
    result = run_cli("check", "--jobs", "1", "--no-builtin-rules", "--rules", str(rules), "--report-unused-suppressions", str(page))
    assert f"{page}:1:1: warning KM000[unused-suppression]" in result.out


def test_misspelt_directive_is_a_warning_naming_its_line(run_cli, rules, tmp_path):
    checked = lint(run_cli, rules, tmp_path, "typo.html", "<p>x</p>\n<!-- kmlint-disabel TS101 -->\n<p>It is risk-free.</p>\n")
    assert lines_of(checked) == [(3, "TS101")]
    assert [d["level"] for d in checked.diagnostics] == ["warning"]
    assert checked.diagnostics[0]["message"].startswith("line 2: unknown directive 'kmlint-disabel'")
