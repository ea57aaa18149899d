"""Inputs for deal queries and mutations."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from api.graphql.core.scalars import DecimalText
from api.graphql.deals.types import DealStatus


@strawberry.input(description="Narrow the deals list; every field given must match.")
class DealFilterInput:
    process_key: str | None = strawberry.field(default=None, description="Only deals of this process.")
    stages: list[str] | None = strawberry.field(default=None, description="Only deals in these stage keys.")
    statuses: list[DealStatus] | None = strawberry.field(default=None, description="Only deals with these statuses.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Only deals owned by this user.")
    close_date_from: date | None = strawberry.field(default=None, description="Close date on or after this day.")
    close_date_to: date | None = strawberry.field(default=None, description="Close date on or before this day.")
    search: str | None = strawberry.field(
        default=None, description="Text in the deal or account name (case-insensitive)."
    )


@strawberry.enum(description="What to order deals by.")
class DealOrderField(Enum):
    _value_: str  # for mypy: `enum_value` members still have their string as value

    OPEN_FIRST = strawberry.enum_value(
        "open_first",
        description="Open deals first, then won and lost ones; each group by expected close date. What `deals` "
        "lists without `orderBy`.",
    )
    CLOSE_DATE = strawberry.enum_value("close_date", description="The expected close date.")
    AMOUNT = strawberry.enum_value("amount", description="The contract value (whatever the currency).")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When the deal last changed.")


@strawberry.enum(description="Ascending or descending.")
class OrderDirection(Enum):
    _value_: str  # for mypy: `enum_value` members still have their string as value

    ASC = strawberry.enum_value("asc", description="Smallest or earliest first.")
    DESC = strawberry.enum_value("desc", description="Largest or latest first.")


@strawberry.input(description="How to order deals; ties are broken by deal id.")
class DealOrderInput:
    field: DealOrderField = strawberry.field(default=DealOrderField.CLOSE_DATE, description="The field.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="The direction.")


@strawberry.input(description="A new deal; it starts in its process's entry stage.")
class CreateDealInput:
    name: str = strawberry.field(description="The deal's name.")
    account_name: str = strawberry.field(description="The buyer's company.")
    process_key: str = strawberry.field(description="The process the deal follows, e.g. `new-business`.")
    amount: DecimalText = strawberry.field(
        description='Contract value, e.g. `"12500.00"`: not negative, at most two decimal places; anything else is '
        "answered with `InvalidInput` (field `input.amount`)."
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. `EUR`.")
    close_date: date = strawberry.field(description="Expected close date.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The owning rep; yourself when left out (a manager may pick a team member)."
    )
    competitor_keys: list[str] = strawberry.field(default_factory=list, description="Competitors in the deal, by key.")


@strawberry.input(description="Changes to a deal; fields left out stay as they are.")
class UpdateDealInput:
    deal_id: strawberry.ID = strawberry.field(description="The deal.")
    expected_version: int = strawberry.field(description="The version you last saw; a stale one is refused.")
    name: str | None = strawberry.field(default=None, description="New name.")
    account_name: str | None = strawberry.field(default=None, description="New account name.")
    amount: DecimalText | None = strawberry.field(
        default=None, description='New amount, e.g. `"12500.00"`; checked as `CreateDealInput.amount` is.'
    )
    currency: str | None = strawberry.field(default=None, description="New ISO 4217 currency code.")
    close_date: date | None = strawberry.field(default=None, description="New expected close date.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="New owner.")
    competitor_keys: list[str] | None = strawberry.field(
        default=None, description="The full new list of competitors in the deal."
    )


@strawberry.enum(description="How a deal closes.")
class CloseOutcome(Enum):
    _value_: str  # for mypy: `enum_value` members still have their string as value

    WON = strawberry.enum_value("won", description="Won: enters the won stage, through the gate.")
    LOST = strawberry.enum_value("lost", description="Lost, from any open stage; needs a reason.")
