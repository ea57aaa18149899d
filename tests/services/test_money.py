from __future__ import annotations

from decimal import Decimal

from api.services.forecast.money import Money, most_common_currency, single_currency_total, totals_by_currency


def test_totals_are_kept_per_currency_by_code() -> None:
    totals = totals_by_currency([Money(Decimal(5), "USD"), Money(Decimal(2), "EUR"), Money(Decimal(1), "USD")])
    assert totals == (Money(Decimal(2), "EUR"), Money(Decimal(6), "USD"))


def test_a_single_total_exists_only_when_every_amount_shares_a_currency() -> None:
    assert single_currency_total(()) == Decimal(0)
    assert single_currency_total((Money(Decimal(3), "EUR"),)) == Decimal(3)
    assert single_currency_total((Money(Decimal(3), "EUR"), Money(Decimal(1), "USD"))) is None


def test_the_most_common_currency_wins_and_ties_go_to_the_first_code() -> None:
    assert most_common_currency(["USD", "EUR", "USD"]) == "USD"
    assert most_common_currency(["USD", "EUR"]) == "EUR"
    assert most_common_currency([]) is None
