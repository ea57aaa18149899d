"""The demo's hand-made deals: worked step by step through the API's own services, so every step obeys the
rules (gates, reasons, who may override), then dated back over the past weeks, as if worked day by day."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.process import Process, ProcessDefinitions, Stage
from api.services.accounts.viewer import Viewer
from api.services.deals import editing, working
from api.services.deals.access import DealWorked
from api.services.deals.failures import Failure


@dataclass(frozen=True, slots=True)
class Step:
    """One thing done on a deal, `days_ago` before now: a milestone completed, or a move (by the manager, over
    the gate, when `override`)."""

    days_ago: float
    complete: str | None = None
    move_to: str | None = None
    reason: str | None = None
    override: bool = False


async def work_deal(
    session: AsyncSession,
    *,
    definitions: ProcessDefinitions,
    draft: editing.DealDraft,
    owner: Viewer,
    manager: Viewer | None = None,
    created_days_ago: float,
    steps: Sequence[Step],
    process_version: int | None = None,
) -> Deal:
    """Create the deal and take its steps as its owner (its manager for overrides), each dated `days_ago`."""
    now = datetime.now(UTC)
    created = await editing.create_deal(
        session, viewer=owner, definitions=definitions, draft=draft, process_version=process_version
    )
    if not isinstance(created, Deal):
        raise RuntimeError(f"the demo deal {draft.name!r} was refused: {created}")
    deal_id = created.id
    created_at = now - timedelta(days=created_days_ago)
    last_event = await _date_events_since(session, deal_id=deal_id, after_id=0, at=created_at)
    entered_stage_at = created_at
    for step in sorted(steps, key=lambda s: -s.days_ago):
        at = now - timedelta(days=step.days_ago)
        if step.complete is not None:
            await _succeed(
                draft.name,
                working.complete_milestone(
                    session,
                    viewer=owner,
                    definitions=definitions,
                    deal_id=deal_id,
                    milestone_key=step.complete,
                    process_version=process_version,
                ),
            )
            await session.execute(
                update(MilestoneCompletion)
                .where(MilestoneCompletion.deal_id == deal_id, MilestoneCompletion.milestone_key == step.complete)
                .values(completed_at=at)
            )
        if step.move_to is not None:
            mover = manager if step.override and manager is not None else owner
            await _succeed(
                draft.name,
                working.move_deal(
                    session,
                    viewer=mover,
                    definitions=definitions,
                    deal_id=deal_id,
                    to_stage=step.move_to,
                    reason=step.reason,
                    override=step.override,
                    process_version=process_version,
                ),
            )
            entered_stage_at = at
        last_event = await _date_events_since(session, deal_id=deal_id, after_id=last_event, at=at)
    last_change = now - timedelta(days=min((s.days_ago for s in steps), default=created_days_ago))
    await session.execute(
        update(Deal)
        .where(Deal.id == deal_id)
        .values(created_at=created_at, updated_at=last_change, stage_entered_at=entered_stage_at)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    worked = await session.get(Deal, deal_id)
    assert worked is not None
    return worked


def steps_through(
    process: Process,
    *,
    to_stage: Stage,
    done_in_stage: Sequence[str],
    created_days_ago: float,
    entered_days_ago: float,
    skip: frozenset[str] = frozenset(),
) -> list[Step]:
    """A deal worked from its first stage into `to_stage`: every milestone of the stages before it (but `skip`)
    done evenly between creation and entering, then `done_in_stage` evenly from entering until a day ago."""
    target = process.open_stages.index(to_stage)
    earlier = process.open_stages[:target]
    span = (created_days_ago - entered_days_ago) / max(len(earlier), 1)
    steps: list[Step] = []
    for position, stage in enumerate(earlier):
        stage_start = created_days_ago - position * span
        keys = [m.key for m in stage.milestones if m.key not in skip]
        for i, key in enumerate(keys):
            steps.append(Step(days_ago=stage_start - span * 0.8 * (i + 1) / (len(keys) + 1), complete=key))
        following = process.open_stages[position + 1]
        steps.append(Step(days_ago=stage_start - span, move_to=following.key))
    for i, key in enumerate(done_in_stage):
        steps.append(
            Step(days_ago=entered_days_ago - (entered_days_ago - 1) * (i + 1) / (len(done_in_stage) + 1), complete=key)
        )
    return steps


async def _date_events_since(session: AsyncSession, *, deal_id: int, after_id: int, at: datetime) -> int:
    """Date the deal's events recorded after event `after_id`; returns the newest event's id."""
    await session.execute(
        update(DealEvent).where(DealEvent.deal_id == deal_id, DealEvent.id > after_id).values(occurred_at=at)
    )
    newest = await session.scalar(select(func.max(DealEvent.id)).where(DealEvent.deal_id == deal_id))
    return int(newest or after_id)


async def _succeed(name: str, step: Awaitable[DealWorked | Failure]) -> None:
    outcome = await step
    if not isinstance(outcome, DealWorked):
        raise RuntimeError(f"the demo deal {name!r} was refused a step: {outcome}")
