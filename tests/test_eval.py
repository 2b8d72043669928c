"""`kmlint eval`: the reference scorer's figures on ../shared, positions through HTML and Markdown, every
bad annotation as one line, the gates, per-rule precision, the JSON contract and the accuracy floors (a ratchet)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmlint.annotations import PageAnnotation, Span, find_pages, load_annotations
from kmlint.discover import Target
from kmlint.evaluate import score
from kmlint.findings import FileResult, Finding
from kmlint.ruleset import DOCUMENT_CATEGORIES, SPAN_CATEGORIES
from kmlint.source import SourceFile

SCORER = SHARED / "tools" / "score_findings.py"
CORPORA = {
    "seeds": (SHARED / "seeds", SHARED / "seeds" / "annotations"),
    "dev": (SHARED / "corpus" / "dev" / "pages", SHARED / "corpus" / "dev" / "annotations"),
}
FLOORS_FILE = REPO / "tests" / "accuracy_floors.json"
# Fixed rules for the small pages below: changes to the shipped pack never change these tests.
EVAL_RULES = ("--no-builtin-rules", "--rules", str(REPO / "tests" / "eval" / "rules.yaml"))
GOLDEN_TEXT = REPO / "tests" / "eval" / "expected.txt"
FIGURES = ("span_recall", "span_precision", "span_f1", "category_agreement", "doc_precision", "doc_recall")

# Pages in our own words. Line 6 puts a claim across <strong>; line 7 puts entities before the claims.
HTML_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head><title>Harbor Light Ketamine</title></head>
<body>
  <h1>Feel better &mdash; fast</h1>
  <p>Our infusions are safe and <strong>non-addictive</strong>, and the results are nothing short of a miracle.</p>
  <p>Tom&nbsp;&amp;&nbsp;Ana&rsquo;s team says ketamine rewires your brain &amp; lifts depression within hours.</p>
  <p>Your kit is delivered to your door.</p>
</body>
</html>
"""
HTML_ANNOTATION = """\
page: clinic.html
spans:
  - quote: non-addictive          # inside <strong>: the finding starts before the tag, at "safe"
    category: safety-absolute
    level: must
    why: addiction risk denied
  - quote: rewires your brain
    occurrence: 1
    category: unsupported-science
    level: must
  - quote: within hours
    category: efficacy-overclaim
    level: may
  - quote: delivered to your door
    category: unsupervised-use
    level: must
doc:
  missing-supervision: must
  missing-risk-disclosure: must
  missing-off-label: no
  missing-crisis-resources: no
  missing-individual-results: may
"""
MARKDOWN_PAGE = """\
---
title: What to expect
---
# Sessions at *Harbor Light*

Ketamine is **safe and effective** for everyone &amp; works when nothing else has.
See [our miracle cure](https://example.org/x) story.
"""
MARKDOWN_ANNOTATION = """\
page: notes.md
spans:
  - {quote: safe and effective, category: safety-absolute, level: must}
  - {quote: miracle cure, category: hype, level: must}
  - {quote: works when nothing else has, category: efficacy-overclaim, level: must}
doc:
  missing-supervision: may
  missing-risk-disclosure: may
  missing-off-label: may
  missing-crisis-resources: may
  missing-individual-results: may
"""


@pytest.fixture
def site(tmp_path) -> Path:
    """pages/ with an HTML and a Markdown page, annotations/ with a file for each."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "annotations").mkdir()
    (tmp_path / "pages" / "clinic.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "pages" / "notes.md").write_text(MARKDOWN_PAGE, encoding="utf-8")
    (tmp_path / "annotations" / "clinic.yaml").write_text(HTML_ANNOTATION, encoding="utf-8")
    (tmp_path / "annotations" / "notes.yaml").write_text(MARKDOWN_ANNOTATION, encoding="utf-8")
    return tmp_path


def eval_json(run_cli, *args: str) -> dict:
    result = run_cli("eval", "--format", "json", *args)
    assert result.status == 0, result.err
    return json.loads(result.out)


def site_eval(run_cli, site: Path, *args: str, output: str = "json"):
    """`kmlint eval` with the fixed rules on the site fixture: the JSON report, or the CliResult for text."""
    result = run_cli("eval", str(site / "pages"), "--annotations", str(site / "annotations"), *EVAL_RULES, "--format", output, *args)
    if output == "text":
        return result
    assert result.status == 0, result.err
    return json.loads(result.out)


# -- the reference scorer on ../shared ---------------------------------------------------------------

_EVALUATED: dict[str, dict] = {}


def _shared_eval(run_cli, corpus: str) -> dict:
    """`kmlint eval --format json` on one of the shared corpora, run once per test session."""
    pages, annotations = CORPORA[corpus]
    if not annotations.is_dir():
        pytest.skip(f"{annotations} is not beside the repository")
    if corpus not in _EVALUATED:
        _EVALUATED[corpus] = eval_json(run_cli, str(pages), "--annotations", str(annotations))
    return _EVALUATED[corpus]


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_figures_equal_the_reference_scorer(corpus, run_cli, tmp_path):
    if not SCORER.is_file():
        pytest.skip("../shared/tools/score_findings.py is not beside the repository")
    report = _shared_eval(run_cli, corpus)
    pages, annotations = CORPORA[corpus]
    checked = run_cli("check", "--format", "json", "--fail-on", "never", str(pages))
    assert checked.status == 0, checked.err
    findings = tmp_path / "findings.json"
    findings.write_text(checked.out, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCORER), "--pages", str(pages), "--annotations", str(annotations), "--findings", str(findings), "--json", "--by-category"],
        capture_output=True, text=True, check=True,
    )
    reference = json.loads(done.stdout.splitlines()[-1])
    reference["category_agreement"] = float(re.search(r"category agreement (\d\.\d+)", done.stdout).group(1))
    for figure in FIGURES:
        assert round(report["scores"][figure], 3) == round(reference[figure], 3), figure
    counts = re.search(r"must spans (\d+)  span findings (\d+)", done.stdout)
    assert (report["counts"]["must_spans"], report["counts"]["span_findings"]) == (int(counts.group(1)), int(counts.group(2)))
    per_category = {
        match.group(1): tuple(map(int, match.group(2, 3, 4, 5)))
        for match in re.finditer(r"^  (\S+) +must +(\d+) recalled +(\d+)  findings +(\d+) correct +(\d+)$", done.stdout, re.MULTILINE)
    }
    ours = {c["category"]: (c["must"], c["recalled"], c["findings"], c["correct"]) for c in report["categories"] if c["kind"] == "span"}
    assert per_category and ours == per_category


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_no_figure_falls_below_its_floor(corpus, run_cli):
    """The ratchet: tests/accuracy_floors.json holds each figure as it was, rounded down. Raise a
    floor when the pack improves; lowering one needs a reason in the commit that does it."""
    floors = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))[corpus]
    scores = _shared_eval(run_cli, corpus)["scores"]
    assert set(floors) == set(FIGURES)
    below = {figure: (round(scores[figure], 3), floor) for figure, floor in floors.items() if scores[figure] < floor}
    assert not below, f"{corpus}: figures below their floors (figure, floor): {below}"


def test_floors_are_recorded_to_three_decimals():
    floors = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
    assert "never lower" in floors["comment"]
    for corpus in CORPORA:
        assert all(0 <= value <= 1 and round(value, 3) == value for value in floors[corpus].values())


# -- the scoring itself, against the reference on generated pages --------------------------------------


def _reference():
    spec = importlib.util.spec_from_file_location("score_findings", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@st.composite
def scored_pages(draw):
    pages = []
    for number in range(draw(st.integers(1, 3))):
        text = draw(st.text(alphabet="ab \n", min_size=1, max_size=60))
        length = len(text)

        def span_range(length: int = length) -> tuple[int, int]:
            start = draw(st.integers(0, length - 1))
            return start, draw(st.integers(start, length))

        spans = []
        for _ in range(draw(st.integers(0, 5))):
            start, end = span_range()
            spans.append((start, max(end, start + 1), draw(st.sampled_from(SPAN_CATEGORIES[:3])), draw(st.sampled_from(("must", "may")))))
        findings = []
        for _ in range(draw(st.integers(0, 6))):
            start, end = span_range()
            category = draw(st.sampled_from(SPAN_CATEGORIES[:3] + DOCUMENT_CATEGORIES[:2]))
            findings.append((start, end, category, draw(st.sampled_from(("KM1", "KM2", "KM3")))))
        doc = {category: draw(st.sampled_from(("must", "no", "may"))) for category in DOCUMENT_CATEGORIES}
        pages.append((f"p{number}.txt", text, spans, findings, doc))
    return pages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scored_pages())
def test_scoring_matches_the_reference_scorer(pages):
    if not SCORER.is_file():
        pytest.skip("../shared/tools/score_findings.py is not beside the repository")
    reference = _reference()
    annotated, results, ann, found = [], [], {}, {}
    for name, text, spans, findings, doc in pages:
        source = SourceFile(name, text, "text")
        marked = tuple(Span(s, e, c, level, text[s:e], f"{name}.yaml:1") for s, e, c, level in spans)
        annotated.append(PageAnnotation(Target(name, "text"), source, marked, doc, f"{name}.yaml"))
        made = []
        for start, end, category, rule in findings:
            line, column = source.lines.position(start)
            end_line, end_column = source.lines.position(end)
            made.append(Finding(name, start, end, line, column, end_line, end_column, rule, rule, category, "warning", "", "", text[start:end], ""))
        results.append(FileResult(name, tuple(made)))
        ann[Path(name).stem] = (text, spans, doc)
        found[Path(name).stem] = [
            {"line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column, "category": f.category} for f in made
        ]
    evaluation = score(annotated, results)
    ours = evaluation.scores
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        expected = reference.score(ann, found, True)
    assert (ours.span_recall, ours.span_precision, ours.span_f1, ours.doc_precision, ours.doc_recall) == expected
    assert f"category agreement {ours.category_agreement:.3f}" in printed.getvalue()
    per_category = {
        match.group(1): tuple(map(int, match.group(2, 3, 4, 5)))
        for match in re.finditer(r"^  (\S+) +must +(\d+) recalled +(\d+)  findings +(\d+) correct +(\d+)$", printed.getvalue(), re.MULTILINE)
    }
    spans_only = {c.category: (c.must, c.recalled, c.findings, c.correct) for c in evaluation.categories if not c.category.startswith("missing-")}
    assert spans_only == per_category


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab \n\"'&:#é", min_size=1, max_size=40), st.data())
def test_quotes_resolve_where_the_reference_scorer_puts_them(text, data):
    """Quote and occurrence to source offsets, as score_findings.py resolves them (overlapping appearances count)."""
    if not SCORER.is_file():
        pytest.skip("../shared/tools/score_findings.py is not beside the repository")
    starts = sorted({data.draw(st.integers(0, len(text) - 1)) for _ in range(data.draw(st.integers(1, 4)))})
    quotes = []
    for start in starts:
        quote = text[start : data.draw(st.integers(start + 1, len(text)))]
        occurrence = sum(1 for at in range(start + 1) if text.startswith(quote, at))
        if (quote, occurrence) not in quotes:
            quotes.append((quote, occurrence))
    spans = "".join(f"  - {{quote: {json.dumps(q)}, occurrence: {n}, category: hype, level: must}}\n" for q, n in quotes)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pages").mkdir()
        (root / "annotations").mkdir()
        (root / "pages" / "p.txt").write_bytes(text.encode("utf-8"))
        (root / "annotations" / "p.yaml").write_text(f"page: p.txt\nspans:\n{spans}", encoding="utf-8")
        ours = load_annotations(str(root / "annotations"), find_pages([str(root / "pages")])).pages[0]
        _text, reference, _doc = _reference().load_annotations(root / "annotations", root / "pages")["p"]
    assert [(span.start, span.end) for span in ours.spans] == [(start, end) for start, end, _c, _l in reference]
    assert [ours.source.text[span.start : span.end] for span in ours.spans] == [quote for quote, _n in quotes]


# -- pages written as HTML and Markdown ------------------------------------------------------------------


def test_html_and_markdown_positions_through_tags_and_entities(site, run_cli):
    report = site_eval(run_cli, site)
    counts = report["counts"]
    # must: non-addictive, rewires your brain (found); delivered to your door (missed); three Markdown spans.
    assert (counts["must_spans"], counts["recalled"]) == (6, 4)
    missed = {(m["path"].rsplit("/", 1)[-1], m["line"], m["column"], m["end_column"], m["quote"]) for m in report["missed"]}
    assert missed == {
        ("clinic.html", 8, 18, 40, "delivered to your door"),
        ("notes.md", 6, 55, 82, "works when nothing else has"),  # after **...** and &amp;
    }
    # "miracle" on the HTML page is not annotated: the one false span finding.
    assert [(f["rule"], f["line"], f["column"], f["text"]) for f in report["false_findings"]] == [("EV301", 6, 104, "miracle")]
    assert counts["doc"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert [(m["category"]) for m in report["doc_missed"]] == ["missing-supervision"]
    assert [f["rule"] for f in report["doc_false"]] == ["EV921"]
    scores = report["scores"]
    assert round(scores["span_recall"], 3) == 0.667 and scores["doc_precision"] == scores["doc_recall"] == 0.5


def test_findings_across_tags_recall_a_quote_inside_one(site, run_cli):
    # EV101's finding runs from "safe" across <strong> (6:24 to 6:54); the quote is inside the tag.
    checked = json.loads(run_cli("check", "--format", "json", *EVAL_RULES, "--select", "EV101", str(site / "pages" / "clinic.html")).out)
    assert [(f["line"], f["column"], f["end_column"]) for f in checked["findings"]] == [(6, 24, 54)]
    report = site_eval(run_cli, site, "--select", "EV101")
    assert (report["counts"]["recalled"], report["counts"]["correct_findings"]) == (2, 2)
    assert "non-addictive" not in {m["quote"] for m in report["missed"]}


def test_text_report_matches_golden_file(site, run_cli, monkeypatch):
    """The text report with --misses and a gate, paths relative to the site (the whole layout at once)."""
    monkeypatch.chdir(site)
    result = run_cli("eval", "pages", "--annotations", "annotations", *EVAL_RULES, "--misses", "--min-precision", "0.9")
    assert result.status == 1
    if os.environ.get("KMLINT_UPDATE_GOLDEN") == "1":
        GOLDEN_TEXT.write_text(result.out, encoding="utf-8")
    assert result.out == GOLDEN_TEXT.read_text(encoding="utf-8"), f"regenerate with KMLINT_UPDATE_GOLDEN=1 if intended: {GOLDEN_TEXT}"


def test_misses_lists_words_and_source_lines(site, run_cli):
    result = site_eval(run_cli, site, "--misses", output="text")
    assert result.status == 0, result.err
    out = result.out
    clinic = str(site / "pages" / "clinic.html")
    assert f"{clinic}:8:18: unsupervised-use “delivered to your door” ({site / 'annotations' / 'clinic.yaml'}:14)" in out
    assert "        8 |   <p>Your kit is delivered to your door.</p>" in out
    assert f"{clinic}:6:104: EV301[miracle] hype “miracle”" in out
    assert f"{clinic}: missing-supervision ({site / 'annotations' / 'clinic.yaml'})" in out
    assert f"{site / 'pages' / 'notes.md'}: missing-" not in out  # the Markdown page's document categories are all may


def test_per_rule_precision_puts_the_false_alarm_first(site, run_cli):
    report = site_eval(run_cli, site)
    first = report["by_rule"][0]
    assert (first["rule"], first["findings"], first["correct"], first["false"], first["precision"]) == ("EV301", 2, 1, 1, 0.5)
    rewiring = next(r for r in report["by_rule"] if r["rule"] == "EV401")
    assert [(s["line"], s["column"], s["quote"]) for s in rewiring["only_recalls"]] == [(7, 57, "rewires your brain")]
    text = site_eval(run_cli, site, output="text").out
    assert re.search(r"^  EV301 +miracle +hype +2 +1 +1 +0\.500 +1$", text, re.MULTILINE), text


def test_json_report_shape(site, run_cli):
    report = site_eval(run_cli, site, "--min-recall", "0.5")
    assert report["version"] == 1 and isinstance(report["kmlint_version"], str)
    assert set(report) == {
        "version", "kmlint_version", "pages", "unannotated", "rules", "scores", "counts", "categories", "by_rule",
        "missed", "false_findings", "doc_missed", "doc_false", "gates",
    }
    assert set(report["scores"]) == {*FIGURES, "doc"}
    assert report["scores"]["doc"] == min(report["scores"]["doc_precision"], report["scores"]["doc_recall"])
    assert set(report["counts"]) == {"must_spans", "may_spans", "recalled", "category_agreed", "span_findings", "correct_findings", "doc"}
    assert (report["pages"], report["unannotated"], report["rules"]) == (2, [], 6)
    category = next(c for c in report["categories"] if c["category"] == "unsupervised-use")
    assert category == {"category": "unsupervised-use", "kind": "span", "must": 1, "recalled": 0, "recall": 0.0, "findings": 0, "correct": 0, "precision": None}
    assert {c["kind"] for c in report["categories"]} == {"span", "document"}
    assert set(report["by_rule"][0]) == {"rule", "name", "category", "findings", "correct", "false", "precision", "only_recalls"}
    assert set(report["missed"][0]) == {"path", "line", "column", "end_line", "end_column", "category", "level", "quote", "annotation"}
    assert {"path", "line", "column", "rule", "category", "text"} <= set(report["false_findings"][0])
    assert report["gates"] == [{"option": "--min-recall", "figure": "span_recall", "minimum": 0.5, "value": report["scores"]["span_recall"], "passed": True}]


def test_rule_options_choose_what_is_scored(site, run_cli):
    report = site_eval(run_cli, site, "--ignore", "hype")
    assert report["false_findings"] == [] and report["scores"]["span_precision"] == 1.0
    only = site_eval(run_cli, site, "--select", "EV401")
    assert (only["rules"], only["counts"]["recalled"], only["counts"]["span_findings"]) == (1, 1, 1)


def test_the_built_in_pack_is_used_by_default(site, run_cli):
    report = eval_json(run_cli, str(site / "pages"), "--annotations", str(site / "annotations"))
    assert report["rules"] > 50 and all(rule["rule"].startswith("KM") for rule in report["by_rule"])


def test_the_examples_are_annotated(run_cli):
    """examples/annotations marks every claim on the example pages: the worked example in docs/eval.md."""
    report = eval_json(run_cli, str(REPO / "examples"), "--annotations", str(REPO / "examples" / "annotations"))
    assert (report["pages"], report["counts"]["must_spans"], report["counts"]["may_spans"]) == (3, 23, 3)
    assert report["unannotated"] == []


def test_pages_without_annotations_are_listed_not_scored(site, run_cli):
    (site / "pages" / "extra.txt").write_text("Nothing to see here.\n", encoding="utf-8")
    report = site_eval(run_cli, site)
    assert report["pages"] == 2 and report["unannotated"] == [str(site / "pages" / "extra.txt")]


def test_pages_named_as_files_are_matched_by_file_name(site, run_cli):
    (site / "annotations" / "notes.yaml").unlink()
    report = eval_json(run_cli, str(site / "pages" / "clinic.html"), "--annotations", str(site / "annotations"), *EVAL_RULES)
    assert report["pages"] == 1 and report["counts"]["must_spans"] == 3


# -- gates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "status", "said"),
    [
        ("--min-recall", "0.667", 0, None),  # recall 4/6 prints as 0.667: met as printed
        ("--min-recall", "0.668", 1, "span recall 0.667 is below --min-recall 0.668"),
        ("--min-precision", "0.8", 0, None),
        ("--min-precision", "0.9", 1, "span precision 0.833 is below --min-precision 0.9"),
        ("--min-doc", "0.5", 0, None),
        ("--min-doc", "0.51", 1, "document precision or recall (the lower) 0.500 is below --min-doc 0.51"),
    ],
)
def test_gates(site, run_cli, option, value, status, said):
    result = site_eval(run_cli, site, option, value, output="text")
    assert result.status == status, result.err
    assert f"gate {option} {value}" in result.out
    assert result.err == (f"kmlint: {said}\n" if said else "")


def test_min_doc_gates_the_lower_of_document_precision_and_recall(site, run_cli):
    # Document recall falls to 0 with the caveat rules left out; precision stays 1.0 (nothing reported).
    result = site_eval(run_cli, site, "--ignore", "EV9", "--min-doc", "0.5", output="text")
    assert result.status == 1 and "document precision or recall (the lower) 0.000 is below --min-doc 0.5" in result.err


# -- bad annotations: one line each, exit 2 ------------------------------------------------------------


def _span(quote: str, extra: str = "") -> str:
    return f"page: clinic.html\nspans:\n  - quote: {quote}\n    category: hype\n    level: must\n{extra}"


BAD_ANNOTATIONS = {
    "yaml syntax": ("page: clinic.html\nspans:\n  - quote: [unclosed\n", ":4:1: invalid YAML"),
    "quote not found": (_span("a sentence the page never says"), ":3:12: quote 'a sentence the page never says' not found in "),
    "quote across a tag": (_span("safe and non-addictive"), "in the text of .* not in its source: a quote is copied from the source and must not cross a tag;"),
    "entity decoded in the quote": (_span("Tom & Ana"), "must not cross a tag; write entities as the source does"),
    "other line breaks": ('page: clinic.html\nspans:\n  - {quote: "results are\\n nothing", category: hype, level: must}\n', "other spaces or line breaks"),
    "wrong occurrence": (_span("miracle", "    occurrence: 2\n"), ":6:17: occurrence 2 of 'miracle', but .*clinic.html has it once"),
    "unknown category": (_span("miracle").replace("hype", "puffery"), ":4:15: spans.0.category: 'puffery' is not one of safety-absolute, "),
    "unknown level": (_span("miracle").replace("must", "should"), ":5:12: spans.0.level: 'should' is not one of must, may"),
    "unknown doc level": ("page: clinic.html\ndoc:\n  missing-off-label: yes\n", ":3:22: doc.missing-off-label: 'yes' is not one of must, no, may"),
    "unknown doc category": ("page: clinic.html\ndoc:\n  missing-disclaimer: must\n", ":3:3: doc: unknown key 'missing-disclaimer'"),
    "duplicate span": (_span("miracle") + "  - {quote: miracle, category: hype, level: may}\n", ":6:5: duplicate span: the same words as the span at line 3"),
    "duplicate key": ("page: clinic.html\npage: notes.md\n", ":2:1: duplicate key 'page' \\(first at line 1\\)"),
    "missing page key": ("spans: []\n", ": missing required key 'page'"),
    "page not given": ("page: about.html\n", ":1:7: page 'about.html' is not among the pages given"),
    "not a mapping": ("- page: clinic.html\n", ":1:1: expected object, got list"),
    "empty file": ("# nothing yet\n", ": empty YAML file"),
    "quote is a number": (_span("2024"), ":3:12: spans.0.quote: expected string, got int"),
}


@pytest.mark.parametrize("case", sorted(BAD_ANNOTATIONS))
def test_bad_annotation_is_one_line_and_exit_2(case, site, run_cli):
    text, expected = BAD_ANNOTATIONS[case]
    (site / "annotations" / "notes.yaml").unlink()
    bad = site / "annotations" / "clinic.yaml"
    bad.write_text(text, encoding="utf-8")
    result = site_eval(run_cli, site, output="text")
    assert result.status == 2 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith(f"kmlint: error: {bad}"), result.err
    assert re.search(expected, result.err), result.err


def test_a_page_annotated_twice_is_an_error(site, run_cli):
    (site / "annotations" / "again.yaml").write_text("page: notes.md\n", encoding="utf-8")
    result = site_eval(run_cli, site, output="text")
    assert result.status == 2
    folder = site / "annotations"
    assert result.err == f"kmlint: error: {folder / 'notes.yaml'}:1:7: page 'notes.md' is annotated twice (also in {folder / 'again.yaml'})\n"


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("empty pages folder", "pages: no pages in this folder (.html, .htm, .xhtml, .md, .markdown or .txt files)"),
        ("no annotation files", "annotations: no annotation files (*.yaml, *.yml) in this folder"),
        ("no annotations folder", "missing: no such annotations folder"),
        ("no pages folder", "nowhere: no such file or folder"),
    ],
)
def test_folders_without_pages_or_annotations(layout, expected, tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages").mkdir()
    (tmp_path / "annotations").mkdir()
    (tmp_path / "pages" / "notes.txt").write_text("words\n", encoding="utf-8")
    (tmp_path / "pages" / "readme.rst").write_text("not a page kind\n", encoding="utf-8")
    (tmp_path / "annotations" / "notes.yaml").write_text("page: notes.txt\n", encoding="utf-8")
    pages, annotations = "pages", "annotations"
    if layout == "empty pages folder":
        (tmp_path / "pages" / "notes.txt").unlink()
    elif layout == "no annotation files":
        (tmp_path / "annotations" / "notes.yaml").rename(tmp_path / "annotations" / "notes.txt")
    elif layout == "no annotations folder":
        annotations = "missing"
    else:
        pages = "nowhere"
    result = run_cli("eval", pages, "--annotations", annotations)
    assert (result.status, result.err) == (2, f"kmlint: error: {expected}\n")


def test_unquoted_no_is_the_word_no(site, run_cli):
    # YAML 1.1 reads a plain `no` as false; annotation files read it as the document level.
    report = site_eval(run_cli, site)
    assert report["counts"]["doc"]["fp"] == 1  # missing-off-label: no (unquoted) with an EV921 finding


def test_the_schema_knows_every_category():
    schema = json.loads((REPO / "kmlint" / "schemas" / "annotations.schema.json").read_text(encoding="utf-8"))
    assert tuple(schema["properties"]["spans"]["items"]["properties"]["category"]["enum"]) == SPAN_CATEGORIES
    assert tuple(schema["properties"]["doc"]["properties"]) == DOCUMENT_CATEGORIES
