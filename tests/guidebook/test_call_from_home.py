"""A rep mid-call, from the home page: the play against whoever the buyer names, and the answer to their
objection, in at most two clicks, for every competitor and the status quo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.process import Competitor, Milestone, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from tests.guidebook.conftest import SHIPPED

pytestmark = pytest.mark.browser


def _first_stage_against(process: Process, competitor: Competitor) -> tuple[Stage, Milestone] | None:
    """The first stage with a play against `competitor` on a mandatory milestone, and that milestone."""
    for stage in process.open_stages:
        for milestone in stage.mandatory_milestones:
            if any(p.competitor == competitor.key for p in milestone.plays):
                return stage, milestone
    return None


def _cases() -> list[Any]:
    from api.process import load_definitions

    definitions = load_definitions(SHIPPED)
    cases = []
    for process in definitions.processes:
        for competitor in definitions.competitors_in_order(process):
            found = _first_stage_against(process, competitor)
            if found is not None:
                cases.append(pytest.param(process.key, competitor.key, id=f"{process.key}-{competitor.key}"))
    return cases


def _visible_text(page: Any, text: str) -> bool:
    """Whether `text` shows in the viewport (or starts in it), not merely somewhere on the page."""
    words = " ".join(text.split())[:80]
    found = page.locator(".md-content").get_by_text(words, exact=False).first
    if not found.is_visible():
        return False
    box = found.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize(("process_key", "competitor_key"), _cases())
def test_the_play_and_the_objection_answer_against_a_competitor_in_two_clicks(
    page: Any, site_url: str, definitions: ProcessDefinitions, process_key: str, competitor_key: str
) -> None:
    # given a deal in the first stage with a play against this competitor
    process = definitions.process(process_key)
    competitor = definitions.competitor(competitor_key)
    assert process is not None
    assert competitor is not None
    found = _first_stage_against(process, competitor)
    assert found is not None
    stage, milestone = found
    page.goto(site_url)

    # when the rep picks the stage (1), then the competitor (2)
    page.get_by_role("group", name=process.name).get_by_role("button", name=stage.name, exact=True).click()
    page.locator("[data-against]:visible").get_by_role("link", name=competitor.label, exact=True).click()

    # then they are on the stage's call sheet, at the block against that competitor
    sheet = urls.call_sheet_url(site_url, process.key, stage.key)
    page.wait_for_url(re.compile(re.escape(sheet) + f"#against-{competitor.key}$"))
    play = next(p.play for p in milestone.plays if p.competitor == competitor.key)
    assert _visible_text(page, play), f"the play at {milestone.key} is not in view"
    if competitor.objections:
        assert _visible_text(page, competitor.objections[0].response), "the first objection answer is not in view"


@pytest.mark.parametrize("competitor_key", ["status-quo", "tabstone", "veridane"])
def test_every_objection_answer_against_a_competitor_in_one_click(
    page: Any, site_url: str, definitions: ProcessDefinitions, competitor_key: str
) -> None:
    # given
    competitor = definitions.competitor(competitor_key)
    assert competitor is not None
    assert competitor.objections
    page.goto(site_url)

    # when the rep picks the competitor, before any stage
    page.locator("[data-against]:visible").get_by_role("link", name=competitor.label, exact=True).click()

    # then the battlecard opens at its objection answers, the first in view and every one on the page
    page.wait_for_url(re.compile(re.escape(urls.battlecard_url(site_url, competitor.key)) + "#objections$"))
    assert _visible_text(page, competitor.objections[0].objection)
    for objection in competitor.objections:
        assert page.locator(".md-content").get_by_text(" ".join(objection.response.split())[:80]).is_visible()


def test_the_stage_picked_is_remembered_and_a_second_click_forgets_it(page: Any, site_url: str) -> None:
    page.goto(site_url)
    button = page.locator("button[data-stage]").nth(1)
    button.click()
    assert button.get_attribute("aria-pressed") == "true"

    page.reload()
    button = page.locator("button[data-stage]").nth(1)
    assert button.get_attribute("aria-pressed") == "true"
    assert "/call-sheet/#against-" in (page.locator("[data-against]:visible a").first.get_attribute("href") or "")

    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert (page.locator("[data-against]:visible a").first.get_attribute("href") or "").endswith("/#objections")
