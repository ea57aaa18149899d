"""Scalar parsing stricter than Strawberry's defaults, where a default would let a bad value reach the database."""

from __future__ import annotations

from datetime import UTC, datetime

from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _within_the_calendar_in_utc(value: str) -> datetime:
    """A DateTime that stays a date once converted to UTC: `0001-01-01T00:00:00+14:00` does not (year 0)."""
    parse = DateTimeDefinition.parse_value
    assert parse is not None
    moment = parse(value)
    assert isinstance(moment, datetime)
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise ValueError("it falls outside the calendar (years 1 to 9999) once converted to UTC") from None
    return moment


DATETIME = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=DateTimeDefinition.specified_by_url,
    serialize=DateTimeDefinition.serialize,
    parse_value=wrap_parser(_within_the_calendar_in_utc, "DateTime"),
    parse_literal=None,
    origin=datetime,
)
"""`DateTime`, refusing a value that overflows when converted to UTC (a client error, not a crash later)."""
