"""The tables: who works deals, the deals, what was done on them, and everything that happened.

Deals store stage and milestone **keys** only; the process content lives in `process_definitions/`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    case,
    literal_column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


MAX_ID = 2**31 - 1
"""The largest primary key: `INTEGER` is 32-bit on PostgreSQL, so a larger id cannot name a row (nor be sent)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ENABLEMENT = "enablement"
    ADMIN = "admin"


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 of the token, hex; the token itself is shown once and never stored."""
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    """When the token stops working by itself; None: until it is revoked."""

    user: Mapped[User] = relationship(lazy="joined")


DEAL_FILTER_COLUMNS = ("status", "owner_id", "process_key", "stage_key")
"""The `deals` connection's equality filters (a rep's and a status board are the commonest)."""
DEAL_ORDER_COLUMNS = ("close_date", "amount", "updated_at")
"""The `deals` connection's orders, each followed by `id` as the tie-break."""
PAGE_INDEXES = tuple(
    Index(f"ix_deals_{filtered}_{ordered}_id", filtered, ordered, "id")
    for filtered in DEAL_FILTER_COLUMNS
    for ordered in DEAL_ORDER_COLUMNS
)
"""One per filter and order, so a page reads the rows it returns and no others: without one, PostgreSQL walks
the order's index and throws away every row of another status, owner or stage (76,000 closed deals to find
101 open ones at 100,000 deals)."""


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        Index("ix_deals_process_stage", "process_key", "stage_key"),
        Index("ix_deals_close_date_id", "close_date", "id"),
        Index("ix_deals_amount_id", "amount", "id"),
        Index("ix_deals_updated_at_id", "updated_at", "id"),
        *PAGE_INDEXES,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_name: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(64))
    stage_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), index=True)
    """An `api.process.Outcome` value: the outcome of the stage the deal is in."""
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    close_date: Mapped[date]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utc_now)
    """When the deal entered its current stage, for time in stage."""

    __mapper_args__ = {"version_id_col": version}


OPEN_FIRST_RANK = case((Deal.status == literal_column("'open'"), literal_column("0")), else_=literal_column("1"))
"""0 for an open deal, 1 for a closed one: the `open_first` order is (this, close date, id). Written with literals
only, so that PostgreSQL and SQLite match it to the indexes below (a bound parameter would not match)."""
OPEN_FIRST_INDEXES = (
    Index("ix_deals_open_first_id", OPEN_FIRST_RANK, Deal.close_date, Deal.id),
    *(
        Index(f"ix_deals_{filtered}_open_first_id", getattr(Deal, filtered), OPEN_FIRST_RANK, Deal.close_date, Deal.id)
        for filtered in DEAL_FILTER_COLUMNS
    ),
)
"""The default order's page indexes: on every deal, and one per filter."""


class DealCompetitor(Base):
    """A competitor (or the status quo) the buyer is weighing against us in a deal."""

    __tablename__ = "deal_competitors"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    competitor_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class MilestoneCompletion(Base):
    __tablename__ = "milestone_completions"
    __table_args__ = (UniqueConstraint("deal_id", "milestone_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    milestone_key: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(default=utc_now)
    completed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)


class DealEvent(Base):
    """One entry of a deal's append-only history."""

    __tablename__ = "deal_events"
    __table_args__ = (
        Index("ix_deal_events_deal_id_id", "deal_id", "id"),
        Index("ix_deal_events_kind_occurred_at", "kind", "occurred_at"),
        Index("ix_deal_events_deal_id_occurred_at_id", "deal_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    """An `api.deal_events.DealEventKind` value."""
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    from_stage: Mapped[str | None] = mapped_column(String(64))
    to_stage: Mapped[str | None] = mapped_column(String(64))
    milestone_key: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    skipped_milestones: Mapped[list[str] | None]
    """For a gate override: the mandatory milestones that were missing."""
    changes: Mapped[dict[str, Any] | None]
    """For an update: field name to `[before, after]`."""
    process_version: Mapped[int | None]
    """The number of the published process version the event happened under (None before versions existed)."""


class ProcessVersion(Base):
    """A published process: the validated definition files as they were, never changed or deleted. The
    newest is the active one, which every server serves."""

    __tablename__ = "process_versions"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """1, 2, 3, ...: increases with every publish."""
    content_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the definitions' content (comments and layout aside): the same content, the same hash."""
    label: Mapped[str | None] = mapped_column(String(200))
    """The human label the files give (each process's `version`)."""
    published_by: Mapped[str] = mapped_column(String(200))
    """Who published it: a user's name, or whoever ran the command line."""
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[dict[str, Any]]
    """The definition files, by path relative to the definitions folder: the version, exactly as published."""
    accepted_orphans: Mapped[list[Any] | None] = mapped_column(JSON)
    """Recorded work the publisher accepted would no longer resolve (kept in the database, listed by
    `orphanedWork`): one entry per key, with how many deals hold it."""
