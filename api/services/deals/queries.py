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
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Select, any_, false, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from api.db.batches import AnySelect, BatchRead, KeyCondition, NestedRows, array_of, batch, ids_param
from api.db.models import MAX_ID, OPEN_FIRST_RANK, Deal, DealCompetitor, DealEvent, MilestoneCompletion, User
from api.services.accounts.directory import USER_COLUMNS, UserRecord, user_columns, users_of
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.deals.input import MAX_AMOUNT

MAX_PAGE = 100
DEFAULT_PAGE = 20
"""Deals in a page when neither `first` nor `last` is given."""


class DealOrderField(StrEnum):
    OPEN_FIRST = "open_first"
    """Open deals first, then won and lost ones; each group by close date: the order without `orderBy`."""
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
    field: DealOrderField = DealOrderField.OPEN_FIRST
    descending: bool = False

    @property
    def columns(self) -> tuple[Any, ...]:
        """What the deals are sorted by, before their id (column expressions)."""
        if self.field is DealOrderField.OPEN_FIRST:
            return (OPEN_FIRST_RANK, Deal.close_date)
        return (getattr(Deal, self.field.value),)


@dataclass(frozen=True, slots=True)
class PageAsked:
    """Which page of a list, as a Relay connection asks for it: `first` after a cursor (forward), or `last`
    before one (backward); a page may be bounded by both cursors."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None


class DealRecord(NamedTuple):
    """A deal as its views show it, read as plain columns (a page of deals, a deal page, `node(id)`); a change
    shows the `Deal` row itself, which has the same attributes.

    The records of rows read as plain columns are named tuples: immutable, and built as fast as a tuple (a board
    builds hundreds); like tuples they compare equal to any tuple of the same values."""

    id: int
    name: str
    account_name: str
    process_key: str
    stage_key: str
    status: str
    owner_id: int
    amount: Decimal
    currency: str
    close_date: date
    version: int
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime


DEAL_COLUMNS = tuple(getattr(Deal, name) for name in DealRecord._fields)
DealRow = Deal | DealRecord
"""A deal as the views read it: the row itself, or its columns."""


@dataclass(frozen=True, slots=True)
class DealPage:
    deals: list[DealRow]
    has_next_page: bool
    has_previous_page: bool


class BadCursor(ValueError):
    """A cursor that this server did not hand out for this ordering."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


def filtered_deals(*, viewer: Viewer, deal_filter: DealFilter, leading: LeadingFilter | None = None) -> Select[Deal]:
    """The deals `viewer` may see that match `deal_filter`; the `leading` filter, if any, is written so that only
    its page index can order the page (see `leading_filter`)."""
    query = select(Deal).where(visible_deals(viewer))
    conditions: list[ColumnElement[bool]] = []
    if leading is not None:
        conditions.append(leading.column == any_(array([leading.value])))
    if deal_filter.process_key and (leading is None or leading.column is not Deal.process_key):
        conditions.append(Deal.process_key == deal_filter.process_key)
    if deal_filter.stage_keys and (leading is None or leading.column is not Deal.stage_key):
        conditions.append(Deal.stage_key.in_(deal_filter.stage_keys))
    if deal_filter.statuses and (leading is None or leading.column is not Deal.status):
        conditions.append(Deal.status.in_(deal_filter.statuses))
    if deal_filter.owner_id is not None and (leading is None or leading.column is not Deal.owner_id):
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
    page: PageAsked,
) -> DealPage:
    """A page of deals by (order field, id), between the cursors `after` and `before`: the `first` of them, or the
    `last`. Keyset pagination, no OFFSET: a deal added or changed meanwhile never repeats or hides another."""
    columns = order.columns
    key = tuple_(*columns, Deal.id)
    leading = leading_filter(deal_filter) if session.get_bind().dialect.name == "postgresql" else None
    query = filtered_deals(viewer=viewer, deal_filter=deal_filter, leading=leading)
    if page.after:
        bound = tuple_(*_bound(decode_cursor(page.after, order=order, argument="after")))
        query = query.where(key < bound if order.descending else key > bound)
    if page.before:
        bound = tuple_(*_bound(decode_cursor(page.before, order=order, argument="before")))
        query = query.where(key > bound if order.descending else key < bound)
    size = (page.last if page.backward else page.first) or 0
    # Read from the near end of the window: its start going forward, its end (in reverse) going backward.
    reversed_read = order.descending != page.backward
    ordered = (*columns, Deal.id) if leading is None else (leading.column, *columns, Deal.id)
    ordering = [c.desc() if reversed_read else c.asc() for c in ordered]
    # the deals' columns, not ORM rows: a page reads a hundred, and its views only read their attributes
    read = query.with_only_columns(*DEAL_COLUMNS).order_by(*ordering).limit(size + 1)
    rows: list[DealRow] = [DealRecord(*row) for row in await (await session.connection()).execute(read)]
    more = len(rows) > size
    rows = rows[:size]
    if page.backward:
        rows.reverse()
        return DealPage(deals=rows, has_next_page=page.before is not None, has_previous_page=more)
    return DealPage(deals=rows, has_next_page=more, has_previous_page=page.after is not None)


@dataclass(frozen=True, slots=True)
class LeadingFilter:
    column: InstrumentedAttribute[Any]
    value: Any


def leading_filter(deal_filter: DealFilter) -> LeadingFilter | None:
    """The one-valued filter whose index (`api.db.models.PAGE_INDEXES`) serves a page, on PostgreSQL.

    Written `column = ANY(ARRAY[value])` and ordered by that column first (the same order, as it has one value):
    then only its index gives the page's order. With `column = value`, the planner may walk the order's own index
    and throw rows away, expecting matches to be spread evenly; they rarely are (open deals close last)."""
    if deal_filter.owner_id is not None:
        return LeadingFilter(Deal.owner_id, deal_filter.owner_id)
    if len(deal_filter.stage_keys) == 1:
        return LeadingFilter(Deal.stage_key, deal_filter.stage_keys[0])
    if deal_filter.process_key:
        return LeadingFilter(Deal.process_key, deal_filter.process_key)
    if len(deal_filter.statuses) == 1:
        return LeadingFilter(Deal.status, deal_filter.statuses[0])
    return None


async def count_deals(session: AsyncSession, *, viewer: Viewer, deal_filter: DealFilter) -> int:
    query = filtered_deals(viewer=viewer, deal_filter=deal_filter).with_only_columns(func.count(Deal.id))
    return int(await session.scalar(query) or 0)


def _bound(decoded: tuple[Any, int]) -> tuple[Any, ...]:
    """A cursor's sort values and id, as the row to compare with."""
    value, deal_id = decoded
    return (*value, deal_id) if isinstance(value, tuple) else (value, deal_id)


def encode_cursor(deal: DealRow, *, order: DealOrder) -> str:
    if order.field is DealOrderField.OPEN_FIRST:
        value: Any = [0 if deal.status == "open" else 1, _cursor_value(deal.close_date)]
    else:
        value = _cursor_value(getattr(deal, order.field.value))
    raw = json.dumps([order.field.value, order.descending, value, deal.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, *, order: DealOrder, argument: str = "after") -> tuple[Any, int]:
    """(order value, deal id) from a cursor `encode_cursor` handed out; `argument` names it in errors."""
    not_ours = BadCursor(argument, f"{cursor!r} is not a cursor from this list")
    try:
        field_name, descending, value, deal_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise not_ours from error
    if not isinstance(deal_id, int) or isinstance(deal_id, bool) or not 0 < deal_id <= MAX_ID:
        raise not_ours
    if field_name != order.field.value or descending != order.descending:
        message = f"{cursor!r} was handed out for another ordering; start again without `{argument}`"
        raise BadCursor(argument, message)
    try:
        parsed = _parse_cursor_value(order.field, value)
    except (ValueError, TypeError, InvalidOperation, OverflowError) as error:
        raise not_ours from error
    return parsed, deal_id


def _cursor_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _parse_cursor_value(field_name: DealOrderField, value: Any) -> Any:
    if field_name is DealOrderField.OPEN_FIRST:
        rank, close_date = value
        if rank not in (0, 1) or isinstance(rank, bool):
            raise ValueError(f"{rank!r} is no rank")
        return (rank, date.fromisoformat(close_date))
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


async def deals_by_ids(session: AsyncSession, *, viewer: Viewer, ids: Sequence[int]) -> list[DealRow | None]:
    by_id: dict[int, DealRow] = {
        row[0]: DealRecord(*row) for row in await _deal_pages(viewer, _DEAL_ALONE).rows(session, ids)
    }
    return [by_id.get(i) for i in ids]


class CompletionRecord(NamedTuple):
    """A milestone completion as a deal's views show it: read as plain columns (a board reads hundreds)."""

    id: int
    deal_id: int
    milestone_key: str
    completed_at: datetime
    completed_by_id: int
    note: str | None


R = TypeVar("R", bound=tuple[Any, ...])


class _ReadsByDeal(Generic[R]):
    """The rows of a table that hang off deals (completions, events), as `record`s grouped by deal in id order:
    alone, or with the user each names (`user_id`) joined; in statements of their own, or nested in a deal's
    row (`nested`, PostgreSQL)."""

    def __init__(self, record: type[R], entity: Any, *, user_id: Any) -> None:
        self.record, self.entity, self.user_id = record, entity, user_id
        self.columns = tuple(getattr(entity, name) for name in record._fields)  # type: ignore[attr-defined]
        self._alone = BatchRead(lambda keys: self._select(keys(entity.deal_id)).order_by(entity.id))
        self._with_users = BatchRead(lambda keys: self._select(keys(entity.deal_id), users=User).order_by(entity.id))
        self._users_nested = aliased(User)
        """The users of the rows nested in a deal's row: an alias, so a query over deals may join users itself."""
        self._nested = {False: NestedRows(self.columns), True: NestedRows(self._columns(self._users_nested))}

    def _columns(self, users: Any) -> tuple[Any, ...]:
        return self.columns if users is None else (*self.columns, *user_columns(users))

    def _select(self, condition: ColumnElement[bool], *, users: Any = None, columns: Any = None) -> AnySelect:
        """The rows (or `columns` of them) on `condition`, with `users` (`User` or an alias) joined if given."""
        statement = select(*(columns or self._columns(users)))
        if users is not None:
            statement = statement.select_from(self.entity).outerjoin(users, users.id == self.user_id)
        return statement.where(condition)

    async def records(self, session: AsyncSession, ids: Sequence[int]) -> list[list[R]]:
        return self._by_deal(await self._alone.rows(session, ids), ids)

    async def records_and_users(
        self, session: AsyncSession, ids: Sequence[int]
    ) -> tuple[list[list[R]], list[UserRecord]]:
        rows = await self._with_users.rows(session, ids)
        return self._by_deal(rows, ids), users_of(rows, len(self.columns))

    def nested(self, *, users: bool) -> ColumnElement[Any]:
        """A deal's rows (and their users), in id order, as one array value in a query over `Deal`."""
        nested = self._nested[users].aggregated(order_by=self.entity.id)
        joined = self._users_nested if users else None
        return self._select(self.entity.deal_id == Deal.id, users=joined, columns=[nested]).scalar_subquery()

    def nested_records(self, value: Sequence[Sequence[Any]], *, users: bool) -> tuple[list[R], list[UserRecord]]:
        """The records of a `nested` value, and their users (none when `users` is false)."""
        rows = self._nested[users].decode(value)
        width = len(self.columns)
        return [self.record(*row[:width]) for row in rows], users_of(rows, width) if users else []

    def _by_deal(self, rows: Sequence[Sequence[Any]], ids: Sequence[int]) -> list[list[R]]:
        """Records of rows whose second column is their deal's id, grouped by deal in the order of `ids`; the
        users' columns after them are left out."""
        width = len(self.columns)
        by_deal: dict[int, list[R]] = defaultdict(list)
        for row in rows:
            by_deal[row[1]].append(self.record(*row[:width]))
        return [by_deal.get(i, []) for i in ids]


_COMPLETIONS = _ReadsByDeal(CompletionRecord, MilestoneCompletion, user_id=MilestoneCompletion.completed_by_id)


async def completions_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[CompletionRecord]]:
    return await _COMPLETIONS.records(session, ids)


async def completions_and_completers_by_deal_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> tuple[list[list[CompletionRecord]], list[UserRecord]]:
    """`completions_by_deal_ids`, and the users who completed them, in one statement."""
    return await _COMPLETIONS.records_and_users(session, ids)


class EventRecord(NamedTuple):
    """An entry of a deal's history as its views show it: read as plain columns (a deal page reads dozens)."""

    id: int
    deal_id: int
    kind: str
    actor_id: int
    occurred_at: datetime
    from_stage: str | None
    to_stage: str | None
    milestone_key: str | None
    reason: str | None
    skipped_milestones: list[str] | None
    changes: dict[str, Any] | None


_EVENTS = _ReadsByDeal(EventRecord, DealEvent, user_id=DealEvent.actor_id)


async def events_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[EventRecord]]:
    return await _EVENTS.records(session, ids)


async def events_and_actors_by_deal_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> tuple[list[list[EventRecord]], list[UserRecord]]:
    """`events_by_deal_ids`, and the users who acted, in one statement."""
    return await _EVENTS.records_and_users(session, ids)


_EVENTS_BY_IDS = select(DealEvent).where(DealEvent.id.in_(ids_param()))


async def events_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[DealEvent | None]:
    """Events by their own id; whether their deal may be seen is the caller's to check."""
    by_id = {event.id: event for event in await session.scalars(_EVENTS_BY_IDS, batch(ids))}
    return [by_id.get(i) for i in ids]


@dataclass(frozen=True, slots=True)
class DealPageParts:
    """What a deal page's fields read besides the deal (`deal_pages_by_ids`)."""

    competitors: bool = False
    completions: bool = False
    completers: bool = False
    """The users who completed them, with the completions (only with `completions`)."""
    events: bool = False
    actors: bool = False
    """The users who acted, with the events (only with `events`)."""
    owner: bool = False


@dataclass(frozen=True, slots=True)
class DealPageRead:
    """A deal and what its page reads with it; a part not asked for is None."""

    deal: DealRecord
    competitor_keys: list[str] | None
    completions: list[CompletionRecord] | None
    events: list[EventRecord] | None
    users: list[UserRecord]
    """The owner, completers and actors asked for, each once."""


_OWNER = aliased(User)


_DEAL_ALONE = DealPageParts()
"""No part: the deal's own columns, a read of every database (`deals_by_ids`)."""


@lru_cache(maxsize=1024)
def _deal_pages(viewer: Viewer, parts: DealPageParts) -> BatchRead:
    """The deals `viewer` may see with what their pages read, nested, in one statement (PostgreSQL, for any part
    but the owner): built once per viewer and parts, since what the viewer may see is part of the statement."""

    def build(keys: KeyCondition) -> AnySelect:
        columns: list[Any] = [*DEAL_COLUMNS]
        if parts.owner:
            columns += user_columns(_OWNER)
        if parts.competitors:
            keys_of_deal = select(array_of(DealCompetitor.competitor_key, order_by=DealCompetitor.competitor_key))
            columns.append(keys_of_deal.where(DealCompetitor.deal_id == Deal.id).scalar_subquery())
        if parts.completions:
            columns.append(_COMPLETIONS.nested(users=parts.completers))
        if parts.events:
            columns.append(_EVENTS.nested(users=parts.actors))
        statement = select(*columns).where(keys(Deal.id), visible_deals(viewer))
        if parts.owner:
            statement = statement.select_from(Deal).outerjoin(_OWNER, _OWNER.id == Deal.owner_id)
        return statement

    return BatchRead(build)


async def deal_pages_by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[int], parts: DealPageParts
) -> list[DealPageRead | None]:
    """The deals `viewer` may see, each with what its page reads (`parts`), in one statement: on PostgreSQL,
    when the session reads on the driver (`reads_on_driver`); the same values as `deals_by_ids`,
    `competitor_keys_by_deal_ids`, `completions_and_completers_by_deal_ids` and `events_and_actors_by_deal_ids`."""
    found: dict[int, DealPageRead] = {}
    width = len(DEAL_COLUMNS)
    for row in await _deal_pages(viewer, parts).rows(session, ids):
        at = width
        users: list[UserRecord] = []
        if parts.owner:
            users += users_of([row], at)
            at += len(USER_COLUMNS)
        competitor_keys = None
        if parts.competitors:
            competitor_keys, at = list(row[at]), at + 1
        completions = events = None
        if parts.completions:
            (completions, completers), at = _COMPLETIONS.nested_records(row[at], users=parts.completers), at + 1
            users += completers
        if parts.events:
            (events, actors), at = _EVENTS.nested_records(row[at], users=parts.actors), at + 1
            users += actors
        deal = DealRecord(*row[:width])
        unique = list({user.id: user for user in users}.values())
        found[deal.id] = DealPageRead(deal, competitor_keys, completions, events, unique)
    return [found.get(i) for i in ids]


_COMPETITOR_KEYS = BatchRead(
    lambda keys: (
        select(DealCompetitor.deal_id, DealCompetitor.competitor_key)
        .where(keys(DealCompetitor.deal_id))
        .order_by(DealCompetitor.competitor_key)
    )
)


async def competitor_keys_by_deal_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[list[str]]:
    by_deal: dict[int, list[str]] = defaultdict(list)
    for deal_id, key in await _COMPETITOR_KEYS.rows(session, ids):
        by_deal[deal_id].append(key)
    return [by_deal.get(i, []) for i in ids]


async def changed_deal(
    session: AsyncSession, *, viewer: Viewer, deal_id: int, deal_filter: DealFilter | None = None
) -> Deal | None:
    """The deal, if the viewer may see it and it matches the filter: what a subscriber is sent after a change."""
    query = filtered_deals(viewer=viewer, deal_filter=deal_filter or DealFilter()).where(Deal.id == deal_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def events_after(session: AsyncSession, *, deal_id: int, after_id: int) -> list[DealEvent]:
    """The deal's events recorded after the event `after_id`, oldest first."""
    query = select(DealEvent).where(DealEvent.deal_id == deal_id, DealEvent.id > after_id).order_by(DealEvent.id)
    return list(await session.scalars(query))


async def newest_event_id(session: AsyncSession, *, deal_id: int | None = None) -> int:
    """The id of the newest event of the deal (of any deal, without one); 0 when there is none."""
    query = select(func.max(DealEvent.id))
    if deal_id is not None:
        query = query.where(DealEvent.deal_id == deal_id)
    return int(await session.scalar(query) or 0)
