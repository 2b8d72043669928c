"""Safe fixes: only `fix: safe` substitutions, only the replaced words change (CRLF, BOM, encodings, entities
and markup kept), --diff writes nothing, and a failed or raced write leaves the original intact."""

from __future__ import annotations

import codecs
import os

import pytest
from workflow_fixtures import check_json, write_rules

from kmlint.fix import match_case


@pytest.fixture
def rules(tmp_path):
    return write_rules(tmp_path)


def fix(run_cli, rules, path, *args: str):
    return check_json(run_cli, rules, "--fix", *args, str(path))


def test_fix_changes_only_the_replaced_words_in_a_crlf_file(run_cli, rules, tmp_path):
    page = tmp_path / "page.md"
    original = b"# Our cutting-edge clinic\r\n\r\nA state of the art suite, risk-free.\r\nNo more.\r\n"
    page.write_bytes(original)
    checked = fix(run_cli, rules, page)
    assert page.read_bytes() == b"# Our modern clinic\r\n\r\nA modern suite, risk-free.\r\nNo more.\r\n"
    # what is left is reported, at its place in the fixed file
    assert [(f["rule"], f["line"], f["column"]) for f in checked.findings] == [("TS101", 3, 17)]
    assert checked.status == 1
    assert "fixed 2 problems in 1 file" in checked.err


def test_fix_keeps_a_utf8_bom_and_non_ascii_text(run_cli, rules, tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(codecs.BOM_UTF8 + "Café “cutting-edge” care — naïve.\n".encode("utf-8"))
    fix(run_cli, rules, page)
    assert page.read_bytes() == codecs.BOM_UTF8 + "Café “modern” care — naïve.\n".encode("utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_fix_keeps_utf16_and_its_byte_order(run_cli, rules, tmp_path, codec):
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    page = tmp_path / "page.txt"
    page.write_bytes(bom + "A cutting-edge clinic.\r\n".encode(codec))
    fix(run_cli, rules, page)
    assert page.read_bytes() == bom + "A modern clinic.\r\n".encode(codec)


def test_fix_keeps_a_windows_1252_file_in_its_encoding(run_cli, rules, tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(b"Our \x93cutting-edge\x94 clinic.\n")
    fix(run_cli, rules, page)
    assert page.read_bytes() == b"Our \x93modern\x94 clinic.\n"


def test_entities_and_markup_around_the_words_stay_intact(run_cli, rules, tmp_path):
    page = tmp_path / "page.html"
    original = (
        "<p>Our&nbsp;<em>Cutting-edge</em> clinic &amp; a <b>STATE-OF-THE-ART</b>&#160;suite.</p>\n"
        "<p title=\"x &quot;y&quot;\">A cutting&#8209;edge idea, a cutting-<i>edge</i> one.</p>\n"
    )
    page.write_text(original, encoding="utf-8")
    checked = fix(run_cli, rules, page)
    expected = original.replace("<em>Cutting-edge</em>", "<em>Modern</em>").replace("<b>STATE-OF-THE-ART</b>", "<b>MODERN</b>")
    assert page.read_text(encoding="utf-8") == expected
    # the words with an entity or a tag inside are reported, not mangled, and the report says why
    assert [(f["line"], f["column"]) for f in checked.findings] == [(2, 30), (2, 57)]
    notes = [d["message"] for d in checked.diagnostics]
    assert notes == [
        "line 2, column 30: TS202 not fixed: markup, entities or a line break inside 'cutting&#8209;edge'",
        "line 2, column 57: TS202 not fixed: markup, entities or a line break inside 'cutting-<i>edge'",
    ]


def test_unsafe_substitutions_are_not_applied(run_cli, rules, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("It has no side effects.\n", encoding="utf-8")
    checked = fix(run_cli, rules, page)
    assert page.read_text(encoding="utf-8") == "It has no side effects.\n"
    assert checked.rules == ["TS301"]
    assert "fixed" not in checked.err


def test_suppressed_and_baselined_findings_are_not_fixed(run_cli, rules, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!-- kmlint-disable-next-line TS202 -->\n<p>A cutting-edge clinic.</p>\n", encoding="utf-8")
    fix(run_cli, rules, page)
    assert "cutting-edge" in page.read_text(encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text("A cutting-edge clinic.\n", encoding="utf-8")
    check_json(run_cli, rules, "--write-baseline", str(tmp_path / "baseline.json"), str(other))
    check_json(run_cli, rules, "--fix", "--baseline", str(tmp_path / "baseline.json"), str(other))
    assert other.read_text(encoding="utf-8") == "A cutting-edge clinic.\n"


@pytest.mark.parametrize(
    ("original", "replacement", "expected"),
    [("cutting-edge", "modern", "modern"), ("Cutting-edge", "modern", "Modern"), ("CUTTING-EDGE", "modern", "MODERN"), ("Cutting-Edge", "modern", "Modern")],
)
def test_match_case(original, replacement, expected):
    assert match_case(original, replacement) == expected


def test_a_file_that_does_not_re_encode_is_left_alone(run_cli, rules, tmp_path):
    page = tmp_path / "page.txt"
    original = "A cutting-edge clinic, ".encode("utf-8") + b"\xff\xfe broken \xc3\xa9.\n"
    page.write_bytes(original)
    checked = fix(run_cli, rules, page)
    assert page.read_bytes() == original
    assert any("not fixed: the file does not re-encode" in d["message"] for d in checked.diagnostics)


# -- --diff --------------------------------------------------------------------------------------------


def test_diff_shows_the_fixes_and_writes_nothing(run_cli, rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.md"
    original = b"Title\r\n\r\nOur cutting-edge clinic.\r\nIt is risk-free."
    page.write_bytes(original)
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--diff", "page.md")
    assert page.read_bytes() == original
    assert result.status == 1
    assert result.out == (
        "--- a/page.md\n+++ b/page.md\n@@ -1,4 +1,4 @@\n Title\r\n \r\n-Our cutting-edge clinic.\r\n+Our modern clinic.\r\n"
        " It is risk-free.\n\\ No newline at end of file\n"
    )


def test_diff_with_nothing_to_fix_exits_zero(run_cli, rules, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("It is risk-free.\n", encoding="utf-8")
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--diff", str(page))
    assert (result.status, result.out) == (0, "")


def test_diff_reads_standard_input_but_fix_refuses_it(run_cli, rules):
    result = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--diff", "--stdin-filename", "x.md", "-", stdin=b"A cutting-edge clinic.\n")
    assert result.status == 1
    assert "+A modern clinic." in result.out
    refused = run_cli("check", "--no-builtin-rules", "--rules", str(rules), "--fix", "-", stdin=b"A cutting-edge clinic.\n")
    assert refused.status == 2
    assert "--fix cannot rewrite standard input" in refused.err


# -- writes that fail ------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_original_intact(run_cli, rules, tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    original = b"Our cutting-edge clinic.\r\n"
    page.write_bytes(original)

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    checked = fix(run_cli, rules, page)
    assert page.read_bytes() == original
    assert checked.status == 2
    assert checked.rules == ["TS202"]
    assert any(d["level"] == "error" and "cannot write (No space left on device)" in d["message"] for d in checked.diagnostics)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md", "test-rules.yaml"]  # no temporary file left


def test_a_file_changed_after_reading_is_not_overwritten(run_cli, rules, tmp_path, monkeypatch):
    import kmlint.fix

    page = tmp_path / "page.md"
    page.write_bytes(b"Our cutting-edge clinic.\n")
    real_write = kmlint.fix.atomic_write

    def edit_then_write(path, data, expected=None):
        page.write_bytes(b"Someone else's edit.\n")
        real_write(path, data, expected=expected)

    monkeypatch.setattr(kmlint.fix, "atomic_write", edit_then_write)
    checked = fix(run_cli, rules, page)
    assert page.read_bytes() == b"Someone else's edit.\n"
    assert checked.status == 2
    assert any("changed after kmlint read it" in d["message"] for d in checked.diagnostics)
