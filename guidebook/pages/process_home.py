"""A process's home page: the flow diagram, then each stage's objective and gate."""

from __future__ import annotations

from api.process import Process
from api.process import guide_urls as urls
from guidebook.flow import flow_svg
from guidebook.pages.gates import step_markdown
from guidebook.text import inline, link, percent


def process_home(process: Process) -> str:
    page = urls.process_page(process.key)
    parts = [
        f"# {inline(process.name)}",
        inline(process.description),
        # Five stages a row on a wide screen; two a row on a phone, so it never scrolls sideways. Search
        # skips it: the stage names are in the headings below.
        f'<div class="waymark-flow-figure" data-search-exclude>{flow_svg(process)}'
        f"{flow_svg(process, per_row=2, variant='narrow')}</div>",
        "## Stages",
    ]
    for stage in process.stages:
        stage_page = urls.stage_page(process.key, stage.key)
        sheet = urls.call_sheet_page(process.key, stage.key)
        count = len(stage.milestones)
        facts = [f"Probability {percent(stage.probability)}"]
        if count:
            mandatory = len(stage.mandatory_milestones)
            facts.append(f"{count} milestone{'s' if count != 1 else ''}, {mandatory} mandatory")
            facts.append(f"[call sheet]({link(page, sheet)})")
        parts += [
            f"### [{inline(stage.name)}]({link(page, stage_page)})",
            f"**Objective:** {inline(stage.objective)}",
            " · ".join(facts),
            step_markdown(process, stage, from_page=page),
        ]
    return "\n\n".join(parts) + "\n"
