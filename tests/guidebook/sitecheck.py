"""Resolve guidebook URLs against a built site: the page must exist and hold the anchor."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


def element_ids(html: str) -> set[str]:
    parser = _Ids()
    parser.feed(html)
    return parser.ids


def unresolved(site_dir: Path, url: str, *, base: str = "/") -> str | None:
    """Why `url` does not resolve in the built site, or None when its page and anchor exist."""
    parts = urlsplit(url)
    if not parts.path.startswith(base):
        return f"{url}: not under the guidebook base {base}"
    relative = parts.path[len(base) :]
    if relative and not relative.endswith("/"):
        return f"{url}: a page URL ends with '/' (use_directory_urls)"
    page = site_dir / relative / "index.html"
    if not page.is_file():
        return f"{url}: no page {page.relative_to(site_dir)}"
    if parts.fragment and parts.fragment not in element_ids(page.read_text(encoding="utf-8")):
        return f"{url}: {page.relative_to(site_dir)} has no element with id '{parts.fragment}'"
    return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def links(html: str) -> list[str]:
    """Every link of a page, as written."""
    parser = _Links()
    parser.feed(html)
    return parser.hrefs
