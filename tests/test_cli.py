"""The command line: every option of `check` and `rules`, and every exit status."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

RISKY = "<h1>A game-changer</h1><p>Ketamine is safe and non-addictive.</p>"
CLEAN = "<p>Ketamine may help some patients. Results vary.</p>"
EXTRA_RULE = textwrap.dedent(
    """\
    rules:
      - id: XT100
        name: extra-wonder
        category: hype
        severity: info
        kind: phrase
        message: "“{match}” is hype."
        suggestion: Say what it does.
        rationale: Wonder words overpromise.
        references: [{title: FTC, url: "https://www.ftc.gov"}]
        phrases: [wonder drug]
        examples: {flag: [a wonder drug], pass: [a drug]}
    """
)


@pytest.fixture
def pages(tmp_path):
    (tmp_path / "risky.html").write_text(RISKY, encoding="utf-8")
    (tmp_path / "clean.html").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "notes.py").write_text("safe and non-addictive", encoding="utf-8")
    hidden = tmp_path / ".hidden"
    hidden.mkdir()
    (hidden / "x.html").write_text(RISKY, encoding="utf-8")
    return tmp_path


def findings(result):
    return json.loads(result.out)["findings"]


def test_folder_is_walked_for_copy_files_only(pages, run_cli):
    result = run_cli("check", "--format", "json", str(pages))
    assert result.status == 1
    paths = {f["path"] for f in findings(result)}
    assert paths == {str(pages / "risky.html")}
    assert json.loads(result.out)["files"] == [str(pages / "clean.html"), str(pages / "risky.html")]


def test_default_path_is_the_current_folder(pages, run_cli, monkeypatch):
    monkeypatch.chdir(pages)
    result = run_cli("check", "--format", "json")
    assert {f["path"] for f in findings(result)} == {"./risky.html"}


def test_json_finding_has_the_contract_fields_sorted(pages, run_cli):
    items = findings(run_cli("check", "--format", "json", str(pages / "risky.html")))
    assert [(f["line"], f["column"]) for f in items] == sorted((f["line"], f["column"]) for f in items)
    for item in items:
        assert {"path", "line", "column", "end_line", "end_column", "rule", "name", "category", "severity",
                "message", "suggestion", "text"} <= set(item)
    safety = next(f for f in items if f["rule"] == "KM101")
    assert safety["text"] == "safe and non-addictive" and safety["category"] == "safety-absolute"


def test_text_output_shows_location_rule_carets_suggestion_and_summary(pages, run_cli):
    result = run_cli("check", str(pages / "risky.html"))
    assert result.status == 1
    column = RISKY.index("safe") + 1
    assert f"{pages / 'risky.html'}:1:{column}: error KM101[absolute-safety] “safe and non-addictive”" in result.out
    assert "^" * len("safe and non-addictive") in result.out
    assert "suggestion:" in result.out
    assert result.out.rstrip().splitlines()[-1].startswith("Found ")
    assert "\x1b[" not in result.out  # not a terminal: no colour


def test_color_always_and_no_color(pages, run_cli):
    assert "\x1b[" in run_cli("check", "--color", "always", str(pages / "risky.html")).out
    assert "\x1b[" not in run_cli("check", "--color", "auto", str(pages / "risky.html"), env={"NO_COLOR": "1"}).out


def test_quiet_prints_one_line_per_finding(pages, run_cli):
    out = run_cli("check", "--quiet", str(pages / "risky.html")).out
    assert "^" not in out and "suggestion" not in out
    assert sum(1 for line in out.splitlines() if "risky.html:" in line) == 2


def test_statistics_counts_per_rule(pages, run_cli):
    out = run_cli("check", "--statistics", str(pages / "risky.html")).out
    assert any(line.split()[:2] == ["1", "KM101"] for line in out.splitlines())


@pytest.mark.parametrize(
    "option,value,expected",
    [
        ("--select", "KM101", {"KM101"}),
        ("--select", "KM1", {"KM101"}),
        ("--select", "absolute-safety", {"KM101"}),
        ("--select", "hype", {"KM301"}),
        ("--select", "KM101,hype", {"KM101", "KM301"}),
        ("--ignore", "KM101", {"KM301"}),
        ("--ignore", "safety-absolute", {"KM301"}),
    ],
)
def test_select_and_ignore(pages, run_cli, option, value, expected):
    result = run_cli("check", "--format", "json", option, value, str(pages / "risky.html"))
    assert {f["rule"] for f in findings(result)} == expected


def test_unknown_selector_is_a_usage_error(pages, run_cli):
    result = run_cli("check", "--select", "KM9999X", str(pages))
    assert result.status == 2
    assert result.err.count("\n") == 1 and "KM9999X" in result.err


def test_extra_rules_and_no_builtin_rules(pages, run_cli, tmp_path):
    rule_file = tmp_path / "extra.yaml"
    rule_file.write_text(EXTRA_RULE, encoding="utf-8")
    page = tmp_path / "w.md"
    page.write_text("A wonder drug that is safe and non-addictive.\n", encoding="utf-8")
    both = {f["rule"] for f in findings(run_cli("check", "--format", "json", "--rules", str(rule_file), str(page)))}
    assert {"XT100", "KM101"} <= both
    only = {f["rule"] for f in findings(run_cli("check", "--format", "json", "--no-builtin-rules", "--rules", str(rule_file), str(page)))}
    assert only == {"XT100"}


@pytest.mark.parametrize(
    "fail_on,status",
    [("error", 1), ("warning", 1), ("info", 1), ("never", 0)],
)
def test_fail_on_with_errors(pages, run_cli, fail_on, status):
    assert run_cli("check", "--fail-on", fail_on, str(pages / "risky.html")).status == status


def test_fail_on_error_ignores_warnings(pages, run_cli):
    result = run_cli("check", "--select", "KM301", "--fail-on", "error", str(pages / "risky.html"))
    assert "KM301" in result.out and result.status == 0


def test_clean_file_exits_zero(pages, run_cli):
    result = run_cli("check", str(pages / "clean.html"))
    assert result.status == 0 and "No problems found in 1 file." in result.out


def test_stdin_with_filename_picks_the_extractor(run_cli):
    result = run_cli("check", "--format", "json", "--stdin-filename", "page.html", "-", stdin=b"<script>safe and non-addictive</script><p>game-changer</p>")
    assert [(f["path"], f["rule"]) for f in findings(result)] == [("page.html", "KM301")]


def test_missing_path_is_reported_and_exits_two(run_cli, tmp_path):
    result = run_cli("check", str(tmp_path / "nope.html"))
    assert result.status == 2
    assert "nope.html" in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_bad_format_is_a_usage_error(pages, run_cli):
    result = run_cli("check", "--format", "yaml", str(pages))
    assert result.status == 2 and "yaml" in result.err


def test_bad_rule_file_is_one_line_with_file_and_line(pages, run_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXTRA_RULE.replace("severity: info", "severity: fatal"), encoding="utf-8")
    result = run_cli("check", "--rules", str(bad), str(pages))
    assert result.status == 2
    assert result.err.strip().count("\n") == 0
    assert f"{bad}:5:15: rules.0.severity: 'fatal' is not one of" in result.err


def test_rules_list_and_show(run_cli):
    listing = run_cli("rules", "list")
    assert listing.status == 0 and any(line.startswith("KM101 ") for line in listing.out.splitlines())
    shown = run_cli("rules", "show", "KM101")
    assert shown.status == 0
    for part in ("absolute-safety", "Why:", "References:", "Flags:", "Passes:", "https://"):
        assert part in shown.out
    assert run_cli("rules", "show", "absolute-safety").out == shown.out
    missing = run_cli("rules", "show", "KM0")
    assert missing.status == 2 and "KM0" in missing.err


def test_rules_validate(run_cli, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(EXTRA_RULE, encoding="utf-8")
    assert run_cli("rules", "validate", str(good)).status == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXTRA_RULE.replace("phrases: [wonder drug]", "phrases: [{regex: '(unclosed'}]"), encoding="utf-8")
    result = run_cli("rules", "validate", str(bad))
    assert result.status == 2 and f"{bad}:11:" in result.err


def test_rules_test_reports_failing_examples(run_cli, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(EXTRA_RULE, encoding="utf-8")
    passed = run_cli("rules", "test", str(good))
    assert passed.status == 0 and "2 passed, 0 failed" in passed.out
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXTRA_RULE.replace("pass: [a drug]", "pass: [a wonder drug again]"), encoding="utf-8")
    failed = run_cli("rules", "test", str(wrong))
    assert failed.status == 1 and "XT100 flagged a pass example" in failed.out and "1 failed" in failed.out


def test_builtin_rules_test_passes(run_cli):
    result = run_cli("rules", "test")
    assert result.status == 0, result.out


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "kmlint", "--version"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0 and done.stdout.startswith("kmlint, version ")


def test_check_does_not_import_the_language_server(tmp_path):
    # pygls and lsprotocol are for `kmlint server` only: `kmlint check` must not pay for them at start-up.
    page = tmp_path / "page.md"
    page.write_text("Hello.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kmlint", "check", str(page)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "kmlint" in imported
    assert not imported & {"pygls", "lsprotocol", "cattrs"}
