"""Deal mutations. Each returns a union: its success type or a typed failure, never a top-level error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.ids import pk_of
from api.graphql.core.results import InvalidInput, PermissionDenied
from api.graphql.deals.arguments import (
    CloseReason,
    DealId,
    ExpectedVersion,
    MilestoneKey,
    MoveReason,
    Note,
    Outcome,
    Override,
    Reason,
    ToStage,
)
from api.graphql.deals.errors import DealNotFound, ErrorType, StageGateBlocked, VersionConflict, error_type
from api.graphql.deals.inputs import CreateDealInput, UpdateDealInput
from api.graphql.deals.loaders import forget_deal
from api.graphql.deals.types import DealType
from api.graphql.process.types import MilestoneType
from api.process import Outcome as StageOutcome
from api.services.accounts.viewer import Viewer
from api.services.deals import editing, working
from api.services.deals.access import DealWorked
from api.services.deals.failures import Failure
from api.services.publishing.store import ServedVersion


@strawberry.type(description="The deal was created.")
class CreateDealSuccess:
    deal: DealType = strawberry.field(description="The new deal.")


@strawberry.type(description="The deal was updated (or already had these values).")
class UpdateDealSuccess:
    deal: DealType = strawberry.field(description="The deal as it is now.")


@strawberry.type(description="The milestone is complete (it may have been already).")
class CompleteMilestoneSuccess:
    deal: DealType = strawberry.field(description="The deal as it is now.")
    milestone: MilestoneType = strawberry.field(description="The milestone.")


@strawberry.type(description="The milestone is open again (it may have been already).")
class ReopenMilestoneSuccess:
    deal: DealType = strawberry.field(description="The deal as it is now.")
    milestone: MilestoneType = strawberry.field(description="The milestone.")


@strawberry.type(description="The deal is in its new stage.")
class MoveDealSuccess:
    deal: DealType = strawberry.field(description="The deal as it is now.")
    overridden_milestones: list[MilestoneType] = strawberry.field(
        description="Mandatory milestones a manager's override skipped; empty for a normal move."
    )


@strawberry.type(description="The deal is closed.")
class CloseDealSuccess:
    deal: DealType = strawberry.field(description="The deal as it is now.")


CreateDealResult = Annotated[
    CreateDealSuccess | InvalidInput | PermissionDenied,
    strawberry.union("CreateDealResult", description="The new deal, or why it was refused."),
]
UpdateDealResult = Annotated[
    UpdateDealSuccess | DealNotFound | InvalidInput | VersionConflict | PermissionDenied,
    strawberry.union("UpdateDealResult", description="The updated deal, or why the update was refused."),
]
CompleteMilestoneResult = Annotated[
    CompleteMilestoneSuccess | DealNotFound | InvalidInput | VersionConflict | PermissionDenied,
    strawberry.union("CompleteMilestoneResult", description="The deal with the milestone done, or why it was refused."),
]
ReopenMilestoneResult = Annotated[
    ReopenMilestoneSuccess | DealNotFound | InvalidInput | VersionConflict | PermissionDenied,
    strawberry.union(
        "ReopenMilestoneResult", description="The deal with the milestone open again, or why it was refused."
    ),
]
MoveDealResult = Annotated[
    MoveDealSuccess | StageGateBlocked | DealNotFound | InvalidInput | VersionConflict | PermissionDenied,
    strawberry.union(
        "MoveDealResult", description="The moved deal, the gate that refused it, or another reason it was refused."
    ),
]
CloseDealResult = Annotated[
    CloseDealSuccess | StageGateBlocked | DealNotFound | InvalidInput | VersionConflict | PermissionDenied,
    strawberry.union(
        "CloseDealResult", description="The closed deal, the gate that refused it, or another reason it was refused."
    ),
]

Done = TypeVar("Done", Deal, DealWorked)
Command = Callable[[AsyncSession, Viewer, ServedVersion, int], Awaitable[Done | Failure]]
NO_TOKEN = PermissionDenied(message="send a valid API token as `Authorization: Bearer <token>`")


async def _on_deal(info: Info_, deal_id: str, command: Command[Done]) -> Done | ErrorType:
    """Run a command on the deal `deal_id` as the request's viewer, in the request's unit of work."""
    context = info.context
    viewer = await context.viewer()
    if viewer is None:
        return NO_TOKEN
    pk = pk_of(deal_id, type_name="Deal")
    if pk is None:
        return DealNotFound(message="no such deal", deal_id=strawberry.ID(deal_id))

    published = context.published

    async def run(session: AsyncSession) -> Done | Failure:
        return await command(session, viewer, published, pk)

    outcome = await context.unit_of_work.write(run, succeeded=_succeeded)
    if isinstance(outcome, Deal | DealWorked):
        forget_deal(context, pk)
        return outcome
    return error_type(outcome, deal_id=deal_id)


def _succeeded(outcome: object) -> bool:
    return isinstance(outcome, Deal | DealWorked)


def _owner_pk(owner_id: str | None) -> int | None | InvalidInput:
    if owner_id is None:
        return None
    pk = pk_of(owner_id, type_name="User")
    return InvalidInput(message=f"{owner_id!r} is not a user ID", field="input.ownerId") if pk is None else pk


@strawberry.type
class DealMutation:
    @fields.mutation(description="Open a deal in its process's entry stage.")
    async def create_deal(
        self, info: Info_, input: Annotated[CreateDealInput, strawberry.argument(description="The new deal.")]
    ) -> CreateDealResult:
        context = info.context
        viewer = await context.viewer()
        if viewer is None:
            return NO_TOKEN
        owner = _owner_pk(input.owner_id)
        if isinstance(owner, InvalidInput):
            return owner
        draft = editing.DealDraft(
            name=input.name,
            account_name=input.account_name,
            process_key=input.process_key,
            amount=input.amount,
            currency=input.currency,
            close_date=input.close_date,
            owner_id=owner,
            competitor_keys=list(input.competitor_keys),
        )

        published = context.published

        async def create(session: AsyncSession) -> Deal | Failure:
            return await editing.create_deal(
                session,
                viewer=viewer,
                definitions=published.definitions,
                draft=draft,
                process_version=published.number,
            )

        outcome = await context.unit_of_work.write(create, succeeded=_succeeded)
        if isinstance(outcome, Deal):
            return CreateDealSuccess(deal=DealType(row=outcome))
        failure = error_type(outcome)
        assert isinstance(failure, InvalidInput | PermissionDenied), failure
        return failure

    @fields.mutation(
        description="Change a deal's details; `expectedVersion` guards against lost updates. A closed deal is frozen: "
        "reopen it with moveDeal first."
    )
    async def update_deal(
        self,
        info: Info_,
        input: Annotated[UpdateDealInput, strawberry.argument(description="The deal and its changes.")],
    ) -> UpdateDealResult:
        owner = _owner_pk(input.owner_id)
        if isinstance(owner, InvalidInput):
            return owner
        changes = editing.DealChanges(
            name=input.name,
            account_name=input.account_name,
            amount=input.amount,
            currency=input.currency,
            close_date=input.close_date,
            owner_id=owner,
            competitor_keys=input.competitor_keys,
        )

        async def update(session: AsyncSession, viewer: Viewer, published: ServedVersion, pk: int) -> Deal | Failure:
            return await editing.update_deal(
                session,
                viewer=viewer,
                definitions=published.definitions,
                process_version=published.number,
                deal_id=pk,
                expected_version=input.expected_version,
                changes=changes,
            )

        outcome = await _on_deal(info, input.deal_id, update)
        return UpdateDealSuccess(deal=DealType(row=outcome)) if isinstance(outcome, Deal) else _narrow(outcome)

    @fields.mutation(
        description="Mark a milestone done. Idempotent; a later stage's milestone may be done early. Refused on a "
        "closed deal: reopen it with moveDeal first."
    )
    async def complete_milestone(
        self,
        info: Info_,
        deal_id: DealId,
        milestone_key: MilestoneKey,
        note: Note = None,
        expected_version: ExpectedVersion = None,
    ) -> CompleteMilestoneResult:
        async def complete(
            session: AsyncSession, viewer: Viewer, published: ServedVersion, pk: int
        ) -> DealWorked | Failure:
            return await working.complete_milestone(
                session,
                viewer=viewer,
                definitions=published.definitions,
                process_version=published.number,
                deal_id=pk,
                milestone_key=milestone_key,
                note=note,
                expected_version=expected_version,
            )

        outcome = await _on_deal(info, deal_id, complete)
        if isinstance(outcome, DealWorked):
            return CompleteMilestoneSuccess(deal=DealType(row=outcome.deal), milestone=_milestone(outcome))
        return _narrow(outcome)

    @fields.mutation(
        description="Undo a completed milestone. Idempotent. Refused on a closed deal: reopen it with moveDeal first."
    )
    async def reopen_milestone(
        self,
        info: Info_,
        deal_id: DealId,
        milestone_key: MilestoneKey,
        reason: Reason = None,
        expected_version: ExpectedVersion = None,
    ) -> ReopenMilestoneResult:
        async def reopen(
            session: AsyncSession, viewer: Viewer, published: ServedVersion, pk: int
        ) -> DealWorked | Failure:
            return await working.reopen_milestone(
                session,
                viewer=viewer,
                definitions=published.definitions,
                process_version=published.number,
                deal_id=pk,
                milestone_key=milestone_key,
                reason=reason,
                expected_version=expected_version,
            )

        outcome = await _on_deal(info, deal_id, reopen)
        if isinstance(outcome, DealWorked):
            return ReopenMilestoneSuccess(deal=DealType(row=outcome.deal), milestone=_milestone(outcome))
        return _narrow(outcome)

    @fields.mutation(
        description="Move a deal to an open stage: forward through the gate, back with a reason. A manager may "
        "override a blocked gate with `override: true` and a reason; the override is recorded."
    )
    async def move_deal(
        self,
        info: Info_,
        deal_id: DealId,
        to_stage: ToStage,
        reason: MoveReason = None,
        override: Override = False,
        expected_version: ExpectedVersion = None,
    ) -> MoveDealResult:
        async def move(
            session: AsyncSession, viewer: Viewer, published: ServedVersion, pk: int
        ) -> DealWorked | Failure:
            return await working.move_deal(
                session,
                viewer=viewer,
                definitions=published.definitions,
                process_version=published.number,
                deal_id=pk,
                to_stage=to_stage,
                reason=reason,
                override=override,
                expected_version=expected_version,
            )

        outcome = await _on_deal(info, deal_id, move)
        if not isinstance(outcome, DealWorked):
            return outcome
        skipped = [MilestoneType.of(outcome.process, m) for m in outcome.skipped]
        return MoveDealSuccess(deal=DealType(row=outcome.deal), overridden_milestones=skipped)

    @fields.mutation(
        description="Close a deal. LOST needs a reason and works from any open stage; WON enters the won stage, "
        "so the gate applies (a manager may override it)."
    )
    async def close_deal(
        self,
        info: Info_,
        deal_id: DealId,
        outcome: Outcome,
        reason: CloseReason = None,
        override: Override = False,
        expected_version: ExpectedVersion = None,
    ) -> CloseDealResult:
        closing: Literal[StageOutcome.WON, StageOutcome.LOST] = (
            StageOutcome.WON if outcome.value == StageOutcome.WON.value else StageOutcome.LOST
        )

        async def close(
            session: AsyncSession, viewer: Viewer, published: ServedVersion, pk: int
        ) -> DealWorked | Failure:
            return await working.close_deal(
                session,
                viewer=viewer,
                definitions=published.definitions,
                process_version=published.number,
                deal_id=pk,
                outcome=closing,
                reason=reason,
                override=override,
                expected_version=expected_version,
            )

        closed = await _on_deal(info, deal_id, close)
        return CloseDealSuccess(deal=DealType(row=closed.deal)) if isinstance(closed, DealWorked) else closed


def _narrow(error: ErrorType) -> DealNotFound | InvalidInput | VersionConflict | PermissionDenied:
    if isinstance(error, StageGateBlocked):
        raise TypeError("this mutation has no gate")
    return error


def _milestone(worked: DealWorked) -> MilestoneType:
    assert worked.milestone is not None, "milestone commands name their milestone"
    return MilestoneType.of(worked.process, worked.milestone)
