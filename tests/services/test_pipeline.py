from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from api.process.models import Outcome
from api.services.forecast.pipeline import expected_stage_days, summarize_pipeline
from api.services.history.durations import ObservedDuration, milestone_durations
from tests.services.sample_process import ALL_MANDATORY, NOW, SALES, make_deal

TYPICAL = milestone_durations(process=SALES)


def test_totals_per_stage_weigh_the_amount_by_the_stage_probability() -> None:
    deals = [
        make_deal("a", stage="sql", amount="1000", done={"intro-call"}),
        make_deal("b", stage="sql", amount="3000", done={"intro-call"}),
        make_deal("c", stage="commit", amount="0", done=ALL_MANDATORY),
        make_deal("w", stage="won", amount="5000", status=Outcome.WON),
    ]
    summary = summarize_pipeline(process=SALES, deals=deals, durations=TYPICAL, now=NOW)
    totals = {t.stage.key: (t.count, t.amount, t.weighted_amount) for t in summary.stages}
    assert totals == {
        "mql": (0, Decimal(0), Decimal("0.00")),
        "sql": (2, Decimal(4000), Decimal("1200.00")),
        "commit": (1, Decimal(0), Decimal("0.00")),
    }


def test_eur_and_usd_deals_in_one_stage_are_totalled_per_currency_and_never_added() -> None:
    # given
    deals = [
        make_deal("eur", stage="sql", amount="1000", currency="EUR"),
        make_deal("usd", stage="sql", amount="3000", currency="USD"),
        make_deal("eur-2", stage="commit", amount="2000", currency="EUR"),
    ]
    # when
    summary = summarize_pipeline(process=SALES, deals=deals, durations=TYPICAL, now=NOW)
    stages = {t.stage.key: t for t in summary.stages}
    # then
    sql = stages["sql"]
    assert [(m.amount, m.currency) for m in sql.amounts] == [(Decimal(1000), "EUR"), (Decimal(3000), "USD")]
    assert [(m.amount, m.currency) for m in sql.weighted_amounts] == [
        (Decimal("300.00"), "EUR"),
        (Decimal("900.00"), "USD"),
    ]
    assert (sql.amount, sql.weighted_amount, sql.currency) == (None, None, None)
    commit = stages["commit"]
    assert (commit.amount, commit.weighted_amount, commit.currency) == (Decimal(2000), Decimal("1400.00"), "EUR")


def test_a_deal_without_finance_sign_off_is_blocked_from_closing_and_says_so() -> None:
    blocked = make_deal("enthusiastic", stage="commit", done=ALL_MANDATORY - {"finance-sign-off"})
    ready = make_deal("ready", stage="commit", done=ALL_MANDATORY)
    summary = summarize_pipeline(process=SALES, deals=[blocked, ready], durations=TYPICAL, now=NOW)
    (only,) = summary.blocked
    assert (only.deal.deal_id, only.next_stage.key) == ("enthusiastic", "won")
    assert [m.key for m in only.missing] == ["finance-sign-off"]


def test_blocked_lists_missing_milestones_of_earlier_stages_in_process_order() -> None:
    deal = make_deal(stage="sql", done={"discovery"})
    (only,) = summarize_pipeline(process=SALES, deals=[deal], durations=TYPICAL, now=NOW).blocked
    assert (only.next_stage.key, [m.key for m in only.missing]) == ("commit", ["intro-call", "champion"])


def test_a_deal_is_stale_after_one_and_a_half_times_its_stages_longest_mandatory_milestone() -> None:
    # given sql's longest mandatory milestone is discovery, 7 days: stale after 11 (10.5 rounded up)
    assert expected_stage_days(SALES.stages[1], TYPICAL) == 11
    fresh = make_deal("fresh", stage="sql", entered_stage_at=NOW - timedelta(days=11))
    stale = make_deal("stale", stage="sql", entered_stage_at=NOW - timedelta(days=11, hours=1))
    staler = make_deal("staler", stage="mql", entered_stage_at=NOW - timedelta(days=30))
    # when
    summary = summarize_pipeline(process=SALES, deals=[fresh, stale, staler], durations=TYPICAL, now=NOW)
    # then most overdue first
    assert [(s.deal.deal_id, s.expected_days) for s in summary.stale] == [("staler", 5), ("stale", 11)]


def test_stale_follows_observed_durations_once_there_are_enough() -> None:
    durations = milestone_durations(
        process=SALES, observed={"discovery": ObservedDuration(median_days=20, observations=25)}
    )
    assert expected_stage_days(SALES.stages[1], durations) == 30


def test_strength_is_bucketed_in_fifths() -> None:
    deals = [
        make_deal("nothing", stage="mql"),
        make_deal("half", stage="mql", done={"intro-call"}),  # weight 1 of 2
        make_deal("all", stage="commit", done=ALL_MANDATORY | {"budget-known", "pain-quantified", "legal-redlines"}),
        make_deal("gone", stage="lost", status=Outcome.LOST),
    ]
    summary = summarize_pipeline(process=SALES, deals=deals, durations=TYPICAL, now=NOW)
    assert [b.count for b in summary.strength] == [1, 0, 1, 0, 1]
    assert (summary.strength[0].low, summary.strength[-1].high) == (0.0, 1.0)
