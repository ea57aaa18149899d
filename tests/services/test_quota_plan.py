from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from api.services.forecast.quota import other_currency_reason, plan_for_quota
from api.services.forecast.ranking import PrioritizedDeal, assess_deal, prioritize
from api.services.history.durations import milestone_durations
from api.services.history.records import DealSnapshot
from tests.services.sample_process import ALL_MANDATORY, SALES, TODAY, make_deal

TYPICAL = milestone_durations(process=SALES)


def _commit_deal(deal_id: str, amount: str, currency: str = "EUR") -> DealSnapshot:
    """In commit (70%), needing only finance sign-off (5 days)."""
    return make_deal(
        deal_id, stage="commit", amount=amount, currency=currency, done=ALL_MANDATORY - {"finance-sign-off"}
    )


def _ranked(*deals: DealSnapshot) -> tuple[PrioritizedDeal, ...]:
    period_end = TODAY + timedelta(days=10)
    return prioritize(
        assessments=[
            assess_deal(process=SALES, deal=d, durations=TYPICAL, today=TODAY, period_end=period_end) for d in deals
        ],
        today=TODAY,
    )


def _planned_ids(*deals: DealSnapshot, quota: str, won: str = "0") -> list[str]:
    plan = plan_for_quota(ranked=_ranked(*deals), quota=Decimal(quota), won_this_period=Decimal(won), currency="EUR")
    return [p.assessment.deal.deal_id for p in plan.planned]


def test_the_plan_takes_the_biggest_deals_then_the_smallest_that_closes_the_gap() -> None:
    # given expected values 70k, 35k, 21k, 7k and a gap of 90k
    deals = [
        _commit_deal("a", "100000"),
        _commit_deal("b", "50000"),
        _commit_deal("c", "30000"),
        _commit_deal("d", "10000"),
    ]
    # when
    plan = plan_for_quota(
        ranked=_ranked(*deals), quota=Decimal("120000"), won_this_period=Decimal("30000"), currency="EUR"
    )
    # then 70k leaves 20k: c (21k) covers it with less overshoot than b (35k)
    assert plan.gap == Decimal("90000")
    assert [p.assessment.deal.deal_id for p in plan.planned] == ["a", "c"]
    assert (plan.planned_expected_value, plan.shortfall) == (Decimal("91000.00"), Decimal(0))


def test_each_planned_deal_says_what_to_do_now() -> None:
    plan = plan_for_quota(
        ranked=_ranked(_commit_deal("a", "1000")), quota=Decimal("100"), won_this_period=Decimal(0), currency="EUR"
    )
    (planned,) = plan.planned
    assert planned.assessment.estimate.next_milestone is not None
    assert planned.assessment.estimate.next_milestone.milestone.key == "finance-sign-off"


def test_deals_that_cannot_close_in_time_never_enter_the_plan() -> None:
    late = make_deal("late", stage="mql", amount="9000000")  # 15 days of work, 10 days left
    assert _planned_ids(late, _commit_deal("soon", "1000"), quota="5000") == ["soon"]


def test_when_everything_falls_short_the_plan_is_every_fitting_deal_and_says_by_how_much() -> None:
    plan = plan_for_quota(
        ranked=_ranked(_commit_deal("a", "1000"), _commit_deal("b", "2000")),
        quota=Decimal("10000"),
        won_this_period=Decimal("1000"),
        currency="EUR",
    )
    assert [p.assessment.deal.deal_id for p in plan.planned] == ["b", "a"]
    assert plan.shortfall == Decimal("9000") - Decimal("2100.00")


def test_a_quota_already_met_needs_no_plan() -> None:
    plan = plan_for_quota(
        ranked=_ranked(_commit_deal("a", "1000")), quota=Decimal("500"), won_this_period=Decimal("800"), currency="EUR"
    )
    assert (plan.gap, plan.planned) == (Decimal(0), ())


def test_zero_amount_deals_are_left_out_of_the_plan() -> None:
    assert _planned_ids(_commit_deal("free", "0"), _commit_deal("paid", "10"), quota="1000") == ["paid"]


def test_equal_deals_keep_their_rank_order_in_the_plan() -> None:
    assert _planned_ids(_commit_deal("y", "1000"), _commit_deal("x", "1000"), quota="700") == ["x"]


def test_a_eur_quota_is_planned_only_with_eur_deals_and_lists_the_usd_deal_with_why() -> None:
    # given a big USD deal that would cover the gap alone, and two EUR deals
    deals = [_commit_deal("usd", "100000", "USD"), _commit_deal("eur-a", "10000"), _commit_deal("eur-b", "5000")]
    # when
    plan = plan_for_quota(ranked=_ranked(*deals), quota=Decimal("20000"), won_this_period=Decimal(0), currency="EUR")
    # then the EUR deals (7k + 3.5k of expected value) fall short; the USD deal does not count
    assert plan.currency == "EUR"
    assert [p.assessment.deal.deal_id for p in plan.planned] == ["eur-a", "eur-b"]
    assert plan.shortfall == Decimal("20000") - Decimal("10500.00")
    assert [p.assessment.deal.deal_id for p in plan.other_currency] == ["usd"]
    assert other_currency_reason(plan.other_currency[0], currency="EUR") == (
        "in USD, not the quota's EUR: left out of the plan (no exchange rates)"
    )
