"""Search tuned on how reps phrase things mid-call, through the guidebook's real search box in chromium.

Each row is a query and the page section that must come first (what Enter opens: the highest-scored
result) or be among the three highest-scored results. The queries are what buyers say, question text as
written on a stage page, competitor names, and the names reps use for milestones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.guidebook.conftest import open_page

pytestmark = pytest.mark.browser

FIRST, TOP_3 = 1, 3

TABLE = [
    # what the buyer says
    ("happy", "competitors/status-quo/#objection-1", TOP_3),
    ("we're happy with our spreadsheets", "competitors/status-quo/#objection-2", FIRST),
    ("Our spreadsheet works fine", "competitors/status-quo/#objection-2", FIRST),
    ("now is a bad time", "competitors/status-quo/#objection-4", FIRST),
    ("we can't do this during year-end close", "competitors/status-quo/#objection-4", FIRST),
    ("Tabstone is cheaper", "competitors/tabstone/#objection-1", TOP_3),
    ("our employees love the app", "competitors/tabstone/#objection-2", FIRST),
    ("nobody gets fired for buying Veridane", "competitors/veridane/#objection-2", FIRST),
    ("Veridane offered a big discount", "competitors/veridane/#objection-4", FIRST),
    ("IT wants one platform", "competitors/veridane/#objection-3", FIRST),
    # question text, typed out
    (
        "Who in finance must approve the business case, and in what format?",
        "new-business/sal/#finance-sign-off",
        FIRST,
    ),
    ("Which ERP or accounting system is the finance team on today?", "new-business/mql/#icp-fit-confirmed", FIRST),
    (
        "Which entities, departments or spend types still run outside Ledgerwell?",
        "expansion/qualified-expansion/#expansion-trigger-identified",
        FIRST,
    ),
    # competitors and the status quo by name
    ("tabstone", "competitors/tabstone/", FIRST),
    ("veridane", "competitors/veridane/", FIRST),
    ("status quo", "competitors/status-quo/", FIRST),
    ("do nothing", "competitors/status-quo/", FIRST),
    ("spreadsheets", "competitors/status-quo/", FIRST),
    # milestones and sheets by the names reps use
    ("finance sign-off", "new-business/sal/#finance-sign-off", FIRST),
    ("finanse sign off", "new-business/sal/#finance-sign-off", TOP_3),
    ("champion", "new-business/sql/#champion-identified", FIRST),
    ("mutual action plan", "new-business/sal/#mutual-action-plan-agreed", FIRST),
    ("reference call", "new-business/sal/#references-completed", FIRST),
    ("security review", "new-business/commit/#security-review-passed", TOP_3),
    ("order form", "new-business/commit/#contract-signed", TOP_3),
    ("leakage calculator", "content/#spend-leakage-calculator", FIRST),
    ("SAL call sheet", "new-business/sal/call-sheet/", FIRST),
]

# The links of the results, highest score first (ties in the order shown), without the highlight query.
RANKED = """base => [...document.querySelectorAll('.md-search-result a.md-search-result__link')]
  .map((a, i) => ({url: new URL(a.href), score: parseFloat(a.querySelector('article').dataset.mdScore), i}))
  .sort((x, y) => y.score - x.score || x.i - y.i)
  .map(r => r.url.pathname.slice(new URL(base).pathname.length) + r.url.hash)"""


class SearchBox:
    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.query = page.locator('input[data-md-component="search-query"]')
        self.meta = page.locator(".md-search-result__meta")

    def open(self) -> None:
        self.page.goto(self.base)
        self.query.click()
        # Typing before the search worker has loaded its index finds nothing: wait for it to say it is ready.
        self.meta.filter(has_text="Type to start searching").wait_for()

    def ranked(self, text: str) -> list[str]:
        self.query.fill("")
        self.query.press("End")
        self.meta.filter(has_text="Type to start searching").wait_for()
        self.query.fill(text)
        self.query.press("End")  # Material reads the box on key up
        self.meta.filter(has_text="matching document").wait_for()
        return list(self.page.evaluate(RANKED, self.base))


@pytest.fixture(scope="module")
def search(browser: Any, site_url: str) -> Iterator[SearchBox]:
    for page in open_page(browser):
        box = SearchBox(page, site_url)
        box.open()
        yield box


def test_the_table_has_at_least_twenty_queries() -> None:
    assert len(TABLE) >= 20
    assert len({query for query, _, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("query", "expected", "within"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_reps_phrasing_finds_the_right_section(search: SearchBox, query: str, expected: str, within: int) -> None:
    ranked = search.ranked(query)
    assert expected in ranked[:within], f"{query!r}: {ranked[:5]}"


def test_common_words_are_left_out_and_whole_words_looked_up_as_words(search: SearchBox) -> None:
    # Material would look up "in*", which finds "integration" and "invoice" by their start
    plan = search.page.evaluate("query => waymarkSearchPlan(query)", "Who in finance must approve it?")
    assert plan == {"first": "+finance^1 +approve^1", "fallback": "finance^1 approve^1"}
    typing = search.page.evaluate("query => waymarkSearchPlan(query)", "spreadsheets in")
    assert typing == {"first": "spreadsheets^1", "fallback": None}
    assert search.page.evaluate("query => waymarkSearchPlan(query).first", "in") == "in"


def test_closed_stages_empty_call_sheets_are_not_found(search: SearchBox) -> None:
    ranked = search.ranked("call sheet")
    assert ranked
    assert not [url for url in ranked if "closed-" in url or "/expanded/" in url or "not-expanded" in url]
