"""A stage's call sheet: one printable page to keep open on a live call."""

from __future__ import annotations

from api.process import Process, Stage
from api.process import guide_urls as urls
from guidebook.text import inline, link

FRONT_MATTER = "---\nsearch:\n  boost: 3\n---\n\n"


def call_sheet(process: Process, stage: Stage) -> str:
    page = urls.call_sheet_page(process.key, stage.key)
    stage_page = urls.stage_page(process.key, stage.key)
    parts = [
        f"# Call sheet: {inline(stage.name)}",
        f"{inline(process.name)} · **Objective:** {inline(stage.objective)} · "
        f"[full stage page]({link(page, stage_page)})",
    ]
    if not stage.milestones:
        parts.append(f"{inline(stage.name)} has no milestones: there is nothing to ask for at this stage.")
        return FRONT_MATTER + "\n\n".join(parts) + "\n"
    parts += [
        "## The asks",
        "\n".join(
            f"{n}. **{inline(m.title)}**{' (mandatory)' if m.mandatory else ''}: "
            + (inline(m.ask) if m.ask else "no ask yet, agree a next step.")
            for n, m in enumerate(stage.milestones, start=1)
        ),
    ]
    with_questions = [m for m in stage.milestones if m.questions]
    if with_questions:
        parts.append("## Questions")
        for m in with_questions:
            parts.append(f"**{inline(m.title)}**\n\n" + "\n".join(f"- {inline(q)}" for q in m.questions))
    parts += ["## Exit checklist", _checklist(process, stage, page)]
    return FRONT_MATTER + "\n\n".join(parts) + "\n"


def _checklist(process: Process, stage: Stage, page: str) -> str:
    ordered = sorted(stage.milestones, key=lambda m: not m.mandatory)
    lines = []
    for m in ordered:
        label = "mandatory" if m.mandatory else "optional"
        target = link(page, urls.stage_page(process.key, stage.key), m.key)
        lines.append(f"- [{inline(m.title)}]({target}) ({label})")
    # A plain list drawn with empty boxes: tick them with a pen on the printed sheet.
    return '<div class="waymark-checklist" markdown>\n\n' + "\n".join(lines) + "\n\n</div>"
