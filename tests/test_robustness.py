"""Never crash, never lose a file (issue 4): every nasty input gives findings or one diagnostic line
for that file and the run goes on; whole-run errors are one stderr line and exit 2 with nothing
written; memory follows the largest file, not the number of files; writes are atomic.

The small nasty inputs are committed in tests/nasty/ (with the rule file they are checked against);
large ones are generated here, in tmp_path.

A path named on the command line that does not exist is a usage error for the whole run (exit 2,
one line on stderr, nothing linted), as in ruff; a file that vanishes during the run is an error
for that file only.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from conftest import REPO

NASTY = Path(__file__).resolve().parent / "nasty"
RULES = NASTY / "rules.yaml"
POSIX = os.name == "posix"


@pytest.fixture
def nasty(tmp_path):
    """A copy of the committed nasty inputs (no config file above them, and nothing to modify in the repo)."""
    folder = tmp_path / "nasty"
    shutil.copytree(NASTY, folder, ignore=shutil.ignore_patterns("rules.yaml"))
    return folder


def check(run_cli, *paths):
    """`kmlint check` with the test rules, JSON output, in this process."""
    return run_cli("check", "--no-builtin-rules", "--rules", str(RULES), "--format", "json", "--jobs", "1", *map(str, paths))


def report(result):
    return json.loads(result.out)


def spans(result):
    return [(f["rule"], f["line"], f["column"], f["end_line"], f["end_column"], f["text"]) for f in report(result)["findings"]]


def diagnostics(result):
    return [(d["level"], d["message"]) for d in report(result)["diagnostics"]]


def run_kmlint(*args, cwd, timeout=60):
    """kmlint in a child process: for what must not hang (pipes) and for real stdout/stderr encodings."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kmlint", *args], cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)


# -- encodings and odd content: the committed corpus ------------------------------------------------

SAFE = "NS101"
WARNING_DECODED = ("warning", "not UTF-8; decoded as Windows-1252")

CORPUS = [
    # file, findings (rule, line, column, end line, end column, text), diagnostics, exit status
    ("utf8-bom.txt", [(SAFE, 1, 13, 1, 28, "completely safe")], [], 1),
    ("utf16-le-bom.txt", [(SAFE, 2, 13, 2, 28, "completely safe")], [], 1),
    ("utf16-be-bom.txt", [(SAFE, 2, 13, 2, 28, "completely safe")], [], 1),
    ("utf16-le-no-bom.txt", [(SAFE, 2, 13, 2, 28, "completely safe")], [("warning", "no byte order mark; read as UTF-16-LE")], 1),
    # a declared Latin-1 page is read as browsers read it: Windows-1252, curly quotes included
    ("latin1-declared.html", [(SAFE, 2, 24, 2, 39, "completely safe")], [], 1),
    ("xml-declared.xhtml", [(SAFE, 2, 30, 2, 39, "risk-free")], [], 1),
    ("koi8r-declared.html", [(SAFE, 2, 13, 2, 28, "completely safe")], [], 1),
    ("windows-1252.txt", [(SAFE, 1, 18, 1, 33, "completely safe"), (SAFE, 1, 41, 1, 50, "risk-free")], [WARNING_DECODED], 1),
    # two bad bytes become two U+FFFD: the claim after them is still at its exact column
    ("invalid-utf8.txt", [(SAFE, 1, 19, 1, 34, "completely safe")], [("warning", "invalid UTF-8 bytes from line 1; replaced with U+FFFD")], 1),
    ("crlf-and-cr.txt", [(SAFE, 3, 7, 3, 22, "completely safe")], [], 1),
    ("binary.txt", [], [("error", "binary file (NUL bytes); skipped")], 2),
    ("control-bytes.txt", [], [("error", "binary file (control bytes); skipped")], 2),
    ("empty.txt", [], [], 0),
    ("only-markup.html", [], [], 0),
    ("unclosed.html", [(SAFE, 1, 18, 1, 33, "completely safe"), ("NS201", 1, 49, 1, 61, "cutting-edge")], [], 1),
    # text inside an unterminated comment, script or fence is not copy: only the claim before it counts
    ("unterminated-comment.html", [(SAFE, 1, 6, 1, 15, "risk-free")], [], 1),
    ("unterminated-script.html", [(SAFE, 1, 6, 1, 15, "risk-free")], [], 1),
    ("unterminated-fence.md", [(SAFE, 3, 3, 3, 12, "risk-free")], [], 1),
    # A tag the file ends inside is dropped, as a browser drops it (HTML 13.2.5: EOF in a tag).
    ("unterminated-tag.html", [(SAFE, 1, 6, 1, 15, "risk-free")], [], 1),
]


@pytest.mark.parametrize(("name", "expected", "notes", "status"), CORPUS, ids=[row[0] for row in CORPUS])
def test_each_nasty_file_gives_exact_findings_or_one_diagnostic(nasty, run_cli, name, expected, notes, status):
    result = check(run_cli, nasty / name)
    assert (spans(result), diagnostics(result), result.status) == (expected, notes, status)
    assert result.err == ""


def test_the_corpus_is_covered_by_the_table():
    assert sorted(row[0] for row in CORPUS) == sorted(p.name for p in NASTY.iterdir() if p.name != "rules.yaml")


def test_one_run_over_the_whole_corpus_reports_every_file_and_goes_on(nasty, run_cli):
    result = check(run_cli, nasty)
    data = report(result)
    assert len(data["files"]) == len(CORPUS)
    assert len(data["findings"]) == sum(len(row[1]) for row in CORPUS)
    assert data["summary"]["files_failed"] == 2  # the two binary files
    assert result.status == 2  # findings, but two files could not be checked


def test_text_output_never_counts_an_unchecked_file_as_clean(nasty, run_cli):
    result = run_cli("check", "--no-builtin-rules", "--rules", str(RULES), "--jobs", "1", str(nasty / "binary.txt"), str(nasty / "empty.txt"))
    assert result.out.splitlines() == [
        f"{nasty / 'binary.txt'}: error: binary file (NUL bytes); skipped",
        "No problems found in 1 file.",
        "1 file could not be checked.",
    ]
    assert result.status == 2


# -- large inputs, generated ---------------------------------------------------------------------------


def test_a_5_mb_single_line_is_checked_and_shown_as_excerpts(tmp_path, run_cli):
    filler = "lorem ipsum dolor sit amet, " * 180  # 5040 characters
    line = "".join(f"{filler}it is completely safe; " for _ in range(1000))
    assert len(line) > 5_000_000
    page = tmp_path / "one-line.txt"
    page.write_text(line, encoding="utf-8")
    found = spans(check(run_cli, page))
    assert len(found) == 1000
    step = len(filler) + len("it is completely safe; ")
    assert found[-1] == (SAFE, 1, 999 * step + len(filler) + 7, 1, 999 * step + len(filler) + 22, "completely safe")
    text = run_cli("check", "--no-builtin-rules", "--rules", str(RULES), "--jobs", "1", str(page))
    # each finding shows an excerpt of the line around the words, not 5 MB of it
    excerpts = [line for line in text.out.splitlines() if line.startswith(" 1 | ")]
    assert len(excerpts) == 1000
    assert all(line.startswith(" 1 | …") and len(line) < 250 for line in excerpts)
    assert excerpts[0].endswith("…") and excerpts[-1].endswith("completely safe; ")
    assert all("amet, it is completely safe;" in line for line in excerpts)


def test_a_large_minified_file_is_checked_to_the_last_column(tmp_path, run_cli):
    page = tmp_path / "minified.html"
    with open(page, "wb") as handle:
        handle.write(b"<p>")
        handle.writelines(b"x" * 1_000_000 for _ in range(15))
        handle.write(b" completely safe</p>\n")
    result = check(run_cli, page)
    assert spans(result) == [(SAFE, 1, 15_000_005, 1, 15_000_020, "completely safe")]
    assert result.status == 1


def test_a_100_mb_file_is_skipped_with_one_line_and_the_run_goes_on(tmp_path, run_cli):
    page = tmp_path / "dump.html"
    with open(page, "wb") as handle:
        handle.writelines(b"<p>Our care is completely safe.</p>\n" * 100_000 for _ in range(30))
    assert page.stat().st_size > 100_000_000
    good = tmp_path / "good.txt"
    good.write_text("It is risk-free.\n", encoding="utf-8")
    result = check(run_cli, page, good)
    assert diagnostics(result) == [("error", f"too large to check ({page.stat().st_size:,} bytes; the limit is 16 MiB = 16,777,216 bytes); skipped")]
    assert spans(result) == [(SAFE, 1, 7, 1, 16, "risk-free")]
    assert result.status == 2


def test_a_file_over_the_size_limit_is_skipped_without_reading_it(tmp_path, run_cli):
    from kmlint.source import MAX_FILE_BYTES

    page = tmp_path / "huge.txt"
    with open(page, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 2**20)  # sparse: no disk space, no memory
    good = tmp_path / "good.txt"
    good.write_text("It is risk-free.\n", encoding="utf-8")
    result = check(run_cli, page, good)
    assert diagnostics(result) == [("error", "too large to check (17,825,792 bytes; the limit is 16 MiB = 16,777,216 bytes); skipped")]
    assert spans(result) == [(SAFE, 1, 7, 1, 16, "risk-free")]
    assert result.status == 2


def test_an_endless_standard_input_is_cut_off_as_too_large(run_cli, monkeypatch):
    class Endless:
        def read(self, size):
            return b"\x00" * size

    class Stdin:
        buffer = Endless()

    monkeypatch.setattr(sys, "stdin", Stdin())
    result = check(run_cli, "-")
    assert diagnostics(result) == [("error", "too large to check (more than the limit of 16 MiB = 16,777,216 bytes); skipped")]
    assert result.status == 2


def test_markdown_with_10000_list_items(tmp_path, run_cli):
    page = tmp_path / "list.md"
    page.write_text("".join(f"- Item {n:05d} is risk-free\n" for n in range(10_000)), encoding="utf-8")
    found = spans(check(run_cli, page))
    assert found == [(SAFE, n, 17, n, 26, "risk-free") for n in range(1, 10_001)]


def test_markdown_with_long_runs_of_stray_markup(tmp_path, run_cli):
    # Each "*" that opens nothing is an event of its own, and GFM trims a bare URL's unbalanced ")"
    # one at a time: both were once read in time quadratic in the run.
    page = tmp_path / "stray.md"
    before = "a " + "*" * 200_000 + "b www.example.com/" + ")" * 200_000 + " It is "
    page.write_text(before + "completely safe\n", encoding="utf-8")
    column = len(before) + 1
    assert spans(check(run_cli, page)) == [(SAFE, 1, column, 1, column + 15, "completely safe")]


def test_deeply_nested_and_unclosed_html(tmp_path, run_cli):
    page = tmp_path / "deep.html"
    page.write_text("<div><span><b>" * 50_000 + "It is completely safe" + "</i>" * 100, encoding="utf-8")
    assert spans(check(run_cli, page)) == [(SAFE, 1, 700_007, 1, 700_022, "completely safe")]


def test_a_page_of_nothing_but_tags_and_entities(tmp_path, run_cli):
    page = tmp_path / "tags.html"
    page.write_text("<br/>&nbsp;<hr>&amp;<!-- -->" * 20_000 + "<p>risk&#45;free</p>", encoding="utf-8")
    assert spans(check(run_cli, page)) == [(SAFE, 1, 560_004, 1, 560_017, "risk-free")]


# -- the file system ------------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="named pipes and /dev/null are POSIX")
def test_named_pipes_and_devices_are_skipped_not_read(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    os.mkfifo(site / "pipe.md")
    (site / "page.md").write_text("A risk-free visit.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "named.txt")
    done = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "-q", "site", "named.txt", "/dev/null", cwd=tmp_path)
    assert done.stdout.decode().splitlines() == [
        "site/page.md:1:3: error NS101[promises-safety] “risk-free” promises safety without qualification.",
        "site/pipe.md: error: not a regular file (a named pipe); skipped",
        "named.txt: error: not a regular file (a named pipe); skipped",
        "/dev/null: error: not a regular file (a device); skipped",
        "Found 1 problem (1 error) in 4 files.",
        "3 files could not be checked.",
    ]
    assert (done.returncode, done.stderr) == (2, b"")


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_symlink_loops_end_the_walk_with_a_diagnostic(tmp_path, run_cli):
    site = tmp_path / "site"
    (site / "inner").mkdir(parents=True)
    (site / "inner" / "up").symlink_to("..")  # a folder loop: not followed
    (site / "loop.txt").symlink_to("loop.txt")  # a link to itself
    (site / "page.txt").write_text("A risk-free visit.\n", encoding="utf-8")
    result = check(run_cli, site)
    assert spans(result) == [(SAFE, 1, 3, 1, 12, "risk-free")]
    assert diagnostics(result) == [("error", "cannot read (Too many levels of symbolic links); skipped")]
    assert result.status == 2


def test_a_file_that_vanishes_during_the_run_is_an_error_for_that_file(tmp_path, run_cli, monkeypatch):
    import kmlint.discover

    site = tmp_path / "site"
    site.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (site / name).write_text("A risk-free visit.\n", encoding="utf-8")
    real_discover = kmlint.discover.discover

    def discover_then_delete_b(paths):
        for target in real_discover(paths):
            if target.path.endswith("b.txt"):
                os.remove(target.path)
            yield target

    monkeypatch.setattr(kmlint.discover, "discover", discover_then_delete_b)
    result = check(run_cli, site)
    assert [f["path"] for f in report(result)["findings"]] == [str(site / "a.txt"), str(site / "c.txt")]
    assert report(result)["diagnostics"] == [
        {"path": str(site / "b.txt"), "level": "error", "message": "no such file (it may have been removed during the run); skipped"}
    ]
    assert result.status == 2


def test_an_unreadable_file_is_an_error_never_clean(tmp_path, run_cli, monkeypatch):
    import kmlint.fsutil

    locked = tmp_path / "locked.txt"
    locked.write_text("Nothing risky.\n", encoding="utf-8")
    real_open = os.open

    def refuse_locked(path, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    # also as root, who may read anything
    monkeypatch.setattr(kmlint.fsutil.os, "open", refuse_locked)
    result = check(run_cli, locked)
    assert diagnostics(result) == [("error", "cannot read (Permission denied); skipped")]
    assert result.status == 2


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="needs POSIX permissions and a user who is not root")
def test_a_file_without_read_permission(tmp_path, run_cli):
    locked = tmp_path / "locked.txt"
    locked.write_text("Nothing risky.\n", encoding="utf-8")
    locked.chmod(0)
    result = check(run_cli, locked)
    assert diagnostics(result) == [("error", "cannot read (Permission denied); skipped")]
    assert result.status == 2


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, run_cli, monkeypatch):
    site = tmp_path / "site"
    (site / "locked").mkdir(parents=True)
    (site / "page.txt").write_text("A risk-free visit.\n", encoding="utf-8")
    real_scandir = os.scandir

    def refuse_locked(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    result = check(run_cli, site)
    assert spans(result) == [(SAFE, 1, 3, 1, 12, "risk-free")]
    assert report(result)["diagnostics"] == [
        {"path": str(site / "locked"), "level": "error", "message": "cannot list folder (Permission denied)"}
    ]
    assert result.status == 2


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 exist on Linux file systems")
def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path):
    (tmp_path / "good.txt").write_text("A risk-free visit.\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"It is completely safe.\n")
    text = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "-q", ".", cwd=tmp_path)
    assert text.stdout.decode("utf-8").splitlines()[:2] == [
        "./caf\\udce9.txt:1:7: error NS101[promises-safety] “completely safe” promises safety without qualification.",
        "./good.txt:1:3: error NS101[promises-safety] “risk-free” promises safety without qualification.",
    ]
    assert (text.returncode, text.stderr) == (1, b"")
    data = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "--format", "json", ".", cwd=tmp_path)
    assert [f["path"] for f in json.loads(data.stdout)["findings"]] == ["./caf\udce9.txt", "./good.txt"]
    sarif = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "--format", "sarif", ".", cwd=tmp_path)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == ["./caf%E9.txt", "./good.txt"]
    written = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "--write-baseline", "baseline.json", ".", cwd=tmp_path)
    assert written.returncode == 0
    # the name is kept as an escape in the baseline and matches the file again
    again = run_kmlint("check", "--no-builtin-rules", "--rules", str(RULES), "--baseline", "baseline.json", "-q", ".", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, b"No problems found in 2 files.\n")


# -- whole-run errors: one line on stderr, exit 2, nothing linted or written -------------------------------


def test_a_path_that_does_not_exist_stops_the_run_before_anything_is_linted(tmp_path, run_cli):
    good = tmp_path / "good.txt"
    good.write_text("A risk-free visit.\n", encoding="utf-8")
    result = check(run_cli, good, tmp_path / "typo.txt")
    assert (result.status, result.out) == (2, "")
    assert result.err == f"kmlint: error: {tmp_path / 'typo.txt'}: no such file or folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "yaml"),
        ("--fail-on", "sometimes"),
        ("--no-such-option",),
        ("--select", "NOPE999"),
        ("--jobs", "0"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, run_cli, args):
    good = tmp_path / "good.txt"
    good.write_text("A risk-free visit.\n", encoding="utf-8")
    result = run_cli("check", "--no-builtin-rules", "--rules", str(RULES), *args, str(good))
    assert result.status == 2 and result.out == ""
    assert result.err.startswith("kmlint: error: ") and result.err.count("\n") == 1


def test_bad_rules_write_nothing(tmp_path, run_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: X1\n    id: X2\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_bytes(b"A cutting-edge clinic.\n")
    for extra in (("--fix",), ("--write-baseline", str(tmp_path / "baseline.json"))):
        result = run_cli("check", "--no-builtin-rules", "--rules", str(bad), *extra, str(page))
        assert (result.status, result.out) == (2, "")
        assert result.err == f"kmlint: error: {bad}:3:5: duplicate key 'id' (first at line 2)\n"
    assert page.read_bytes() == b"A cutting-edge clinic.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "page.txt"]


def test_a_bad_config_file_is_one_line(tmp_path, run_cli):
    config = tmp_path / "kmlint.yaml"
    config.write_text("fail-on: [\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("A risk-free visit.\n", encoding="utf-8")
    result = run_cli("check", "--config", str(config), str(page))
    assert (result.status, result.out) == (2, "")
    assert result.err.startswith(f"kmlint: error: {config}:") and result.err.count("\n") == 1


def test_an_internal_error_on_one_file_does_not_stop_the_run(tmp_path, run_cli, monkeypatch):
    import kmlint.extract

    pages = [tmp_path / "a.txt", tmp_path / "b.md", tmp_path / "c.txt"]
    for page in pages:
        page.write_text("A risk-free visit.\n", encoding="utf-8")

    def broken(text):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(kmlint.extract.EXTRACTORS, "markdown", broken)
    result = check(run_cli, *pages)
    assert [f["path"] for f in report(result)["findings"]] == [str(pages[0]), str(pages[2])]
    assert diagnostics(result) == [("error", "internal error while checking (RecursionError: maximum recursion depth exceeded); skipped")]
    assert result.status == 2


KILLED_WORKER = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys
    import kmlint.runner
    from kmlint.cli import main

    multiprocessing.set_start_method("fork", force=True)  # the workers inherit the patch below
    real_lint_target = kmlint.runner.lint_target

    def killed_on_p5(linter, target, keep_document=False):
        if target.path.endswith("p5.txt"):
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return real_lint_target(linter, target, keep_document)

    kmlint.runner.lint_target = killed_on_p5
    main(sys.argv[1:])
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="needs the fork start method and SIGKILL")
@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _pid: {0, 1})(0)) < 2, reason="--jobs 2 runs in-process on one CPU")
def test_a_worker_killed_midway_does_not_hang_the_run(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for number in range(1, 10):
        (site / f"p{number}.txt").write_text("A risk-free visit.\n", encoding="utf-8")
    script = tmp_path / "killer.py"
    script.write_text(KILLED_WORKER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = ["check", "--no-builtin-rules", "--rules", str(RULES), "-q", "--jobs", "2", "site"]
    done = subprocess.run([sys.executable, str(script), *args], cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False)
    lines = done.stdout.decode().splitlines()
    finding = "error NS101[promises-safety] “risk-free” promises safety without qualification."
    # the run goes on in one worker, one file at a time, which tells the file the worker died on
    assert lines == [
        *(f"site/p{n}.txt:1:3: {finding}" for n in range(1, 5)),
        "site/p5.txt: error: not checked: the worker process checking it stopped (killed, or out of memory)",
        *(f"site/p{n}.txt:1:3: {finding}" for n in range(6, 10)),
        "Found 8 problems (8 errors) in 9 files.",
        "1 file could not be checked.",
    ]
    assert (done.returncode, done.stderr) == (2, b"")


# -- memory: the walk and the report stream --------------------------------------------------------------


def _peak_memory_linting(folder: Path) -> int:
    from kmlint.discover import discover
    from kmlint.engine import Linter
    from kmlint.reporters import ReportContext
    from kmlint.reporters.text import TextReporter
    from kmlint.ruleset import load_rules
    from kmlint.runner import lint_all
    from kmlint.runner import report as report_results

    linter = Linter(load_rules([RULES]))
    with open(os.devnull, "w", encoding="utf-8") as nowhere:  # the report is written, not kept
        reporter = TextReporter(nowhere, ReportContext(rules={}))
        tracemalloc.start()
        try:
            report_results(lint_all(linter, discover([str(folder)]), jobs=1), reporter)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_files(tmp_path):
    page = "<p>A risk-free visit, completely safe.</p>\n" + "<p>Plain copy about the clinic.</p>\n" * 200
    few, many = tmp_path / "few", tmp_path / "many"
    for folder, count in ((few, 10), (many, 150)):
        folder.mkdir()
        for number in range(count):
            (folder / f"page{number:03d}.html").write_text(page, encoding="utf-8")
    _peak_memory_linting(few)  # warm the caches (compiled patterns, imports)
    peak_few = _peak_memory_linting(few)
    peak_many = _peak_memory_linting(many)
    # Keeping each file's text, document or findings would cost over 50 kB a file (7 MB here);
    # what grows is the folder listing and the interpreter's free lists.
    assert peak_many - peak_few < 1_000_000


# -- atomic writes ---------------------------------------------------------------------------------------


def test_a_write_that_fails_midway_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    import kmlint.fsutil
    from kmlint.fsutil import atomic_write

    page = tmp_path / "page.html"
    page.write_bytes(b"original")
    real_fdopen = os.fdopen

    class FailingHalfway(io.BufferedWriter):
        def write(self, data):
            super().write(bytes(data)[: len(data) // 2])
            self.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(kmlint.fsutil.os, "fdopen", lambda fd, mode: FailingHalfway(real_fdopen(fd, mode, buffering=0)))
    with pytest.raises(OSError, match="No space left"):
        atomic_write(str(page), b"new content " * 1000)
    assert page.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
def test_a_write_keeps_the_permissions(tmp_path):
    from kmlint.fsutil import atomic_write

    page = tmp_path / "page.html"
    page.write_bytes(b"original")
    page.chmod(0o640)
    atomic_write(str(page), b"new")
    assert (page.read_bytes(), page.stat().st_mode & 0o777) == (b"new", 0o640)


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_write_through_a_symbolic_link_keeps_the_link(tmp_path):
    from kmlint.fsutil import atomic_write

    (tmp_path / "real.md").write_bytes(b"original")
    (tmp_path / "link.md").symlink_to("real.md")
    atomic_write(str(tmp_path / "link.md"), b"new")
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]


def test_a_write_refuses_a_file_changed_since_it_was_read(tmp_path):
    from kmlint.fsutil import ChangedOnDisk, atomic_write

    page = tmp_path / "page.html"
    page.write_bytes(b"edited by someone else")
    with pytest.raises(ChangedOnDisk):
        atomic_write(str(page), b"new", expected=b"what kmlint read")
    assert page.read_bytes() == b"edited by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    import kmlint.fsutil

    real_fdopen = os.fdopen

    class SlowFile:
        # Writes the first half, says so, then waits to be killed before the rename.
        def __init__(self, fd, mode):
            self.handle = real_fdopen(fd, mode)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()
        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            print("half written", flush=True)
            time.sleep(60)
        def flush(self):
            self.handle.flush()
        def fileno(self):
            return self.handle.fileno()

    kmlint.fsutil.os.fdopen = SlowFile
    kmlint.fsutil.atomic_write(sys.argv[1], b"x" * 50_000_000)
    """
)


@pytest.mark.skipif(not POSIX, reason="SIGKILL is POSIX")
def test_a_writer_killed_midway_leaves_the_original_intact(tmp_path):
    """SIGKILL cannot be caught: the temporary file (hidden, .kmlint-*.tmp, never linted) may stay
    behind, but the original is whole."""
    page = tmp_path / "page.md"
    page.write_bytes(b"original copy\n")
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen([sys.executable, str(script), str(page)], env=env, stdout=subprocess.PIPE) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"half written\n"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert page.read_bytes() == b"original copy\n"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("page.md", "writer.py"))
    assert len(leftovers) == 1 and leftovers[0].startswith(".kmlint-") and leftovers[0].endswith(".tmp")
