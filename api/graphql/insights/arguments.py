"""Checks on the insights queries' arguments: a bad one is the client's to fix (`BAD_USER_INPUT`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from api.graphql.core.errors import ClientError
from api.graphql.core.scalars import DecimalText, decimal_of
from api.services.deals.input import years_from

MAX_QUOTA = Decimal("999999999999999.99")
"""A thousand times the largest deal: more than any team's quota, small enough for exact arithmetic."""
PERIOD_END_YEARS = 100
"""How far from today a period may end, either way: wide, since "a period end far ahead, so every deal fits" is a
fair question, yet far inside the calendar's end (9999-12-31), where date arithmetic would overflow."""


def checked_quota(given: DecimalText | None) -> Decimal | None:
    if given is None:
        return None
    quota = decimal_of(given)
    if quota is None:
        raise ClientError(f"quota: {given!r} is not a number; write it like '250000.00'")
    if not quota.is_finite():
        raise ClientError(f"quota: {quota} is not a finite amount; write it like '250000.00'")
    if quota < 0:
        raise ClientError(f"quota: must not be negative (got {quota})")
    if quota > MAX_QUOTA:
        raise ClientError(f"quota: must be at most {MAX_QUOTA} (got {quota})")
    return quota


def checked_period_end(period_end: date | None, *, today: date) -> date | None:
    if period_end is None:
        return None
    earliest, latest = years_from(today, -PERIOD_END_YEARS), years_from(today, PERIOD_END_YEARS)
    if not earliest <= period_end <= latest:
        raise ClientError(
            f"periodEnd: {period_end.isoformat()} is more than {PERIOD_END_YEARS} years from today; "
            f"give a day from {earliest.isoformat()} to {latest.isoformat()}"
        )
    return period_end


def as_utc(moment: datetime | None) -> datetime | None:
    """A datetime without a UTC offset is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
