"""The HTML report in a real browser (Debian's chromium driven by playwright): every finding highlighted at its
words, filters that hide and show, links between highlights and notes, nothing loaded from anywhere.

Skipped with the reason when playwright or /usr/bin/chromium is missing (.ci/run installs both where it can).
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import REPO

CHROMIUM = os.environ.get("KMLINT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GOLDEN = REPO / "tests" / "golden"

# Each finding's words as the browser shows them: its <mark> fragments (one unless two findings cross), joined.
HIGHLIGHTS_JS = """() => {
  const found = {};
  for (const mark of document.querySelectorAll("mark.hl")) {
    const id = mark.dataset.finding;
    const entry = found[id] || (found[id] = {text: "", rule: mark.dataset.rule, severity: mark.dataset.severity,
      category: mark.dataset.category, line: Number(mark.dataset.line), column: Number(mark.dataset.column)});
    entry.text += mark.textContent;
  }
  return Object.values(found);
}"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except sync_api.Error as error:
            pytest.skip(f"chromium at {CHROMIUM} does not start: {str(error).splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture
def report(run_cli, tmp_path, monkeypatch):
    """The golden inputs as an HTML report in a file, and the same run's findings as JSON."""
    monkeypatch.chdir(GOLDEN)
    args = ("check", "--no-builtin-rules", "--rules", "rules.yaml", "inputs", "--format")
    findings = json.loads(run_cli(*args, "json").out)["findings"]
    path = tmp_path / "report.html"
    path.write_text(run_cli(*args, "html").out, encoding="utf-8")
    return path, findings


@pytest.fixture
def page(browser, report):
    path, _findings = report
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.goto(path.as_uri())
    yield opened
    context.close()
    assert requests == [path.as_uri()], "the report must load nothing but itself"
    assert problems == [], "no script errors or blocked content"


def _shown_count(page) -> int:
    return int(page.inner_text("#shown-count"))


def test_every_finding_is_highlighted_at_its_words(page, report):
    _path, findings = report
    highlights = page.evaluate(HIGHLIGHTS_JS)
    assert len(highlights) == len(findings) == 14
    by_place = {(h["rule"], h["line"], h["column"]): h for h in highlights}
    for finding in findings:
        shown = by_place[(finding["rule"], finding["line"], finding["column"])]
        assert shown["text"] == finding["text"]
        assert (shown["severity"], shown["category"]) == (finding["severity"], finding["category"])
    # Highlights are coloured by severity.
    colours = {
        level: page.eval_on_selector(f"mark.hl.sev-{level}", "m => getComputedStyle(m).backgroundColor")
        for level in ("error", "warning", "info")
    }
    assert len(set(colours.values())) == 3 and "rgba(0, 0, 0, 0)" not in colours.values()


def test_severity_filter_hides_and_shows(page):
    errors = page.locator('li.note[data-severity="error"]')
    warnings = page.locator('li.note[data-severity="warning"]')
    assert errors.count() == 5 and errors.first.is_visible()
    page.uncheck('input[name="severity"][value="error"]')
    assert _shown_count(page) == 9
    assert all(not errors.nth(i).is_visible() for i in range(errors.count()))
    assert warnings.first.is_visible()
    hidden = page.eval_on_selector_all(
        'mark.hl[data-severity="error"]', "marks => marks.map(m => m.classList.contains('filtered') && getComputedStyle(m).backgroundColor)"
    )
    assert hidden == ["rgba(0, 0, 0, 0)"] * len(hidden) and hidden
    page.check('input[name="severity"][value="error"]')
    assert _shown_count(page) == 14
    assert errors.first.is_visible()
    assert page.locator("mark.hl.filtered").count() == 0


def test_category_filter_hides_and_shows(page):
    page.uncheck('input[name="category"][value="hype"]')
    assert _shown_count(page) == 10
    assert not page.locator('li.note[data-category="hype"]').first.is_visible()
    assert page.locator('mark.hl[data-category="hype"]:not(.filtered)').count() == 0
    assert page.locator('mark.hl[data-category="safety-absolute"]:not(.filtered)').count() == 4
    page.click('button[data-select="none"]')
    assert _shown_count(page) == 0 and page.locator("li.note:visible").count() == 0
    page.click('button[data-select="all"]')
    assert _shown_count(page) == 14 and page.locator("li.note:visible").count() == 14


def test_a_highlight_leads_to_its_note(page):
    mark = page.locator('mark.hl[data-rule="GL401"]')
    finding = mark.get_attribute("data-finding")
    mark.click()
    note = page.locator(f"#note-{finding}")
    assert "active" in note.get_attribute("class")
    assert note.is_visible()
    assert "states effectiveness where the evidence is preliminary" in note.inner_text()
    assert "Hedge and cite the study." in note.inner_text()
