"""Configuration: `.kmlint.yaml` or `[tool.kmlint]` found by walking up, presets via `extends`, resolved against the rules."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import yaml

from kmlint.errors import ConfigError
from kmlint.findings import SEVERITY_RANK
from kmlint.fsutil import Unreadable, read_regular
from kmlint.globs import Glob, GlobError
from kmlint.ruleset import Rule, builtin_rules_dir, find_node, load_rules, load_yaml, node_position, schema_message
from kmlint.schemas import validator
from kmlint.selection import select_rules, selector_matches, split_selectors
from kmlint.terms import shown

if TYPE_CHECKING:
    pass


# Looked for in each folder, nearest folder first; in one folder the first name found wins.
CONFIG_NAMES = (".kmlint.yaml", ".kmlint.yml")
PYPROJECT = "pyproject.toml"
DEFAULT_FAIL_ON = "warning"
# A config file is a few lines: a megabyte or 20,000 YAML nodes is far past any real one, and bounds
# the time spent reading and validating it (PyYAML takes about 0.1 ms a node). An `extends` chain
# longer than MAX_EXTENDS is a mistake, not a layout.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_NODES = 20_000
MAX_EXTENDS = 32

_TOOL_TABLE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*[\"']?kmlint[\"']?[ \t]*[\].]", re.MULTILINE)
_PRESET_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")

# (path into the data, point at the key rather than its value) -> (line, column), 1-based.
Locator = Callable[[Sequence[Any], bool], "tuple[int | None, int | None]"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a configured value was written, for one-line errors: a path into the file's data,
    turned into a line and column only when an error is reported (finding a key's node takes a
    pass over its mapping: done for every key of a large mapping, that would take quadratic time)."""

    path: str
    at: tuple[Any, ...] = ()
    key: bool = False  # point at the key rather than its value
    locate: Locator | None = field(default=None, compare=False, repr=False)

    def error(self, message: str) -> ConfigError:
        line, column = self.locate(self.at, self.key) if self.locate is not None else (None, None)
        return ConfigError(message, self.path, line, column)


@dataclass(frozen=True, slots=True)
class Selector:
    """One rule selector from a config file (id, id prefix, name or category) and where it was written."""

    text: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class FileIgnores:
    """`per-file-ignores` resolved to rule ids: which rules are dropped for a given path."""

    entries: tuple[tuple[Glob, frozenset[str]], ...] = ()

    def rules_for(self, path: str) -> frozenset[str]:
        ignored: frozenset[str] = frozenset()
        for glob, rule_ids in self.entries:
            if glob.matches(path):
                ignored |= rule_ids
        return ignored


@dataclass(frozen=True, slots=True)
class Config:
    """A configuration as read (after `extends`); selectors are checked against the rules in `resolve`."""

    select: tuple[Selector, ...] | None = None
    ignore: tuple[Selector, ...] = ()
    min_severity: str | None = None
    severity: tuple[tuple[Selector, str], ...] = ()
    per_file_ignores: tuple[tuple[Glob, tuple[Selector, ...]], ...] = ()
    exclude: tuple[Glob, ...] = ()
    rules: tuple[str, ...] = ()
    fail_on: str | None = None

    def excluded(self, path: str) -> bool:
        return any(glob.matches(path) for glob in self.exclude)


@dataclass(frozen=True, slots=True)
class Settings:
    """What a run uses: the chosen rules, severity overrides by rule id, per-file ignores, fail-on."""

    rules: tuple[Rule, ...]
    severities: Mapping[str, str]
    file_ignores: FileIgnores
    fail_on: str


# -- finding and reading ---------------------------------------------------------------------


def find_config(start: str) -> str | None:
    """The nearest config file at or above `start` (a file or folder): `.kmlint.yaml`, `.kmlint.yml`,
    or a `pyproject.toml` with a `[tool.kmlint]` table, like ruff and yamllint look for theirs."""
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(folder, PYPROJECT)
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_tool_table(path: str) -> bool:
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
    except Unreadable as error:
        if error.problem == "too-large":  # it may hold kmlint's settings: not read, and said so
            raise ConfigError(error.describe("config file"), path) from None
        return False  # an unreadable pyproject.toml is not ours to complain about unless named
    except UnicodeDecodeError:
        return False
    return _TOOL_TABLE.search(text) is not None


def load_config(explicit: str | None, start: str) -> Config:
    """The config named by --config, else the nearest one above `start`, else the defaults."""
    if explicit is not None:
        return _load_chain(explicit)
    found = find_config(start)
    return _load_chain(_display_path(found)) if found else Config()


def _display_path(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith(".." + os.sep) else relative


@dataclass(frozen=True, slots=True)
class _File:
    """One config file of an `extends` chain, read and checked against the schema."""

    path: str
    data: dict[str, Any]
    locate: Locator

    def origin(self, *at: Any, key: bool = False) -> Origin:
        return Origin(self.path, at, key, self.locate)


def _load_chain(path: str) -> Config:
    """A config file and the files it extends, read one after another (a loop, not recursion:
    a long chain cannot exhaust the stack), then layered from the last one up."""
    try:
        chain = [_read_file(path)]
    except Unreadable as error:
        raise ConfigError(error.describe("config file"), path) from None
    seen = {os.path.abspath(path)}
    while "extends" in chain[-1].data:
        current = chain[-1]
        where = current.origin("extends")
        if len(chain) >= MAX_EXTENDS:
            raise where.error(f"extends: more than {MAX_EXTENDS} config files in one chain")
        target = _extends_target(current.data["extends"], where, os.path.dirname(os.path.abspath(current.path)))
        if os.path.abspath(target) in seen:
            raise where.error(f"extends: {current.data['extends']!r} leads back to this file")
        seen.add(os.path.abspath(target))
        try:
            chain.append(_read_file(target))
        except Unreadable as error:
            value = current.data["extends"]
            message = f"no such config file {value!r}" if error.problem == "missing" else f"{value!r}: {error.describe('config file')}"
            raise where.error(f"extends: {message}") from None
    config = Config()
    for file in reversed(chain):
        config = _layer(config, file)
    return config


def _read_file(path: str) -> _File:
    """Read and validate one config file; Unreadable when it cannot be read at all (the caller
    says where it was named)."""
    data, locate = _read_toml(path) if path.endswith(".toml") else _read_yaml(path)
    _validate(data, locate, path)
    return _File(path, data, locate)


def _read_text(path: str) -> str:
    data = read_regular(path, MAX_CONFIG_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError("config file is not UTF-8 text", path, line) from None


def _read_yaml(path: str) -> tuple[dict[str, Any], Locator]:
    text = _read_text(path)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return {}, lambda _at, _key: (None, None)  # an empty config file means the defaults
    data, node = load_yaml(text, path, MAX_CONFIG_NODES)
    return data, _yaml_locator(node)


def _yaml_locator(root: yaml.Node | None) -> Locator:
    def locate(at: Sequence[Any], key: bool) -> tuple[int | None, int | None]:
        if key and at:
            mapping = find_node(root, at[:-1])
            if isinstance(mapping, yaml.MappingNode):
                for name, _value in mapping.value:
                    if isinstance(name, yaml.ScalarNode) and name.value == str(at[-1]):
                        return name.start_mark.line + 1, name.start_mark.column + 1
        return node_position(root, at)

    return locate


def _read_toml(path: str) -> tuple[dict[str, Any], Locator]:
    text = _read_text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = _TOML_ERROR_AT.search(message)
        line, column = (int(at.group(1)), int(at.group(2))) if at else (None, None)
        raise ConfigError(f"invalid TOML: {_TOML_ERROR_AT.sub('', message)}", path, line, column) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ConfigError("invalid TOML: arrays or tables nested too deeply", path) from None
    tool = document.get("tool")
    if not isinstance(tool, dict) or "kmlint" not in tool:
        raise ConfigError("no [tool.kmlint] table", path)
    return tool["kmlint"], _toml_locator(text)


# -- the schema and one file's keys ------------------------------------------------------------

def _validate(data: Any, locate: Locator, path: str) -> None:
    errors = list(validator("config.schema.json").iter_errors(data))
    if not errors:
        return
    from jsonschema.exceptions import best_match

    error = best_match(errors)
    at = list(error.absolute_path)
    unknown_key = error.validator == "additionalProperties" and isinstance(error.instance, dict)
    if unknown_key:
        allowed = set(error.schema.get("properties") or {})
        at += sorted(key for key in error.instance if key not in allowed)[:1]  # point at the unknown key itself
    line, column = locate(at, unknown_key)
    # At the top level schema_message says "file: ..."; the file is already named in front.
    raise ConfigError(schema_message(error).removeprefix("file: "), path, line, column)


def _layer(base: Config, file: _File) -> Config:
    """This file's settings on top of what it extends: a key set here replaces the inherited value,
    except `severity` and `per-file-ignores` (entries added, later ones win) and `rules` (added)."""
    data, origin = file.data, file.origin
    folder = os.path.dirname(os.path.abspath(file.path))

    def selectors(value: str | list[str], *at: Any) -> tuple[Selector, ...]:
        if isinstance(value, str):
            return tuple(Selector(text, origin(*at)) for text in split_selectors([value]))
        return tuple(Selector(text, origin(*at, index)) for index, item in enumerate(value) for text in split_selectors([item]))

    def strings(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    def glob(pattern: str, where: Origin) -> Glob:
        # Checked here, once: a glob that cannot work is an error at its place, never at match time.
        try:
            return Glob(pattern, folder)
        except GlobError as error:
            raise where.error(f"glob {pattern!r}: {error}") from None

    changes: dict[str, Any] = {}
    if "select" in data:
        changes["select"] = selectors(data["select"], "select")
    if "ignore" in data:
        changes["ignore"] = selectors(data["ignore"], "ignore")
    if "min-severity" in data:
        changes["min_severity"] = data["min-severity"]
    if "fail-on" in data:
        changes["fail_on"] = data["fail-on"]
    if "exclude" in data:
        listed = isinstance(data["exclude"], list)
        changes["exclude"] = tuple(
            glob(pattern, origin("exclude", index) if listed else origin("exclude")) for index, pattern in enumerate(strings(data["exclude"]))
        )
    if "rules" in data:
        added_rules = []
        for index, written in enumerate(strings(data["rules"])):
            rule_path = os.path.join(folder, os.path.expanduser(written))
            if not os.path.exists(rule_path):
                at = ("rules", index) if isinstance(data["rules"], list) else ("rules",)
                raise origin(*at).error(f"rules: no such rule file or folder {written!r}")
            added_rules.append(rule_path)
        changes["rules"] = base.rules + tuple(added_rules)
    if "severity" in data:
        added = tuple((Selector(key, origin("severity", key, key=True)), level) for key, level in data["severity"].items())
        changes["severity"] = base.severity + added
    if "per-file-ignores" in data:
        added_ignores = tuple(
            (glob(pattern, origin("per-file-ignores", pattern, key=True)), selectors(value, "per-file-ignores", pattern))
            for pattern, value in data["per-file-ignores"].items()
        )
        changes["per_file_ignores"] = base.per_file_ignores + added_ignores
    return replace(base, **changes)


def _extends_target(value: str, where: Origin, folder: str) -> str:
    """The file `extends` names: a bundled preset by name (a word without a slash or dot), or
    another config file by path (relative to this one)."""
    if _PRESET_NAME.match(value):
        bundled = preset_names()  # a name is looked up among them, never tried as a file (it may be 5,000 letters long)
        if value not in bundled:
            raise where.error(f"extends: unknown preset {shown(value)} (bundled: {', '.join(bundled)})")
        return str(resources.files("kmlint.presets").joinpath(f"{value}.yaml"))
    # A leading "./" says nothing a joined path needs: left out, messages name "site/base.yaml".
    return os.path.join(folder, re.sub(r"^(?:\./+)+", "", os.path.expanduser(value)))


def preset_names() -> list[str]:
    folder = resources.files("kmlint.presets")
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


# -- resolving against the rules ----------------------------------------------------------------


def resolve(
    config: Config,
    *,
    builtin: bool = True,
    rule_paths: Sequence[str] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
) -> Settings:
    """Load the rules and apply the config, with the command line winning: `--select` replaces the
    config's select, ignore and min-severity; `--ignore` adds to the config's ignore; `--rules`
    adds to its rules; `--fail-on` replaces its fail-on."""
    paths = ([str(builtin_rules_dir())] if builtin else []) + list(config.rules) + list(rule_paths)
    every = load_rules(paths)
    known: dict[str, list[Rule]] = {}  # each selector's rules, worked out once however often it is written

    def matching(selector: Selector) -> list[Rule]:
        found = known.get(selector.text)
        if found is None:
            found = known[selector.text] = [rule for rule in every if selector_matches(rule, selector.text)]
        if not found:
            raise selector.origin.error(f"unknown rule, category or id prefix {selector.text!r} (see 'kmlint rules list')")
        return found

    severities: dict[str, str] = {}
    for selector, level in config.severity:
        for rule in matching(selector):
            severities[rule.id] = level
    for selector in (*(config.select or ()), *config.ignore):
        matching(selector)
    if select:
        chosen = select_rules(every, select, ignore)
    else:
        configured = [s.text for s in config.select] if config.select is not None else []
        chosen = select_rules(every, configured, [s.text for s in config.ignore] + list(ignore))
        if config.min_severity is not None:
            floor = SEVERITY_RANK[config.min_severity]
            chosen = [rule for rule in chosen if SEVERITY_RANK[severities.get(rule.id, rule.severity)] >= floor]
    file_ignores = FileIgnores(
        tuple(
            (glob, frozenset(rule.id for selector in selectors for rule in matching(selector)))
            for glob, selectors in config.per_file_ignores
        )
    )
    return Settings(tuple(chosen), severities, file_ignores, fail_on or config.fail_on or DEFAULT_FAIL_ON)


# -- positions in pyproject.toml ----------------------------------------------------------------


def _toml_locator(text: str) -> Locator:
    """Line and column of a key of `[tool.kmlint]` in pyproject.toml (tomllib keeps no positions):
    the key's line in the table, its sub-table header, or a sub-key on either."""
    lines = text.splitlines()
    headers: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        header = re.match(r"[ \t]*\[\[?([^\]]+)\]", line)
        if header and not re.match(r"[ \t]*\[[^\]]*\][ \t]*=", line):
            headers.append((number, re.sub(r"[\s\"']", "", header.group(1))))

    def table(name: str) -> tuple[int, int] | None:
        for position, (number, header) in enumerate(headers):
            if header == name:
                end = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
                return number, end
        return None

    def key_in(first: int, end: int, key: str) -> tuple[int, int] | None:
        quoted = re.escape(key)
        pattern = re.compile(rf"(?:^|[{{,.][ \t]*)[ \t]*((?:{quoted}|\"{quoted}\"|'{quoted}')[ \t]*[=.])")
        for number in range(first, end):
            found = pattern.search(lines[number])
            if found:
                return number, found.start(1)
        return None

    def locate(at: Sequence[Any], _key: bool) -> tuple[int | None, int | None]:
        # Keys are what this finds anyway: a value's line is its key's line.
        root = table("tool.kmlint")
        keys = [str(part) for part in at]
        if root is None:
            return None, None
        if not keys:
            return root[0] + 1, 1
        sub = table(f"tool.kmlint.{keys[0]}")
        if sub is not None:
            place = (sub[0], 0)
            if len(keys) > 1:
                place = key_in(sub[0] + 1, sub[1], keys[1]) or place
            return place[0] + 1, place[1] + 1
        found = key_in(root[0] + 1, root[1], keys[0])
        if found is None:
            return root[0] + 1, 1
        if len(keys) > 1 and not keys[1].isdigit():
            found = key_in(found[0], root[1], keys[1]) or found
        return found[0] + 1, found[1] + 1

    return locate
