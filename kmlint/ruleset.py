"""Rule loading: YAML files read safely, validated against the shipped JSON Schema, built into Rule objects."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import yaml

from kmlint import cache
from kmlint.errors import RuleError
from kmlint.terms import TermError, TermSet, compile_regex, expand_phrase

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


def _schema() -> dict[str, Any]:
    text = resources.files("kmlint.schemas").joinpath("rules.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


_VALIDATOR: jsonschema.protocols.Validator | None = None


def _validator() -> jsonschema.protocols.Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema  # here, not at the top: rule files found in the start-up cache never need it

        schema = _schema()
        _VALIDATOR = jsonschema.Draft202012Validator(schema)
    return _VALIDATOR


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
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if target.is_file():
        return [target]
    if target.exists():  # a device or a named pipe: never read (/dev/zero would not end)
        raise RuleError("not a rule file or folder (not a regular file)", str(path))
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
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError("rule file is not UTF-8 text", display) from None
    except OSError as error:
        raise RuleError(f"cannot read rule file ({error.strerror or error})", display) from None
    # A file read before (same name, same text) comes from the start-up cache: no YAML, no schema.
    entry = cache.key("rules", display, text)
    cached = cache.load("rules", entry)
    if cached is not None:
        return list(cached)
    data, node = load_yaml(text, display)
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        from jsonschema.exceptions import best_match

        worst = best_match(errors)
        line, column = node_position(node, worst.absolute_path)
        raise RuleError(schema_message(worst), display, line, column)
    lists = _compile_lists(data.get("lists") or {}, node, display)
    rules = [
        _build_rule(raw, lists, node, ("rules", index), display)
        for index, raw in enumerate(data["rules"])
    ]
    cache.store("rules", entry, rules)
    return rules


# -- YAML with positions -------------------------------------------------------------------


def load_yaml(text: str, path: str, loader_class: type[yaml.SafeLoader] = yaml.SafeLoader) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely (no object tags) and keep the node tree for error positions.

    Duplicate mapping keys are rejected with both lines. `loader_class` may resolve plain scalars
    differently (annotation files read `no` as a word)."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RuleError("empty YAML file", path)
        _check_nodes(node, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise RuleError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise RuleError(f"invalid YAML: {error}", path) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise RuleError("invalid YAML: nested too deeply", path) from None
    finally:
        loader.dispose()
    return data, node


# Rule and config files are untrusted: aliases can make a small file stand for billions of nodes
# (a "billion laughs" file) or for a structure that contains itself. Both are refused from the
# node graph, before anything expands, validates or walks the data.
MAX_YAML_NODES = 200_000


def _check_nodes(root: yaml.Node, path: str) -> None:
    """Reject duplicate mapping keys (with both lines), an alias to a node that contains it, and
    a file of more than MAX_YAML_NODES nodes once its aliases are expanded."""
    sizes: dict[int, int] = {}  # nodes done, and their size with aliases expanded
    open_nodes: set[int] = set()  # nodes whose children are being visited
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                raise RuleError(f"more than {MAX_YAML_NODES} YAML nodes once aliases are expanded", path)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            mark = node.start_mark
            raise RuleError("an alias refers to a node that contains it", path, mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            _reject_duplicate_keys(node, path)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _reject_duplicate_keys(node: yaml.MappingNode, path: str) -> None:
    seen: dict[str, yaml.Node] = {}
    for key, _value in node.value:
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
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return f"{where}: missing required key {missing[0]!r}" if missing else f"{where}: missing a required key"
    if kind == "additionalProperties":
        allowed = set((error.schema.get("properties") or {}).keys())
        extra = sorted(k for k in (error.instance or {}) if k not in allowed)
        return f"{where}: unknown key {extra[0]!r}" if extra else f"{where}: unknown key"
    if kind == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if kind == "const":
        return f"{where}: must be {error.validator_value!r}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}"
    if kind == "pattern":
        return f"{where}: {error.instance!r} does not match {error.validator_value}"
    if kind in ("minItems", "minProperties", "minLength"):
        return f"{where}: must not be empty"
    if kind == "false" or error.validator_value is False:
        return f"{where}: key not allowed for this rule kind"
    if kind == "anyOf" and error.path == error.relative_path and not error.context:
        return f"{where}: does not fit the schema"
    if kind in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        return schema_message(best_match(error.context))
    return f"{where}: {kind} check failed ({error.validator_value!r})"


# -- building rules ------------------------------------------------------------------------


def _compile_lists(raw: Mapping[str, list[Any]], root: yaml.Node | None, path: str) -> dict[str, TermSet]:
    lists: dict[str, TermSet] = {}
    for name, items in raw.items():
        lists[name] = _termset(items, lists, root, ("lists", name), path)
    return lists


def _termset(items: list[Any], lists: Mapping[str, TermSet], root: yaml.Node | None, at: tuple[Any, ...], path: str) -> TermSet:
    phrases: list[str] = []
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
                phrases.extend(named.phrases)
                patterns.extend(named.patterns)
                links = links or named.links
            else:
                phrases.extend(expand_phrase(item))
        except TermError as error:
            line, column = node_position(root, at + (index,))
            raise RuleError(str(error), path, line, column) from None
    return TermSet(tuple(dict.fromkeys(phrases)), tuple(patterns), links)


def _build_rule(raw: dict[str, Any], lists: Mapping[str, TermSet], root: yaml.Node | None, at: tuple[Any, ...], path: str) -> Rule:
    line, _ = node_position(root, at)
    terms = {name: _termset(raw[name], lists, root, at + (name,), path) for name in _TERM_FIELDS if name in raw}
    if "patterns" in raw:
        extra = _termset([{"regex": p} for p in raw["patterns"]], lists, root, at + ("patterns",), path)
        base = terms.get("phrases", TermSet())
        terms["phrases"] = TermSet(base.phrases, base.patterns + extra.patterns)
    swap: dict[str, str] = {}
    if "swap" in raw:
        for template, replacement in raw["swap"].items():
            try:
                for phrase in expand_phrase(template):
                    swap[phrase] = replacement
            except TermError as error:
                key_line, key_column = node_position(root, at + ("swap", template))
                raise RuleError(str(error), path, key_line, key_column) from None
        terms["phrases"] = TermSet(tuple(swap))
    groups = {name: _termset(items, lists, root, at + ("groups", name), path) for name, items in (raw.get("groups") or {}).items()}
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
