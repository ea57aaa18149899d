"""Plain, frozen records of deals and their history: the inputs of prioritisation, pipeline and insights.

The query layer builds these from the database; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from api.deal_events import DealEventKind as DealEventKind  # re-exported: the kinds of `DealEvent`
from api.process.models import Outcome, Process


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
class DealEvent:
    """One entry of a deal's append-only history."""

    deal_id: str
    kind: DealEventKind
    at: datetime
    from_stage: str | None = None
    to_stage: str | None = None
    """For `created`, the stage the deal started in; for moves, overrides and closes, where it went."""
    milestone_key: str | None = None
    reason: str | None = None
    skipped_milestones: tuple[str, ...] = field(default=())


def completed_keys(process: Process, deal: DealSnapshot) -> frozenset[str]:
    """The deal's completed milestones under their current keys; unknown keys are dropped."""
    keys = (process.canonical_milestone_key(key) for key in deal.completed_milestones)
    return frozenset(key for key in keys if key is not None)


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86_400


def whole_days_between(start: datetime, end: datetime) -> int:
    """Whole days elapsed, floored, as on the deal page (`Deal.daysInStage`) and the board."""
    return (end - start).days
