"""A deal's history as GraphQL types: each event, what kind it is, and what an update changed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api.db.models import DealEvent
from api.graphql.accounts.types import UserType, resolve_user
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.enums import member_by_value
from api.graphql.core.ids import to_global_id
from api.graphql.core.loaded import Resolved
from api.graphql.core.node import Node
from api.graphql.process.types import MilestoneType, StageType
from api.process import Process
from api.services.deals.queries import EventRecord


@strawberry.enum(description="What happened to a deal.")
class DealEventKind(Enum):
    CREATED = strawberry.enum_value("created", description="The deal was opened in its entry stage.")
    UPDATED = strawberry.enum_value("updated", description="Details changed; `changes` says which.")
    MILESTONE_COMPLETED = strawberry.enum_value("milestone-completed", description="A milestone was done.")
    MILESTONE_REOPENED = strawberry.enum_value("milestone-reopened", description="A done milestone was undone.")
    MOVED = strawberry.enum_value("moved", description="The deal moved to another open stage.")
    GATE_OVERRIDDEN = strawberry.enum_value(
        "gate-overridden",
        description="A manager overrode a blocked gate; `skippedMilestones` (and `skippedMilestoneKeys`) say what was "
        "missing.",
    )
    CLOSED_WON = strawberry.enum_value("closed-won", description="The deal was won.")
    CLOSED_LOST = strawberry.enum_value("closed-lost", description="The deal was lost.")
    REOPENED = strawberry.enum_value("reopened", description="A closed deal was moved back to an open stage.")


_kind = member_by_value(DealEventKind)


@strawberry.type(description="One field an update changed, before and after, as text.")
class FieldChange:
    field: str = strawberry.field(description="The deal field, e.g. `amount`.")
    before: str | None = strawberry.field(description="The value before the update.")
    after: str | None = strawberry.field(description="The value after the update.")


def _event_id(root: strawberry.Parent[DealEventType]) -> strawberry.ID:
    return to_global_id("DealEvent", root.row.id)


def _event_actor(root: strawberry.Parent[DealEventType], info: Info_) -> Resolved[UserType]:
    return resolve_user(info, root.row.actor_id)


@strawberry.type(
    name="DealEvent",
    description="One entry of a deal's append-only history; `node(id)` finds it for whoever may see its deal.",
)
class DealEventType(Node):
    row: strawberry.Private[DealEvent | EventRecord]
    process: strawberry.Private[Process]
    id: strawberry.ID = fields.resolved_by(_event_id, description="The global ID of the event.")
    kind: DealEventKind = fields.filled(description="What happened.")
    actor: UserType = fields.resolved_by(_event_actor, description="Who did it.", graphql_type=UserType)
    occurred_at: datetime = fields.filled(description="When it happened (UTC).")
    from_stage_key: str | None = fields.filled(description="Stage key the deal left, for moves, overrides and closes.")
    to_stage_key: str | None = fields.filled(
        description="Stage key the deal entered, for creation, moves, overrides and closes."
    )
    from_stage: StageType | None = fields.filled(description="The stage the deal left, if it is still in the process.")
    to_stage: StageType | None = fields.filled(description="The stage the deal entered, if it is still in the process.")
    milestone_key: str | None = fields.filled(
        description="Milestone key, for milestone events (as recorded; may be a former key)."
    )
    milestone: MilestoneType | None = fields.filled(
        description="The milestone, for milestone events, if it is still in the process."
    )
    reason: str | None = fields.filled(description="The written reason or note, when one was given.")

    def __post_init__(self) -> None:
        row, process = self.row, self.process
        self.kind, self.occurred_at, self.reason = _kind(row.kind), row.occurred_at, row.reason
        self.from_stage_key, self.to_stage_key = row.from_stage, row.to_stage
        self.from_stage, self.to_stage = self._stage(row.from_stage), self._stage(row.to_stage)
        self.milestone_key = row.milestone_key
        found = process.milestone(row.milestone_key) if row.milestone_key else None
        self.milestone = None if found is None else MilestoneType.of(process, found)

    @fields.field(
        description="For a gate override: the keys of the mandatory milestones that were missing "
        "(as recorded; may be former keys)."
    )
    def skipped_milestone_keys(self) -> list[str]:
        return list(self.row.skipped_milestones or [])

    @fields.field(
        description="For a gate override: the mandatory milestones that were missing, in recorded "
        "order; those no longer in the process are left out."
    )
    def skipped_milestones(self) -> list[MilestoneType]:
        return MilestoneType.all_of(self.process, self.row.skipped_milestones or [])

    @fields.field(description="For an update: what changed.")
    def changes(self) -> list[FieldChange]:
        return [
            FieldChange(field=name, before=_text(values[0]), after=_text(values[1]))
            for name, values in (self.row.changes or {}).items()
        ]

    def _stage(self, key: str | None) -> StageType | None:
        stage = self.process.stage(key) if key else None
        return None if stage is None else StageType.of(self.process, stage)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
