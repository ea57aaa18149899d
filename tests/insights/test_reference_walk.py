from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.deal_events import DealEventKind
from api.process.models import Outcome
from api.services.history.insights import ProcessInsights
from api.services.history.records import HistoryEvent
from tests.insights.reference_walk import process_insights
from tests.services.sample_process import SALES, make_deal

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
K = DealEventKind


def _at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _created(deal_id: str) -> HistoryEvent:
    return HistoryEvent(deal_id=deal_id, kind=K.CREATED, at=T0, to_stage="mql")


def _done(deal_id: str, key: str, day: float) -> HistoryEvent:
    return HistoryEvent(deal_id=deal_id, kind=K.MILESTONE_COMPLETED, at=_at(day), milestone_key=key)


def _move(deal_id: str, kind: DealEventKind, day: float, from_stage: str, to_stage: str) -> HistoryEvent:
    return HistoryEvent(deal_id=deal_id, kind=kind, at=_at(day), from_stage=from_stage, to_stage=to_stage)


EVENTS = [
    # won: mql 3 d, sql 9 d, commit 8 d
    _created("won"),
    _done("won", "intro-call", 2),
    _move("won", K.MOVED, 3, "mql", "sql"),
    _done("won", "discovery", 9),
    _done("won", "champion", 7),
    _done("won", "pain-quantified", 11),
    _move("won", K.MOVED, 12, "sql", "commit"),
    _done("won", "cfo-approval", 17),  # the former key of finance-sign-off
    _done("won", "procurement-review", 16),
    _move("won", K.CLOSED_WON, 20, "commit", "won"),
    # lost in sql
    _created("lost"),
    _done("lost", "intro-call", 4),
    _move("lost", K.MOVED, 5, "mql", "sql"),
    _done("lost", "discovery", 7),
    _move("lost", K.CLOSED_LOST, 10, "sql", "lost"),
    # overridden into sql without the intro call, still open
    _created("overridden"),
    HistoryEvent(
        deal_id="overridden",
        kind=K.GATE_OVERRIDDEN,
        at=_at(1),
        from_stage="mql",
        to_stage="sql",
        reason="CEO intro",
        skipped_milestones=("intro-call",),
    ),
    _move("overridden", K.MOVED, 1, "mql", "sql"),
    # went back to mql, then lost there; redid the intro call after a reopen
    _created("back"),
    _done("back", "intro-call", 1),
    _move("back", K.MOVED, 2, "mql", "sql"),
    HistoryEvent(deal_id="back", kind=K.MILESTONE_REOPENED, at=_at(3), milestone_key="intro-call"),
    _move("back", K.MOVED, 4, "sql", "mql"),
    _done("back", "intro-call", 5),
    _move("back", K.CLOSED_LOST, 6, "mql", "lost"),
]
DEALS = [
    make_deal(
        "won",
        stage="won",
        status=Outcome.WON,
        done={"intro-call", "discovery", "champion", "pain-quantified", "cfo-approval", "procurement-review"},
    ),
    make_deal("lost", stage="lost", status=Outcome.LOST, done={"intro-call", "discovery"}),
    make_deal("overridden", stage="sql"),
    make_deal("back", stage="lost", status=Outcome.LOST, done={"intro-call"}),
]


@pytest.fixture(scope="module")
def insights() -> ProcessInsights:
    return process_insights(process=SALES, deals=DEALS, events=list(reversed(EVENTS)))


def test_conversion_counts_advanced_against_lost_and_leaves_open_deals_out(insights: ProcessInsights) -> None:
    rows = {c.stage.key: (c.entered, c.advanced, c.lost, c.still_open, c.rate) for c in insights.conversions}
    assert rows == {
        "mql": (4, 4, 0, 0, 1.0),
        "sql": (4, 1, 2, 1, pytest.approx(1 / 3)),
        "commit": (1, 1, 0, 0, 1.0),
    }


def test_time_in_stage_is_the_median_of_finished_visits_including_returns(insights: ProcessInsights) -> None:
    rows = {t.stage.key: (t.median_days, t.visits) for t in insights.time_in_stage}
    assert rows == {"mql": (2.0, 5), "sql": (5.0, 3), "commit": (8.0, 1)}


def test_milestone_durations_run_from_entering_the_stage_and_count_first_completions(
    insights: ProcessInsights,
) -> None:
    observed = insights.observed_durations()
    assert (observed["intro-call"].median_days, observed["intro-call"].observations) == (2.0, 3)
    assert (observed["discovery"].median_days, observed["discovery"].observations) == (4.0, 2)
    assert observed["finance-sign-off"].median_days == 5.0
    assert "legal-redlines" not in observed


def test_lift_compares_win_rates_of_closed_deals_with_and_without_a_milestone(insights: ProcessInsights) -> None:
    lifts = {lift.milestone.key: lift for lift in insights.lifts}
    finance = lifts["finance-sign-off"]
    assert (finance.won_with, finance.closed_with, finance.won_without, finance.closed_without) == (1, 1, 0, 2)
    assert finance.lift == 1.0
    assert lifts["discovery"].lift == 0.5
    assert (lifts["intro-call"].closed_without, lifts["intro-call"].lift) == (0, None)


def test_stage_win_rates_count_closed_deals_that_entered_the_stage(insights: ProcessInsights) -> None:
    assert {r.stage_key: (r.won, r.closed) for r in insights.stage_win_rates} == {
        "mql": (1, 3),
        "sql": (1, 3),
        "commit": (1, 1),
    }


def test_overridden_gates_are_listed_with_how_the_deal_ended(insights: ProcessInsights) -> None:
    (override,) = insights.overrides
    assert (override.event.deal_id, override.event.skipped_milestones, override.outcome) == (
        "overridden",
        ("intro-call",),
        Outcome.OPEN,
    )
