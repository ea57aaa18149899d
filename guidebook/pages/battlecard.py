"""A battlecard per competitor (the status quo included): the objection answers first, each a section of its own
(so search finds it by the buyer's words), then what to say and ask, then the background and every play."""

from __future__ import annotations

from api.process import Competitor, Objection, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.text import bullets, front_matter, inline, link

OBJECTIONS_ANCHOR = "objections"

_LISTS = (
    ("proof_points", "Proof points"),
    ("landmines", "Landmines: questions that expose their weak spots"),
    ("when_we_win", "When we win"),
    ("when_they_win", "When they win"),
    ("strengths", "Their strengths"),
    ("weaknesses", "Their weaknesses"),
)


def objection_anchor(index: int) -> str:
    """The anchor of a battlecard's objection (0-based index): `objection-1` for the first."""
    return f"objection-{index + 1}"


def battlecard(definitions: ProcessDefinitions, competitor: Competitor) -> str:
    page = urls.battlecard_page(competitor.key)
    kind = "The status quo" if competitor.status_quo else "Competitor"
    parts = [f"# {inline(battlecard_title(competitor))}", f"*{kind}.* {inline(competitor.summary)}"]
    if competitor.objections:
        parts.append(f"## Objections {{ #{OBJECTIONS_ANCHOR} }}")
        parts += [_objection(o, index) for index, o in enumerate(competitor.objections)]
    for field, heading in _LISTS:
        items: tuple[str, ...] = getattr(competitor, field)
        if items:
            parts += [f"## {heading}", bullets(items)]
    # Search leads to each play on its stage page; listed here again, they would only crowd the results.
    parts += ["## Plays by milestone { #plays data-search-exclude }", _plays(definitions, competitor, page)]
    # Battlecards rank above other pages that merely mention a competitor.
    return front_matter(title=battlecard_title(competitor), boost=2) + "\n\n".join(parts) + "\n"


def battlecard_title(competitor: Competitor) -> str:
    """The name, led by the short name when the name does not say it (`Status quo: No decision (…)`), so a rep
    searching for the name they use finds the card."""
    if competitor.label.lower() in competitor.name.lower():
        return competitor.name
    return f"{competitor.label}: {competitor.name}"


def _objection(objection: Objection, index: int) -> str:
    parts = [f"### “{inline(objection.objection)}” {{ #{objection_anchor(index)} }}"]
    if objection.also_heard:
        heard = " · ".join(f"“{inline(text)}”" for text in objection.also_heard)
        parts.append(f'<p class="waymark-heard" markdown>*Also heard:* {heard}</p>')
    parts.append(f'<p class="waymark-answer" markdown>**Answer:** {inline(objection.response)}</p>')
    return "\n\n".join(parts)


def _plays(definitions: ProcessDefinitions, competitor: Competitor, page: str) -> str:
    sections = []
    for process in definitions.processes:
        lines = []
        for stage in process.stages:
            for milestone in stage.milestones:
                for play in milestone.plays:
                    if play.competitor != competitor.key:
                        continue
                    target = link(page, urls.stage_page(process.key, stage.key), milestone.key)
                    line = f"- [{inline(stage.name)}: {inline(milestone.title)}]({target}): {inline(play.play)}"
                    if play.talk_track:
                        line += f" **Say:** “{inline(play.talk_track)}”"
                    lines.append(line)
        if lines:
            heading = f"### {inline(process.name)} {{ #plays-{process.key} data-search-exclude }}"
            sections.append(heading + "\n\n" + "\n".join(lines))
    return "\n\n".join(sections) or f"No milestone has a play against {inline(competitor.name)} yet."


def competitors_index(definitions: ProcessDefinitions) -> str:
    page = f"{urls.COMPETITORS}/index.md"
    lines = ["# Competitors", "A battlecard for every competitor a deal may meet, and for the status quo.", ""]
    for competitor in definitions.competitors_in_order():
        card = link(page, urls.battlecard_page(competitor.key))
        answers = link(page, urls.battlecard_page(competitor.key), OBJECTIONS_ANCHOR)
        objections = f" · [objection answers]({answers})" if competitor.objections else ""
        lines.append(f"- [{inline(competitor.name)}]({card}): {inline(competitor.summary)}{objections}")
    return "\n".join(lines) + "\n"
