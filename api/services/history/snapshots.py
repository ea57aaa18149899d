"""Deals as plain records (`DealSnapshot`), read from the database in a fixed number of statements."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, MilestoneCompletion
from api.process import Outcome
from api.services.deals.queries import DealRow
from api.services.history.records import DealSnapshot


def deals_query(
    *,
    process_key: str | Collection[str],
    since: datetime | None,
    owner_ids: Collection[int] | None,
    visible: ColumnElement[bool] | None = None,
) -> Select[int]:
    """The ids of the deals of a process (or of any of several) created since `since`, owned by `owner_ids`
    (None: anyone), within `visible` (see `api.services.accounts.viewer.visible_deals`)."""
    return select(Deal.id).where(*deal_conditions(process_key, since=since, owner_ids=owner_ids, visible=visible))


def deal_conditions(
    process_key: str | Collection[str],
    *,
    since: datetime | None,
    owner_ids: Collection[int] | None,
    visible: ColumnElement[bool] | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions of `deals_query`, for a statement that reads the deals themselves."""
    conditions = [
        Deal.process_key == process_key if isinstance(process_key, str) else Deal.process_key.in_(process_key)
    ]
    if visible is not None:
        conditions.append(visible)
    if since is not None:
        conditions.append(Deal.created_at >= since)
    if owner_ids is not None:
        conditions.append(Deal.owner_id.in_(owner_ids))
    return conditions


async def open_snapshots_by_process(
    session: AsyncSession,
    *,
    process_keys: Collection[str],
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[tuple[str, DealSnapshot]]:
    """One statement: the open deals of the processes, each with its process's key and its completed
    milestone keys (one JSON array per deal, so a deal is one row however much it has done).

    Read as plain rows, not ORM objects: a period-end view reads every open deal, thousands of them. Deals in
    the same state share one set of keys, parsed once."""
    conditions = deal_conditions(process_keys, since=None, owner_ids=owner_ids, visible=visible)
    connection = await session.connection()  # Core rows: the ORM's per-row work is not needed for columns
    completed = _completed_keys(connection.dialect.name)
    # the deals' own conditions, not `id IN (deals_query)`: PostgreSQL then reads only the open deals' rows (a
    # third of the time at 100,000 deals)
    open_deals = select(*SNAPSHOT_COLUMNS, completed).where(*conditions, Deal.status == Outcome.OPEN.value)
    rows = await connection.execute(open_deals)
    key_sets = _KeySets()
    return [
        (
            process_key,
            DealSnapshot(
                deal_id=str(deal_id),
                name=name,
                owner_id=str(owner_id),
                stage_key=stage_key,
                status=Outcome.OPEN,
                amount=amount,
                currency=currency,
                entered_stage_at=entered_at,
                completed_milestones=key_sets.of(keys),
                close_date=close_date,
            ),
        )
        for deal_id, process_key, name, owner_id, stage_key, amount, currency, entered_at, close_date, keys in rows
    ]


@dataclass(frozen=True, slots=True)
class OpenDealGroup:
    """Open deals of one process in the same stage, with the same completed milestones, in one currency."""

    process_key: str
    stage_key: str
    completed_milestones: frozenset[str]
    """As recorded (possibly former keys)."""
    currency: str
    count: int
    amount: Decimal
    """Their total amount, exact to the cent."""


async def open_deal_groups(
    session: AsyncSession,
    *,
    process_keys: Collection[str],
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[OpenDealGroup]:
    """One statement: the open deals `open_snapshots_by_process` reads, counted and totalled per process, stage,
    completed milestones and currency: a few hundred rows where there are thousands of deals."""
    conditions = deal_conditions(process_keys, since=None, owner_ids=owner_ids, visible=visible)
    connection = await session.connection()
    deals = (
        select(
            Deal.process_key,
            Deal.stage_key,
            Deal.currency,
            Deal.amount,
            _completed_keys_as_json(connection.dialect.name).label("completed"),
        )
        .where(*conditions, Deal.status == Outcome.OPEN.value)
        .subquery()
    )
    in_state = (deals.c.process_key, deals.c.stage_key, deals.c.completed, deals.c.currency)
    # in cents: exact on SQLite too, which keeps amounts as floating point numbers
    cents = func.sum(func.round(deals.c.amount * 100))
    key_sets = _KeySets()
    return [
        OpenDealGroup(
            process_key=process_key,
            stage_key=stage_key,
            completed_milestones=key_sets.of(completed),
            currency=currency,
            count=count,
            amount=Decimal(int(total)).scaleb(-2),
        )
        for process_key, stage_key, completed, currency, count, total in await connection.execute(
            select(*in_state, func.count(), cents).group_by(*in_state)
        )
    ]


async def stale_counts(
    session: AsyncSession,
    *,
    process_keys: Collection[str],
    entered_before: Mapping[tuple[str, str], datetime],
    owner_ids: Collection[int] | None = None,
    visible: ColumnElement[bool] | None = None,
) -> dict[tuple[str, str], int]:
    """One statement: per (process key, stage key) of `entered_before`, how many of the open deals
    `open_deal_groups` counts entered that stage before the given time (a stage where none did is left out)."""
    if not entered_before:
        return {}
    conditions = deal_conditions(process_keys, since=None, owner_ids=owner_ids, visible=visible)
    late = or_(
        *(
            and_(Deal.process_key == process_key, Deal.stage_key == stage_key, Deal.stage_entered_at < before)
            for (process_key, stage_key), before in entered_before.items()
        )
    )
    counted = (
        select(Deal.process_key, Deal.stage_key, func.count())
        .where(*conditions, Deal.status == Outcome.OPEN.value, late)
        .group_by(Deal.process_key, Deal.stage_key)
    )
    connection = await session.connection()
    return {(process_key, stage_key): count for process_key, stage_key, count in await connection.execute(counted)}


def _completed_keys(dialect: str) -> ColumnElement[Any]:
    """A deal's completed milestone keys, in no order: an array on PostgreSQL (twice as fast to read there as
    a sorted JSON text, at 6,000 deals), a JSON array in text elsewhere."""
    if dialect == "postgresql":
        keys = select(MilestoneCompletion.milestone_key).where(MilestoneCompletion.deal_id == Deal.id)
        return func.array(keys.scalar_subquery())
    return _completed_keys_as_json(dialect)


def _completed_keys_as_json(dialect: str) -> ColumnElement[str | None]:
    """A deal's completed milestone keys as a JSON array in text, to group deals by: sorted where the database
    can (so deals in the same state read the same text); null when it has none."""
    key = MilestoneCompletion.milestone_key
    if dialect == "postgresql":
        in_order = select(func.json_agg(aggregate_order_by(key, key))).where(MilestoneCompletion.deal_id == Deal.id)
        return cast(in_order.scalar_subquery(), Text)
    return select(func.json_group_array(key)).where(MilestoneCompletion.deal_id == Deal.id).scalar_subquery()


class _KeySets:
    """The sets of keys the deals' columns name: one set per distinct JSON text or array, and one per distinct
    set of keys (texts and arrays differ where they are not sorted), shared by the deals in that state: hashed
    once, found by identity by the views that compute once per state (`progress_of`)."""

    def __init__(self) -> None:
        self._by_read: dict[str | tuple[str, ...] | None, frozenset[str]] = {}
        self._by_keys: dict[frozenset[str], frozenset[str]] = {}

    def of(self, read: str | list[str] | None) -> frozenset[str]:
        """The set of keys `read`: a JSON text, or an array (`_completed_keys`)."""
        as_read = tuple(read) if isinstance(read, list) else read
        found = self._by_read.get(as_read)
        if found is None:
            keys = frozenset(json.loads(as_read) if isinstance(as_read, str) else as_read or ())
            found = self._by_read[as_read] = self._by_keys.setdefault(keys, keys)
        return found


SNAPSHOT_COLUMNS = (
    Deal.id,
    Deal.process_key,
    Deal.name,
    Deal.owner_id,
    Deal.stage_key,
    Deal.amount,
    Deal.currency,
    Deal.stage_entered_at,
    Deal.close_date,
)


def snapshot_of(deal: DealRow, *, completed: Iterable[str], closed_at: datetime | None = None) -> DealSnapshot:
    """The plain record of a deal row and the keys of its completed milestones (as stored)."""
    return DealSnapshot(
        deal_id=str(deal.id),
        name=deal.name,
        owner_id=str(deal.owner_id),
        stage_key=deal.stage_key,
        status=Outcome(deal.status),
        amount=deal.amount,
        currency=deal.currency,
        entered_stage_at=deal.stage_entered_at,
        completed_milestones=frozenset(completed),
        close_date=deal.close_date,
        closed_at=closed_at if deal.status != Outcome.OPEN.value else None,
    )
