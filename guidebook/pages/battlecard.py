"""A battlecard per competitor (the status quo included), with every milestone play against them."""

from __future__ import annotations

from api.process import Competitor, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.pages.plays import tab_order
from guidebook.text import bullets, indent, inline, link

_LISTS = (
    ("when_we_win", "When we win"),
    ("when_they_win", "When they win"),
    ("strengths", "Their strengths"),
    ("weaknesses", "Their weaknesses"),
    ("landmines", "Landmines: questions that expose their weak spots"),
)


def battlecard(definitions: ProcessDefinitions, competitor: Competitor) -> str:
    page = urls.battlecard_page(competitor.key)
    kind = "The status quo" if competitor.status_quo else "Competitor"
    parts = [f"# {inline(competitor.name)}", f"*{kind}.* {inline(competitor.summary)}"]
    for field, heading in _LISTS:
        items: tuple[str, ...] = getattr(competitor, field)
        if items:
            parts += [f"## {heading}", bullets(items)]
    if competitor.objections:
        parts.append("## Objections")
        parts += [
            f'!!! question "“{inline(o.objection).replace(chr(34), chr(39))}”"\n\n{indent(inline(o.response))}'
            for o in competitor.objections
        ]
    if competitor.proof_points:
        parts += ["## Proof points", bullets(competitor.proof_points)]
    parts += ["## Plays by milestone", _plays(definitions, competitor, page)]
    return "\n\n".join(parts) + "\n"


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
            sections.append(f"### {inline(process.name)}\n\n" + "\n".join(lines))
    return "\n\n".join(sections) or f"No milestone has a play against {inline(competitor.name)} yet."


def competitors_index(definitions: ProcessDefinitions) -> str:
    page = f"{urls.COMPETITORS}/index.md"
    lines = ["# Competitors", "A battlecard for every competitor a deal may meet, and for the status quo.", ""]
    for competitor in tab_order(definitions):
        card = link(page, urls.battlecard_page(competitor.key))
        lines.append(f"- [{inline(competitor.name)}]({card}): {inline(competitor.summary)}")
    return "\n".join(lines) + "\n"
