"""The custom scalars and their wire formats, stated in the schema so generated client types need no guessing.

`Date` and `DateTime` follow published scalar specifications (`@specifiedBy`); `Decimal` states its own
contract in its description (the published Decimal specification sends JSON numbers, which JavaScript rounds).
A `Decimal` argument reaches its resolver as the text the client sent (`DecimalText`): the use case that reads
it says what is wrong with it, as it did when amounts were plain strings (`InvalidInput` for a deal's amount).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import NewType

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

DecimalText = NewType("DecimalText", str)
"""A `Decimal` argument as sent: a string, or a JSON number's text."""

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _sent(value: object) -> str:
    """The value as the client wrote it, in JSON."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def serialize_date(value: date) -> str:
    return value.isoformat()


def parse_date(value: object) -> date:
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise GraphQLError(f"Date {_sent(value)} is not a day of the calendar") from None
    raise GraphQLError(f'Date must be a string written YYYY-MM-DD, e.g. "2026-09-27" (got {_sent(value)})')


def serialize_date_time(value: datetime) -> str:
    if value.tzinfo is UTC:  # as the database gives it: no conversion to make
        return value.isoformat()
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def parse_date_time(value: object) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            return _within_the_calendar_in_utc(moment, value)
    raise GraphQLError(
        f'DateTime must be a string in RFC 3339 form, e.g. "2026-08-08T22:26:00+00:00" (got {_sent(value)})'
    )


def _within_the_calendar_in_utc(moment: datetime, sent: str) -> datetime:
    """A DateTime that stays a date once converted to UTC: `0001-01-01T00:00:00+14:00` does not (year 0)."""
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise GraphQLError(
                f"DateTime {_sent(sent)} falls outside the calendar (years 1 to 9999) once converted to UTC"
            ) from None
    return moment


def serialize_decimal(value: Decimal) -> str:
    return format(value, "f")


def parse_decimal(value: object) -> DecimalText:
    if isinstance(value, str):
        return DecimalText(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return DecimalText(str(value))
    raise GraphQLError(f'Decimal must be a string like "12500.00" (got {_sent(value)})')


DATE = strawberry.scalar(
    name="Date",
    description="A calendar day, without time or time zone: a JSON string `YYYY-MM-DD` (RFC 3339 full-date), e.g. "
    '`"2026-09-27"`. Input must have exactly this form.',
    specified_by_url="https://scalars.graphql.org/andimarek/local-date.html",
    serialize=serialize_date,
    parse_value=parse_date,
)
DATE_TIME = strawberry.scalar(
    name="DateTime",
    description="A moment in time: a JSON string in RFC 3339 date-time form with an offset, e.g. "
    '`"2026-08-08T22:26:00+00:00"`. Results are always in UTC (`+00:00`), with fractional seconds when there are '
    'any (`"2026-08-08T22:26:00.123456+00:00"`). Input may leave the offset out; it is then read as UTC.',
    specified_by_url="https://scalars.graphql.org/andimarek/date-time.html",
    serialize=serialize_date_time,
    parse_value=parse_date_time,
)
DECIMAL = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number: a JSON string in plain notation, e.g. `"8300.00"` (an optional `-`, '
    "digits, and optionally `.` and more digits; never exponent notation, never a JSON number, which JavaScript "
    "would round). A deal's amount has two decimal places and is always read with its currency. As input, send a "
    "string; the field that takes it says what it accepts, and a deal's amount that is not one is answered with "
    "`InvalidInput`, not a request error.",
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALARS: dict[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME, Decimal: DECIMAL, DecimalText: DECIMAL}
"""For `StrawberryConfig(scalar_map=...)`: the Python types each scalar is read into or written from."""


def decimal_of(text: str) -> Decimal | None:
    """The number a `DecimalText` holds, or None when it holds none."""
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None
