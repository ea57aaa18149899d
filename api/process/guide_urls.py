"""Where each part of the process lives in the guidebook: the one URL scheme, used by the guidebook to place
its pages and by the API to build its `guideUrl`s. These shapes are a contract:

    {base}{process}/                         process home
    {base}{process}/{stage}/                 stage page
    {base}{process}/{stage}/#{milestone}     a milestone's section on its stage page
    {base}{process}/{stage}/call-sheet/      the stage's call sheet
    {base}competitors/{competitor}/          a battlecard (the status quo included)
    {base}content/                           the content library (`#{content-key}` for one item)
"""

from __future__ import annotations

COMPETITORS = "competitors"
CONTENT = "content"
CALL_SHEET = "call-sheet"


def _base(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def guide_url(base: str, process: str, stage: str, milestone: str | None = None) -> str:
    """The stage page, or a milestone's section on it: `{base}{process}/{stage}/#{milestone}`."""
    url = f"{_base(base)}{process}/{stage}/"
    return f"{url}#{milestone}" if milestone else url


def process_url(base: str, process: str) -> str:
    return f"{_base(base)}{process}/"


def call_sheet_url(base: str, process: str, stage: str) -> str:
    return f"{_base(base)}{process}/{stage}/{CALL_SHEET}/"


def battlecard_url(base: str, competitor: str) -> str:
    return f"{_base(base)}{COMPETITORS}/{competitor}/"


def content_url(base: str, content: str | None = None) -> str:
    url = f"{_base(base)}{CONTENT}/"
    return f"{url}#{content}" if content else url


# Source paths of the generated Markdown pages (relative to the docs folder). With
# `use_directory_urls: true` MkDocs turns each into the URL above.


def process_page(process: str) -> str:
    return f"{process}/index.md"


def stage_page(process: str, stage: str) -> str:
    return f"{process}/{stage}/index.md"


def call_sheet_page(process: str, stage: str) -> str:
    return f"{process}/{stage}/{CALL_SHEET}.md"


def battlecard_page(competitor: str) -> str:
    return f"{COMPETITORS}/{competitor}.md"


CONTENT_PAGE = f"{CONTENT}/index.md"
ERRORS_PAGE = "process-errors.md"
