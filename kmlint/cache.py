"""The start-up cache: parsed rule files and compiled phrase patterns kept between runs, so that a
run neither reads YAML nor compiles tens of thousands of phrases again. Safe to delete at any time.

Entries live in the user's cache folder (or KMLINT_CACHE_DIR; KMLINT_NO_CACHE=1 turns the cache
off), one file per entry, named by a hash of everything that shapes it: the inputs, kmlint's own
code that builds it, and the Python that runs it. An entry that cannot be read, is cut short, fails
its checksum or was written by another version is ignored and written again; writes are atomic,
and the oldest entries are removed past a limit. Every entry is also kept in memory for the rest
of the process.
"""

from __future__ import annotations

import _sre
import hashlib
import os
import pickle
import re
import sys
import warnings
import zlib
from array import array
from pathlib import Path
from typing import Any, Callable

import ahocorasick
import regex

from kmlint import __version__

# Bump when the stored values change shape in a way the code fingerprint below does not see.
FORMAT = 1
_HEADER = b"kmlint-cache %d\n" % FORMAT
# Entries kept per kind; past this, the least recently written go.
MAX_ENTRIES = 400
# kmlint's files whose content decides what is stored (how rules are read, phrases expanded and
# normalized, tries built): any edit to them makes new keys.
_SHAPING_FILES = ("__init__.py", "ruleset.py", "terms.py", "patterns.py", "document.py", "cache.py", "schemas/rules.schema.json")

_memory: dict[tuple[str, str], Any] = {}
_fingerprint: str | None = None


def cache_folder() -> Path | None:
    """KMLINT_CACHE_DIR, else the platform's cache folder for kmlint; None when caching is off."""
    if os.environ.get("KMLINT_NO_CACHE"):
        return None
    chosen = os.environ.get("KMLINT_CACHE_DIR")
    if chosen:
        return Path(chosen)
    try:
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
            return Path(base) / "kmlint" / "Cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "kmlint"
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kmlint"
    except (RuntimeError, KeyError):  # no home folder to be found: run without the cache
        return None


def key(*parts: str | bytes) -> str | None:
    """A hash of `parts`, kmlint's shaping code and the Python build; None when that code cannot be read."""
    fingerprint = _code_fingerprint()
    if fingerprint is None:
        return None
    digest = hashlib.sha256(fingerprint.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def load(kind: str, entry: str | None, remember: bool = True) -> Any | None:
    """The value stored under `entry`, or None when there is none that can be used; with
    `remember`, kept in memory for the rest of the process."""
    if entry is None:
        return None
    if (kind, entry) in _memory:
        return _memory[kind, entry]
    folder = cache_folder()
    if folder is None or not _private(folder / kind):
        return None
    try:
        data = (folder / kind / entry).read_bytes()
        header, checksum, payload = data[: len(_HEADER)], data[len(_HEADER) : len(_HEADER) + 4], data[len(_HEADER) + 4 :]
        # A damaged entry must not load as a different rule pack or pattern: the checksum says so.
        if header != _HEADER or int.from_bytes(checksum, "little") != zlib.crc32(payload):
            return None
        value = pickle.loads(payload)
    except Exception:  # missing, unreadable, cut short, damaged or from another version: rebuilt by the caller
        return None
    if remember:
        _memory[kind, entry] = value
    return value


def _private(folder: Path) -> bool:
    """Whether entries in `folder` can only have been written by this user: it is theirs and no one
    else may write in it. Entries are pickles, which run code as they load: a cache folder others
    can write to (KMLINT_CACHE_DIR=/tmp/shared) is not read from."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's own LOCALAPPDATA, guarded by its access lists
    try:
        info = folder.stat()
    except (OSError, ValueError):
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def store(kind: str, entry: str | None, value: Any, remember: bool = True) -> None:
    """Keep `value` under `entry`; a cache folder that cannot be written only costs time."""
    if entry is None:
        return
    if remember:
        _memory[kind, entry] = value
    folder = cache_folder()
    if folder is None:
        return
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        data = _HEADER + zlib.crc32(payload).to_bytes(4, "little") + payload
        (folder / kind).mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = folder / kind / f".{entry}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, folder / kind / entry)  # readers see the old entry or the new one
        finally:
            temporary.unlink(missing_ok=True)
        _prune(folder / kind)
    except Exception:  # an unwritable folder, a value that does not pickle: the run goes on uncached
        pass


def compiled_pattern(entry: str | None, build: Callable[[], str]) -> re.Pattern[str]:
    """re.compile(build()), with the compiled program kept in the cache: `re` parses and compiles in
    Python, seconds for a trie of thousands of phrases; loading the program takes milliseconds."""
    pattern = compiled_patterns(entry, lambda: [build()])[0]
    if pattern is None:
        raise re.error(f"not a regular expression `re` reads: {build()[:100]!r}")
    return pattern


def compiled_patterns(entry: str | None, build: Callable[[], list[str]]) -> list[re.Pattern[str] | None]:
    """[re.compile(text) for text in build()], the compiled programs kept in the cache as one entry;
    None for a text that `re` cannot read, or reads with a warning (a set inside a set, which the
    regex module reads otherwise)."""
    patterns: list[re.Pattern[str] | None] | None = _memory.get(("patterns", entry or ""))
    if patterns is not None:
        return patterns
    programs = load("programs", entry, remember=False)  # the compiled patterns are remembered instead
    if programs is not None:
        try:
            patterns = [None if program is None else _sre.compile(program[0], program[1], program[2].tolist(), *program[3:]) for program in programs]
        except Exception:  # not programs this Python can run: compiled again below
            patterns = None
    if patterns is None:
        patterns, programs = [], []
        for text in build():
            pattern, program = _compile_plainly(text)
            patterns.append(pattern)
            programs.append(program)
        # Where this Python's `re` is built otherwise (see _program), nothing is kept.
        if all(program is not None for program, pattern in zip(programs, patterns, strict=True) if pattern is not None):
            store("programs", entry, programs, remember=False)
    if entry is not None:
        _memory["patterns", entry] = patterns
    return patterns


# What re.compile hands the regular expression engine: text, flags, code, groups, group names both ways.
_Program = tuple[str, int, "array[int]", int, dict[str, int], tuple[str | None, ...]]


def _compile_plainly(text: str) -> tuple[re.Pattern[str] | None, _Program | None]:
    """The pattern and its program (None where this Python's `re` is built otherwise), or None
    where `re` cannot read the text or warns that it reads it otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        program = _program(text)
        if program is not None:
            return _sre.compile(text, program[1], program[2].tolist(), *program[3:]), program
        try:
            return re.compile(text), None
        except (re.error, Warning, RecursionError, OverflowError):
            return None, None


def _program(text: str) -> _Program | None:
    """What re.compile hands the regular expression engine (_sre.compile) for `text`, done the way
    re does it (the same in Python 3.10 to 3.13); None where this Python's re works otherwise."""
    try:
        try:
            from re import _compiler, _parser  # type: ignore[attr-defined]  # Python 3.11 and later
        except ImportError:
            import sre_compile as _compiler
            import sre_parse as _parser
        parsed = _parser.parse(text, 0)
        code = array("I" if array("I").itemsize == _sre.CODESIZE else "L", _compiler._code(parsed, 0))
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return text, parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup)
    except Exception:
        return None


def _code_fingerprint() -> str | None:
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent
        # Entries hold compiled programs of `re` and `regex` and pickled automata: their versions
        # count. pyahocorasick has no version attribute, and importlib.metadata takes a twentieth
        # of a second to import and look one up: its compiled module's bytes stand for it.
        versions = f"{FORMAT} {__version__} {sys.version} {_sre.MAGIC} {_sre.CODESIZE} {regex.__version__}"
        digest = hashlib.sha256(versions.encode())
        try:
            digest.update(Path(ahocorasick.__file__ or "").read_bytes())
            for name in _SHAPING_FILES:
                digest.update((package / name).read_bytes())
        except OSError:
            return None
        _fingerprint = digest.hexdigest()
    return _fingerprint


def _prune(folder: Path) -> None:
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in entries[: len(entries) - MAX_ENTRIES * 3 // 4]:
        entry.unlink(missing_ok=True)
