"""Plain, frozen records of deals and their history: the inputs of prioritisation, pipeline and insights,
and the time arithmetic they share.

`api.services.history.snapshots` builds them from the database; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from api.deal_events import DealEventKind
from api.process import Outcome


@dataclass(frozen=True, slots=True)
class DealSnapshot:
    """A deal as it stands now."""

    deal_id: str
    name: str
    owner_id: str
    stage_key: str
    status: Outcome
    amount: Decimal
    currency: str
    """ISO 4217 code of `amount`."""
    entered_stage_at: datetime
    completed_milestones: frozenset[str] = frozenset()
    """Milestone keys as stored: may be former keys of renamed milestones."""
    close_date: date | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One entry of a deal's append-only history, as a plain record (`api.db.models.DealEvent` is the row)."""

    deal_id: str
    kind: DealEventKind
    at: datetime
    from_stage: str | None = None
    to_stage: str | None = None
    """For `created`, the stage the deal started in; for moves, overrides and closes, where it went."""
    milestone_key: str | None = None
    reason: str | None = None
    skipped_milestones: tuple[str, ...] = field(default=())


def elapsed_days(start: datetime, end: datetime) -> float:
    """Days from `start` to `end`, with the fraction (`sql.sql_elapsed_days` is the same in SQL)."""
    return (end - start).total_seconds() / 86_400


def whole_days_between(start: datetime, end: datetime) -> int:
    """Whole days elapsed, floored, as on the deal page (`Deal.daysInStage`) and the board."""
    return (end - start).days


def utc_midnight(day: date) -> datetime:
    """The start of `day` in UTC: period and window boundaries are whole UTC days."""
    return datetime.combine(day, time.min, tzinfo=UTC)
