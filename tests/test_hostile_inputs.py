"""Hostile inputs other than pages (issue 14): generated configs, extends chains, rule files,
baselines and command-line option values never crash or hang kmlint. Whatever they hold, the
exit status is 0, 1 or 2; on 2 there is exactly one line on stderr, naming the offending file
(with its line for YAML) or option; never "internal error"; and each run ends within a time guard.

The properties run the CLI in-process for speed; a few cases from the issue also run as real
subprocesses at the end.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kmlint.cli import main
from kmlint.globs import Glob, GlobError

TESTS = Path(__file__).resolve().parent
RULES = TESTS / "nasty" / "rules.yaml"
REPO = TESTS.parent
PAGE = "It is completely safe. A cutting-edge clinic.\n"
POSIX = os.name == "posix"
# Far above what any of these runs takes (well under a second each), far below a hang: an
# exponential glob or regex takes minutes.
GUARD_SECONDS = 20
HOSTILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_ERROR = re.compile(r"kmlint: error: (?:(?P<where>.+?)(?P<at>:\d+(?::\d+)?)?: )?(?P<message>.*)")
# Problems with a whole file, which have no line to point at.
_WHOLE_FILE = (
    "too large", "YAML nodes once aliases are expanded", "empty YAML file", "no such", "not a regular file",
    "is a folder", "not a rule file or folder", "no [tool.kmlint] table", "cannot read",
)


@dataclass
class Run:
    status: int
    out: str
    err: str


class TookTooLong(Exception):
    pass


@contextmanager
def time_guard(seconds: float) -> Iterator[None]:
    """Fail a run that takes longer than `seconds` (POSIX: an interval timer interrupts it)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise TookTooLong(f"the run took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_in_process(args: list[str], cwd: Path, stdin: bytes = b"") -> Run:
    """`kmlint ARGS` in this process, in `cwd`, with its own standard streams."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = (io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"), io.TextIOWrapper(out, encoding="utf-8"), io.TextIOWrapper(err, encoding="utf-8"))
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    here = os.getcwd()
    os.chdir(cwd)
    status = 0
    try:
        with time_guard(GUARD_SECONDS):
            main(args)
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 2
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        os.chdir(here)
    for stream in streams[1:]:
        stream.flush()
    return Run(status, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))


def assert_well_behaved(run: Run, cwd: Path, files: set[str], options: tuple[str, ...] = ()) -> None:
    """The promises of the README: status 0, 1 or 2; never a crash; on 2 one line naming the file
    (and, for YAML, the line) or the option at fault."""
    assert run.status in (0, 1, 2), run
    assert "internal error" not in run.err and "Traceback" not in run.err, run.err
    if run.status != 2 or not run.err:
        return  # a page that could not be checked reports on stdout; these pages always can be
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    error = _ERROR.fullmatch(lines[0])
    assert error is not None, lines[0]
    where, message = error.group("where"), error.group("message")
    named = os.path.realpath(os.path.join(cwd, where)) if where else None
    if named is not None and named in {os.path.realpath(os.path.join(cwd, name)) for name in files}:
        if named.endswith((".yaml", ".yml")) and not any(part in message for part in _WHOLE_FILE):
            assert error.group("at"), lines[0]
        return
    # Otherwise a usage error, which names the option (click's message, or kmlint's own for selectors).
    assert any(option in lines[0] for option in (*options, "--select", "--ignore", "--help")), (lines[0], files)


@contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kmlint-hostile-") as folder:
        work = Path(folder)
        (work / "page.md").write_text(PAGE, encoding="utf-8")
        (work / "rules.yaml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
        (work / "sub").mkdir()
        if POSIX:
            os.mkfifo(work / "fifo")
        yield work


@pytest.fixture(autouse=True)
def _no_cache_files(monkeypatch):
    # Each generated rule file would leave its compiled trie in the user's cache folder.
    monkeypatch.setenv("KMLINT_NO_CACHE", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# -- strategies ------------------------------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
GLOB_BITS = ["*", "**", "**/", "?", "[", "]", "!", "-", "a", "z", "/", ".", "md", "[z-a]", "[a-z]", "[!", "\\", " ", "./", "é"]
GLOBS = st.lists(st.sampled_from(GLOB_BITS), max_size=30).map("".join) | st.text(max_size=12)
SELECTORS = st.sampled_from(["NS101", "NS1", "NS", "hype", "promises-safety", "ALL", "KM101", "nope", "", ",", " , NS101"]) | st.text(max_size=8)
# Keys as YAML may read them: text, but also numbers, truth values and null (`1:`, `no:`, `null:`).
KEYS = SELECTORS | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
SEVERITIES = st.sampled_from(["error", "warning", "info", "fatal", ""]) | SCALARS
PLACES = st.sampled_from(["rules.yaml", "missing.yaml", "fifo", "sub", "/dev/zero", ".", "page.md"])
CONFIG_VALUES = {
    "select": SELECTORS | st.lists(SELECTORS, max_size=4) | SCALARS,
    "ignore": SELECTORS | st.lists(SELECTORS, max_size=4) | SCALARS,
    "min-severity": SEVERITIES,
    "fail-on": st.sampled_from(["error", "warning", "info", "never", "loud"]) | SCALARS,
    "severity": st.dictionaries(KEYS, SEVERITIES, max_size=3) | SCALARS,
    "per-file-ignores": st.dictionaries(GLOBS | KEYS, SELECTORS | st.lists(SELECTORS, max_size=3), max_size=3) | SCALARS,
    "exclude": GLOBS | st.lists(GLOBS, max_size=4) | SCALARS,
    "rules": PLACES | st.lists(PLACES, max_size=2) | SCALARS,
    "extends": st.sampled_from(["recommended", "strict", "nothere", "./base.yaml", "./fifo", "./missing.yaml", "./sub", "/dev/zero", ".kmlint.yaml"]),
    "bogus-key": SCALARS,
}
VALID_CONFIG_VALUES = {
    "select": st.sampled_from(["NS101", "NS1", "hype", ["NS101", "NS201"]]),
    "ignore": st.sampled_from(["NS201", ["hype"]]),
    "fail-on": st.sampled_from(["error", "warning", "info", "never"]),
    "severity": st.dictionaries(st.sampled_from(["NS101", "NS2", "hype"]), st.sampled_from(["error", "info"]), max_size=2),
    "per-file-ignores": st.dictionaries(GLOBS, st.sampled_from(["NS101", ["NS201"]]), max_size=2),
    "exclude": st.lists(GLOBS, max_size=3),
}


def some_of(values: dict[str, st.SearchStrategy[object]], most: int) -> st.SearchStrategy[dict[str, object]]:
    """A few of `values`' keys, each with a value drawn from its strategy."""
    keys = st.lists(st.sampled_from(sorted(values)), max_size=most, unique=True)
    return keys.flatmap(lambda chosen: st.fixed_dictionaries({key: values[key] for key in chosen}))


# Sensible settings with one or two hostile ones (which then reach the code past the schema:
# globs, selectors, extends), or hostile settings throughout.
CONFIGS = st.one_of(
    st.builds(lambda valid, hostile: {**valid, **hostile}, some_of(VALID_CONFIG_VALUES, 4), some_of(CONFIG_VALUES, 2)),
    st.fixed_dictionaries({}, optional=CONFIG_VALUES),
)


def nested(opening: str, closing: str) -> st.SearchStrategy[str]:
    return st.integers(0, 3000).map(lambda depth: opening * depth + closing * depth)


def yaml_text(values: st.SearchStrategy[dict[str, object]]) -> st.SearchStrategy[str]:
    """YAML as written, or as damaged: cut short, with text added, or nested beyond reason."""
    dumped = values.map(lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return st.one_of(
        dumped,
        st.tuples(dumped, st.text(max_size=30)).map("".join),
        st.tuples(dumped, st.integers(0, 200)).map(lambda pair: pair[0][: pair[1]]),
        nested("[", "]").map(lambda text: f"select: {text}\n"),
        nested("{a: ", "}").map(lambda text: f"exclude: {text}\n"),
        st.text(max_size=60),
    )


def as_pyproject(config: str) -> str:
    """The same settings as a [tool.kmlint] table (values written as JSON, which TOML mostly
    reads), or the text as it is where it is not a mapping."""
    try:
        data = yaml.safe_load(config)
    except Exception:  # noqa: BLE001 - any text at all: invalid, or nested past PyYAML's recursion
        data = None
    if not isinstance(data, dict):
        return "[tool.kmlint]\n" + config
    return "[tool.kmlint]\n" + "".join(f"{json.dumps(str(key))} = {json.dumps(value)}\n" for key, value in data.items())


@given(config=yaml_text(CONFIGS), base=yaml_text(CONFIGS), pyproject=st.booleans())
@HOSTILE
# Found by these properties (each was an internal error): keys YAML reads as numbers or null, a
# control character; and the issue's reversed range.
@example(config="per-file-ignores:\n  1: [NS101]\n", base="", pyproject=False)
@example(config="severity:\n  null: info\n", base="", pyproject=False)
@example(config="select: [NS101]\x1b\n", base="", pyproject=False)
@example(config="exclude: ['[z-a]']\n", base="", pyproject=True)
@example(config="extends: ./base.yaml\n", base="exclude: ['" + "**/" * 12 + "x']\n", pyproject=False)
def test_any_config_and_extends_chain_is_a_result_or_one_line_error(config, base, pyproject):
    with workspace() as work:
        name = "pyproject.toml" if pyproject else "kmlint.yaml"
        (work / name).write_text(as_pyproject(config) if pyproject else config, encoding="utf-8")
        (work / "base.yaml").write_text(base, encoding="utf-8")
        run = run_in_process(["check", "--no-builtin-rules", "--rules", "rules.yaml", "--config", name, "page.md"], work)
        files = {name, "base.yaml", "rules.yaml", "missing.yaml", "fifo", "sub", "page.md", "/dev/zero", "."}
        assert_well_behaved(run, work, files)


PHRASE_BITS = ["safe", " ", "(", ")", "|", "-", "a", "(a|b)", "(a|b|c|d|e|f|g|h|i|j)", "’", "#", "\u00a0", "word ", "(|x)", "@hedges", "@nope"]
PHRASES = st.lists(st.sampled_from(PHRASE_BITS), max_size=40).map("".join) | st.text(max_size=12)
REGEX_BITS = [
    "(", ")", "(?:", "*", "+", "?", "{2,}", "{99999999999}", "|", "a", "\\b", "\\", "[", "]", "[z-a]", "(?>", ".", "\\w",
    "(?V1)", "(?i)", "\\p{L}", "\\p{Nope}", "^", "$", "(?P<n>", "(?P=n)", "\\1", "*+",
]
REGEXES = st.lists(st.sampled_from(REGEX_BITS), max_size=30).map("".join) | st.text(max_size=10)
TERMS = st.lists(PHRASES | st.builds(lambda regex: {"regex": regex}, REGEXES) | st.just({"link": True}) | SCALARS, max_size=5)
RULE_FIELDS = {
    "id": st.sampled_from(["TX101", "TX1", "tx101", "", "TX" + "1" * 50]) | SCALARS,
    "name": st.sampled_from(["hostile-rule", "Hostile Rule", ""]) | SCALARS,
    "category": st.sampled_from(["hype", "missing-supervision", "nope"]) | SCALARS,
    "severity": SEVERITIES,
    "kind": st.sampled_from(["phrase", "claim", "require", "substitution", "nope"]),
    "phrases": TERMS,
    "patterns": st.lists(REGEXES, max_size=3) | SCALARS,
    "unless": TERMS,
    "exceptions": TERMS,
    "swap": st.dictionaries(PHRASES | KEYS, st.text(max_size=8), max_size=3) | SCALARS,
    "groups": st.dictionaries(st.sampled_from(["what", "claim"]) | KEYS, TERMS, max_size=2) | SCALARS,
    "report": st.sampled_from(["what", "claim", "nope"]),
    "scope": st.lists(st.sampled_from(["heading", "alt", "body", "nope"]), max_size=2) | SCALARS,
}
BASE_RULE = {
    "id": "TX101", "name": "hostile-rule", "category": "hype", "severity": "warning", "kind": "phrase",
    "message": "“{match}” is hype.", "suggestion": "Say less.", "rationale": "Because.",
    "references": [{"title": "A guide", "url": "https://example.com/guide"}],
    "phrases": ["completely safe"], "examples": {"flag": ["completely safe"], "pass": ["fine"]},
}
RULE_FILES = st.builds(
    lambda changes, dropped, lists: {
        **({"lists": lists} if lists else {}),
        "rules": [{key: value for key, value in {**BASE_RULE, **changes}.items() if key not in dropped}],
    },
    some_of(RULE_FIELDS, 2) | st.fixed_dictionaries({}, optional=RULE_FIELDS),
    st.sets(st.sampled_from(sorted(BASE_RULE)), max_size=1),
    st.dictionaries(st.sampled_from(["hedges", "nope"]), TERMS, max_size=2),
)


@given(rule_file=yaml_text(RULE_FILES))
@HOSTILE
@example(rule_file=yaml.safe_dump({"rules": [{**BASE_RULE, "swap": {1: "x"}}]}))
@example(rule_file=yaml.safe_dump({"rules": [{**BASE_RULE, "patterns": ["(?V1)a", "(" * 60 + ")" * 60]}]}))
@example(rule_file=yaml.safe_dump({"rules": [{**BASE_RULE, "phrases": [" ".join(["word"] * 200)]}]}))
def test_any_rule_file_is_a_result_or_one_line_error(rule_file):
    with workspace() as work:
        (work / "mine.yaml").write_text(rule_file, encoding="utf-8")
        run = run_in_process(["check", "--no-builtin-rules", "--rules", "mine.yaml", "page.md"], work)
        assert_well_behaved(run, work, {"mine.yaml"})


JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
ENTRIES = st.fixed_dictionaries(
    {},
    optional={
        "path": st.just("page.md") | JSON, "rule": st.just("NS101") | JSON, "text": st.just("completely safe") | JSON,
        "context": st.just("it is completely safe.") | JSON, "count": st.integers(-2, 10**30) | JSON,
    },
)
BASELINES = st.one_of(
    st.lists(ENTRIES | JSON, max_size=4).map(lambda findings: json.dumps({"kmlint-baseline": 1, "findings": findings})),
    JSON.map(json.dumps),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1" * 5000, '{"kmlint-baseline": 1e999, "findings": []}']),
    nested("[", "]"),
    nested('{"a":', "}").map(lambda text: text.replace("}", "1}", 1) if text else text),
    st.text(max_size=60),
)


@given(baseline=BASELINES | st.binary(max_size=60))
@HOSTILE
@example(baseline='{"kmlint-baseline": 1, "findings": [{"path": "page.md", "rule": "NS101", "text": "x", "context": "y", "count": Infinity}]}')
def test_any_baseline_is_a_result_or_one_line_error(baseline):
    with workspace() as work:
        data = baseline if isinstance(baseline, bytes) else baseline.encode("utf-8", "surrogatepass")
        (work / "baseline.json").write_bytes(data)
        run = run_in_process(["check", "--no-builtin-rules", "--rules", "rules.yaml", "--baseline", "baseline.json", "page.md"], work)
        assert_well_behaved(run, work, {"baseline.json"})


NAMES = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30)
OPTION_VALUES = {
    "--jobs": st.integers(-3, 10**40).map(str) | st.sampled_from(["1e3", "0x10", "\u0661\u0662", " 2 ", "9" * 5000]) | NAMES,
    "--select": SELECTORS,
    "--ignore": SELECTORS,
    "--fail-on": st.sampled_from(["error", "warning", "info", "never"]) | NAMES,
    "--format": st.sampled_from(["text", "json", "sarif", "github", "junit", "html"]) | NAMES,
    "--color": st.sampled_from(["auto", "always", "never"]) | NAMES,
    "--stdin-filename": NAMES | st.sampled_from(["sub", "../../x.html", "a.md", "fifo", "x" * 5000 + ".md"]),
    "--baseline": st.sampled_from(["fifo", "sub", "missing.json", "/dev/zero"]),
    "--write-baseline": st.sampled_from(["fifo", "sub", "nope/out.json", "/dev/null"]),
    "--config": st.sampled_from(["fifo", "sub", "missing.yaml", "/dev/zero"]),
    "--rules": st.sampled_from(["fifo", "sub", "missing.yaml", "/dev/zero"]),
}
OPTIONS = st.lists(st.sampled_from(sorted(OPTION_VALUES)).flatmap(lambda name: st.tuples(st.just(name), OPTION_VALUES[name])), max_size=4)


@given(options=OPTIONS, from_stdin=st.booleans())
@HOSTILE
@example(options=[("--jobs", "99999999999999999999")], from_stdin=False)
@example(options=[("--write-baseline", "/dev/null")], from_stdin=False)
def test_any_option_values_are_a_result_or_one_line_error(options, from_stdin):
    with workspace() as work:
        args = ["check", "--no-builtin-rules", "--rules", "rules.yaml"]
        for name, value in options:
            args += [name, value]
        args.append("-" if from_stdin else "page.md")
        before = {path: path.read_bytes() for path in work.rglob("*") if path.is_file()}
        run = run_in_process(args, work, stdin=PAGE.encode("utf-8"))
        files = {"rules.yaml", "page.md", "fifo", "sub", "missing.json", "missing.yaml", "/dev/zero", "/dev/null", "nope/out.json", "-"}
        assert_well_behaved(run, work, files, tuple(name for name, _value in options))
        # No input file is ever changed (a baseline written is a new file, beside them).
        assert all(path.read_bytes() == data for path, data in before.items())
        assert not (work / "fifo").is_file()


# -- globs ----------------------------------------------------------------------------------------


def _backtracking_glob(pattern: str) -> re.Pattern[str]:
    """The translation kmlint used before issue 14 (correct, but exponential on some globs)."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:[^/]*/)*")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            close = pattern.index("]", index + 2)
            body = pattern[index + 1 : close]
            negate = body.startswith("!")
            out.append("(?!/)[" + ("^" if negate else "") + re.escape(body[1:] if negate else body).replace("\\-", "-") + "]")
            index = close + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


SEGMENTS = st.lists(st.sampled_from(["a", "b", "ab", "a.md", "b.txt", "x-y", "[a]", "é"]), min_size=1, max_size=5)
PATTERN_BITS = ["*", "**", "**/", "?", "a", "b", ".md", "/", "[ab]", "[!a]", "[a-c]", "[", "]", "-", "x-y", "é"]


@given(bits=st.lists(st.sampled_from(PATTERN_BITS), min_size=1, max_size=8), segments=SEGMENTS)
@settings(max_examples=300, deadline=None)
def test_globs_match_what_the_regular_expression_translation_matched(bits, segments):
    pattern = "".join(bits)
    core = pattern.strip().removeprefix("./").strip("/")
    try:
        oracle = _backtracking_glob(core)
    except re.error:
        return  # a range such as [c-a]: refused at config load (see below)
    glob = Glob(pattern, "/base")
    if "/" in core:
        expected = any(oracle.fullmatch("/".join(segments[:end])) for end in range(1, len(segments) + 1))
    else:
        expected = any(oracle.fullmatch(segment) for segment in segments)
    assert glob.matches("/base/" + "/".join(segments)) is expected


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("/".join(["**"] * 40) + "/x", "/".join(["a"] * 80) + "/y"),
        ("**/" * 40 + "x", "/".join(["a"] * 80) + "/y"),
        ("*a" * 60 + "b", "a" * 250),
        ("**a" * 60 + "b", "/".join(["a" * 50] * 20)),
    ],
)
def test_a_glob_takes_linear_time_whatever_its_stars(pattern, path):
    # The backtracking translation took 8.6 s for eight `**/` segments and minutes for ten.
    glob = Glob(pattern, "/base")
    started = time.perf_counter()
    for _ in range(20):
        assert glob.matches("/base/" + path) is False
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(("pattern", "message"), [("[z-a]", "character range z-a is reversed (write a-z)"), ("a" * 1001, "longer than 1000 characters")])
def test_a_glob_that_cannot_work_is_refused_when_compiled(pattern, message):
    with pytest.raises(GlobError, match=re.escape(message)):
        Glob(pattern, "/base")


# -- --jobs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("jobs", "files", "expected"), [(10**30, 3, 3), (10**6, 50, "cpus"), (2, 50, 2), (5, 1, None)])
def test_jobs_are_capped_at_the_cpus_and_the_files(monkeypatch, jobs, files, expected):
    import kmlint.runner as runner

    started: list[int] = []
    monkeypatch.setattr(runner, "default_jobs", lambda: 4)
    monkeypatch.setattr(runner, "_lint_in_pool", lambda linter, targets, count, keep: started.append(count) or iter(()))
    monkeypatch.setattr(runner, "lint_target", lambda linter, target, keep=False: target)
    list(runner.lint_all(None, [f"f{n}" for n in range(files)], jobs))  # type: ignore[arg-type]
    assert started == ([] if expected is None else [4 if expected == "cpus" else expected])


def test_the_cpus_are_those_this_process_may_use(monkeypatch):
    import kmlint.runner as runner

    monkeypatch.setattr(os, "process_cpu_count", lambda: 3, raising=False)
    assert runner.default_jobs() == 3
    monkeypatch.delattr(os, "process_cpu_count")
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 5})
        assert runner.default_jobs() == 2
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert runner.default_jobs() == 1


# -- the issue's cases, as a user runs them -----------------------------------------------------------


def _kmlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KMLINT_NO_CACHE": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "kmlint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def _issue_case(work: Path, case: str) -> tuple[list[str], str]:
    """Files for one of the issue's cases, and the arguments and the error line expected."""
    base = ["check", "--no-builtin-rules", "--rules", "rules.yaml"]
    if case == "reversed range":
        (work / "c.yaml").write_text('exclude: ["[z-a]"]\n', encoding="utf-8")
        return [*base, "--config", "c.yaml", "page.md"], "kmlint: error: c.yaml:1:11: glob '[z-a]': character range z-a is reversed (write a-z)"
    if case == "many **/":
        (work / "c.yaml").write_text('exclude: ["' + "**/" * 12 + 'x"]\n', encoding="utf-8")
        return [*base, "--config", "c.yaml", "page.md"], ""
    if case == "200-word phrase":
        rule = {**BASE_RULE, "phrases": [" ".join(f"word{n}" for n in range(200))]}
        (work / "long.yaml").write_text(yaml.safe_dump({"rules": [rule]}, width=10**6), encoding="utf-8")
        return ["check", "--no-builtin-rules", "--rules", "long.yaml", "page.md"], "kmlint: error: long.yaml:"
    if case == "jobs 1000000":
        for number in range(3):
            (work / f"p{number}.md").write_text(PAGE, encoding="utf-8")
        return [*base, "--jobs", "1000000", "p0.md", "p1.md", "p2.md"], ""
    if case == "jobs past a C int":
        (work / "p1.md").write_text(PAGE, encoding="utf-8")
        return [*base, "--jobs", "99999999999999999999", "page.md", "p1.md"], ""
    if case == "deep baseline":
        (work / "b.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        return [*base, "--baseline", "b.json", "page.md"], "kmlint: error: b.json: baseline JSON is nested more than 64 levels deep"
    if case == "extends /dev/zero":
        (work / "c.yaml").write_text("extends: /dev/zero\n", encoding="utf-8")
        return [*base, "--config", "c.yaml", "page.md"], "kmlint: error: c.yaml:1:10: extends: '/dev/zero': config file is not a regular file (a device)"
    if case == "long extends chain":
        for number in range(40):
            (work / f"c{number}.yaml").write_text(f"extends: ./c{number + 1}.yaml\n", encoding="utf-8")
        return [*base, "--config", "c0.yaml", "page.md"], "extends: more than 32 config files in one chain"
    assert case == "16 MiB and a byte"
    with open(work / "big.txt", "wb") as handle:
        handle.truncate(16 * 2**20 + 1)
    return [*base, "big.txt"], ""


ISSUE_CASES = ["reversed range", "many **/", "200-word phrase", "jobs 1000000", "jobs past a C int", "deep baseline", "long extends chain", "16 MiB and a byte"]


@pytest.mark.skipif(not POSIX, reason="the issue's cases include /dev/zero and POSIX paths")
@pytest.mark.parametrize("case", [*ISSUE_CASES, "extends /dev/zero"])
def test_the_issues_cases_as_real_runs(tmp_path, case):
    (tmp_path / "page.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    args, expected = _issue_case(tmp_path, case)
    started = time.perf_counter()
    done = _kmlint(*args, cwd=tmp_path)
    assert time.perf_counter() - started < 30
    assert "internal error" not in done.stderr
    if expected:
        assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr
        assert expected in done.stderr
    elif case == "16 MiB and a byte":
        assert "too large to check (16,777,217 bytes; the limit is 16 MiB = 16,777,216 bytes); skipped" in done.stdout
    else:
        assert done.returncode == 1, done.stderr
