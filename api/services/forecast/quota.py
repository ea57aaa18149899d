"""The plan to close the quota gap: which deals that can still close in time to work first.

The rule: take deals that fit before period end, highest expected value first (the ranking's order),
until their expected value covers the gap; then swap the last one taken for the smallest deal further
down the list that still covers the gap. That gives the fewest deals to work — focus is what a rep lacks at
period end — with as little overshoot on the last one as that allows. When every fitting deal together
falls short, the plan is all of them and the shortfall says by how much. Deals with no expected value
(zero amount or zero probability) never enter a plan.

A quota is in one currency, and without exchange rates deals in another currency cannot count towards it:
they stay out of the plan, listed in `other_currency` with why, and the amount won counts only deals in
the quota's currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from api.services.forecast.ranking import PrioritizedDeal


@dataclass(frozen=True, slots=True)
class QuotaPlan:
    quota: Decimal
    won_this_period: Decimal
    planned: tuple[PrioritizedDeal, ...]
    """In rank order; each deal's next milestone is `assessment.estimate.next_milestone`."""
    currency: str
    """Of the quota, and so of every amount of the plan."""
    other_currency: tuple[PrioritizedDeal, ...] = ()
    """Deals left out because their amount is in another currency, in rank order."""

    @property
    def gap(self) -> Decimal:
        """What is left of the quota; never negative."""
        return max(Decimal(0), self.quota - self.won_this_period)

    @property
    def planned_expected_value(self) -> Decimal:
        return sum((p.assessment.expected_value for p in self.planned), Decimal(0))

    @property
    def shortfall(self) -> Decimal:
        """How much of the gap the plan's expected value does not cover."""
        return max(Decimal(0), self.gap - self.planned_expected_value)


def plan_for_quota(
    *, ranked: Iterable[PrioritizedDeal], quota: Decimal, won_this_period: Decimal, currency: str
) -> QuotaPlan:
    """`quota` and `won_this_period` are in `currency`; only deals in it can enter the plan."""
    in_currency, other = split_by_currency(ranked, currency=currency)
    planned = _plan(in_currency, gap=max(Decimal(0), quota - won_this_period))
    return QuotaPlan(
        quota=quota, won_this_period=won_this_period, planned=planned, currency=currency, other_currency=other
    )


def split_by_currency(
    ranked: Iterable[PrioritizedDeal], *, currency: str
) -> tuple[tuple[PrioritizedDeal, ...], tuple[PrioritizedDeal, ...]]:
    """(deals in `currency`, the others), each in rank order."""
    ordered = sorted(ranked, key=lambda p: p.rank)
    return (
        tuple(p for p in ordered if p.assessment.deal.currency == currency),
        tuple(p for p in ordered if p.assessment.deal.currency != currency),
    )


def other_currency_reason(deal: PrioritizedDeal, *, currency: str) -> str:
    """E.g. `in USD, not the quota's EUR: left out of the plan (no exchange rates)`."""
    return f"in {deal.assessment.deal.currency}, not the quota's {currency}: left out of the plan (no exchange rates)"


def _plan(ranked: tuple[PrioritizedDeal, ...], *, gap: Decimal) -> tuple[PrioritizedDeal, ...]:
    candidates = [p for p in ranked if p.assessment.fits and p.assessment.expected_value > 0]
    planned: list[PrioritizedDeal] = []
    covered = Decimal(0)
    for index, candidate in enumerate(candidates):
        if covered >= gap:
            break
        if covered + candidate.assessment.expected_value >= gap:
            planned.append(_smallest_that_covers(candidates[index:], needed=gap - covered))
            covered = gap
            break
        planned.append(candidate)
        covered += candidate.assessment.expected_value
    return tuple(sorted(planned, key=lambda p: p.rank))


def _smallest_that_covers(candidates: list[PrioritizedDeal], *, needed: Decimal) -> PrioritizedDeal:
    covering = [c for c in candidates if c.assessment.expected_value >= needed]
    # min() keeps the first of equals: ties go to the better-ranked deal.
    return min(covering, key=lambda c: c.assessment.expected_value)
