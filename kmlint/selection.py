"""Rule selection: --select/--ignore (and config) by id, id prefix, name, category or an old name."""

from __future__ import annotations

from typing import Iterable, Sequence

from kmlint.errors import ConfigError
from kmlint.ruleset import Rule


def selector_matches(rule: Rule, selector: str) -> bool:
    return (
        selector == "ALL"
        or rule.id.startswith(selector.upper())
        or selector in (rule.name, rule.category)
        or selector in rule.replaces
    )


def split_selectors(values: Iterable[str]) -> list[str]:
    """Accept repeated options and comma-separated lists alike."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def select_rules(rules: Sequence[Rule], select: Iterable[str] = (), ignore: Iterable[str] = (), source: str = "--select") -> list[Rule]:
    # Each selector once: a list that repeats one a thousand times costs no more than one.
    selected = list(dict.fromkeys(split_selectors(select)))
    ignored = list(dict.fromkeys(split_selectors(ignore)))
    for selector in selected + ignored:
        if not any(selector_matches(rule, selector) for rule in rules):
            raise ConfigError(f"unknown rule, category or prefix {selector!r} in {source}/--ignore")
    chosen = [rule for rule in rules if not selected or any(selector_matches(rule, s) for s in selected)]
    return [rule for rule in chosen if not any(selector_matches(rule, s) for s in ignored)]
