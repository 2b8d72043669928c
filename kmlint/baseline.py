"""Baseline: today's findings recorded by path, rule and claim-in-context, so later runs report only new ones."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from kmlint.document import normalize_phrase
from kmlint.errors import ConfigError
from kmlint.findings import FileResult, Finding
from kmlint.fsutil import Unreadable, atomic_write, read_regular, write_problem

FORMAT = "kmlint-baseline"
VERSION = 1

# (rule, folded words, folded sentence): no line or column, so moving a claim does not renew it.
Key = tuple[str, str, str]


def finding_key(finding: Finding) -> Key:
    return (finding.rule, normalize_phrase(finding.text), finding.context)


# A baseline holds about 300 bytes per finding: 64 MiB is some 200,000 findings, and bounds the
# memory reading one takes. Its JSON is three levels deep; Python's parser recurses per level.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether JSON `text` opens more than `limit` arrays or objects inside one another (strings,
    which may hold brackets, are left out): checked before the parser recurses into them."""
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _relative(path: str, root: str) -> str:
    """A path as the baseline stores it: relative to the baseline file's folder, with '/'."""
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


@dataclass(frozen=True, slots=True)
class Baseline:
    """Recorded findings per path (relative to `root`, the baseline file's folder), counted, so that
    of two identical claims with one recorded, one is still reported."""

    root: str
    counts: Mapping[str, Mapping[Key, int]]

    def new_findings(self, path: str, findings: Sequence[Finding]) -> list[Finding]:
        """The findings of one file that the baseline does not account for, in their order."""
        known = self.counts.get(_relative(path, self.root))
        if not known:
            return list(findings)
        left = Counter(known)
        fresh: list[Finding] = []
        for finding in findings:
            key = finding_key(finding)
            if left[key] > 0:
                left[key] -= 1
            else:
                fresh.append(finding)
        return fresh


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; anything else is a one-line error naming it (and the line for bad JSON)."""
    try:
        raw = read_regular(path, MAX_BASELINE_BYTES)
    except Unreadable as error:
        # A device or named pipe is never read: /dev/zero would fill the memory, a pipe would
        # wait for a writer forever.
        if error.problem == "missing":
            raise ConfigError("no such baseline file (write one with --write-baseline)", path) from None
        raise ConfigError(error.describe("baseline"), path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError("baseline is not UTF-8 text", path, raw.count(b"\n", 0, error.start) + 1) from None
    if _nested_deeper_than(text, MAX_JSON_DEPTH):
        raise ConfigError(f"baseline JSON is nested more than {MAX_JSON_DEPTH} levels deep", path)
    try:
        data = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as error:
        raise ConfigError(f"invalid JSON in baseline: {error.msg}", path, error.lineno, error.colno) from None
    except ValueError as error:  # NaN or Infinity, which JSON does not have; an integer of thousands of digits
        raise ConfigError(f"invalid JSON in baseline: {error}", path) from None
    if not isinstance(data, dict) or data.get(FORMAT) != VERSION or not isinstance(data.get("findings"), list):
        raise ConfigError(f"not a kmlint baseline (expected an object with \"{FORMAT}\": {VERSION} and a findings list)", path)
    counts: dict[str, Counter[Key]] = {}
    for index, entry in enumerate(data["findings"]):
        fields = [entry.get(name) for name in ("path", "rule", "text", "context")] if isinstance(entry, dict) else [None]
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not all(isinstance(value, str) for value in fields) or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ConfigError(f"baseline entry {index + 1}: expected path, rule, text and context (strings) and count (a whole number)", path)
        counts.setdefault(entry["path"], Counter())[(entry["rule"], normalize_phrase(entry["text"]), entry["context"])] += count
    return Baseline(os.path.dirname(os.path.abspath(path)), counts)


class BaselineWriter:
    """Collects the findings of a run as they stream past, then writes them as a baseline file."""

    __slots__ = ("path", "root", "_counts", "_texts")

    def __init__(self, path: str):
        # Checked before any file is linted: a run must not end in an error after its report.
        problem = write_problem(path)
        if problem:
            raise ConfigError(f"cannot write baseline ({problem})", path)
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self._counts: Counter[tuple[str, Key]] = Counter()
        self._texts: dict[tuple[str, Key], str] = {}

    def collect(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        for result in results:
            for finding in result.findings:
                entry = (_relative(finding.path, self.root), finding_key(finding))
                self._counts[entry] += 1
                self._texts.setdefault(entry, finding.text)
            yield result

    def write(self) -> int:
        """Write the baseline atomically; returns the number of findings recorded."""
        entries = [
            {"path": path, "rule": key[0], "text": self._texts[(path, key)], "context": key[2], "count": count}
            for (path, key), count in sorted(self._counts.items())
        ]
        document = {FORMAT: VERSION, "findings": entries}
        # backslashreplace: a file name that is not UTF-8 (held as surrogates) becomes a JSON
        # \udcXX escape, which reads back as the same name.
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
        try:
            atomic_write(self.path, data)
        except OSError as error:
            raise ConfigError(f"cannot write baseline ({error.strerror or error})", self.path) from None
        return sum(self._counts.values())
