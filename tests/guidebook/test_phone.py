"""The guidebook on a phone held upright (390 CSS pixels wide): nothing scrolls sideways, and a stage's
milestones are in the navigation drawer."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.process import ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.build import build_site
from guidebook.pages.navigation import STAGE_PAGE_LABEL
from tests.guidebook.conftest import PHONE, preview_build, screenshot, serve
from tests.guidebook.synthetic import add_competitor, write_definitions

pytestmark = pytest.mark.browser

# Elements wider than the space they have and able to scroll: the page itself, tab strips, and any block
# (table wrapper, code block, figure) that would let a reader swipe sideways.
SIDEWAYS = """() => {
  const found = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth + 1) found.push(`the page: ${page.scrollWidth}px`);
  for (const el of document.querySelectorAll('.md-content *')) {
    const style = getComputedStyle(el);
    const scrolls = /(auto|scroll)/.test(style.overflowX);
    const wider = el.scrollWidth > el.clientWidth + 1;
    if (el.offsetParent !== null && (scrolls || el.matches('.tabbed-labels')) && wider) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      found.push(`${name}: ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  }
  return found;
}"""


def _every_page(site: Path) -> list[str]:
    return sorted(
        "" if page.parent == site else page.parent.relative_to(site).as_posix() + "/"
        for page in site.rglob("index.html")
        if not page.parent.relative_to(site).as_posix().startswith(("assets", "search"))
    )


def test_no_page_and_no_tab_strip_scrolls_sideways(phone: Any, site_url: str, site: Path) -> None:
    pages = _every_page(site)
    assert len(pages) > 30
    sideways = {}
    for path in pages:
        phone.goto(site_url + path)
        found = phone.evaluate(SIDEWAYS)
        if found:
            sideways[path] = found
    assert sideways == {}


@pytest.fixture(scope="module")
def crowded_tabs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A stage whose first milestone has plays against seven competitors with long names."""
    folder = write_definitions(tmp_path_factory.mktemp("many-rivals") / "defs", stages=1, milestones=2)
    for n, name in enumerate(("Northwind Procurement", "Contoso Spend Cloud", "Fabrikam Payables", "Tailspin AP")):
        add_competitor(folder, f"rival-{n}", name, plays_on=("s1-m1",))
    site = tmp_path_factory.mktemp("many-rivals-site") / "site"
    build_site(process_dir=folder, site_dir=site, strict=True)
    yield from serve(site)


def test_a_tab_strip_too_wide_for_the_screen_wraps(phone: Any, crowded_tabs_url: str) -> None:
    phone.goto(urls.guide_url(crowded_tabs_url, "synthetic", "stage-1"))
    strip = phone.locator(".tabbed-labels").first
    labels = strip.locator("label").all()
    assert len(labels) == 7
    boxes = [label.bounding_box() for label in labels]
    assert all(box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    assert len({round(box["y"]) for box in boxes if box is not None}) >= 2, "the tabs did not wrap"
    assert phone.evaluate(SIDEWAYS) == []
    # picking a tab on the second row shows its play
    labels[-1].click()
    assert "lead with the ERP" in strip.locator("xpath=..").locator(".tabbed-block:visible").first.inner_text()
    strip.scroll_into_view_if_needed()
    screenshot(phone, "phone-tabs-wrapped")


def test_a_milestone_is_reachable_from_the_navigation_drawer(
    phone: Any, site_url: str, definitions: ProcessDefinitions
) -> None:
    # given the rep is on a stage page, and wants its last milestone
    process = definitions.processes[-1]
    stage = max(process.open_stages, key=lambda s: len(s.milestones))
    milestone = stage.milestones[-1]
    phone.goto(urls.guide_url(site_url, process.key, stage.key))

    # when they open the drawer (at this stage's section), then the page's contents, then the milestone
    phone.locator("label.md-header__button[for=__drawer]").click()
    drawer = phone.locator("nav.md-nav--primary")
    drawer.locator("label.md-nav__link[for=__toc]").filter(has_text=STAGE_PAGE_LABEL).click()
    drawer.locator(f'a[href="#{milestone.key}"]').click()

    # then the milestone's heading is at the top of the screen
    phone.wait_for_url(re.compile(f"#{milestone.key}$"))
    heading = phone.locator(f"#{milestone.key}")
    heading.wait_for(state="visible")
    top = phone.evaluate(f"document.getElementById('{milestone.key}').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2
    screenshot(phone, "phone-drawer-milestone")


@pytest.mark.usefixtures("preview_mode")
def test_the_preview_lists_each_problem_whole_on_a_phone(
    phone: Any, tmp_path: Path, synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a preview, run from the folder that holds the process files, of a file with an error and a warning
    folder = tmp_path / "process_definitions"
    shutil.copytree(synthetic_dir, folder)
    process = folder / "processes" / "synthetic.yaml"
    text = process.read_text().replace("    probability: 0.4\n", "    probability: 40\n")
    process.write_text(text.replace("        ask: Ask the buyer for the zx1q2 rollout review.\n", "", 1))
    monkeypatch.chdir(tmp_path)
    preview_build(folder, tmp_path / "site")

    # when the list of problems opens on a phone
    for base in serve(tmp_path / "site"):
        phone.goto(base + "process-errors/")

        # then each problem shows whole, at its path relative to where the preview runs, nothing scrolls sideways
        items = phone.locator(".waymark-problems li")
        assert items.count() == 1
        item = items.first
        assert item.inner_text().startswith("process_definitions/processes/synthetic.yaml:")
        box = item.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert phone.evaluate("el => el.scrollWidth <= el.clientWidth", item.element_handle())
        assert phone.evaluate(SIDEWAYS) == []
        assert str(tmp_path) not in phone.content()
        screenshot(phone, "phone-preview-problems")
