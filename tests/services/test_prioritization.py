from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from api.process.models import Outcome
from api.services.forecast.ranking import (
    DealAssessment,
    PrioritizedDeal,
    assess_deal,
    end_of_quarter,
    prioritize,
    start_of_quarter,
)
from api.services.forecast.win_probability import ProbabilitySource
from api.services.history.durations import milestone_durations
from api.services.history.insights import StageWinRate
from api.services.history.records import DealSnapshot
from tests.services.sample_process import ALL_MANDATORY, SALES, TODAY, make_deal

TYPICAL = milestone_durations(process=SALES)
NEEDS_FINANCE_AND_PROCUREMENT = ALL_MANDATORY - {"finance-sign-off", "procurement-review"}


def _assess(deal: DealSnapshot, *, days_left: int = 12, **kwargs: object) -> DealAssessment:
    return assess_deal(
        process=SALES,
        deal=deal,
        durations=TYPICAL,
        today=TODAY,
        period_end=TODAY + timedelta(days=days_left),
        **kwargs,  # type: ignore[arg-type]
    )


def _ranked(*deals: DealSnapshot, days_left: int = 12) -> tuple[PrioritizedDeal, ...]:
    return prioritize(assessments=[_assess(d, days_left=days_left) for d in deals], today=TODAY)


def test_period_end_defaults_to_the_end_of_the_quarter() -> None:
    assert end_of_quarter(date(2026, 3, 20)) == date(2026, 3, 31)
    assert end_of_quarter(date(2026, 4, 1)) == date(2026, 6, 30)
    assert end_of_quarter(date(2026, 11, 5)) == date(2026, 12, 31)
    assert start_of_quarter(date(2026, 8, 31)) == date(2026, 7, 1)


def test_a_commit_deal_needing_finance_and_procurement_fits_with_slack() -> None:
    # given finance sign-off (5 d) and procurement (4 d) in parallel; 12 days left
    deal = make_deal(stage="commit", done=NEEDS_FINANCE_AND_PROCUREMENT, amount="50000")
    # when
    assessment = _assess(deal)
    # then
    assert (assessment.fits, assessment.estimate.days_to_close, assessment.slack_days) == (True, 5, 7)
    assert assessment.expected_value == Decimal("35000.00")
    assert assessment.win.source is ProbabilitySource.STAGE_PROBABILITY
    (ranked,) = prioritize(assessments=[assessment], today=TODAY)
    assert ranked.reason == "needs finance sign-off (5 d); 12 days left; 7 days of slack"


def test_the_reason_names_each_step_on_the_way_to_close() -> None:
    deal = make_deal(stage="sql", done={"intro-call"})
    (ranked,) = _ranked(deal)
    assert ranked.assessment.fits
    assert ranked.reason == "needs discovery (7 d) and finance sign-off (5 d); 12 days left; 0 days of slack"


def test_a_deal_that_cannot_make_it_says_how_many_days_short() -> None:
    (ranked,) = _ranked(make_deal(stage="mql"), days_left=10)
    assert not ranked.assessment.fits
    assert ranked.reason == (
        "needs intro call (3 d), discovery (7 d) and finance sign-off (5 d); "
        "15 days of work but only 10 days left: 5 days short"
    )


def test_deals_that_fit_come_first_by_expected_value_and_the_rest_last() -> None:
    big_but_slow = make_deal("slow", stage="mql", amount="900000")
    small = make_deal("small", stage="commit", done=NEEDS_FINANCE_AND_PROCUREMENT, amount="10000")
    large = make_deal("large", stage="commit", done=NEEDS_FINANCE_AND_PROCUREMENT, amount="20000")
    ranked = _ranked(big_but_slow, small, large)
    assert [(p.rank, p.assessment.deal.deal_id) for p in ranked] == [(1, "large"), (2, "small"), (3, "slow")]


def test_ties_go_to_more_slack_then_earlier_close_date_then_deal_id() -> None:
    # given four deals with the same expected value
    tight = make_deal("a-tight", stage="sql", done={"intro-call"}, close_date=TODAY)
    later = make_deal(
        "b-later", stage="sql", done=ALL_MANDATORY - {"procurement-review"}, close_date=TODAY + timedelta(5)
    )
    sooner = make_deal("c-sooner", stage="sql", done=ALL_MANDATORY - {"procurement-review"}, close_date=TODAY)
    twin = make_deal("b-twin", stage="sql", done=ALL_MANDATORY - {"procurement-review"}, close_date=TODAY)
    # when
    ranked = _ranked(tight, later, sooner, twin)
    # then more slack (4 d left of work vs 12) first, then close date, then id
    assert [p.assessment.deal.deal_id for p in ranked] == ["b-twin", "c-sooner", "b-later", "a-tight"]
    assert _ranked(twin, sooner, later, tight) == ranked


def test_a_zero_amount_deal_is_ranked_after_paying_deals_that_fit() -> None:
    free = make_deal("free", stage="commit", done=ALL_MANDATORY, amount="0")
    paying = make_deal("paying", stage="mql", amount="1000", done={"intro-call", "discovery", "champion"})
    ranked = _ranked(free, paying)
    assert [p.assessment.deal.deal_id for p in ranked] == ["paying", "free"]
    assert ranked[1].assessment.expected_value == Decimal("0.00")


def test_a_deal_past_its_close_date_is_ranked_as_usual_and_says_so() -> None:
    deal = make_deal(stage="commit", done=NEEDS_FINANCE_AND_PROCUREMENT, close_date=TODAY - timedelta(days=3))
    (ranked,) = _ranked(deal)
    assert ranked.assessment.fits
    assert ranked.reason.endswith(f"; its close date {(TODAY - timedelta(days=3)).isoformat()} has passed")


def test_when_the_period_has_ended_nothing_fits_even_a_finished_deal() -> None:
    done = make_deal("done", stage="commit", done=ALL_MANDATORY)
    open_work = make_deal("work", stage="sql", amount="99999")
    ranked = _ranked(done, open_work, days_left=-4)
    assert [p.assessment.fits for p in ranked] == [False, False]
    assert ranked[0].reason == "needs discovery (7 d) and finance sign-off (5 d); the period ended 4 days ago"
    assert ranked[1].reason == "every mandatory milestone is done; the period ended 4 days ago"


def test_a_deal_with_every_milestone_done_is_ready_to_close() -> None:
    (ranked,) = _ranked(make_deal(stage="commit", done=ALL_MANDATORY), days_left=1)
    assert (ranked.assessment.fits, ranked.assessment.slack_days) == (True, 1)
    assert ranked.reason == "every mandatory milestone is done; 1 day left to close it"


def test_closed_deals_are_not_ranked() -> None:
    won = make_deal("won", stage="won", status=Outcome.WON)
    assert _ranked(won) == ()


def test_a_learned_win_rate_replaces_the_stage_probability_from_thirty_closed_deals() -> None:
    deal = make_deal(stage="commit", amount="1000")
    enough = _assess(deal, learned_win_rates={"commit": StageWinRate(stage_key="commit", won=15, closed=30)})
    too_few = _assess(deal, learned_win_rates={"commit": StageWinRate(stage_key="commit", won=15, closed=29)})
    assert (enough.win.source, enough.expected_value) == (ProbabilitySource.LEARNED_WIN_RATE, Decimal("500.00"))
    assert (too_few.win.source, too_few.expected_value) == (ProbabilitySource.STAGE_PROBABILITY, Decimal("700.00"))
