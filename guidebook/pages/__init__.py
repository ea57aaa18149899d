"""The guidebook's generated pages: the process model in, Markdown out.

Nothing here imports MkDocs. The MkDocs hook hands these pages to MkDocs as virtual files;
`write_markdown` writes the same pages to disk, for a tool that reads Markdown files
(Zensical, or any other static site generator).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from api.process import Problem, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.pages.battlecard import battlecard, competitors_index
from guidebook.pages.call_sheet import call_sheet
from guidebook.pages.content_library import content_library
from guidebook.pages.plays import tab_order
from guidebook.pages.process_home import process_home
from guidebook.pages.stage import stage_page
from guidebook.text import inline, link

HAND_WRITTEN = ("index.md", "editing.md", "reports.md")
RESERVED_KEYS = frozenset({urls.COMPETITORS, urls.CONTENT, "assets", "search", "editing", "reports", "404"})
NavItem = str | dict[str, "str | list[NavItem]"]


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
            pages[urls.call_sheet_page(process.key, stage.key)] = call_sheet(process, stage)
    if definitions.competitors:
        pages[f"{urls.COMPETITORS}/index.md"] = competitors_index(definitions)
    for competitor in definitions.competitors:
        pages[urls.battlecard_page(competitor.key)] = battlecard(definitions, competitor)
    pages[urls.CONTENT_PAGE] = content_library(definitions)
    return pages


def navigation(definitions: ProcessDefinitions | None) -> list[NavItem]:
    """The site navigation, for `mkdocs.yml`'s `nav`."""
    nav: list[NavItem] = [{"Home": "index.md"}]
    if definitions is None:
        nav.append({"Process errors": urls.ERRORS_PAGE})
    else:
        for process in definitions.processes:
            section: list[NavItem] = [urls.process_page(process.key)]
            for stage in process.stages:
                if stage.milestones:
                    section.append(
                        {
                            stage.name: [
                                urls.stage_page(process.key, stage.key),
                                {"Call sheet": urls.call_sheet_page(process.key, stage.key)},
                            ]
                        }
                    )
                else:
                    section.append({stage.name: urls.stage_page(process.key, stage.key)})
            nav.append({process.name: section})
        if definitions.competitors:
            cards: list[NavItem] = [f"{urls.COMPETITORS}/index.md"]
            cards += [{c.name: urls.battlecard_page(c.key)} for c in tab_order(definitions)]
            nav.append({"Competitors": cards})
        nav.append({"Content library": urls.CONTENT_PAGE})
    nav.append({"For enablement": [{"Editing the process": "editing.md"}, {"Reports": "reports.md"}]})
    return nav


def nav_pages(nav: list[NavItem]) -> set[str]:
    """Every page the navigation lists; other pages are reachable by link (e.g. an empty stage's call sheet)."""
    found: set[str] = set()
    for item in nav:
        children = [item] if isinstance(item, str) else list(item.values())
        for child in children:
            found |= {child} if isinstance(child, str) else nav_pages(child)
    return found


def home_listing(definitions: ProcessDefinitions | None, *, from_page: str = "index.md") -> str:
    """The processes and battlecards, for the hand-written home page."""
    if definitions is None:
        return f"The process files have errors: see [Process errors]({link(from_page, urls.ERRORS_PAGE)})."
    lines = []
    for process in definitions.processes:
        stages = " → ".join(
            f"[{inline(s.name)}]({link(from_page, urls.stage_page(process.key, s.key))})" for s in process.open_stages
        )
        home = link(from_page, urls.process_page(process.key))
        lines.append(f"- **[{inline(process.name)}]({home})**: {inline(process.description)} {stages}")
    if definitions.competitors:
        cards = ", ".join(
            f"[{inline(c.name)}]({link(from_page, urls.battlecard_page(c.key))})" for c in tab_order(definitions)
        )
        lines.append(f"- **Battlecards**: {cards}")
    lines.append(f"- **[Content library]({link(from_page, urls.CONTENT_PAGE)})**: everything a rep may send")
    return "\n".join(lines)


def error_page(problems: tuple[Problem, ...], *, showing_last_good: bool) -> str:
    """The page a live preview shows while the process files have errors."""
    state = (
        "The rest of the guidebook still shows the last version that loaded without errors."
        if showing_last_good
        else "The guidebook cannot show the process until they are fixed."
    )
    listing = "\n".join(str(p) for p in problems) or "(no details)"
    return (
        "# Process errors\n\n"
        f"The process files have errors. {state} Fix them and save: this preview rebuilds by itself. "
        "`waymark check` lists the same problems.\n\n"
        f"```text\n{listing}\n```\n"
    )


HOME_MARKER = "<!-- waymark:processes -->"


def write_docs_folder(definitions: ProcessDefinitions, *, hand_written: Path, out_dir: Path) -> list[Path]:
    """A complete Markdown docs folder: the hand-written pages and assets, then every generated page."""
    shutil.copytree(hand_written, out_dir, dirs_exist_ok=True)
    home = out_dir / "index.md"
    if home.exists():
        home.write_text(home.read_text(encoding="utf-8").replace(HOME_MARKER, home_listing(definitions)))
    return write_markdown(render_pages(definitions), out_dir)


def write_markdown(pages: dict[str, str], docs_dir: Path) -> list[Path]:
    """Write generated pages to disk under `docs_dir` (e.g. for a tool that runs no MkDocs hooks)."""
    written = []
    for source, markdown in pages.items():
        path = docs_dir / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        written.append(path)
    return written
