"""The guidebook in a real browser: search by a word of an ask, competitor tabs, dark mode, accessibility."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api.process import Milestone, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from tests.guidebook.conftest import ARTIFACTS, open_page, screenshot

pytestmark = pytest.mark.browser

WORD = re.compile(r"[a-z]{6,}")


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
    screenshot(page, "search-results")
    result.click()
    # then
    page.wait_for_url(re.compile(rf"/{process.key}/{stage.key}/(\?[^#]*)?#{milestone.key}$"))
    heading = page.locator(f"#{milestone.key}")
    heading.wait_for(state="visible")
    assert milestone.title in heading.inner_text()
    assert page.evaluate(f"document.getElementById('{milestone.key}').getBoundingClientRect().top") < 900
    screenshot(page, "search-opened-milestone")


def _contested_stage(definitions: ProcessDefinitions) -> tuple[Process, Stage, list[Milestone]]:
    """A stage and its milestones with a play against every competitor (at least two of them)."""
    everyone = {c.key for c in definitions.competitors}
    for process in definitions.processes:
        for stage in process.stages:
            contested = [m for m in stage.milestones if {p.competitor for p in m.plays} == everyone]
            if len(contested) >= 2:
                return process, stage, contested
    raise AssertionError("no stage has two milestones with a play against every competitor")


def _play_text(milestone: Milestone, competitor: str) -> str:
    return " ".join(next(p.play for p in milestone.plays if p.competitor == competitor).split())


def _shown_play(page: Any, milestone: Milestone) -> str:
    section = page.locator(f"#{milestone.key} ~ .waymark-plays").first
    return " ".join(str(section.locator(".tabbed-block:visible").first.inner_text()).split())


def test_picking_a_competitor_switches_every_play_on_the_page(
    page: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    # given a stage page, which opens on the status quo (the process's first competitor)
    process, stage, contested = _contested_stage(definitions)
    first, chosen = definitions.competitors_in_order(process)[:2]
    page.goto(urls.guide_url(site_url, process.key, stage.key))
    assert first.status_quo
    assert _play_text(contested[0], first.key) in _shown_play(page, contested[0])
    # when the rep picks another competitor on the first milestone
    page.locator(f"#{contested[0].key} ~ .waymark-plays").first.get_by_text(chosen.label, exact=True).click()
    # then every milestone shows the play against them
    for milestone in contested:
        assert _play_text(milestone, chosen.key) in _shown_play(page, milestone), milestone.key
    screenshot(page, "competitor-tabs")


def test_a_stage_page_opened_against_a_competitor_shows_their_plays(
    page: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    process, stage, contested = _contested_stage(definitions)
    last = definitions.competitors_in_order(process)[-1]

    page.goto(urls.guide_url(site_url, process.key, stage.key) + f"?against={last.key}")

    for milestone in contested:
        assert _play_text(milestone, last.key) in _shown_play(page, milestone), milestone.key


def _scheme_becomes(page: Any, scheme: str) -> None:
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'", timeout=5_000)


def test_dark_mode_follows_the_device_and_the_toggle_switches_it(browser: Any, site_url: str) -> None:
    for opened in open_page(browser, color_scheme="dark"):
        opened.goto(site_url)
        _scheme_becomes(opened, "slate")
        dark_background = opened.evaluate("getComputedStyle(document.body).backgroundColor")
        # the toggle goes from "as the device" to light
        opened.locator("form[data-md-component=palette] label:visible").first.click()
        _scheme_becomes(opened, "default")
        opened.wait_for_function(
            "dark => getComputedStyle(document.body).backgroundColor !== dark", arg=dark_background, timeout=5_000
        )
        # and the choice holds on the next page
        opened.goto(site_url + "competitors/")
        _scheme_becomes(opened, "default")
        # then to dark
        opened.locator("form[data-md-component=palette] label:visible").first.click()
        _scheme_becomes(opened, "slate")
        screenshot(opened, "dark-mode")


def _pages_to_scan(base: str, definitions: ProcessDefinitions) -> list[tuple[str, str]]:
    process = definitions.processes[0]
    stage = next(s for s in process.stages if len(s.milestones) >= 2 and any(m.plays for m in s.milestones))
    competitor = definitions.competitors_in_order(process)[1]
    return [
        ("home", base),
        ("process-home", urls.process_url(base, process.key)),
        ("stage", urls.guide_url(base, process.key, stage.key)),
        ("call-sheet", urls.call_sheet_url(base, process.key, stage.key)),
        ("battlecard", urls.battlecard_url(base, competitor.key)),
        ("content", urls.content_url(base)),
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations(
    browser: Any, site_url: str, definitions: ProcessDefinitions, axe_script: Path, scheme: str
) -> None:
    report: dict[str, list[dict[str, Any]]] = {}
    for opened in open_page(browser, color_scheme=scheme):
        for name, url in _pages_to_scan(site_url, definitions):
            opened.goto(url)
            _scheme_becomes(opened, "slate" if scheme == "dark" else "default")
            opened.add_script_tag(path=str(axe_script))
            results = opened.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            report[name] = [_violation(v) for v in results["violations"]]
            screenshot(opened, f"axe-{scheme}-{name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"guidebook-axe-{scheme}.json").write_text(json.dumps(report, indent=2))
    serious = {name: [v for v in found if v["impact"] in ("serious", "critical")] for name, found in report.items()}
    assert serious == {name: [] for name in report}


def _violation(found: dict[str, Any]) -> dict[str, Any]:
    nodes = [node["target"] for node in found["nodes"]][:5]
    return {"id": found["id"], "impact": found["impact"], "help": found["help"], "nodes": nodes}
