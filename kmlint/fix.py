"""Safe fixes: substitutions a rule marks `fix: safe`, written back atomically with the file's own encoding, BOM and newlines."""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, TextIO

from kmlint.discover import Target
from kmlint.engine import Linter
from kmlint.errors import SourceError
from kmlint.findings import Diagnostic, FileResult, Finding
from kmlint.fsutil import ChangedOnDisk, NotRegular, atomic_write
from kmlint.reporters import counted
from kmlint.runner import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, StdinInput, lint_target
from kmlint.source import SourceFile, read_bytes, read_source


@dataclass(frozen=True, slots=True)
class FileFix:
    """One file after --fix or --diff: the findings left, how many fixes were applied, and the diff."""

    result: FileResult
    applied: int = 0
    diff: str = ""


def match_case(original: str, replacement: str) -> str:
    """The replacement in the case of the words it replaces: CUTTING-EDGE -> MODERN, Cutting-edge -> Modern."""
    letters = [char for char in original if char.isalpha()]
    if len(letters) > 1 and all(char.isupper() for char in letters):
        return replacement.upper()
    if letters and letters[0].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def encode_like(text: str, encoding: str, original: bytes) -> bytes | None:
    """`text` encoded as `original` was (same codec, same BOM), or None when that cannot reproduce
    the original exactly (undecodable bytes were replaced while reading): such a file is not rewritten."""
    bom = b""
    codec = encoding
    if encoding == "utf-8" and original.startswith(codecs.BOM_UTF8):
        bom = codecs.BOM_UTF8
    elif encoding == "utf-16":
        bom = original[:2]
        codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    try:
        return bom + text.encode(codec)
    except UnicodeEncodeError:
        return None


@dataclass(frozen=True, slots=True)
class Edit:
    """One safe fix: source[start:end] becomes `text`."""

    start: int
    end: int
    text: str


def safe_edits(source: SourceFile, findings: Iterable[Finding]) -> tuple[list[Edit], list[Diagnostic]]:
    """The safe fixes of `findings`, in source order and never overlapping, and a note for each
    one left out: one whose words in the source are not exactly the words matched (markup, an
    entity or a line break inside them, which a plain replacement would destroy), or one
    overlapping a fix already made."""
    edits: list[Edit] = []
    notes: list[Diagnostic] = []
    position = 0
    for finding in sorted((f for f in findings if f.fixable and f.replacement is not None), key=lambda f: (f.start, f.end)):
        written = source.text[finding.start : finding.end]
        where = f"line {finding.line}, column {finding.column}: {finding.rule} not fixed"
        if written != finding.text:
            notes.append(Diagnostic(source.path, "warning", f"{where}: markup, entities or a line break inside {written!r}"))
            continue
        if finding.start < position:
            notes.append(Diagnostic(source.path, "warning", f"{where}: it overlaps another fix"))
            continue
        edits.append(Edit(finding.start, finding.end, match_case(written, finding.replacement or "")))
        position = finding.end
    return edits, notes


def plan_fixes(source: SourceFile, findings: Iterable[Finding]) -> tuple[str, int, list[Diagnostic]]:
    """The fixed text, the number of fixes in it, and a note for each safe fix left out (see safe_edits)."""
    edits, notes = safe_edits(source, findings)
    pieces: list[str] = []
    position = 0
    for edit in edits:
        pieces += [source.text[position : edit.start], edit.text]
        position = edit.end
    pieces.append(source.text[position:])
    return "".join(pieces), len(edits), notes


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff (git style paths); lines keep their own line breaks, as in the file."""
    lines = difflib.unified_diff(_LINES.findall(before), _LINES.findall(after), f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


def fix_target(linter: Linter, target: Target | StdinInput, write: bool, keep_document: bool = False) -> FileFix:
    """Lint one file and apply its safe fixes: written back (`write`) or only shown as a diff.
    The file is rewritten only if its bytes are still the ones read; otherwise nothing is written."""
    if isinstance(target, StdinInput):
        data = target.data
    elif target.problem:
        return FileFix(lint_target(linter, target, keep_document))
    else:
        try:
            data = read_bytes(target.path)  # regular files only: opening a named pipe would block
        except SourceError as error:
            return FileFix(FileResult.not_checked(target.path, error.message))
    try:
        source = read_source(target.path, target.kind, data)
    except SourceError as error:
        return FileFix(FileResult.not_checked(target.path, error.message))
    result = linter.check_source(source, keep_document)
    if not any(finding.fixable for finding in result.findings):
        return FileFix(result)
    fixed_text, applied, notes = plan_fixes(source, result.findings)
    if not applied:
        return FileFix(_with(result, notes))
    fixed = encode_like(fixed_text, source.encoding, data)
    if fixed is None or encode_like(source.text, source.encoding, data) != data:
        note = Diagnostic(source.path, "warning", f"not fixed: the file does not re-encode to its own bytes as {source.encoding}")
        return FileFix(_with(result, [*notes, note]))
    diff = unified_diff(target.path, source.text, fixed_text)
    if not write:
        return FileFix(_with(result, notes), applied, diff)
    try:
        atomic_write(target.path, fixed, expected=data)
    except ChangedOnDisk:
        failure = Diagnostic(target.path, "error", "not fixed: the file changed after kmlint read it; it was not written")
        return FileFix(_with(result, [*notes, failure]))
    except NotRegular:  # replaced by a named pipe or folder since it was read
        failure = Diagnostic(target.path, "error", "not fixed: no longer a regular file; nothing was written")
        return FileFix(_with(result, [*notes, failure]))
    except OSError as error:
        failure = Diagnostic(target.path, "error", f"not fixed: cannot write ({error.strerror or error}); the file is unchanged")
        return FileFix(_with(result, [*notes, failure]))
    remaining = linter.check_source(read_source(target.path, target.kind, fixed), keep_document)
    return FileFix(_with(remaining, notes), applied, diff)


def _with(result: FileResult, diagnostics: list[Diagnostic]) -> FileResult:
    if not diagnostics:
        return result
    return FileResult(result.path, result.findings, result.diagnostics + tuple(diagnostics), result.document)


def fix_all(linter: Linter, targets: Iterable[Target | StdinInput], write: bool, keep_document: bool = False) -> Iterator[FileFix]:
    for target in targets:
        yield fix_target(linter, target, write, keep_document)


class FixTally:
    """Counts the fixes of a --fix run as its results stream to the reporter."""

    __slots__ = ("files", "fixes")

    def __init__(self) -> None:
        self.files = 0
        self.fixes = 0

    def results(self, outcomes: Iterable[FileFix]) -> Iterator[FileResult]:
        for outcome in outcomes:
            if outcome.applied:
                self.files += 1
                self.fixes += outcome.applied
            yield outcome.result

    def __str__(self) -> str:
        return f"fixed {counted(self.fixes, 'problem')} in {counted(self.files, 'file')}."


def show_diffs(outcomes: Iterable[FileFix], stream: TextIO, errors: TextIO) -> int:
    """--diff: each file's fixes as a diff on `stream`, notes on `errors`; the exit status: 2 when a
    file could not be checked, 1 when there is something to fix, else 0."""
    changed = failed = False
    for outcome in outcomes:
        stream.write(outcome.diff)
        for diagnostic in outcome.result.diagnostics:
            errors.write(f"{diagnostic}\n")
        changed = changed or bool(outcome.diff)
        failed = failed or outcome.result.failed
    stream.flush()
    return EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_CLEAN
