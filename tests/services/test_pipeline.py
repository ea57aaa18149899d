from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from api.process.models import Outcome
from api.services.forecast.pipeline import (
    DealLists,
    PipelineSummary,
    expected_stage_days,
    stale_since,
    summarize_groups,
    summarize_pipeline,
)
from api.services.history.durations import ObservedDuration, milestone_durations
from api.services.history.records import DealSnapshot
from api.services.history.snapshots import OpenDealGroup
from tests.services.sample_process import ALL_MANDATORY, NOW, SALES, make_deal

TYPICAL = milestone_durations(process=SALES)


def _lists(summary: PipelineSummary) -> DealLists:
    assert summary.deals is not None
    return summary.deals


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
    (only,) = _lists(summary).blocked
    assert (only.deal.deal_id, only.next_stage.key) == ("enthusiastic", "won")
    assert [m.key for m in only.missing] == ["finance-sign-off"]


def test_blocked_lists_missing_milestones_of_earlier_stages_in_process_order() -> None:
    deal = make_deal(stage="sql", done={"discovery"})
    (only,) = _lists(summarize_pipeline(process=SALES, deals=[deal], durations=TYPICAL, now=NOW)).blocked
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
    assert [(s.deal.deal_id, s.expected_days) for s in _lists(summary).stale] == [("staler", 5), ("stale", 11)]


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


def _grouped(deals: list[DealSnapshot], durations: object) -> tuple[list[OpenDealGroup], dict[str, int]]:
    """What `open_deal_groups` and `stale_counts` read from the database, counted here from the same deals."""
    counts: Counter[tuple[str, frozenset[str], str]] = Counter()
    amounts: dict[tuple[str, frozenset[str], str], Decimal] = defaultdict(Decimal)
    for d in deals:
        if d.status is Outcome.OPEN:
            counts[(d.stage_key, d.completed_milestones, d.currency)] += 1
            amounts[(d.stage_key, d.completed_milestones, d.currency)] += d.amount
    groups = [
        OpenDealGroup(
            process_key=SALES.key,
            stage_key=stage,
            completed_milestones=done,
            currency=currency,
            count=count,
            amount=amounts[(stage, done, currency)],
        )
        for (stage, done, currency), count in counts.items()
    ]
    since = stale_since(SALES, durations=durations, now=NOW)  # type: ignore[arg-type]
    stale = Counter(
        d.stage_key
        for d in deals
        if d.status is Outcome.OPEN and d.stage_key in since and d.entered_stage_at < since[d.stage_key]
    )
    return groups, dict(stale)


def test_the_figures_counted_by_deal_state_are_those_of_the_deals_one_by_one() -> None:
    # given: deals in every stage and state, in two currencies, some long in their stage, some closed
    rng = random.Random(3)
    milestones = [m.key for m in SALES.milestones]  # done mostly in order, as deals progress
    deals = [
        make_deal(
            f"d{i}",
            stage=rng.choice(["mql", "sql", "sal", "commit", "won", "lost"]),
            done=set(milestones[: rng.randint(0, len(milestones))]) | set(rng.sample(milestones, k=rng.randint(0, 1))),
            amount=f"{rng.randint(0, 90_000)}.{rng.randint(0, 99):02d}",
            currency=rng.choice(["EUR", "USD"]),
            entered_stage_at=NOW - timedelta(days=rng.uniform(0, 40)),
        )
        for i in range(400)
    ]
    deals = [
        d
        if d.stage_key not in ("won", "lost")
        else make_deal(d.deal_id, stage=d.stage_key, status=Outcome(d.stage_key))
        for d in deals
    ]
    groups, stale = _grouped(deals, TYPICAL)

    # when
    one_by_one = summarize_pipeline(process=SALES, deals=deals, durations=TYPICAL, now=NOW)
    by_state = summarize_groups(process=SALES, groups=groups, stale_by_stage=stale, durations=TYPICAL)

    # then
    assert len(groups) < len(deals) / 2
    assert by_state.stages == one_by_one.stages
    assert (by_state.blocked_count, by_state.stale_count) == (one_by_one.blocked_count, one_by_one.stale_count)
    assert by_state.strength == one_by_one.strength
    assert one_by_one.blocked_count > 0
    assert one_by_one.stale_count > 0
    assert by_state.deals is None
