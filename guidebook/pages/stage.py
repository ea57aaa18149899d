"""A stage page: objective, probability, entry gate, and a section per milestone (anchor = its key)."""

from __future__ import annotations

from api.process import Milestone, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from guidebook.pages.gates import gate_markdown
from guidebook.pages.plays import plays_markdown
from guidebook.text import bullets, cell, days, indent, inline, link, percent


def stage_page(definitions: ProcessDefinitions, process: Process, stage: Stage) -> str:
    page = urls.stage_page(process.key, stage.key)
    position = process.position(stage.key) + 1
    parts = [
        f"# {inline(stage.name)}",
        f"[{inline(process.name)}]({link(page, urls.process_page(process.key))}) · "
        f"stage {position} of {len(process.stages)}"
        + (f" · [Call sheet]({link(page, urls.call_sheet_page(process.key, stage.key))})" if stage.milestones else ""),
        f"**Objective:** {inline(stage.objective)}",
        f"**Probability:** {percent(stage.probability)}",
        "## Entry gate",
        gate_markdown(process, stage, from_page=page),
    ]
    if stage.milestones:
        parts += ["## Milestones", _milestone_table(stage)]
        parts += [_milestone_section(definitions, m, from_page=page) for m in stage.milestones]
    else:
        parts.append(f"{inline(stage.name)} has no milestones.")
    return "\n\n".join(parts) + "\n"


def _milestone_table(stage: Stage) -> str:
    rows = ["| Milestone | Required | Typical time | Weight |", "| --- | --- | --- | ---: |"]
    for m in stage.milestones:
        required = "**Mandatory**" if m.mandatory else "Optional"
        rows.append(f"| [{cell(m.title)}](#{m.key}) | {required} | {days(m.typical_days)} | {m.weight} |")
    return "\n".join(rows)


def _milestone_section(definitions: ProcessDefinitions, milestone: Milestone, *, from_page: str) -> str:
    required = "**Mandatory**" if milestone.mandatory else "Optional"
    parts = [
        f"### {inline(milestone.title)} {{ #{milestone.key} }}",
        f"{required} · typically {days(milestone.typical_days)} · weight {milestone.weight}",
    ]
    if milestone.ask:
        parts.append(f'!!! tip waymark-ask "The ask"\n\n{indent(inline(milestone.ask))}')
    else:
        parts.append(
            '!!! warning "No ask yet"\n\n'
            + indent("This milestone does not say what to ask the buyer for yet: agree a next step on the call.")
        )
    parts.append(f"**Why it matters:** {inline(milestone.why)}")
    if milestone.questions:
        parts += ["**Questions to ask**", bullets(milestone.questions)]
    if milestone.activities:
        parts += ["**Activities**", bullets(milestone.activities)]
    if milestone.content:
        parts += ["**Content to send**", _content_list(definitions, milestone, from_page)]
    if definitions.competitors:
        parts += ["**Plays**", plays_markdown(definitions, milestone, from_page=from_page)]
    return "\n\n".join(parts)


def _content_list(definitions: ProcessDefinitions, milestone: Milestone, from_page: str) -> str:
    lines = []
    for use in milestone.content:
        item = definitions.content_item(use.content)
        if item is None:
            continue
        entry = f"[{inline(item.title)}]({link(from_page, urls.CONTENT_PAGE, item.key)}) ({item.kind.value})"
        entry += f" · *when:* {inline(use.send_when)}"
        if item.url:
            entry += f" · [open the {item.kind.value}]({item.url})"
        lines.append(f"- {entry}")
    return "\n".join(lines)
