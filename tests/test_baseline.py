"""Baselines: written atomically, matched by rule, path and claim-in-context (not line), duplicates counted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from workflow_fixtures import check_json, write_rules

PAGE = "# Clinic\n\nKetamine is risk-free. It is a breakthrough.\n\nOur cutting-edge suite.\n"


@pytest.fixture
def rules(tmp_path):
    return write_rules(tmp_path)


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "page.md").write_text(PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def write_baseline(run_cli, rules, *paths: str, baseline: str = "baseline.json"):
    return check_json(run_cli, rules, "--write-baseline", baseline, *paths)


def test_write_baseline_records_findings_and_exits_zero(run_cli, rules, site, tmp_path):
    written = write_baseline(run_cli, rules, "site")
    assert written.status == 0
    assert written.rules == ["TS101", "TS201", "TS202"]  # still reported, so the user sees what was recorded
    assert "recorded 3 findings in baseline.json" in written.err
    data = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert data["kmlint-baseline"] == 1
    assert [(e["path"], e["rule"], e["text"], e["count"]) for e in data["findings"]] == [
        ("site/page.md", "TS101", "risk-free", 1),
        ("site/page.md", "TS201", "breakthrough", 1),
        ("site/page.md", "TS202", "cutting-edge", 1),
    ]
    assert data["findings"][0]["context"] == "ketamine is risk-free."


def test_baseline_hides_recorded_findings(run_cli, rules, site):
    write_baseline(run_cli, rules, "site")
    checked = check_json(run_cli, rules, "--baseline", "baseline.json", "site")
    assert (checked.findings, checked.status) == ([], 0)


def test_lines_inserted_above_do_not_resurrect_findings(run_cli, rules, site):
    write_baseline(run_cli, rules, "site")
    page = site / "page.md"
    page.write_text("New intro paragraph.\n\nAnother one.\n\n" + PAGE, encoding="utf-8")
    checked = check_json(run_cli, rules, "--baseline", "baseline.json", "site")
    assert checked.findings == []


def test_a_new_claim_is_reported_and_an_edited_sentence_counts_as_new(run_cli, rules, site):
    write_baseline(run_cli, rules, "site")
    page = site / "page.md"
    page.write_text(PAGE.replace("It is a breakthrough.", "It is a real breakthrough.") + "\nA game-changer.\n", encoding="utf-8")
    checked = check_json(run_cli, rules, "--baseline", "baseline.json", "site")
    assert [(f["line"], f["text"]) for f in checked.findings] == [(3, "breakthrough"), (7, "game-changer")]
    assert checked.status == 1


def test_duplicates_are_counted(run_cli, rules, site):
    page = site / "page.md"
    page.write_text("It is risk-free.\n\nMore text.\n", encoding="utf-8")
    write_baseline(run_cli, rules, "site")
    page.write_text("It is risk-free.\n\nMore text.\n\nIt is risk-free.\n", encoding="utf-8")
    checked = check_json(run_cli, rules, "--baseline", "baseline.json", "site")
    assert [f["line"] for f in checked.findings] == [5]


def test_baseline_paths_are_relative_to_the_baseline_file_not_the_cwd(run_cli, rules, site, tmp_path, monkeypatch):
    write_baseline(run_cli, rules, "site")
    monkeypatch.chdir(site)
    checked = check_json(run_cli, rules, "--baseline", str(tmp_path / "baseline.json"), "page.md")
    assert checked.findings == []


def test_the_same_claim_in_another_file_is_new(run_cli, rules, site):
    write_baseline(run_cli, rules, "site")
    (site / "other.md").write_text(PAGE, encoding="utf-8")
    checked = check_json(run_cli, rules, "--baseline", "baseline.json", "site")
    assert {f["path"] for f in checked.findings} == {"site/other.md"}


def test_baseline_and_write_baseline_together_is_a_usage_error(run_cli, rules, site):
    result = run_cli("check", "--baseline", "a.json", "--write-baseline", "b.json", "site")
    assert result.status == 2
    assert "not both" in result.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline.json: no such baseline file"),
        ('{"kmlint-baseline": 1,\n "findings": [}', "baseline.json:2:15: invalid JSON in baseline"),
        ('{"findings": []}', "baseline.json: not a kmlint baseline"),
        ('{"kmlint-baseline": 1, "findings": [{"path": "x"}]}', "baseline.json: baseline entry 1: expected path, rule, text and context (strings)"),
        # issue 14: nesting the parser would recurse into, numbers JSON does not have, odd counts
        ("[" * 100_000 + "]" * 100_000, "baseline.json: baseline JSON is nested more than 64 levels deep"),
        ('{"a": "[[[[' + "[" * 100 + '"}', "baseline.json: not a kmlint baseline"),
        ('{"kmlint-baseline": 1, "findings": [{"count": NaN}]}', "baseline.json: invalid JSON in baseline: NaN is not a JSON number"),
        ('{"kmlint-baseline": 1, "findings": [{"count": -Infinity}]}', "baseline.json: invalid JSON in baseline: -Infinity is not a JSON number"),
        ('{"kmlint-baseline": 1, "findings": [{"count": ' + "9" * 5000 + "}]}", "baseline.json: invalid JSON in baseline: Exceeds the limit"),
        (
            '{"kmlint-baseline": 1, "findings": [{"path": "p", "rule": "r", "text": "t", "context": "c", "count": 1.5}]}',
            "baseline.json: baseline entry 1: expected path, rule, text and context (strings) and count (a whole number)",
        ),
    ],
)
def test_bad_baseline_is_a_one_line_error(run_cli, rules, site, tmp_path, content, message):
    if content is not None:
        (tmp_path / "baseline.json").write_text(content, encoding="utf-8")
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--baseline", "baseline.json", "site")
    assert result.status == 2
    assert result.err.startswith(f"kmlint: error: {message}")
    assert result.err.count("\n") == 1


@pytest.mark.parametrize("kind", ["folder", "device", "named pipe"])
def test_a_baseline_that_is_no_regular_file_is_a_one_line_error(run_cli, rules, site, tmp_path, kind):
    if kind == "folder":
        baseline = tmp_path / "baselines"
        baseline.mkdir()
    elif kind == "device":
        baseline = Path("/dev/zero")  # read to the end, it would fill the memory
        if not baseline.exists():
            pytest.skip("no /dev/zero here")
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        baseline = tmp_path / "pipe"
        os.mkfifo(baseline)  # opened for reading, it would wait for a writer forever
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--baseline", str(baseline), "site")
    assert result.status == 2
    expected = {"folder": "is a folder", "device": "is not a regular file (a device)", "named pipe": "is not a regular file (a named pipe)"}[kind]
    assert result.err == f"kmlint: error: {baseline}: baseline {expected}\n"


def test_failed_baseline_write_leaves_the_old_baseline(run_cli, rules, site, tmp_path, monkeypatch):
    write_baseline(run_cli, rules, "site")
    before = (tmp_path / "baseline.json").read_bytes()
    (site / "other.md").write_text(PAGE, encoding="utf-8")

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("os.replace", refuse)
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--write-baseline", "baseline.json", "site")
    assert result.status == 2
    assert "kmlint: error: baseline.json: cannot write baseline (Permission denied)" in result.err
    assert (tmp_path / "baseline.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json", "site", "test-rules.yaml"]
