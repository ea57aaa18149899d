"""Horizontal bar charts as inline SVG strings: no scripts, no fonts, no external assets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

LABEL_WIDTH = 300
BAR_AREA = 380
LABEL_CHARACTERS = 44
ROW_HEIGHT = 26
VALUE_WIDTH = 180


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    caption: str
    """Shown at the end of the bar, e.g. `62% (1,204 deals)`."""
    muted: bool = False


def bar_chart(*, chart_id: str, title: str, bars: Sequence[Bar], centered: bool = False) -> str:
    """Bars from the left edge, or, with `centered`, diverging left (negative) and right (positive)."""
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = ROW_HEIGHT * max(len(bars), 1) + 12
    largest = max((abs(b.value) for b in bars), default=0.0) or 1.0
    zero = LABEL_WIDTH + (BAR_AREA / 2 if centered else 0)
    scale = (BAR_AREA / 2 if centered else BAR_AREA) / largest
    rows = []
    for index, bar in enumerate(bars):
        y = 6 + index * ROW_HEIGHT
        length = abs(bar.value) * scale
        x = zero - length if bar.value < 0 else zero
        css = "bar muted" if bar.muted else ("bar negative" if bar.value < 0 else "bar")
        label = bar.label if len(bar.label) <= LABEL_CHARACTERS else bar.label[: LABEL_CHARACTERS - 1] + "…"
        rows.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="{css}" x="{x:.1f}" y="{y + 4}" width="{max(length, 1):.1f}" height="{ROW_HEIGHT - 8}">'
            f"<title>{escape(bar.label)}: {escape(bar.caption)}</title></rect>"
            f'<text class="value" x="{LABEL_WIDTH + BAR_AREA + 8}" y="{y + 17}">{escape(bar.caption)}</text>'
        )
    axis = f'<line class="axis" x1="{zero:.1f}" y1="2" x2="{zero:.1f}" y2="{height - 2}"/>'
    return (
        f'<svg id="{escape(chart_id)}" class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title>{axis}{''.join(rows)}</svg>"
    )
