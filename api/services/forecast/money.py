"""Amounts with their currency, and totals kept apart per currency: without exchange rates, EUR and USD
never add up."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
"""What amounts are rounded to."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str
    """ISO 4217 code, e.g. `EUR`."""


def totals_by_currency(amounts: Iterable[Money]) -> tuple[Money, ...]:
    """One total per currency, by currency code."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for money in amounts:
        totals[money.currency] += money.amount
    return tuple(Money(amount=totals[c], currency=c) for c in sorted(totals))


def single_currency_total(totals: tuple[Money, ...]) -> Decimal | None:
    """The one total when every amount shared a currency (0 when there were none), else None."""
    if not totals:
        return Decimal(0)
    return totals[0].amount if len(totals) == 1 else None


def most_common_currency(currencies: Iterable[str]) -> str | None:
    """The currency most amounts are in; ties go to the alphabetically first code; None when there are none."""
    counts = Counter(currencies)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], c))
