"""Reading deals: the filtered, keyset-paginated list and the batch reads behind the DataLoaders."""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import MAX_ID, Deal, DealCompetitor, DealEvent, MilestoneCompletion
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.deals.input import MAX_AMOUNT

MAX_PAGE = 100


class DealOrderField(StrEnum):
    CLOSE_DATE = "close_date"
    AMOUNT = "amount"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, kw_only=True)
class DealFilter:
    process_key: str | None = None
    stage_keys: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owner_id: int | None = None
    close_date_from: date | None = None
    close_date_to: date | None = None
    search: str | None = None


@dataclass(frozen=True, kw_only=True)
class DealOrder:
    field: DealOrderField = DealOrderField.CLOSE_DATE
    descending: bool = False


@dataclass(frozen=True, slots=True)
class DealPage:
    deals: list[Deal]
    has_next_page: bool


class BadCursor(ValueError):
    """A cursor that this server did not hand out for this ordering."""


def filtered_deals(*, viewer: Viewer, deal_filter: DealFilter) -> Select[Deal]:
    query = select(Deal).where(visible_deals(viewer))
    conditions: list[ColumnElement[bool]] = []
    if deal_filter.process_key:
        conditions.append(Deal.process_key == deal_filter.process_key)
    if deal_filter.stage_keys:
        conditions.append(Deal.stage_key.in_(deal_filter.stage_keys))
    if deal_filter.statuses:
        conditions.append(Deal.status.in_(deal_filter.statuses))
    if deal_filter.owner_id is not None:
        conditions.append(Deal.owner_id == deal_filter.owner_id)
    if deal_filter.close_date_from is not None:
        conditions.append(Deal.close_date >= deal_filter.close_date_from)
    if deal_filter.close_date_to is not None:
        conditions.append(Deal.close_date <= deal_filter.close_date_to)
    if deal_filter.search and deal_filter.search.strip():
        text = deal_filter.search.strip().lower()
        if "\x00" in text:  # names never hold NUL, and PostgreSQL refuses it even in a pattern
            conditions.append(false())
        conditions.append(
            or_(
                func.lower(Deal.name).contains(text, autoescape=True),
                func.lower(Deal.account_name).contains(text, autoescape=True),
            )
        )
    return query.where(*conditions)


async def page_of_deals(
    session: AsyncSession,
    *,
    viewer: Viewer,
    deal_filter: DealFilter,
    order: DealOrder,
    first: int,
    after: str | None = None,
) -> DealPage:
    """Up to `first` deals after the cursor `after`, by (order field, id): keyset pagination, no OFFSET."""
    column = getattr(Deal, order.field.value)
    query = filtered_deals(viewer=viewer, deal_filter=deal_filter)
    if after:
        value, deal_id = decode_cursor(after, order=order)
        key = tuple_(column, Deal.id)
        query = query.where(key < tuple_(value, deal_id) if order.descending else key > tuple_(value, deal_id))
    ordering = (column.desc(), Deal.id.desc()) if order.descending else (column.asc(), Deal.id.asc())
    rows = list(await session.scalars(query.order_by(*ordering).limit(first + 1)))
    return DealPage(deals=rows[:first], has_next_page=len(rows) > first)


async def count_deals(session: AsyncSession, *, viewer: Viewer, deal_filter: DealFilter) -> int:
    query = filtered_deals(viewer=viewer, deal_filter=deal_filter).with_only_columns(func.count(Deal.id))
    return int(await session.scalar(query) or 0)


def encode_cursor(deal: Deal, *, order: DealOrder) -> str:
    value = getattr(deal, order.field.value)
    raw = json.dumps([order.field.value, order.descending, _cursor_value(value), deal.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, *, order: DealOrder) -> tuple[Any, int]:
    try:
        field_name, descending, value, deal_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise BadCursor(f"{cursor!r} is not a cursor from this list") from error
    if not isinstance(deal_id, int) or isinstance(deal_id, bool) or not 0 < deal_id <= MAX_ID:
        raise BadCursor(f"{cursor!r} is not a cursor from this list")
    if field_name != order.field.value or descending != order.descending:
        raise BadCursor(f"{cursor!r} was handed out for another ordering; start again without `after`")
    try:
        parsed = _parse_cursor_value(order.field, value)
    except (ValueError, TypeError, InvalidOperation, OverflowError) as error:
        raise BadCursor(f"{cursor!r} is not a cursor from this list") from error
    return parsed, deal_id


def _cursor_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _parse_cursor_value(field_name: DealOrderField, value: str) -> Any:
    if field_name is DealOrderField.CLOSE_DATE:
        return date.fromisoformat(value)
    if field_name is DealOrderField.AMOUNT:
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
            raise ValueError(f"{value!r} is no deal's amount")
        return amount
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return moment.astimezone(UTC)  # OverflowError when the offset takes it past the calendar


async def deals_by_ids(session: AsyncSession, *, viewer: Viewer, ids: Sequence[int]) -> list[Deal | None]:
    rows = await session.scalars(select(Deal).where(Deal.id.in_(ids), visible_deals(viewer)))
    by_id = {deal.id: deal for deal in rows}
    return [by_id.get(i) for i in ids]


async def completions_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[MilestoneCompletion]]:
    by_deal: dict[int, list[MilestoneCompletion]] = defaultdict(list)
    query = select(MilestoneCompletion).where(MilestoneCompletion.deal_id.in_(ids)).order_by(MilestoneCompletion.id)
    for completion in await session.scalars(query):
        by_deal[completion.deal_id].append(completion)
    return [by_deal.get(i, []) for i in ids]


async def events_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[DealEvent]]:
    by_deal: dict[int, list[DealEvent]] = defaultdict(list)
    for event in await session.scalars(select(DealEvent).where(DealEvent.deal_id.in_(ids)).order_by(DealEvent.id)):
        by_deal[event.deal_id].append(event)
    return [by_deal.get(i, []) for i in ids]


async def competitor_keys_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[str]]:
    by_deal: dict[int, list[str]] = defaultdict(list)
    query = select(DealCompetitor).where(DealCompetitor.deal_id.in_(ids)).order_by(DealCompetitor.competitor_key)
    for row in await session.scalars(query):
        by_deal[row.deal_id].append(row.competitor_key)
    return [by_deal.get(i, []) for i in ids]
