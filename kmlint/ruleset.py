"""Rule loading: YAML files read safely, validated against the shipped JSON Schema, built into Rule objects."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import yaml

from kmlint import cache
from kmlint.errors import RuleError
from kmlint.fsutil import Unreadable, file_type, read_regular
from kmlint.schemas import validator
from kmlint.terms import TEMPLATE_PATTERN_MIN_PHRASES, TermError, TermSet, compile_regex, expand_phrase, shown, template_pattern

if TYPE_CHECKING:
    import jsonschema

SPAN_CATEGORIES = (
    "safety-absolute", "hype", "efficacy-overclaim", "unsupported-science", "regulatory-status",
    "indication-creep", "comparative", "uncited-statistic", "unsupervised-use", "risk-minimizing",
    "testimonial", "disparagement",
)
DOCUMENT_CATEGORIES = (
    "missing-supervision", "missing-risk-disclosure", "missing-off-label",
    "missing-crisis-resources", "missing-individual-results",
)
SEVERITIES = ("error", "warning", "info")
# The shipped rule files are under 64 kB each: 4 MiB leaves room for generated ones and bounds the
# time a rule file can take to read, parse and validate.
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024
# Phrases one rule file may expand to: the pack's largest file has about 21,000, and the trie of
# 100,000 takes some seconds to build on a first run (the start-up cache keeps it after that).
MAX_PHRASES_PER_FILE = 100_000
# Term lists a rule may carry, compiled to TermSets; everything else kind-specific stays as data.
_TERM_FIELDS = ("phrases", "exceptions", "unless", "when", "mentions", "question")
# Term lists checked only around a match (a sentence), where link text can count.
_LOCAL_FIELDS = ("exceptions", "unless")


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    url: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, complete: identity, category, what to say, why, and what its kind looks for."""

    id: str
    name: str
    category: str
    severity: str
    kind: str
    message: str
    suggestion: str
    rationale: str
    references: tuple[Reference, ...]
    flag_examples: tuple[str, ...]
    pass_examples: tuple[str, ...]
    scope: frozenset[str] | None
    terms: Mapping[str, TermSet]
    groups: Mapping[str, TermSet] = field(default_factory=dict)
    report: str | None = None
    swap: Mapping[str, str] = field(default_factory=dict)
    fix: str = "unsafe"
    replaces: tuple[str, ...] = ()
    claims_only: bool = True  # span rules: not where the words are only mentioned (kmlint.claims)
    answer: str | None = None  # answer rules: the answer ("yes" or "no") to a `question` that makes the claim
    pages: str = "any"  # require rules: "promoting" skips pages that report on treatment
    path: str = ""
    line: int = 0

    @property
    def is_document_rule(self) -> bool:
        return self.category.startswith("missing-")

    @property
    def built_in(self) -> bool:
        """A rule of kmlint's own pack. Its regular expressions are written and tested here
        (tests/test_rule_pack.py runs them on hostile text) and run without the time limit that
        guards against patterns in users' rule files: the limit costs about a microsecond a call."""
        return _in_builtin_rules_dir(self.path)


def builtin_rules_dir() -> Path:
    """The rule pack installed inside the package (kmlint/rules), or rules/ beside a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "rules"
    return installed if installed.is_dir() else package.parent / "rules"


@lru_cache(maxsize=None)
def _in_builtin_rules_dir(path: str) -> bool:
    # Asked for every rule by each kind and the engine: a path is resolved once, not per rule.
    return Path(path).resolve().parent == builtin_rules_dir()


def rule_files(path: str | os.PathLike[str]) -> list[Path]:
    """A rule file, or the YAML files in a folder (sorted, not recursive)."""
    target = Path(path)
    try:
        if target.is_dir():
            return sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError as error:
        raise RuleError(f"cannot list rule folder ({error.strerror or error})", str(path)) from None
    if target.is_file():
        return [target]
    if target.exists():  # a device or a named pipe: never read (/dev/zero would not end)
        raise RuleError(f"not a rule file or folder ({file_type(target.stat().st_mode)})", str(path))
    raise RuleError("no such rule file or folder", str(path))


def load_rules(paths: Iterable[str | os.PathLike[str]]) -> list[Rule]:
    """Load every rule file under `paths`; duplicate ids are an error naming both places."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for path in paths:
        for file in rule_files(path):
            for rule in load_rule_file(file):
                for key in (rule.id, rule.name):
                    if key in seen:
                        first = seen[key]
                        raise RuleError(
                            f"duplicate rule {'id' if key == rule.id else 'name'} {key!r} "
                            f"(first defined at {first.path}:{first.line})",
                            rule.path,
                            rule.line,
                        )
                    seen[key] = rule
                rules.append(rule)
    return rules


def load_rule_file(path: str | os.PathLike[str]) -> list[Rule]:
    display = str(path)
    try:
        data = read_regular(display, MAX_RULE_FILE_BYTES)
        text = data.decode("utf-8-sig")
    except Unreadable as error:
        raise RuleError(error.describe("rule file"), display) from None
    except UnicodeDecodeError as error:
        raise RuleError("rule file is not UTF-8 text", display, data.count(b"\n", 0, error.start) + 1) from None
    # A file read before (same name, same text) comes from the start-up cache: no YAML, no schema.
    entry = cache.key("rules", display, text)
    cached = cache.load("rules", entry)
    if cached is not None:
        return list(cached)
    data, node = load_yaml(text, display)
    errors = sorted(validator("rules.schema.json").iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        from jsonschema.exceptions import best_match

        worst = best_match(errors)
        line, column = node_position(node, worst.absolute_path)
        raise RuleError(schema_message(worst), display, line, column)
    budget = _PhraseBudget()
    lists = _compile_lists(data.get("lists") or {}, node, display, budget)
    rules = [
        _build_rule(raw, lists, node, ("rules", index), display, budget)
        for index, raw in enumerate(data["rules"])
    ]
    cache.store("rules", entry, rules)
    return rules


# -- YAML with positions -------------------------------------------------------------------


# YAML a person writes is a few levels deep (a rule file: five). PyYAML builds nested collections
# by recursion: a deeper file is refused at the node that goes too deep, long before the stack
# would run out, whatever the stack already holds (an `extends` chain, a test runner).
MAX_YAML_DEPTH = 64


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing collections nested more than MAX_YAML_DEPTH deep and files
    of more than `max_nodes` nodes as written (PyYAML, in Python, takes about 0.1 ms a node: the
    count is checked while the file is read, before a large one has taken its time)."""

    def __init__(self, stream: str, path: str, max_nodes: int):
        super().__init__(stream)
        self._path = path
        self._depth = 0
        self._nodes = 0
        self._max_nodes = max_nodes

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_YAML_DEPTH or self._nodes > self._max_nodes:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
                problem = f"YAML nested more than {MAX_YAML_DEPTH} levels deep" if self._depth > MAX_YAML_DEPTH else f"more than {self._max_nodes} YAML nodes"
                raise RuleError(problem, self._path, mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, path: str, max_nodes: int | None = None, loader_class: type[BoundedLoader] = BoundedLoader) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely (no object tags, at most MAX_YAML_DEPTH levels and `max_nodes` nodes,
    MAX_YAML_NODES by default, also once aliases are expanded) and keep the node tree for error
    positions.

    Duplicate mapping keys are rejected with both lines. `loader_class` may resolve plain scalars
    differently (annotation files read `no` as a word)."""
    limit = MAX_YAML_NODES if max_nodes is None else max_nodes
    try:
        loader = loader_class(text, path, limit)  # reads (and checks) the first characters already
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise RuleError("empty YAML file", path)
        _check_nodes(node, path, limit)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise RuleError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text, path) from None
    except yaml.YAMLError as error:
        raise RuleError(f"invalid YAML: {' '.join(str(error).split())}", path) from None
    finally:
        loader.dispose()
    return data, node


def _reader_error(error: yaml.reader.ReaderError, text: str, path: str) -> RuleError:
    """A character YAML does not allow (a control character, a lone surrogate), at its line and column."""
    line = text.count("\n", 0, error.position) + 1
    column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(error.character)
    return RuleError(f"invalid YAML: character U+{code:04X} is not allowed", path, line, column)


# Rule and config files are untrusted: aliases can make a small file stand for billions of nodes
# (a "billion laughs" file) or for a structure that contains itself. Both are refused from the
# node graph, before anything expands, validates or walks the data.
MAX_YAML_NODES = 200_000


def _check_nodes(root: yaml.Node, path: str, max_nodes: int) -> None:
    """Reject mapping keys that are not text or written twice (see _check_keys), an alias to a node that contains it, and
    a file of more than `max_nodes` nodes once its aliases are expanded."""
    sizes: dict[int, int] = {}  # nodes done, and their size with aliases expanded
    open_nodes: set[int] = set()  # nodes whose children are being visited
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > max_nodes:
                raise RuleError(f"more than {max_nodes} YAML nodes once aliases are expanded", path)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            mark = node.start_mark
            raise RuleError("an alias refers to a node that contains it", path, mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            _check_keys(node, path)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_TEXT_KEY_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge")


def _check_keys(node: yaml.MappingNode, path: str) -> None:
    """Every key of kmlint's files is text (a glob, a selector, a name): a key YAML reads as a
    number, a truth value, null, a date or a collection is refused at its place, and so is a
    key written twice (with both lines)."""
    seen: dict[str, yaml.Node] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag not in _TEXT_KEY_TAGS:
            what = f"key {shown(key.value)}" if isinstance(key, yaml.ScalarNode) else "a key that is a list or mapping"
            raise RuleError(
                f"{what} is not text (YAML reads it as {key.tag.rsplit(':', 1)[-1]}); quote it",
                path, key.start_mark.line + 1, key.start_mark.column + 1,
            )
        if isinstance(key, yaml.ScalarNode):
            if key.value in seen:
                first = seen[key.value].start_mark.line + 1
                raise RuleError(
                    f"duplicate key {key.value!r} (first at line {first})",
                    path, key.start_mark.line + 1, key.start_mark.column + 1,
                )
            seen[key.value] = key


def find_node(node: yaml.Node | None, path: Iterable[Any]) -> yaml.Node | None:
    """Follow a JSON path (keys and indexes) into the YAML node tree, as far as it goes."""
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    node = value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def node_position(root: yaml.Node | None, path: Iterable[Any]) -> tuple[int | None, int | None]:
    node = find_node(root, path)
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def schema_message(error: jsonschema.ValidationError) -> str:
    """A one-line message built from the failing validator and value, not jsonschema's prose."""
    where = ".".join(str(p) for p in error.absolute_path) or "file"
    if len(where) > 100:  # a key of the file can be as long as the file
        where = where[:100] + "..."
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return f"{where}: missing required key {missing[0]!r}" if missing else f"{where}: missing a required key"
    if kind == "additionalProperties":
        allowed = set((error.schema.get("properties") or {}).keys())
        extra = sorted(k for k in (error.instance or {}) if k not in allowed)
        return f"{where}: unknown key {shown(extra[0])}" if extra else f"{where}: unknown key"
    if kind == "enum":
        return f"{where}: {shown(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
    if kind == "const":
        return f"{where}: must be {error.validator_value!r}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}"
    if kind == "pattern":
        return f"{where}: {shown(error.instance)} does not match {error.validator_value}"
    if kind in ("minItems", "minProperties", "minLength"):
        return f"{where}: must not be empty"
    if kind == "false" or error.validator_value is False:
        return f"{where}: key not allowed for this rule kind"
    if kind == "anyOf" and error.path == error.relative_path and not error.context:
        return f"{where}: does not fit the schema"
    if kind in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        return schema_message(best_match(error.context))
    return f"{where}: {kind} check failed ({shown(error.validator_value)})"


# -- building rules ------------------------------------------------------------------------


class _PhraseBudget:
    """The phrases a rule file has expanded to so far (lists counted where they are used), against
    MAX_PHRASES_PER_FILE: each costs time and memory in the trie, and a few lines of templates and
    list references can stand for millions."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0

    def spend(self, count: int) -> None:
        self.spent += count
        if self.spent > MAX_PHRASES_PER_FILE:
            raise TermError(f"the rule file expands to more than {MAX_PHRASES_PER_FILE} phrases here (templates and lists counted where used)")


def _compile_lists(raw: Mapping[str, list[Any]], root: yaml.Node | None, path: str, budget: _PhraseBudget) -> dict[str, TermSet]:
    lists: dict[str, TermSet] = {}
    for name, items in raw.items():
        lists[name] = _termset(items, lists, root, ("lists", name), path, budget)
    return lists


def _termset(
    items: list[Any], lists: Mapping[str, TermSet], root: yaml.Node | None, at: tuple[Any, ...], path: str, budget: _PhraseBudget
) -> TermSet:
    phrases: list[str] = []
    templates: list[str] = []
    patterns = []
    links = False
    for index, item in enumerate(items):
        try:
            if isinstance(item, dict) and "link" in item:
                if at[-1] not in _LOCAL_FIELDS and at[0] != "lists":
                    raise TermError("{link: true} works only in 'unless' and 'exceptions'")
                links = True
            elif isinstance(item, dict):
                patterns.append(compile_regex(item["regex"]))
            elif item.startswith("@"):
                named = lists.get(item[1:])
                if named is None:
                    raise TermError(f"unknown list {item!r} (define it under 'lists:' in the same file)")
                budget.spend(len(named.phrases) + len(named.templates))
                phrases.extend(named.phrases)
                templates.extend(named.templates)
                patterns.extend(named.patterns)
                links = links or named.links
            else:
                expanded = expand_phrase(item)
                budget.spend(len(expanded))
                # Only the pack's own: an expression backtracks through a template's alternatives
                # (up to 5,000 ways at one place, with no time limit), the trie never does.
                large = len(expanded) > TEMPLATE_PATTERN_MIN_PHRASES and _in_builtin_rules_dir(path)
                template = template_pattern(item, expanded) if large else None
                if template is None:
                    phrases.extend(expanded)
                else:
                    templates.append(template)
        except TermError as error:
            line, column = node_position(root, at + (index,))
            raise RuleError(str(error), path, line, column) from None
    return TermSet(tuple(dict.fromkeys(phrases)), tuple(patterns), links, tuple(dict.fromkeys(templates)))


def _build_rule(
    raw: dict[str, Any], lists: Mapping[str, TermSet], root: yaml.Node | None, at: tuple[Any, ...], path: str, budget: _PhraseBudget
) -> Rule:
    line, _ = node_position(root, at)
    terms = {name: _termset(raw[name], lists, root, at + (name,), path, budget) for name in _TERM_FIELDS if name in raw}
    if "patterns" in raw:
        extra = _termset([{"regex": p} for p in raw["patterns"]], lists, root, at + ("patterns",), path, budget)
        base = terms.get("phrases", TermSet())
        terms["phrases"] = replace(base, patterns=base.patterns + extra.patterns)
    swap: dict[str, str] = {}
    if "swap" in raw:
        for template, replacement in raw["swap"].items():
            try:
                expanded = expand_phrase(template)
                budget.spend(len(expanded))
                for phrase in expanded:
                    swap[phrase] = replacement
            except TermError as error:
                key_line, key_column = node_position(root, at + ("swap", template))
                raise RuleError(str(error), path, key_line, key_column) from None
        terms["phrases"] = TermSet(tuple(swap))
    groups = {name: _termset(items, lists, root, at + ("groups", name), path, budget) for name, items in (raw.get("groups") or {}).items()}
    report = raw.get("report")
    if groups and report not in groups:
        report_line, report_column = node_position(root, at + ("report",))
        raise RuleError(f"report group {report!r} is not one of the rule's groups ({', '.join(groups)})", path, report_line, report_column)
    examples = raw["examples"]
    return Rule(
        id=raw["id"],
        name=raw["name"],
        category=raw["category"],
        severity=raw["severity"],
        kind=raw["kind"],
        message=raw["message"].strip(),
        suggestion=raw["suggestion"].strip(),
        rationale=" ".join(raw["rationale"].split()),
        references=tuple(Reference(r["title"], r["url"], r.get("date")) for r in raw["references"]),
        flag_examples=tuple(examples["flag"]),
        pass_examples=tuple(examples["pass"]),
        scope=frozenset(raw["scope"]) if "scope" in raw else None,
        terms=terms,
        groups=groups,
        report=report,
        swap=swap,
        fix=raw.get("fix", "unsafe"),
        replaces=tuple(raw.get("replaces", ())),
        claims_only=raw.get("claims-only", True),
        answer=raw.get("answer"),
        pages=raw.get("pages", "any"),
        path=path,
        line=line or 0,
    )
