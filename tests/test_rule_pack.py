"""The shipped rule pack as a whole: seed-corpus floors, complete rules, the id scheme, severities and generated docs."""

from __future__ import annotations

import importlib.util
import re

import pytest
import regex
from conftest import REPO, SHARED

from kmlint import ruledocs
from kmlint.engine import Linter
from kmlint.ruleset import DOCUMENT_CATEGORIES, SPAN_CATEGORIES, builtin_rules_dir, load_rules
from kmlint.source import SourceFile

RULES = load_rules([REPO / "rules"])
SCORER = SHARED / "tools" / "score_findings.py"

# Issue 3: the id ranges each category owns (inclusive).
ID_RANGES = {
    "safety-absolute": (101, 119),
    "risk-minimizing": (121, 139),
    "efficacy-overclaim": (201, 219),
    "indication-creep": (221, 239),
    "comparative": (241, 259),
    "uncited-statistic": (261, 279),
    "hype": (301, 319),
    "testimonial": (321, 339),
    "disparagement": (341, 359),
    "unsupported-science": (401, 419),
    "regulatory-status": (421, 439),
    "unsupervised-use": (501, 519),
    "missing-supervision": (901, 909),
    "missing-risk-disclosure": (911, 919),
    "missing-off-label": (921, 929),
    "missing-crisis-resources": (931, 939),
    "missing-individual-results": (941, 949),
}
# TAXONOMY.md: claims a regulator or ad platform would act on are errors.
ERROR_CATEGORIES = ("regulatory-status", "unsupervised-use", "missing-supervision", "missing-crisis-resources")
FLOORS = {"span_recall": 0.95, "span_precision": 0.90, "doc_precision": 0.90, "doc_recall": 0.90}


def _scorer():
    spec = importlib.util.spec_from_file_location("score_findings", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_pages_meet_the_floors(seeds, run_cli, tmp_path, capsysbinary):
    if not SCORER.is_file():
        pytest.skip("../shared/tools/score_findings.py is not beside the repository")
    result = run_cli("check", "--format", "json", "--jobs", "1", str(seeds))
    assert result.status == 1, result.err
    report = tmp_path / "findings.json"
    report.write_text(result.out, encoding="utf-8")
    scorer = _scorer()
    recall, precision, _f1, doc_precision, doc_recall = scorer.score(
        scorer.load_annotations(seeds / "annotations", seeds), scorer.load_findings(report), True, True
    )
    scores = {"span_recall": recall, "span_precision": precision, "doc_precision": doc_precision, "doc_recall": doc_recall}
    below = {name: round(value, 3) for name, value in scores.items() if value < FLOORS[name]}
    # The scorer's per-category figures and misses go into the failure message.
    assert not below, f"below the floors {FLOORS}: {below}\n{capsysbinary.readouterr().out.decode()}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_is_complete(rule):
    assert rule.message and rule.suggestion and rule.rationale
    assert "{match}" in rule.message, "the message quotes the flagged words"
    assert len(rule.flag_examples) >= 3 and len(rule.pass_examples) >= 3
    assert len(set(rule.flag_examples)) == len(rule.flag_examples) and len(set(rule.pass_examples)) == len(rule.pass_examples)
    dated = [ref for ref in rule.references if ref.date and re.fullmatch(r"(19|20)\d\d(-\d\d(-\d\d)?)?", ref.date)]
    assert dated, "at least one reference carries its date (YYYY, YYYY-MM or YYYY-MM-DD)"
    assert all(ref.url.startswith(("https://", "http://")) for ref in rule.references)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_id_is_in_its_category_range(rule):
    match = re.fullmatch(r"KM(\d{3})", rule.id)
    assert match, rule.id
    low, high = ID_RANGES[rule.category]
    assert low <= int(match.group(1)) <= high


def test_every_category_has_a_rule():
    assert {rule.category for rule in RULES} == set(SPAN_CATEGORIES) | set(DOCUMENT_CATEGORIES)


def test_severities_follow_the_taxonomy():
    assert {rule.id for rule in RULES if rule.category in ERROR_CATEGORIES and rule.severity != "error"} == set()
    assert next(rule for rule in RULES if rule.id == "KM101").severity == "error"


def test_committed_docs_are_up_to_date():
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == ruledocs.render(RULES), "docs/rules.md is stale: run `kmlint rules docs --output docs/rules.md`"


def test_rules_docs_command_writes_and_checks(run_cli, tmp_path):
    target = tmp_path / "rules.md"
    assert run_cli("rules", "docs", "--output", str(target)).status == 0
    assert target.read_text(encoding="utf-8") == ruledocs.render(load_rules([REPO / "rules"]))
    assert run_cli("rules", "docs", "--output", str(target), "--check").status == 0
    target.write_text("# stale\n", encoding="utf-8")
    stale = run_cli("rules", "docs", "--output", str(target), "--check")
    assert stale.status == 1 and "out of date" in stale.out
    assert target.read_text(encoding="utf-8") == "# stale\n"


def test_rules_docs_writes_docs_rules_md_by_default_and_prints_with_dash(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    assert run_cli("rules", "docs").status == 0
    expected = ruledocs.render(load_rules([REPO / "rules"]))
    assert (tmp_path / "docs" / "rules.md").read_text(encoding="utf-8") == expected
    assert run_cli("rules", "docs", "--output", "-").out == expected


# Balanced health-information copy in our own words: hedged, attributed, with every caveat.
BALANCED_PAGE = """\
Ketamine and depression: an overview

Ketamine is an anesthetic. Doctors sometimes use low doses off-label for depression that has not
improved with other treatments; ketamine is not FDA-approved for depression. A related drug,
esketamine (Spravato), is approved for specific uses and is given only in certified clinics.

Early studies suggest ketamine may ease symptoms for some people within a day or two, but the
benefit often fades within weeks and not everyone responds. Results vary from person to person.
Researchers are also studying ketamine for PTSD and anxiety; the evidence for these uses is still
limited. Ketamine is not a miracle cure.

Infusions are given in a clinic, where a nurse monitors your blood pressure and breathing
throughout. Side effects can include dissociation, nausea and a rise in blood pressure, and
ketamine can be misused.

If you are thinking about suicide, call or text 988 or call 911.
"""


def test_balanced_health_information_page_is_clean():
    result = Linter(RULES).check_source(SourceFile(path="balanced.txt", text=BALANCED_PAGE, kind="text"))
    assert [(f.rule, f.text) for f in result.findings] == []


def test_promotional_page_gets_findings_in_every_family():
    page = (
        "Ketamine is a game-changer: safe, non-addictive and effective in treating PTSD. "
        "It works faster than antidepressants, which only mask symptoms. 90% of patients respond. "
        "Studies show it rewires your brain. Our at-home ketamine lozenges ship to your door. "
        "I felt like myself again after one session. FDA-approved ketamine therapy for depression!"
    )
    result = Linter(RULES).check_source(SourceFile(path="promo.txt", text=page, kind="text"))
    families = {f.rule[:3] for f in result.findings}
    assert {"KM1", "KM2", "KM3", "KM4", "KM5", "KM9"} <= families


def _pack_patterns() -> dict[str, regex.Pattern[str]]:
    patterns = {}
    for rule in RULES:
        for terms in [*rule.terms.values(), *rule.groups.values()]:
            for pattern in terms.patterns:
                patterns[pattern.pattern] = pattern
    return patterns


# Text built to make a careless pattern backtrack: long runs of what the pack's patterns repeat.
HOSTILE_TEXTS = {
    "letters": "a" * 200_000,
    "words": "relief better results works help can may " * 5_000,
    "digits": "1" * 200_000,
    "numbers": "12.5% to 13 and " * 12_000,
    "parentheses": "(a-b " * 40_000,
    "brackets": "[1," * 60_000,
    "spaces": "in a " + " " * 200_000 + "x",
    "sentence": "ketamine relief " + "evidence research data support is " * 5_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_pack_patterns_stay_linear_on_hostile_text(name):
    # The pack's patterns run without a time limit (Rule.built_in): none may backtrack on a long
    # run of what it repeats. Each takes milliseconds here; the limit only turns a hang into a failure.
    text = HOSTILE_TEXTS[name]
    for source, pattern in _pack_patterns().items():
        try:
            for _ in pattern.finditer(text, timeout=10.0):
                pass
        except TimeoutError:
            pytest.fail(f"pattern {source!r} ran past 10 s on {name} text")


def test_only_the_pack_is_built_in(tmp_path):
    assert all(rule.built_in for rule in load_rules([builtin_rules_dir()]))
    copy = tmp_path / "pack.yaml"
    copy.write_text((builtin_rules_dir() / "safety.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert not any(rule.built_in for rule in load_rules([copy]))
