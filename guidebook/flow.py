"""The flow diagram of a process: an SVG drawn at build time (no script, no font, no CDN).

Open stages run left to right, wrapping onto new rows; the terminal stages sit on the last row.
Each box links to its stage page and carries the stage's name as text, so the diagram reads
without the picture; `<title>` and `<desc>` name it for screen readers.
"""

from __future__ import annotations

import textwrap

from api.process import Process, Stage
from guidebook.text import attribute, percent

PER_ROW = 5
BOX_W, BOX_H = 168, 80
GAP_X, GAP_Y = 36, 44
MARGIN = 8
NAME_CHARS = 20
NAME_LINES = 2


def flow_svg(process: Process, *, per_row: int = PER_ROW, variant: str = "wide") -> str:
    """The process as an inline SVG, `per_row` boxes a row; stage links are relative to the process home page.
    `variant` names the drawing (class `waymark-flow--{variant}`) and keeps its ids apart from another's."""
    open_stages = process.open_stages
    terminal = tuple(s for s in process.stages if s.is_terminal)
    open_rows = max(1, -(-len(open_stages) // per_row))
    rows = open_rows + -(-len(terminal) // per_row)
    columns = min(per_row, max(len(open_stages), len(terminal), 1))
    width = MARGIN * 2 + columns * BOX_W + (columns - 1) * GAP_X
    height = MARGIN * 2 + rows * BOX_H + (rows - 1) * GAP_Y

    positions: dict[str, tuple[int, int]] = {}
    for index, stage in enumerate(open_stages):
        positions[stage.key] = _at(index % per_row, index // per_row)
    for index, stage in enumerate(terminal):
        positions[stage.key] = _at(index % per_row, open_rows + index // per_row)

    ids = f"flow-{variant}"
    parts = [
        f'<svg class="waymark-flow waymark-flow--{variant}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="{ids}-title {ids}-desc">',
        f'<title id="{ids}-title">{attribute(process.name)}: stages in order</title>',
        f'<desc id="{ids}-desc">{attribute(_describe(process))}</desc>',
        f'<defs><marker id="{ids}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path class="waymark-flow__head" d="M0 0L10 5L0 10z" fill="#37474f"/></marker></defs>',
    ]
    for before, after in zip(open_stages, open_stages[1:], strict=False):
        parts.append(_arrow(positions[before.key], positions[after.key], marker=f"{ids}-arrow"))
    if open_stages and terminal:
        won = next((s for s in terminal if s.outcome.value == "won"), terminal[0])
        parts.append(_arrow(positions[open_stages[-1].key], positions[won.key], marker=f"{ids}-arrow"))
    for stage in process.stages:
        parts.append(_box(stage, positions[stage.key]))
    parts.append("</svg>")
    return "".join(parts)


def _at(column: int, row: int) -> tuple[int, int]:
    return MARGIN + column * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y)


def _describe(process: Process) -> str:
    names = " then ".join(s.name for s in process.open_stages)
    ends = " or ".join(s.name for s in process.stages if s.is_terminal)
    return f"{names}, ending in {ends}." if ends else f"{names}."


def _arrow(start: tuple[int, int], end: tuple[int, int], *, marker: str) -> str:
    (x1, y1), (x2, y2) = start, end
    if y1 == y2:
        d = f"M{x1 + BOX_W} {y1 + BOX_H // 2}H{x2 - 2}"
    else:
        middle = y1 + BOX_H + GAP_Y // 2
        d = f"M{x1 + BOX_W // 2} {y1 + BOX_H}V{middle}H{x2 + BOX_W // 2}V{y2 - 2}"
    return (
        f'<path class="waymark-flow__arrow" d="{d}" fill="none" stroke="#37474f" stroke-width="2" '
        f'marker-end="url(#{marker})"/>'
    )


_FILL = {"open": "#e8eaf6", "won": "#e8f5e9", "lost": "#fbe9e7"}
_STROKE = {"open": "#303f9f", "won": "#2e7d32", "lost": "#c62828"}


def _box(stage: Stage, at: tuple[int, int]) -> str:
    x, y = at
    outcome = stage.outcome.value
    lines = name_lines(stage.name)
    dash = ' stroke-dasharray="6 4"' if outcome == "lost" else ""
    # The link's name is its visible text (a screen reader hears what a sighted reader sees);
    # a <title> carries the full name when the box shortens it.
    shortened = " ".join(lines) != " ".join(stage.name.split())
    full_name = f"<title>{attribute(stage.name)}</title>" if shortened else ""
    first_baseline = y + (27 if len(lines) == 1 else 22)
    # A space between the lines, so the text (and the link's accessible name) reads as words.
    name = " ".join(
        f'<tspan x="{x + BOX_W // 2}" y="{first_baseline + 17 * index}">{attribute(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        f'<a href="{stage.key}/">{full_name}'
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{_FILL[outcome]}" '
        f'stroke="{_STROKE[outcome]}" stroke-width="2"{dash}/>'
        f'<text text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold" '
        f'fill="#1a1a1a">{name}</text>'
        f'<text x="{x + BOX_W // 2}" y="{y + BOX_H - 12}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="12" fill="#1a1a1a">{attribute(_detail(stage))}</text>'
        "</a>"
    )


def name_lines(name: str) -> list[str]:
    """A stage name on at most two lines that fit a box; the second ends in '…' when cut."""
    lines = textwrap.wrap(name, width=NAME_CHARS, break_long_words=True) or [name]
    if len(lines) <= NAME_LINES:
        return lines
    kept = lines[:NAME_LINES]
    last = kept[-1] if len(kept[-1]) < NAME_CHARS else kept[-1][: NAME_CHARS - 1]
    kept[-1] = last + "…"
    return kept


def _detail(stage: Stage) -> str:
    if stage.outcome.value == "lost":
        return "from any stage"
    count = len(stage.milestones)
    noun = "milestone" if count == 1 else "milestones"
    return f"{percent(stage.probability)} · {count} {noun}" if count else percent(stage.probability)
