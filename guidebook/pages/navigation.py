"""The site navigation (`nav` in mkdocs.yml), built from the process.

A stage with milestones is a section holding its page and its call sheet. Its page is a plain page, not
the section's index page: Material lists the table of contents of the open page in the phone's navigation
drawer, but not the contents of an index page, and the milestones must be reachable from the drawer.
"""

from __future__ import annotations

from api.process import ProcessDefinitions
from api.process import guide_urls as urls

NavItem = str | dict[str, "str | list[NavItem]"]

STAGE_PAGE_LABEL = "Milestones and plays"
CALL_SHEET_LABEL = "Call sheet"


def navigation(definitions: ProcessDefinitions | None) -> list[NavItem]:
    """The site navigation, for `mkdocs.yml`'s `nav`."""
    nav: list[NavItem] = [{"Home": "index.md"}]
    if definitions is None:
        nav.append({"Process errors": urls.ERRORS_PAGE})
    else:
        nav += _process_sections(definitions)
        if definitions.competitors:
            cards: list[NavItem] = [{"All competitors": f"{urls.COMPETITORS}/index.md"}]
            cards += [{c.label: urls.battlecard_page(c.key)} for c in definitions.competitors_in_order()]
            nav.append({"Competitors": cards})
        nav.append({"Content library": urls.CONTENT_PAGE})
    nav.append({"For enablement": [{"Editing the process": "editing.md"}, {"Reports": "reports.md"}]})
    return nav


def _process_sections(definitions: ProcessDefinitions) -> list[NavItem]:
    sections: list[NavItem] = []
    for process in definitions.processes:
        section: list[NavItem] = [{"Overview": urls.process_page(process.key)}]
        for stage in process.stages:
            page = urls.stage_page(process.key, stage.key)
            if stage.milestones:
                sheet = urls.call_sheet_page(process.key, stage.key)
                section.append({stage.name: [{STAGE_PAGE_LABEL: page}, {CALL_SHEET_LABEL: sheet}]})
            else:
                section.append({stage.name: page})
        sections.append({process.name: section})
    return sections


def nav_pages(nav: list[NavItem]) -> set[str]:
    """Every page the navigation lists; other pages are reachable by link (e.g. an empty stage's call sheet)."""
    found: set[str] = set()
    for item in nav:
        children = [item] if isinstance(item, str) else list(item.values())
        for child in children:
            found |= {child} if isinstance(child, str) else nav_pages(child)
    return found
