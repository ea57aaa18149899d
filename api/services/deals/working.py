"""Working a deal through its process: milestones done and undone, stage moves, closing.

The gate is checked here on every move forward and on closing won; a manager may override it with a
written reason, and `recording` records the override with the milestones it skipped.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, MilestoneCompletion
from api.deal_events import DealEventKind
from api.process import Milestone, Outcome, Process, ProcessDefinitions, Stage
from api.services.accounts.viewer import Viewer
from api.services.deals import recording
from api.services.deals.access import DealWorked, deal_to_change, process_of, refuse_if_closed
from api.services.deals.failures import Failure, GateBlocked, InvalidInput, PermissionDenied
from api.services.deals.gates import check_gate
from api.services.deals.input import parse_note, parse_reason


async def complete_milestone(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    note: str | None = None,
    expected_version: int | None = None,
    process_version: int | None = None,
) -> DealWorked | Failure:
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
    if not isinstance(found, DealWorked):
        return found
    written = parse_note(note, field="note")
    if isinstance(written, InvalidInput):
        return written
    assert found.milestone is not None
    if found.milestone.key not in found.process.current_milestone_keys(await _stored_keys(session, found.deal)):
        await recording.add_completion(
            session,
            deal=found.deal,
            milestone=found.milestone,
            note=written,
            viewer=viewer,
            process_version=process_version,
        )
    return found


async def reopen_milestone(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    reason: str | None = None,
    expected_version: int | None = None,
    process_version: int | None = None,
) -> DealWorked | Failure:
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
    if not isinstance(found, DealWorked):
        return found
    written = parse_reason(reason, field="reason", required=False)
    if isinstance(written, InvalidInput):
        return written
    deal, process, milestone = found.deal, found.process, found.milestone
    assert milestone is not None
    completions = await session.scalars(select(MilestoneCompletion).where(MilestoneCompletion.deal_id == deal.id))
    matching = [c for c in completions if process.canonical_milestone_key(c.milestone_key) == milestone.key]
    if matching:
        await recording.remove_completions(
            session,
            deal=deal,
            completions=matching,
            milestone=milestone,
            reason=written,
            viewer=viewer,
            process_version=process_version,
        )
    return found


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
    process_version: int | None = None,
) -> DealWorked | Failure:
    """Move a deal to an open stage: forward through the gate, back with a reason.

    Moving a closed deal to an open stage reopens it (with a reason, and through the gate).
    """
    found = await _deal_in_process(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, DealWorked):
        return found
    deal, process = found.deal, found.process
    target = process.stage(to_stage)
    if target is None:
        known = ", ".join(s.key for s in process.open_stages)
        return InvalidInput(field="toStage", message=f"unknown stage {to_stage!r} (known: {known})")
    if target.is_terminal:
        return InvalidInput(field="toStage", message=f"{target.key!r} closes the deal: use closeDeal")
    reopening = deal.status != Outcome.OPEN.value
    current = process.stage(deal.stage_key)
    if not reopening and current is not None and current.key == target.key:
        return InvalidInput(field="toStage", message=f"the deal is already in {target.key!r}")
    backward = not reopening and current is not None and process.position(target.key) < process.position(current.key)
    return await _enter_stage(
        session,
        viewer=viewer,
        entering=found,
        target=target,
        kind=DealEventKind.REOPENED if reopening else DealEventKind.MOVED,
        reason=reason,
        override=override,
        gated=not backward,
        reason_required=backward or reopening,
        process_version=process_version,
    )


async def close_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    outcome: Literal[Outcome.WON, Outcome.LOST],
    reason: str | None = None,
    override: bool = False,
    expected_version: int | None = None,
    process_version: int | None = None,
) -> DealWorked | Failure:
    """Close an open deal. Lost needs a reason; won means entering the won stage, so the gate applies."""
    found = await _deal_in_process(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, DealWorked):
        return found
    if found.deal.status != Outcome.OPEN.value:
        return InvalidInput(field="dealId", message=f"the deal is already closed {found.deal.status}")
    won = outcome is Outcome.WON
    return await _enter_stage(
        session,
        viewer=viewer,
        entering=found,
        target=found.process.won_stage if won else found.process.lost_stages[0],
        kind=DealEventKind.CLOSED_WON if won else DealEventKind.CLOSED_LOST,
        reason=reason,
        override=override and won,
        gated=won,
        reason_required=not won,
        process_version=process_version,
    )


async def _deal_in_process(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    expected_version: int | None,
) -> DealWorked | Failure:
    deal = await deal_to_change(session, viewer=viewer, deal_id=deal_id, expected_version=expected_version)
    if not isinstance(deal, Deal):
        return deal
    process = process_of(deal, definitions=definitions)
    if isinstance(process, InvalidInput):
        return process
    return DealWorked(deal=deal, process=process)


async def _milestone_of_open_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    milestone_key: str,
    expected_version: int | None,
) -> DealWorked | Failure:
    """The deal, its process and the milestone to work on; refused for a closed deal or an unknown key."""
    found = await _deal_in_process(
        session, viewer=viewer, definitions=definitions, deal_id=deal_id, expected_version=expected_version
    )
    if not isinstance(found, DealWorked):
        return found
    closed = refuse_if_closed(found.deal, field="dealId")
    if closed is not None:
        return closed
    milestone = found.process.milestone(milestone_key)
    if milestone is None:
        return _unknown_milestone(found.process, milestone_key)
    return DealWorked(deal=found.deal, process=found.process, milestone=milestone)


async def _enter_stage(
    session: AsyncSession,
    *,
    viewer: Viewer,
    entering: DealWorked,
    target: Stage,
    kind: DealEventKind,
    reason: str | None,
    override: bool,
    gated: bool,
    reason_required: bool,
    process_version: int | None,
) -> DealWorked | Failure:
    deal, process = entering.deal, entering.process
    skipped: tuple[Milestone, ...] = ()
    if gated:
        gate = check_gate(process, await _stored_keys(session, deal), target.key)
        if not gate.passed:
            if not override:
                return GateBlocked(process=process, gate=gate)
            if not viewer.may_override_gates:
                return PermissionDenied(message=f"only a manager may override the gate into {target.key!r}")
            skipped = gate.missing
    written = parse_reason(reason, field="reason", required=reason_required or bool(skipped))
    if isinstance(written, InvalidInput):
        return written
    await recording.enter_stage(
        session,
        deal=deal,
        target=target,
        kind=kind,
        reason=written,
        skipped=skipped,
        viewer=viewer,
        process_version=process_version,
    )
    return DealWorked(deal=deal, process=process, skipped=skipped)


async def _stored_keys(session: AsyncSession, deal: Deal) -> list[str]:
    """The deal's completed milestones, under the keys they were recorded with."""
    query = select(MilestoneCompletion.milestone_key).where(MilestoneCompletion.deal_id == deal.id)
    return list(await session.scalars(query))


def _unknown_milestone(process: Process, key: str) -> InvalidInput:
    return InvalidInput(field="milestoneKey", message=f"unknown milestone {key!r} in process {process.key!r}")
