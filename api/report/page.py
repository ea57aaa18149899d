"""The report page: a stage funnel, time in stage, milestone lift, and durations observed vs typical."""

from __future__ import annotations

from datetime import datetime
from html import escape

from api.process.models import Outcome, Process
from api.report.charts import Bar, bar_chart
from api.services.history.durations import MIN_OBSERVATIONS
from api.services.history.insights import ProcessInsights

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:860px;
color:#1d2733;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2.2rem}.meta,.note{color:#5b6775}
.chart{max-width:100%;height:auto}.chart .label,.chart .value{font-size:12px;fill:#1d2733}
.chart .bar{fill:#2f6fb2}.chart .bar.negative{fill:#c4572b}.chart .bar.muted{fill:#c9d1da}.chart .axis{stroke:#8893a0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e3e7eb}
td.num,th.num{text-align:right}
"""


def render_report(*, process: Process, insights: ProcessInsights, deals: int, generated_at: datetime) -> str:
    sections = [
        _section(
            "Stage funnel",
            "Deals that ever entered each stage; the rate is the share of resolved deals that moved on.",
            bar_chart(chart_id="stage-funnel", title="Stage funnel", bars=_funnel(insights)),
        ),
        _section(
            "Time in stage",
            "Median days from entering a stage to leaving it, over finished visits.",
            bar_chart(chart_id="time-in-stage", title="Median time in stage", bars=_time_in_stage(insights)),
        ),
        _section(
            "Milestone lift",
            "Win rate of closed deals that completed the milestone minus the win rate of those that did not, "
            "in points. Mandatory milestones are near-certain for won deals, so their lift mostly measures "
            "how far a deal got; optional ones show what separates strong deals from weak ones.",
            bar_chart(chart_id="milestone-lift", title="Milestone lift", bars=_lift(insights), centered=True),
        ),
        _section(
            "Milestone durations",
            f"Observed median days from entering the milestone's stage to completing it. From {MIN_OBSERVATIONS} "
            "observations on, prioritisation uses the observed median instead of the typical days.",
            _durations_table(insights),
        ),
        _section("Gate overrides", "Moves a manager let through with milestones missing.", _overrides(insights)),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(process.name)}: what the process data says</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(process.name)}: what the process data says</h1>"
        f'<p class="meta">{deals:,} deals · generated {generated_at:%Y-%m-%d %H:%M} UTC '
        "by <code>waymark report</code></p>"
        f"{''.join(sections)}</body></html>"
    )


def _section(title: str, note: str, body: str) -> str:
    return f'<section><h2>{escape(title)}</h2><p class="note">{escape(note)}</p>{body}</section>'


def _funnel(insights: ProcessInsights) -> list[Bar]:
    return [
        Bar(
            label=c.stage.name,
            value=c.entered,
            caption=f"{c.entered:,} · {_percent(c.rate)} moved on",
        )
        for c in insights.conversions
    ]


def _time_in_stage(insights: ProcessInsights) -> list[Bar]:
    return [
        Bar(
            label=t.stage.name,
            value=t.median_days or 0.0,
            caption=f"{t.median_days:.1f} d ({t.visits:,} visits)" if t.median_days is not None else "no visits yet",
            muted=t.median_days is None,
        )
        for t in insights.time_in_stage
    ]


def _lift(insights: ProcessInsights) -> list[Bar]:
    bars = []
    for lift in insights.lifts:
        title = lift.milestone.title + (" *" if lift.milestone.mandatory else "")
        if lift.lift is None:
            bars.append(Bar(label=title, value=0.0, caption="not enough closed deals", muted=True))
            continue
        bars.append(
            Bar(
                label=title,
                value=lift.lift * 100,
                caption=f"{lift.lift * 100:+.0f} pts (n {lift.closed_with:,}/{lift.closed_without:,})",
            )
        )
    return bars


def _durations_table(insights: ProcessInsights) -> str:
    rows = "".join(
        f"<tr><td>{escape(i.milestone.title)}</td><td class='num'>{i.milestone.typical_days}</td>"
        f"<td class='num'>{f'{i.observed.median_days:.1f}' if i.observed else '–'}</td>"
        f"<td class='num'>{i.observed.observations if i.observed else 0:,}</td></tr>"
        for i in insights.milestone_durations
    )
    return (
        "<table><thead><tr><th>Milestone</th><th class='num'>Typical days</th>"
        "<th class='num'>Observed median</th><th class='num'>Observations</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _overrides(insights: ProcessInsights) -> str:
    if not insights.overrides:
        return "<p>No gate was overridden.</p>"
    ended = {o: sum(1 for x in insights.overrides if x.outcome is o) for o in Outcome}
    return (
        f"<p>{len(insights.overrides):,} overrides: {ended[Outcome.WON]:,} of those deals won, "
        f"{ended[Outcome.LOST]:,} lost, {ended[Outcome.OPEN]:,} still open.</p>"
    )


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"
