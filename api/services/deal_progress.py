"""Working a deal through its process: milestones done and undone, stage moves, closing.

The gate is checked here on every move forward and on closing won; a manager may override it with a
written reason, and the override is recorded with the milestones it skipped.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealStatus, EventKind, MilestoneCompletion, utc_now
from api.process import Milestone, Process, ProcessDefinitions, Stage
from api.services.auth import Viewer
from api.services.deal_input import parse_note, parse_reason
from api.services.deals import completed_keys, deal_for_change, process_of, record_event, refuse_if_closed, touch
from api.services.failures import Failure, GateBlocked, InvalidInput, PermissionDenied
from api.services.gates import check_gate


class CloseOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


async def _open_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    expected_version: int | None,
) -> tuple[Deal, Process] | Failure:
    found = await deal_for_change(session, viewer=viewer, deal_id=deal_id, expected_version=expected_version)
    if not isinstance(found, Deal):
        return found
    process = process_of(found, definitions=definitions)
    if isinstance(process, InvalidInput):
        return process
    return found, process


async def _milestone_of_open_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    expected_version: int | None,
) -> tuple[Deal, Process, Milestone] | Failure:
    """The deal, its process and the milestone to work on; refused for a closed deal or an unknown key."""
    found = await _open_deal(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, tuple):
        return found
    deal, process = found
    closed = refuse_if_closed(deal, field="dealId")
    if closed is not None:
        return closed
    milestone = process.milestone(milestone_key)
    if milestone is None:
        return _unknown_milestone(process, milestone_key)
    return deal, process, milestone


async def complete_milestone(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Deal | Failure:
    """Mark a milestone done. Idempotent; a later stage's milestone counts once the deal gets there. Refused
    on a closed deal: reopen it first."""
    found = await _milestone_of_open_deal(
        session,
        viewer=viewer,
        definitions=definitions,
        deal_id=deal_id,
        milestone_key=milestone_key,
        expected_version=expected_version,
    )
    if not isinstance(found, tuple):
        return found
    deal, process, milestone = found
    written = parse_note(note, field="note")
    if isinstance(written, InvalidInput):
        return written
    done = {process.canonical_milestone_key(key) for key in await completed_keys(session, deal_id=deal.id)}
    if milestone.key in done:
        return deal
    completion = MilestoneCompletion(
        deal_id=deal.id,
        milestone_key=milestone.key,
        completed_by_id=viewer.id,
        completed_at=utc_now(),
        note=written,
    )
    session.add(completion)
    touch(deal)
    record_event(
        session,
        deal=deal,
        kind=EventKind.MILESTONE_COMPLETED,
        actor=viewer,
        milestone_key=milestone.key,
        reason=completion.note,
    )
    await session.flush()
    return deal


async def reopen_milestone(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Deal | Failure:
    """Undo a completed milestone. Idempotent: reopening an open milestone changes nothing. Refused on a
    closed deal: reopen it first."""
    found = await _milestone_of_open_deal(
        session,
        viewer=viewer,
        definitions=definitions,
        deal_id=deal_id,
        milestone_key=milestone_key,
        expected_version=expected_version,
    )
    if not isinstance(found, tuple):
        return found
    deal, process, milestone = found
    written = parse_reason(reason, field="reason", required=False)
    if isinstance(written, InvalidInput):
        return written
    completions = await session.scalars(select(MilestoneCompletion).where(MilestoneCompletion.deal_id == deal.id))
    matching = [c for c in completions if process.canonical_milestone_key(c.milestone_key) == milestone.key]
    if not matching:
        return deal
    for completion in matching:
        await session.delete(completion)
    touch(deal)
    record_event(
        session,
        deal=deal,
        kind=EventKind.MILESTONE_REOPENED,
        actor=viewer,
        milestone_key=milestone.key,
        reason=written,
    )
    await session.flush()
    return deal


async def move_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    to_stage: str,
    reason: str | None = None,
    override: bool = False,
    expected_version: int | None = None,
) -> Deal | Failure:
    """Move a deal to an open stage: forward through the gate, back with a reason.

    Moving a closed deal to an open stage reopens it (with a reason, and through the gate).
    """
    found = await _open_deal(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, tuple):
        return found
    deal, process = found
    target = process.stage(to_stage)
    if target is None:
        known = ", ".join(s.key for s in process.open_stages)
        return InvalidInput(field="toStage", message=f"unknown stage {to_stage!r} (known: {known})")
    if target.is_terminal:
        return InvalidInput(field="toStage", message=f"{target.key!r} closes the deal: use closeDeal")
    reopening = deal.status != DealStatus.OPEN.value
    current = process.stage(deal.stage_key)
    if not reopening and current is not None and current.key == target.key:
        return InvalidInput(field="toStage", message=f"the deal is already in {target.key!r}")
    backward = not reopening and current is not None and process.position(target.key) < process.position(current.key)
    kind = EventKind.REOPENED if reopening else EventKind.MOVED
    return await _enter_stage(
        session,
        viewer=viewer,
        deal=deal,
        process=process,
        target=target,
        kind=kind,
        reason=reason,
        override=override,
        gated=not backward,
        reason_required=backward or reopening,
    )


async def close_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    outcome: CloseOutcome,
    reason: str | None = None,
    override: bool = False,
    expected_version: int | None = None,
) -> Deal | Failure:
    """Close an open deal. Lost needs a reason; won means entering the won stage, so the gate applies."""
    found = await _open_deal(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, tuple):
        return found
    deal, process = found
    if deal.status != DealStatus.OPEN.value:
        return InvalidInput(field="dealId", message=f"the deal is already closed {deal.status}")
    if outcome is CloseOutcome.WON:
        return await _enter_stage(
            session,
            viewer=viewer,
            deal=deal,
            process=process,
            target=process.won_stage,
            kind=EventKind.CLOSED_WON,
            reason=reason,
            override=override,
            gated=True,
            reason_required=False,
        )
    return await _enter_stage(
        session,
        viewer=viewer,
        deal=deal,
        process=process,
        target=process.lost_stages[0],
        kind=EventKind.CLOSED_LOST,
        reason=reason,
        override=False,
        gated=False,
        reason_required=True,
    )


async def _enter_stage(
    session: AsyncSession,
    *,
    viewer: Viewer,
    deal: Deal,
    process: Process,
    target: Stage,
    kind: EventKind,
    reason: str | None,
    override: bool,
    gated: bool,
    reason_required: bool,
) -> Deal | Failure:
    skipped: tuple[str, ...] = ()
    if gated:
        gate = check_gate(process, await completed_keys(session, deal_id=deal.id), target.key)
        if not gate.passed:
            if not override:
                return GateBlocked(process=process, gate=gate)
            if not viewer.may_override_gates:
                return PermissionDenied(message=f"only a manager may override the gate into {target.key!r}")
            skipped = tuple(m.key for m in gate.missing)
    written = parse_reason(reason, field="reason", required=reason_required or bool(skipped))
    if isinstance(written, InvalidInput):
        return written
    from_stage = deal.stage_key
    if skipped:
        record_event(
            session,
            deal=deal,
            kind=EventKind.GATE_OVERRIDDEN,
            actor=viewer,
            from_stage=from_stage,
            to_stage=target.key,
            reason=written,
            skipped_milestones=list(skipped),
        )
    now = utc_now()
    deal.stage_key = target.key
    deal.status = DealStatus(target.outcome.value).value
    deal.stage_entered_at = now
    touch(deal)
    record_event(
        session, deal=deal, kind=kind, actor=viewer, from_stage=from_stage, to_stage=target.key, reason=written
    )
    await session.flush()
    return deal


def _unknown_milestone(process: Process, key: str) -> InvalidInput:
    return InvalidInput(field="milestoneKey", message=f"unknown milestone {key!r} in process {process.key!r}")
