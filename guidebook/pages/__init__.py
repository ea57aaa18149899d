"""The guidebook's generated pages: the process model in, Markdown out.

Nothing here imports MkDocs. The MkDocs hook hands these pages to MkDocs as virtual files;
`write_markdown` writes the same pages to disk, for a tool that reads Markdown files
(Zensical, or any other static site generator).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from api.process import ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.pages.battlecard import battlecard, competitors_index
from guidebook.pages.call_sheet import call_sheet
from guidebook.pages.content_library import content_library
from guidebook.pages.home import home_sections
from guidebook.pages.navigation import NavItem, nav_pages, navigation
from guidebook.pages.problems import problems_banner, problems_page
from guidebook.pages.process_home import process_home
from guidebook.pages.stage import stage_page

HAND_WRITTEN = ("index.md", "editing.md", "reports.md")
DEFAULT_SITE_NAME = "Waymark guidebook"
"""The guidebook's name when the process files have no `branding.yaml` naming it (as in mkdocs.yml)."""
RESERVED_KEYS = frozenset({urls.COMPETITORS, urls.CONTENT, "assets", "search", "editing", "reports", "404"})


__all__ = [
    "DEFAULT_SITE_NAME",
    "HAND_WRITTEN",
    "KeyClash",
    "NavItem",
    "fill_home",
    "nav_pages",
    "navigation",
    "problems_banner",
    "problems_page",
    "render_pages",
    "write_docs_folder",
    "write_markdown",
]


class KeyClash(ValueError):
    """A process key would put its pages where other guidebook pages live."""


def render_pages(definitions: ProcessDefinitions) -> dict[str, str]:
    """Every generated page, as source path (relative to the docs folder) → Markdown."""
    pages: dict[str, str] = {}
    for process in definitions.processes:
        if process.key in RESERVED_KEYS:
            raise KeyClash(
                f"process key '{process.key}' is taken by a guidebook page "
                f"(reserved: {', '.join(sorted(RESERVED_KEYS))}); choose another key"
            )
        pages[urls.process_page(process.key)] = process_home(process)
        for stage in process.stages:
            pages[urls.stage_page(process.key, stage.key)] = stage_page(definitions, process, stage)
            pages[urls.call_sheet_page(process.key, stage.key)] = call_sheet(definitions, process, stage)
    if definitions.competitors:
        pages[f"{urls.COMPETITORS}/index.md"] = competitors_index(definitions)
    for competitor in definitions.competitors:
        pages[urls.battlecard_page(competitor.key)] = battlecard(definitions, competitor)
    pages[urls.CONTENT_PAGE] = content_library(definitions)
    return pages


def write_docs_folder(definitions: ProcessDefinitions, *, hand_written: Path, out_dir: Path) -> list[Path]:
    """A complete Markdown docs folder: the hand-written pages and assets, then every generated page."""
    shutil.copytree(hand_written, out_dir, dirs_exist_ok=True)
    home = out_dir / "index.md"
    if home.exists():
        site_name = definitions.branding.site_name or DEFAULT_SITE_NAME
        home.write_text(fill_home(home.read_text(encoding="utf-8"), definitions, site_name=site_name))
    return write_markdown(render_pages(definitions), out_dir)


def fill_home(markdown: str, definitions: ProcessDefinitions | None, *, site_name: str, here: str = "index.md") -> str:
    """The hand-written home page with its markers replaced: title, description, call picker, processes."""
    for marker, text in home_sections(definitions, site_name=site_name, from_page=here).items():
        markdown = markdown.replace(marker, text)
    return markdown


def write_markdown(pages: dict[str, str], docs_dir: Path) -> list[Path]:
    """Write generated pages to disk under `docs_dir` (e.g. for a tool that runs no MkDocs hooks)."""
    written = []
    for source, markdown in pages.items():
        path = docs_dir / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        written.append(path)
    return written
