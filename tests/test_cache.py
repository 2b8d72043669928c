"""The start-up cache (kmlint/cache.py): what it stores comes back the same, and an entry it cannot
trust (damaged, cut short, not what it should hold) is built again, never used."""

from __future__ import annotations

import re

import pytest

from kmlint import cache
from kmlint.terms import compile_trie, opening_automaton, trie_pattern


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KMLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("KMLINT_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_memory", {})  # entries kept in memory by earlier tests
    return tmp_path


def _forget_memory(monkeypatch):
    monkeypatch.setattr(cache, "_memory", {})


def test_a_stored_value_loads_back_in_a_later_run(cache_folder, monkeypatch):
    entry = cache.key("test", "value")
    cache.store("things", entry, {"rules": [1, 2, 3]})
    _forget_memory(monkeypatch)
    assert cache.load("things", entry) == {"rules": [1, 2, 3]}
    assert len(list((cache_folder / "things").iterdir())) == 1


DAMAGE = {
    "cut short": lambda data: data[:-3],
    "a bit flipped": lambda data: data[:-1] + bytes([data[-1] ^ 1]),
    "another format": lambda data: b"kmlint-cache 0\n" + data[15:],
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_not_loaded(cache_folder, monkeypatch, damage):
    entry = cache.key("test", "damaged")
    cache.store("things", entry, list(range(100)))
    path = cache_folder / "things" / str(entry)
    path.write_bytes(damage(path.read_bytes()))
    _forget_memory(monkeypatch)
    assert cache.load("things", entry) is None


def test_turned_off_it_writes_nothing(cache_folder, monkeypatch):
    monkeypatch.setenv("KMLINT_NO_CACHE", "1")
    cache.store("things", cache.key("off"), 1, remember=False)
    assert not any(cache_folder.iterdir())


def test_a_trie_loaded_from_the_cache_matches_as_one_compiled_afresh(cache_folder, monkeypatch):
    phrases = ["safe and effective", "safe", "miracle cure", "#1 clinic", "100% safe"]
    compile_trie(phrases)
    _forget_memory(monkeypatch)
    loaded = compile_trie(phrases)
    fresh = re.compile(trie_pattern(phrases))
    text = "A safe-and effective miracle cure at the #1 clinic, 100% safe."
    assert [m.span() for m in loaded.finditer(text)] == [m.span() for m in fresh.finditer(text)] != []


def test_an_openings_entry_that_is_no_automaton_is_built_again(cache_folder, monkeypatch):
    phrases = ["miracle cure", "safe"]
    opening_automaton(phrases)
    (entry,) = (cache_folder / "openings").iterdir()
    # An entry of the right name holding something else (written by another version, say).
    cache.store("openings", entry.name, "not an automaton")
    _forget_memory(monkeypatch)
    automaton = opening_automaton(phrases)
    assert sorted(automaton.iter("a miracle cure, safe")) == [(13, 12), (19, 4)]


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX owners and modes")
def test_a_cache_folder_others_can_write_to_is_not_read(cache_folder, monkeypatch):
    # Entries are pickles, which run code as they load (issue 14): a shared folder is not trusted.
    entry = cache.key("test", "shared")
    cache.store("things", entry, [1, 2, 3])
    _forget_memory(monkeypatch)
    (cache_folder / "things").chmod(0o777)
    assert cache.load("things", entry) is None
    (cache_folder / "things").chmod(0o700)
    assert cache.load("things", entry) == [1, 2, 3]
