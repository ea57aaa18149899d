"""What can happen to a deal: the vocabulary of its append-only history.

One enum for the stored event log (`api.db.models.DealEvent.kind` holds its values) and for the plain
history records the domain services read (`api.services.history.records.HistoryEvent`). A leaf module, importing
nothing of Waymark, so the storage layer and the database-free domain code can both use it.
"""

from __future__ import annotations

from enum import StrEnum


class DealEventKind(StrEnum):
    """The values are stored in the event log: renaming one needs a data migration."""

    CREATED = "created"
    UPDATED = "updated"
    MILESTONE_COMPLETED = "milestone-completed"
    MILESTONE_REOPENED = "milestone-reopened"
    MOVED = "moved"
    GATE_OVERRIDDEN = "gate-overridden"
    CLOSED_WON = "closed-won"
    CLOSED_LOST = "closed-lost"
    REOPENED = "reopened"


ENTERS_A_STAGE = frozenset(
    {
        DealEventKind.CREATED,
        DealEventKind.MOVED,
        DealEventKind.CLOSED_WON,
        DealEventKind.CLOSED_LOST,
        DealEventKind.REOPENED,
    }
)
"""The events after which a deal is in a (new) stage: their `to_stage` is where it went."""

CLOSES = frozenset({DealEventKind.CLOSED_WON, DealEventKind.CLOSED_LOST})
"""The events that close a deal."""
