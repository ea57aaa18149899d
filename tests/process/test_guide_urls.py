"""The URL scheme the API's `guideUrl`s rely on."""

from __future__ import annotations

import pytest

from api.process.guide_urls import battlecard_url, call_sheet_url, content_url, guide_url, process_url


@pytest.mark.parametrize("base", ["/guide/", "/guide"])
def test_stage_url_is_process_then_stage(base: str) -> None:
    assert guide_url(base, "new-business", "commit") == "/guide/new-business/commit/"


def test_milestone_url_is_the_stage_page_with_the_milestone_key_as_anchor() -> None:
    url = guide_url("https://guide.example.com/", "new-business", "commit", "finance-sign-off")
    assert url == "https://guide.example.com/new-business/commit/#finance-sign-off"


def test_other_pages_follow_the_scheme() -> None:
    assert process_url("/guide/", "expansion") == "/guide/expansion/"
    assert call_sheet_url("/guide/", "new-business", "sal") == "/guide/new-business/sal/call-sheet/"
    assert battlecard_url("/guide/", "status-quo") == "/guide/competitors/status-quo/"
    assert content_url("/guide/") == "/guide/content/"
    assert content_url("/guide/", "roi-calculator") == "/guide/content/#roi-calculator"
