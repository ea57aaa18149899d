"""The home page starts from the call: where is the deal, and who are we up against?

Two clicks: a stage (which also picks its process), then a competitor, and the rep lands on that stage's
call sheet at the block of plays and objection answers against them. A competitor clicked before any
stage opens its battlecard at the objection answers. The markup is static HTML; `assets/call-picker.js`
(a few lines, no library) remembers the stage and points the competitor links at its call sheet.
"""

from __future__ import annotations

from api.process import Competitor, Process, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.pages.battlecard import OBJECTIONS_ANCHOR
from guidebook.pages.call_sheet import against_anchor
from guidebook.text import attribute, html_link, inline, link

TITLE_MARKER = "<!-- waymark:site-name -->"
DESCRIPTION_MARKER = "<!-- waymark:description -->"
PICKER_MARKER = "<!-- waymark:call-picker -->"
PROCESSES_MARKER = "<!-- waymark:processes -->"

DEFAULT_DESCRIPTION = "Our sales process as a playbook to keep open during a call."


def home_sections(
    definitions: ProcessDefinitions | None, *, site_name: str, from_page: str = "index.md"
) -> dict[str, str]:
    """What replaces each marker of the hand-written home page."""
    description = DEFAULT_DESCRIPTION
    if definitions is not None and definitions.branding.description:
        description = definitions.branding.description
    return {
        TITLE_MARKER: inline(site_name),
        DESCRIPTION_MARKER: inline(description),
        PICKER_MARKER: call_picker(definitions, from_page=from_page),
        PROCESSES_MARKER: process_listing(definitions, from_page=from_page),
    }


def call_picker(definitions: ProcessDefinitions | None, *, from_page: str) -> str:
    if definitions is None:
        return f"The process files have errors: see [Process errors]({link(from_page, urls.ERRORS_PAGE)})."
    processes = [p for p in definitions.processes if any(s.milestones for s in p.open_stages)]
    if not processes:
        return "No stage has milestones yet."
    stages = "\n".join(_stage_group(p, from_page) for p in processes)
    against = "\n".join(_competitor_group(definitions, p, from_page, hidden=n > 0) for n, p in enumerate(processes))
    return (
        '<div class="waymark-call" data-waymark-call>\n'
        '<p class="waymark-call__step" id="call-step-stage"><strong>1. Where is the deal?</strong></p>\n'
        f"{stages}\n"
        '<p class="waymark-call__step" id="call-step-against"><strong>2. Who are you up against?</strong> '
        "<span data-waymark-call-hint>Pick a stage for its plays; without one, you get the objection answers."
        "</span></p>\n"
        f"{against}\n"
        "</div>"
    )


def _stage_group(process: Process, from_page: str) -> str:
    buttons = []
    for stage in process.open_stages:
        if not stage.milestones:
            continue
        sheet = html_link(from_page, urls.call_sheet_page(process.key, stage.key))
        buttons.append(
            f'<button type="button" class="md-button waymark-call__choice" aria-pressed="false" '
            f'data-process="{process.key}" data-stage="{stage.key}" data-sheet="{sheet}" '
            f'data-stage-name="{attribute(stage.name)}">{inline(stage.name)}</button>'
        )
    label = f"call-process-{process.key}"
    return (
        f'<div class="waymark-call__group" role="group" aria-labelledby="{label}">'
        f'<span class="waymark-call__process" id="{label}">{inline(process.name)}</span>'
        f'<span class="waymark-call__choices">{"".join(buttons)}</span></div>'
    )


def _competitor_group(definitions: ProcessDefinitions, process: Process, from_page: str, *, hidden: bool) -> str:
    links = "".join(_competitor_link(c, from_page) for c in definitions.competitors_in_order(process))
    hide = " hidden" if hidden else ""
    return (
        f'<div class="waymark-call__group" role="group" aria-labelledby="call-step-against" '
        f'data-against="{process.key}"{hide}><span class="waymark-call__choices">{links}</span></div>'
    )


def _competitor_link(competitor: Competitor, from_page: str) -> str:
    card = html_link(from_page, urls.battlecard_page(competitor.key), OBJECTIONS_ANCHOR)
    return (
        f'<a class="md-button waymark-call__choice" href="{card}" data-competitor="{competitor.key}" '
        f'data-anchor="{against_anchor(competitor.key)}">{inline(competitor.label)}</a>'
    )


def process_listing(definitions: ProcessDefinitions | None, *, from_page: str = "index.md") -> str:
    """Each process with its stages, the battlecards and the content library."""
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
            f"[{inline(c.label)}]({link(from_page, urls.battlecard_page(c.key))})"
            for c in definitions.competitors_in_order()
        )
        lines.append(f"- **Battlecards**: {cards}")
    lines.append(f"- **[Content library]({link(from_page, urls.CONTENT_PAGE)})**: everything a rep may send")
    return "\n".join(lines)
