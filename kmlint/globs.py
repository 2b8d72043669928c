"""Path globs of the config (`exclude`, `per-file-ignores`): checked and compiled when the config is read, matched in time linear in the path."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

# A glob is written by hand: a thousand characters is far past any real one, and each character
# is a state of the automaton below.
MAX_GLOB_LENGTH = 1000
# Distinct sets of glob positions kept per glob (see _Automaton); past this the table starts again.
_MAX_STATES = 4096

# Steps of a compiled glob. Each consumes one character, except STAR, ANYTHING and MAYBE, which
# may also be passed over without consuming one (MAYBE: skip the next `skip` steps).
_CHAR, _ONE, _CLASS, _STAR, _ANYTHING, _MAYBE = range(6)


class GlobError(ValueError):
    """A glob that cannot be compiled; the config loader adds the file, line and column."""


@dataclass(frozen=True, slots=True)
class _Step:
    kind: int
    char: str = ""  # _CHAR: the character
    ranges: tuple[tuple[str, str], ...] = ()  # _CLASS: inclusive character ranges
    negated: bool = False  # _CLASS: [!...]
    skip: int = 0  # _MAYBE: steps passed over

    def takes(self, char: str) -> bool:
        """Whether this step consumes `char` (STAR and ANYTHING stay where they are when they do)."""
        if self.kind == _CHAR:
            return char == self.char
        if self.kind == _ANYTHING:
            return True
        if char == "/" or self.kind == _MAYBE:
            return False  # `*`, `?` and classes stay within one path segment
        if self.kind == _CLASS:
            return any(low <= char <= high for low, high in self.ranges) != self.negated
        return True  # _ONE, _STAR

    @property
    def advances(self) -> bool:
        return self.kind not in (_STAR, _ANYTHING)


def compile_steps(pattern: str) -> tuple[_Step, ...]:
    """The steps of a glob: `*` any run of characters but `/`, `?` one such character, `[a-z]` and
    `[!a-z]` one of (or not one of) a set of them, `**/` any run of whole folders (none too),
    any other `**` any run of characters at all; every other character stands for itself."""
    if len(pattern) > MAX_GLOB_LENGTH:
        raise GlobError(f"glob is longer than {MAX_GLOB_LENGTH} characters")
    steps: list[_Step] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            # (anything ending in "/")?: the same paths as "zero or more folders", with no nesting.
            steps += [_Step(_MAYBE, skip=2), _Step(_ANYTHING), _Step(_CHAR, "/")]
            index += 3
        elif pattern.startswith("**", index):
            steps.append(_Step(_ANYTHING))
            index += 2
        elif char == "*":
            steps.append(_Step(_STAR))
            index += 1
        elif char == "?":
            steps.append(_Step(_ONE))
            index += 1
        elif char == "[" and "]" in pattern[index + 2 :]:
            close = pattern.index("]", index + 2)  # a "]" right after "[" or "[!" is one of the characters
            steps.append(_class(pattern[index + 1 : close]))
            index = close + 1
        else:
            steps.append(_Step(_CHAR, char))
            index += 1
    return tuple(steps)


def _class(body: str) -> _Step:
    negated = body.startswith("!")
    if negated:
        body = body[1:]
    ranges: list[tuple[str, str]] = []
    index = 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            low, high = body[index], body[index + 2]
            if low > high:
                raise GlobError(f"character range {low}-{high} is reversed (write {high}-{low})")
            ranges.append((low, high))
            index += 3
        else:
            ranges.append((body[index], body[index]))
            index += 1
    return _Step(_CLASS, ranges=tuple(ranges), negated=negated)


class _Automaton:
    """A glob's steps run as a deterministic automaton built while it runs: each state is the set
    of steps the text read so far may have reached, and each transition is worked out once. A
    text costs one table lookup per character, and at worst, for a new transition, one pass over
    the steps: no backtracking, so no glob can take exponential (or polynomial) time.
    Holds only a cache of transitions, like a compiled regular expression."""

    __slots__ = ("_steps", "_states", "_ids", "_accepting", "_next")

    def __init__(self, steps: tuple[_Step, ...]):
        self._steps = steps
        self._reset()

    def _reset(self) -> None:
        self._states: list[frozenset[int]] = []  # by number: the steps reached
        self._ids: dict[frozenset[int], int] = {}
        self._accepting: list[bool] = []
        self._next: list[dict[str, int]] = []
        self._state(self._closure({0}))  # state 0: the start
        self._state(frozenset())  # state 1: no step can be reached, nothing can match

    def _closure(self, positions: set[int]) -> frozenset[int]:
        """`positions` and every step reachable from them without consuming a character."""
        todo = list(positions)
        reached = set(positions)
        while todo:
            position = todo.pop()
            if position >= len(self._steps):
                continue
            step = self._steps[position]
            if step.kind == _MAYBE:
                following: tuple[int, ...] = (position + 1, position + 1 + step.skip)
            else:
                following = () if step.advances else (position + 1,)
            for target in following:
                if target not in reached:
                    reached.add(target)
                    todo.append(target)
        return frozenset(reached)

    def _state(self, positions: frozenset[int]) -> int:
        number = self._ids.get(positions)
        if number is None:
            number = self._ids[positions] = len(self._states)
            self._states.append(positions)
            self._accepting.append(len(self._steps) in positions)
            self._next.append({})
        return number

    def _step(self, state: int, char: str) -> int:
        moved = set()
        for position in self._states[state]:
            if position < len(self._steps):
                step = self._steps[position]
                if step.takes(char):
                    moved.add(position + 1 if step.advances else position)
        target = self._next[state][char] = self._state(self._closure(moved))
        return target

    def matches(self, text: str, at_folders: bool) -> bool:
        """Whether the glob matches `text` whole, or (`at_folders`) `text` up to one of its "/"."""
        if len(self._states) > _MAX_STATES:
            self._reset()  # memory stays bounded: a text adds at most one state per character
        state, table = 0, self._next
        for char in text:
            if at_folders and char == "/" and self._accepting[state]:
                return True
            target = table[state].get(char)
            if target is None:
                target = self._step(state, char)
            if target == 1:
                return False
            state = target
        return self._accepting[state]


@dataclass(frozen=True, slots=True)
class Glob:
    """A path glob, matched against paths relative to `base` (the folder of the config file that set it).

    `*` and `?` stay within one path segment and `**` crosses segments; a glob without a slash
    matches any file or folder name; a glob that matches a folder matches everything inside it.
    Raises GlobError when the glob cannot be compiled (a reversed range, too long)."""

    pattern: str
    base: str
    _automaton: _Automaton = field(init=False, repr=False, compare=False)
    _anchored: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        core = self.pattern.strip().removeprefix("./").strip("/")
        object.__setattr__(self, "_anchored", "/" in core)
        object.__setattr__(self, "_automaton", _Automaton(compile_steps(core)))

    def matches(self, path: str) -> bool:
        outside, parts = _relative_parts(os.path.abspath(path), self.base)
        if not self._anchored:
            return any(self._automaton.matches(part, at_folders=False) for part in parts)
        return not outside and bool(parts) and self._automaton.matches("/".join(parts), at_folders=True)


@lru_cache(maxsize=1024)
def _relative_parts(path: str, base: str) -> tuple[bool, tuple[str, ...]]:
    """Whether `path` (absolute) lies outside `base`, and its parts below `base` (or below where it
    leaves it). Cached: each file is matched against every glob of the config, most with one base."""
    relative = os.path.relpath(path, base).replace(os.sep, "/")
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    outside = bool(parts) and parts[0] == ".."
    while parts and parts[0] == "..":
        parts.pop(0)
    return outside, tuple(parts)
