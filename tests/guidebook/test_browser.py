"""The guidebook in a real browser: Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.process import Milestone, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from guidebook.pages.plays import tab_order
from tests.guidebook.conftest import ARTIFACTS
from tests.prerequisites import missing as skip_unless_ci

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WORD = re.compile(r"[a-z]{6,}")


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
# open, and every asyncio test after this module needs the thread to itself.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_unless_ci(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_unless_ci("the playwright Python package is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Nothing may come from the internet: every request must go to the local test server.
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:")) else outside.append(r.url))
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
    assert outside == []


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_unless_ci("axe-core is not installed and npm is missing: apt-get install npm, then npm ci")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True)
        if result.returncode != 0 or not AXE.exists():
            skip_unless_ci(f"`npm ci` in {HERE} failed, so axe-core is missing:\n{result.stderr[-2000:]}")
    return AXE


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"guidebook-{name}.png"), full_page=False)


def _findable_milestone(site: Path, definitions: ProcessDefinitions) -> tuple[Process, Stage, Milestone, str]:
    """A milestone and a word of its ask that no other section (call sheets aside) contains, stem included."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    sections = [
        (d["location"], f"{d['title']} {d['text']}".lower()) for d in index if "call-sheet" not in d["location"]
    ]
    for process in definitions.processes:
        for stage in process.stages:
            for milestone in stage.milestones:
                location = f"{process.key}/{stage.key}/#{milestone.key}"
                for word in WORD.findall((milestone.ask or "").lower()):
                    stem = word[:5]  # Lunr stems words, so a rare word must also have a rare stem
                    holders = [loc for loc, text in sections if re.search(rf"\b{stem}", text)]
                    if holders == [location]:
                        return process, stage, milestone, word
    raise AssertionError("no milestone has a word in its ask that only its own section contains")


def test_search_finds_a_milestone_by_a_word_of_its_ask(
    page: Any, site_url: str, site: Path, definitions: ProcessDefinitions
) -> None:
    # given
    process, stage, milestone, word = _findable_milestone(site, definitions)
    page.goto(site_url)
    query = page.locator('input[data-md-component="search-query"]')
    query.click()
    # Typing before the search worker has loaded its index finds nothing: wait for it to say it is ready.
    page.locator(".md-search-result__meta").filter(has_text="Type to start searching").wait_for()
    # when
    query.press_sequentially(word, delay=20)
    result = page.locator(f'.md-search-result a[href$="#{milestone.key}"]').first
    result.wait_for(state="attached", timeout=15_000)
    if not result.is_visible():  # folded under "N more on this page"
        page.locator(".md-search-result__more", has=result).locator("summary").click()
    _screenshot(page, "search-results")
    result.click()
    # then
    page.wait_for_url(re.compile(rf"/{process.key}/{stage.key}/(\?[^#]*)?#{milestone.key}$"))
    heading = page.locator(f"#{milestone.key}")
    heading.wait_for(state="visible")
    assert milestone.title in heading.inner_text()
    assert heading.is_visible()
    assert page.evaluate(f"document.getElementById('{milestone.key}').getBoundingClientRect().top") < 900
    _screenshot(page, "search-opened-milestone")


def test_picking_a_competitor_switches_every_play_on_the_page(
    page: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    # given a stage page with at least two milestones
    process = definitions.processes[0]
    stage = next(s for s in process.stages if len(s.milestones) >= 2)
    competitors = tab_order(definitions)
    assert len(competitors) >= 2
    page.goto(urls.guide_url(site_url, process.key, stage.key))
    first_set, second_set = page.locator(".tabbed-set").nth(0), page.locator(".tabbed-set").nth(1)
    before = _shown_play(first_set)
    assert competitors[0].name in before
    # when
    chosen = competitors[1]
    first_set.locator(".tabbed-labels label").nth(1).click()
    # then the play shown changes, in this tab set and in the next one
    after = _shown_play(first_set)
    assert after != before
    assert chosen.name in after
    expected = _play_text(stage.milestones[0], chosen.key)
    if expected:
        assert expected[:60] in " ".join(after.split())
    assert chosen.name in _shown_play(second_set)
    assert competitors[0].name not in _shown_play(second_set)
    first_set.scroll_into_view_if_needed()
    _screenshot(page, "competitor-tabs")


def _shown_play(tab_set: Any) -> str:
    return str(tab_set.locator(".tabbed-block:visible").first.inner_text())


def _play_text(milestone: Milestone, competitor: str) -> str | None:
    play = next((p for p in milestone.plays if p.competitor == competitor), None)
    return " ".join(play.play.split()) if play else None


def _pages_to_scan(base: str, definitions: ProcessDefinitions) -> list[tuple[str, str]]:
    process = definitions.processes[0]
    stage = next(s for s in process.stages if s.milestones)
    return [
        ("home", base),
        ("process-home", urls.process_url(base, process.key)),
        ("stage", urls.guide_url(base, process.key, stage.key)),
        ("call-sheet", urls.call_sheet_url(base, process.key, stage.key)),
    ]


def test_axe_finds_no_serious_or_critical_violations(
    page: Any, site_url: str, definitions: ProcessDefinitions, axe_script: Path
) -> None:
    report: dict[str, list[dict[str, Any]]] = {}
    for name, url in _pages_to_scan(site_url, definitions):
        page.goto(url)
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        report[name] = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
        ]
        _screenshot(page, f"axe-{name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "guidebook-axe.json").write_text(json.dumps(report, indent=2))
    serious = {name: [v for v in found if v["impact"] in ("serious", "critical")] for name, found in report.items()}
    assert serious == {name: [] for name in report}


def test_a_call_sheet_prints_as_content_only(page: Any, site_url: str, definitions: ProcessDefinitions) -> None:
    process = definitions.processes[0]
    stage = next(s for s in process.stages if s.milestones)
    page.goto(urls.call_sheet_url(site_url, process.key, stage.key))
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), f"{chrome} shows in print"
    assert page.get_by_role("heading", name="Exit checklist").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "guidebook-call-sheet.pdf"), format="A4")
    sheets = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= sheets <= 2, f"the call sheet prints on {sheets} A4 sheets"
