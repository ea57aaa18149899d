"""Money as a GraphQL type: an amount never travels without its currency."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import strawberry

from api.services.forecast.money import Money


@strawberry.type(name="Money", description="An amount in one currency.")
class MoneyType:
    amount: Decimal = strawberry.field(description="The amount.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. `EUR`.")

    @classmethod
    def of(cls, money: Money) -> MoneyType:
        return cls(amount=money.amount, currency=money.currency)


def money_list(totals: Iterable[Money]) -> list[MoneyType]:
    return [MoneyType.of(m) for m in totals]
