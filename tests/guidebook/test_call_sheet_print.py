"""Every call sheet prints on one sheet of A4 and one of Letter, from chromium; when a stage holds more than a
page, the sheet says what it left out rather than spilling onto a second sheet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from api.process import ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.build import build_site
from tests.guidebook.conftest import ARTIFACTS, serve
from tests.guidebook.synthetic import write_definitions

pytestmark = pytest.mark.browser

SIZES = ("A4", "Letter")
PAGE = re.compile(rb"/Type\s*/Page[^s]")


def _sheets(definitions: ProcessDefinitions) -> list[tuple[str, str]]:
    return [(p.key, s.key) for p in definitions.processes for s in p.stages]


def _printed_pages(page: Any, url: str, size: str) -> int:
    page.goto(url)
    page.emulate_media(media="print")
    return len(PAGE.findall(page.pdf(format=size)))


def test_every_shipped_call_sheet_prints_on_one_page_of_a4_and_of_letter(
    page: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    printed = {
        f"{process}/{stage} {size}": _printed_pages(page, urls.call_sheet_url(site_url, process, stage), size)
        for process, stage in _sheets(definitions)
        for size in SIZES
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "guidebook-call-sheet-pages.txt").write_text("".join(f"{k}: {n}\n" for k, n in printed.items()))
    assert len(printed) == 2 * sum(len(p.stages) for p in definitions.processes)
    assert printed == dict.fromkeys(printed, 1)


def test_a_printed_call_sheet_is_its_content_only_with_every_competitor(
    page: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    process = definitions.processes[-1]
    stage = next(s for s in process.stages if s.milestones and any(m.plays for m in s.milestones))
    page.goto(urls.call_sheet_url(site_url, process.key, stage.key))
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), f"{chrome} shows in print"
    assert page.get_by_role("heading", name="Exit checklist and asks").is_visible()
    for competitor in definitions.competitors_in_order(process):
        assert page.locator(f"#against-{competitor.key}").is_visible(), competitor.key
    page.pdf(path=str(ARTIFACTS / "guidebook-call-sheet.pdf"), format="A4")


@pytest.fixture(scope="module")
def crowded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A process whose stages hold twelve milestones, each with long plays and talk tracks."""
    folder = write_definitions(tmp_path_factory.mktemp("crowded") / "defs", stages=2, milestones=12)
    process = folder / "processes" / "synthetic.yaml"
    longer = " It matters because buyers compare every vendor on the same scorecard in the final week."
    text = process.read_text().replace(", lead with", longer + " Lead with").replace(" for you.", f" for you.{longer}")
    process.write_text(text)
    site = tmp_path_factory.mktemp("crowded-site") / "site"
    build_site(process_dir=folder, site_dir=site, strict=True)
    yield from serve(site)


def test_a_stage_that_cannot_fit_prints_on_one_page_and_links_what_it_left_out(page: Any, crowded_url: str) -> None:
    url = urls.call_sheet_url(crowded_url, "synthetic", "stage-1")
    for size in SIZES:
        assert _printed_pages(page, url, size) == 1, size
    page.emulate_media(media="screen")
    note = page.locator(".waymark-left-out")
    assert note.inner_text().startswith("Not on this sheet, to keep it to one page:")
    assert re.search(r"\d+ plays", note.inner_text())
    assert note.get_by_role("link", name="stage page").get_attribute("href") == "../"
    # the asks come first: the first milestone's ask is on the sheet
    checklist = page.locator("#asks + .waymark-checklist").inner_text()
    assert "Milestone 1 of stage 1 (mandatory): Ask the buyer for the zx1q1" in " ".join(checklist.split())
