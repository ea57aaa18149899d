"""A stage page: what is said on the call first. Each milestone (anchor = its key) leads with the ask, then
the plays, then the questions; why it matters, the activities and the content follow."""

from __future__ import annotations

from api.process import Milestone, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from guidebook.pages.gates import gate_markdown
from guidebook.pages.plays import plays_markdown
from guidebook.text import bullets, days, front_matter, indent, inline, link, percent


def stage_title(process: Process, stage: Stage) -> str:
    """The page's title in the browser tab: the stage, and the process for stages of the same name."""
    return f"{stage.name} · {process.name}"


def stage_page(definitions: ProcessDefinitions, process: Process, stage: Stage) -> str:
    page = urls.stage_page(process.key, stage.key)
    position = process.position(stage.key) + 1
    facts = [
        f"[{inline(process.name)}]({link(page, urls.process_page(process.key))})",
        f"stage {position} of {len(process.stages)}",
        f"probability {percent(stage.probability)}",
    ]
    if stage.milestones:
        facts.append(f"[Call sheet]({link(page, urls.call_sheet_page(process.key, stage.key))})")
    parts = [
        f"# {inline(stage.name)}",
        " · ".join(facts),
        f"**Objective:** {inline(stage.objective)}",
    ]
    if stage.milestones:
        parts += ["## Milestones", _milestone_list(stage)]
        parts += [_milestone_section(definitions, process, m, from_page=page) for m in stage.milestones]
    else:
        parts.append(f"{inline(stage.name)} has no milestones.")
    parts += ["## Entry gate", gate_markdown(process, stage, from_page=page)]
    return front_matter(title=stage_title(process, stage)) + "\n\n".join(parts) + "\n"


def _milestone_list(stage: Stage) -> str:
    """The milestones at a glance, as a list that wraps on a phone (a table would scroll sideways)."""
    lines = []
    for n, m in enumerate(stage.milestones, start=1):
        required = "**mandatory**" if m.mandatory else "optional"
        lines.append(f"{n}. [{inline(m.title)}](#{m.key}) · {required} · {days(m.typical_days)} · weight {m.weight}")
    return "\n".join(lines)


def _milestone_section(
    definitions: ProcessDefinitions, process: Process, milestone: Milestone, *, from_page: str
) -> str:
    required = "**Mandatory**" if milestone.mandatory else "Optional"
    former = "".join(f'<a id="{key}"></a>' for key in milestone.formerly)  # links to its former keys still land here
    parts = [
        f"### {inline(milestone.title)} {{ #{milestone.key} }}",
        f"{former}{required} · typically {days(milestone.typical_days)} · weight {milestone.weight}",
    ]
    if milestone.ask:
        parts.append(f'!!! tip waymark-ask "The ask"\n\n{indent(inline(milestone.ask))}')
    else:
        parts.append(
            '!!! warning "No ask yet"\n\n'
            + indent("This milestone does not say what to ask the buyer for yet: agree a next step on the call.")
        )
    if definitions.competitors:
        parts += ["**Plays**", plays_markdown(definitions, process, milestone, from_page=from_page)]
    if milestone.questions:
        parts += ["**Questions to ask**", bullets(milestone.questions)]
    parts.append(f"**Why it matters:** {inline(milestone.why)}")
    if milestone.activities:
        parts += ["**Activities**", bullets(milestone.activities)]
    if milestone.content:
        parts += ["**Content to send**", _content_list(definitions, milestone, from_page)]
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
