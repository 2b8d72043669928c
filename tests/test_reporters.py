"""Reporters: golden output per format, SARIF against the official schema, GitHub escaping, JUnit, the HTML page.

Golden files live in tests/golden/expected/ and are the output of `kmlint check` on tests/golden/inputs/
with the fixed rules in tests/golden/rules.yaml. After an intended change to a format, regenerate them with

    KMLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py

and review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser

import pytest
from conftest import REPO, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from kmlint.findings import Finding
from kmlint.reporters import REPORTERS
from kmlint.reporters.github import escape_data, escape_property
from kmlint.reporters.html import _Mark, highlight
from kmlint.reporters.sarif import artifact_location

GOLDEN = REPO / "tests" / "golden"
EXPECTED = GOLDEN / "expected"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
GOLDEN_FILES = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "github": "report.github.txt",
    "junit": "report.junit.xml",
    "html": "report.html",
}
RULE_ARGS = ("--no-builtin-rules", "--rules", "rules.yaml", "--color", "never", "--jobs", "1")


@pytest.fixture
def golden_run(run_cli, monkeypatch):
    """Run `kmlint check` from tests/golden on the golden inputs (paths reported as `inputs/...`)."""
    monkeypatch.chdir(GOLDEN)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*args: str):
        return run_cli("check", *RULE_ARGS, *args, "inputs")

    return run


def test_every_format_has_a_golden_file():
    assert set(GOLDEN_FILES) == set(REPORTERS)


@pytest.mark.parametrize("output_format", sorted(GOLDEN_FILES))
def test_output_matches_golden_file(golden_run, output_format):
    result = golden_run("--format", output_format)
    assert result.status == 1, result.err
    assert result.err == ""
    expected = EXPECTED / GOLDEN_FILES[output_format]
    if os.environ.get("KMLINT_UPDATE_GOLDEN") == "1":
        expected.parent.mkdir(exist_ok=True)
        expected.write_bytes(result.out.encode("utf-8"))
    assert result.out == expected.read_bytes().decode("utf-8"), f"regenerate with KMLINT_UPDATE_GOLDEN=1 if intended: {expected}"


def test_output_is_the_same_with_parallel_jobs(run_cli, monkeypatch):
    """Reports hold no timestamps or absolute paths, and do not depend on how many processes linted."""
    monkeypatch.chdir(GOLDEN)
    args = ("check", "--no-builtin-rules", "--rules", "rules.yaml", "--format")
    for output_format in ("html", "sarif"):
        single = run_cli(*args, output_format, "--jobs", "1", "inputs")
        parallel = run_cli(*args, output_format, "--jobs", "3", "inputs")
        assert single.out == parallel.out
        assert str(GOLDEN) not in single.out


# -- SARIF -------------------------------------------------------------------------------------


@pytest.fixture
def sarif_log(golden_run):
    return json.loads(golden_run("--format", "sarif").out)


def test_sarif_validates_against_the_official_schema(sarif_log):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(sarif_log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_sarif_describes_every_rule_that_ran_and_indexes_results_into_them(sarif_log):
    run = sarif_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["GL101", "GL102", "GL201", "GL202", "GL301", "GL401", "GL901"]
    first = rules[0]
    assert first["helpUri"] == "https://www.ftc.gov/business-guidance/resources/health-products-compliance-guidance"
    assert first["defaultConfiguration"] == {"level": "error"}
    assert "Schedule III" in first["fullDescription"]["text"]
    assert "Safer wording: Describe safety as conditional" in first["help"]["text"]
    assert rules[3]["defaultConfiguration"] == {"level": "note"}  # info
    assert run["columnKind"] == "unicodeCodePoints"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["properties"]["category"] == rules[result["ruleIndex"]]["properties"]["category"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")


def test_sarif_region_counts_code_points_and_quotes_the_source(sarif_log):
    results = sarif_log["runs"][0]["results"]
    # "cutting&#8209;edge" after "café" and an emoji (one code point, two UTF-16 units) on line 11.
    entity = next(r for r in results if r["ruleId"] == "GL301" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 11)
    region = entity["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (37, 55)
    assert region["snippet"]["text"] == "cutting&#8209;edge"
    assert entity["properties"]["replacement"] == "modern"


def _page_results(run_cli, tmp_path, text: str) -> list[dict]:
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    result = run_cli("check", "--no-builtin-rules", "--rules", str(GOLDEN / "rules.yaml"), "--format", "sarif", str(page))
    return json.loads(result.out)["runs"][0]["results"]


def test_sarif_fingerprints_survive_lines_inserted_above(run_cli, tmp_path):
    before = _page_results(run_cli, tmp_path, "It is completely safe.\n\nAlso completely safe.\n")
    after = _page_results(run_cli, tmp_path, "New intro.\n\nMore words.\n\nIt is Completely  safe.\n\nAlso completely safe.\n")
    key = "kmlintClaim/v1"
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [5, 7]
    assert [r["partialFingerprints"][key] for r in before] == [r["partialFingerprints"][key] for r in after]
    # The same words twice in a file are two findings, told apart by their occurrence.
    assert before[0]["partialFingerprints"][key] != before[1]["partialFingerprints"][key]


def test_sarif_fingerprint_changes_with_the_claim(run_cli, tmp_path):
    first = _page_results(run_cli, tmp_path, "It is completely safe.\n")
    second = _page_results(run_cli, tmp_path, "It is non-addictive.\n")
    assert first[0]["partialFingerprints"] != second[0]["partialFingerprints"]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("inputs/page.html", "inputs/page.html"),
        ("./a b/c#d.md", "./a%20b/c%23d.md"),
        ("x:y.txt", "x%3Ay.txt"),
        ("-", "-"),
    ],
)
def test_sarif_relative_paths_stay_relative_and_encoded(path, uri):
    assert artifact_location(path) == {"uri": uri, "uriBaseId": "%SRCROOT%"}


def test_sarif_absolute_path_becomes_a_file_uri(tmp_path):
    location = artifact_location(str(tmp_path / "page.html"))
    assert location == {"uri": (tmp_path / "page.html").as_uri()}


def test_sarif_reports_a_file_that_could_not_be_checked(run_cli, tmp_path):
    # A binary file: a path that does not exist at all is a usage error for the whole run.
    (tmp_path / "binary.html").write_bytes(b"\x00\x01\x02")
    result = run_cli(
        "check", "--no-builtin-rules", "--rules", str(GOLDEN / "rules.yaml"), "--format", "sarif", str(tmp_path / "binary.html")
    )
    assert result.status == 2
    invocation = json.loads(result.out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notification = invocation["toolExecutionNotifications"][0]
    assert notification["level"] == "error"
    assert "binary file" in notification["message"]["text"]


# -- GitHub ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100% sure", "100%25 sure", "100%25 sure"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("dir/a,b:c.md", "dir/a,b:c.md", "dir/a%2Cb%3Ac.md"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_github_is_the_default_format_in_github_actions(run_cli, tmp_path, monkeypatch):
    page = tmp_path / "a,b.txt"
    page.write_text("It is completely safe.\n", encoding="utf-8")
    args = ("check", "--no-builtin-rules", "--rules", str(GOLDEN / "rules.yaml"), str(page))
    annotated = run_cli(*args, env={"GITHUB_ACTIONS": "true"})
    escaped = str(page).replace(",", "%2C")
    assert annotated.out.splitlines()[0] == (
        f"::error file={escaped},line=1,col=7,endLine=1,endColumn=22,title=GL101 promises-safety::"
        "“completely safe” promises 100%25 safety, but every drug has risks & side effects: say so."
        "%0ASuggestion: Describe safety as conditional: <“under medical supervision”>."
    )
    assert run_cli(*args, "--format", "text", env={"GITHUB_ACTIONS": "true"}).out.startswith(f"{page}:1:7: error GL101")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert run_cli(*args).out.startswith(f"{page}:1:7: error GL101")


def test_github_leaves_out_columns_of_a_claim_across_lines(golden_run):
    lines = golden_run("--format", "github").out.splitlines()
    across = [line for line in lines if "line=12,endLine=13" in line]
    assert across and all("col=" not in line and "endColumn=" not in line for line in across)


def test_github_quiet_and_statistics(golden_run):
    quiet = golden_run("--format", "github", "--quiet").out
    assert "::error " in quiet and "Suggestion" not in quiet
    statistics = golden_run("--format", "github", "--statistics").out.splitlines()
    assert "     4  GL101  promises-safety" in statistics
    assert statistics[-1] == "kmlint: 14 problems (5 errors, 5 warnings, 4 info) in 4 files."


def test_statistics_and_quiet_leave_machine_formats_unchanged(golden_run):
    for output_format in ("json", "sarif", "junit", "html"):
        plain = golden_run("--format", output_format).out
        assert golden_run("--format", output_format, "--quiet", "--statistics").out == plain


# -- JUnit -------------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_file_failing_with_its_findings(golden_run):
    root = ET.fromstring(golden_run("--format", "junit").out)
    suite = root.find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == ["inputs/clean.txt", "inputs/landing.html", "inputs/notes.md", "inputs/plain.txt"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "3", "0")
    assert cases["inputs/clean.txt"].find("failure") is None
    failure = cases["inputs/plain.txt"].find("failure")
    assert failure.get("message") == "2 problems (1 error, 1 warning)"
    assert failure.text.splitlines()[0].startswith("inputs/plain.txt:4:12: error GL101[promises-safety]")


def test_junit_reports_an_unreadable_file_as_an_error_and_stays_well_formed(run_cli, tmp_path):
    page = tmp_path / "odd\x01name<&>.txt"
    page.write_text("It is completely safe.\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    result = run_cli(
        "check", "--no-builtin-rules", "--rules", str(GOLDEN / "rules.yaml"), "--format", "junit", str(page), str(tmp_path / "binary.txt")
    )
    root = ET.fromstring(result.out)
    cases = list(root.iter("testcase"))
    assert cases[0].get("name") == str(page).replace("\x01", "\ufffd")
    assert cases[0].find("failure") is not None
    assert "binary file" in cases[1].find("error").get("message")
    assert root.get("errors") == "1" and root.get("failures") == "1"


# -- HTML --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects, per data-finding id, the text inside its <mark> fragments and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str | None] = []
        self.text: dict[str, str] = {}
        self.attributes: dict[str, dict[str, str | None]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "mark":
            finding = attributes["data-finding"]
            self.open.append(finding)
            self.text.setdefault(finding, "")
            self.attributes[finding] = attributes

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()

    def handle_data(self, data):
        for finding in set(self.open):
            self.text[finding] += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_html_highlights_every_finding_at_its_words(golden_run):
    findings = json.loads(golden_run("--format", "json").out)["findings"]
    page = _parse(golden_run("--format", "html").out)
    assert len(page.text) == len(findings) == 14
    by_position = {(a["data-rule"], int(a["data-line"]), int(a["data-column"])): page.text[f] for f, a in page.attributes.items()}
    for finding in findings:
        assert by_position[(finding["rule"], finding["line"], finding["column"])] == finding["text"]
    severities = {a["data-severity"] for a in page.attributes.values()}
    assert severities == {"error", "warning", "info"}


def test_html_escapes_the_copy_and_loads_nothing(run_cli, tmp_path):
    page = tmp_path / "x<y>.html"
    page.write_text(
        '<p>&lt;script&gt;alert(1)&lt;/script&gt; "It is completely safe" &amp; <img src=x alt="\'><b>completely safe"></p>',
        encoding="utf-8",
    )
    html = run_cli("check", "--no-builtin-rules", "--rules", str(GOLDEN / "rules.yaml"), "--format", "html", str(page)).out
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "x&lt;y&gt;.html" in html
    parsed = _parse(html)
    assert sorted(parsed.text.values()) == ["completely safe", "completely safe"]
    # Self-contained: no element loads anything, and the policy forbids it should escaping ever fail.
    assert not [tag for tag, attributes in parsed.tags if {"src", "srcset"} & set(attributes) or tag in ("link", "iframe", "object")]
    policy = next(a["content"] for tag, a in parsed.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert policy.startswith("default-src 'none';") and "unsafe-inline" not in policy


def test_html_labels_scopes_and_counts_categories(golden_run):
    html = golden_run("--format", "html").out
    parsed = _parse(html)
    scopes = {a["class"] for tag, a in parsed.tags if tag == "p" and "block" in (a.get("class") or "")}
    assert {"block scope-title", "block scope-meta", "block scope-heading", "block scope-alt", "block scope-body"} <= scopes
    rows = {a["data-category"] for tag, a in parsed.tags if tag == "tr" and "data-category" in a}
    assert rows == {"safety-absolute", "risk-minimizing", "hype", "efficacy-overclaim", "indication-creep", "missing-supervision"}
    boxes = {(a["name"], a["value"]) for tag, a in parsed.tags if tag == "input"}
    assert {("severity", "error"), ("severity", "warning"), ("severity", "info"), ("category", "hype")} <= boxes
    assert "Page title" in html and "Image text" in html and "Search and social description" in html


def test_document_is_kept_only_for_the_html_reporter(golden_run, monkeypatch):
    from kmlint.engine import Linter

    kept: list[bool] = []
    original = Linter.check_source

    def spy(self, source, keep_document=False):
        kept.append(keep_document)
        return original(self, source, keep_document)

    monkeypatch.setattr(Linter, "check_source", spy)
    golden_run("--format", "json")
    assert kept and not any(kept)
    kept.clear()
    golden_run("--format", "html")
    assert kept and all(kept)


def _finding(start: int, end: int) -> Finding:
    return Finding(
        path="p",
        start=start,
        end=end,
        line=1,
        column=start + 1,
        end_line=1,
        end_column=end + 1,
        rule="GL101",
        name="n",
        category="hype",
        severity="warning",
        message="m",
        suggestion="s",
        text="",
        source_line="",
        doc_start=start,
        doc_end=end,
    )


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="ab <&>\"'", min_size=1, max_size=30),
    spans=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=6),
)
def test_highlight_fragments_hold_exactly_each_span(text, spans):
    """Nested, crossing and touching spans: the text survives whole, and each finding's fragments spell its words."""
    spans = [(min(a, len(text) - 1), min(max(a + 1, b), len(text))) for a, b in spans]
    offset = 7  # a block does not start at document offset 0
    findings = [replace(_finding(a + offset, b + offset), text=text[a:b]) for a, b in spans]
    marks = [_Mark(f.doc_start, f.doc_end, True, f, f"f1-{n}", n) for n, f in enumerate(findings, 1)]
    html = highlight(text, offset, marks)
    page = _parse(html)
    assert set(page.text) == {m.finding_id for m in marks}
    for mark in marks:
        assert page.text[mark.finding_id] == mark.finding.text
    # Each finding's first fragment is the target of its note's link, and there is exactly one.
    anchors = [a["id"] for tag, a in page.tags if tag == "mark" and "id" in a]
    assert sorted(anchors) == sorted(f"hl-{m.finding_id}" for m in marks)
    # Tags carry only escaped attribute values, so no ">" inside them: stripping tags leaves the escaped text.
    assert unescape(re.sub(r"</?mark[^>]*>|<a [^>]*>\d+</a>", "", html)) == text
