"""A deal's checklist: each milestone of its process with whether the deal has done it, and the plays to run on
what remains. Each entry has a global ID naming the deal and the milestone, so a client's cache updates the one
entry `completeMilestone` changed."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.db.models import MilestoneCompletion
from api.graphql.accounts.types import UserType, resolve_user
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.ids import content_id, first_key
from api.graphql.core.loaded import Resolved
from api.graphql.core.node import Node
from api.graphql.process.types import MilestoneType, PlayType
from api.services.deals.queries import CompletionRecord


def deal_milestone_id(deal_id: int, milestone: MilestoneType) -> strawberry.ID:
    m = milestone.milestone
    return content_id("DealMilestone", str(deal_id), first_key(m.key, m.formerly))


def _completed_by(root: strawberry.Parent[DealMilestone], info: Info_) -> Resolved[UserType | None]:
    return None if root.completion is None else resolve_user(info, root.completion.completed_by_id)


@strawberry.type(description="A milestone of the deal's process and whether the deal has done it.")
class DealMilestone(Node):
    deal_id: strawberry.Private[int]
    id: strawberry.ID = fields.filled(description="The global ID, from the deal's and the milestone's.")
    milestone: MilestoneType = strawberry.field(description="The milestone.")
    completion: strawberry.Private[MilestoneCompletion | CompletionRecord | None]
    completed: bool = fields.filled(description="Whether the deal has completed it.")
    completed_at: datetime | None = fields.filled(description="When it was completed.")
    completed_by: UserType | None = fields.resolved_by(
        _completed_by, description="Who completed it.", graphql_type=UserType | None
    )
    note: str | None = fields.filled(description="The note left when completing it.")

    def __post_init__(self) -> None:
        completion = self.completion
        self.id = deal_milestone_id(self.deal_id, self.milestone)
        self.completed = completion is not None
        self.completed_at = None if completion is None else completion.completed_at
        self.note = None if completion is None else completion.note


@strawberry.type(description="A play to run on one of the deal's open milestones, against a competitor in the deal.")
class DealPlay(Node):
    deal_id: strawberry.Private[int]
    id: strawberry.ID = fields.filled(description="The global ID, from the deal's, the milestone's and the play's.")
    milestone: MilestoneType = strawberry.field(description="The open milestone.")
    play: PlayType = strawberry.field(description="The play.")

    def __post_init__(self) -> None:
        m = self.milestone.milestone
        named = (str(self.deal_id), first_key(m.key, m.formerly), self.play.play_model.competitor)
        self.id = content_id("DealPlay", *named)
