from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from api.process import load_definitions
from api.report.page import render_report
from api.seed.simulation import simulate
from tests.insights.reference_walk import process_insights

SHIPPED = Path(__file__).parents[2] / "process_definitions"


def _page() -> str:
    process = load_definitions(SHIPPED).processes[0]
    history = simulate(process=process, deals=600, seed=4, start=date(2025, 1, 1))
    insights = process_insights(process=process, deals=history.snapshots(), events=history.events())
    return render_report(process=process, insights=insights, deals=600, generated_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_report_has_a_funnel_time_in_stage_and_milestone_lift_chart() -> None:
    page = _page()
    for chart in ("stage-funnel", "time-in-stage", "milestone-lift"):
        assert re.search(rf'<svg id="{chart}"[^>]*>.*?<rect', page), chart


def test_the_report_needs_nothing_from_outside_the_file() -> None:
    page = _page()
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert "url(" not in page
