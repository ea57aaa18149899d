"""What every deal command starts from: the deal the viewer may change, locked, and its process; and what
the commands that work a deal through its process answer with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal
from api.process import Milestone, Outcome, Process, ProcessDefinitions
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.deals.failures import DealNotFound, Failure, InvalidInput, PermissionDenied, VersionConflict
from api.services.deals.recording import lock_deal


@dataclass(frozen=True, slots=True, kw_only=True)
class DealWorked:
    """A deal after a milestone, move or close command succeeded, with what the command did that a view shows."""

    deal: Deal
    process: Process
    milestone: Milestone | None = None
    """The milestone completed or reopened."""
    skipped: tuple[Milestone, ...] = ()
    """The mandatory milestones a manager's override let the deal skip, in process order."""


async def deal_to_change(
    session: AsyncSession,
    *,
    viewer: Viewer,
    deal_id: int,
    expected_version: int | None = None,
) -> Deal | Failure:
    """The deal, if the viewer may see it and change it and it still has the version they saw.

    A deal the viewer may change is locked first, so every check that follows sees the latest committed
    state and no other request can change the deal before this one commits or rolls back.
    """
    if viewer.may_change_deals:
        await lock_deal(session, deal_id=deal_id, viewer=viewer)
    deal = await session.scalar(
        select(Deal).where(Deal.id == deal_id, visible_deals(viewer)).execution_options(populate_existing=True)
    )
    if deal is None:
        return DealNotFound(deal_id=str(deal_id))
    if not viewer.may_change_deals:
        return PermissionDenied(message=f"the {viewer.role.value} role can read deals but not change them")
    if expected_version is not None and deal.version != expected_version:
        return VersionConflict(current_version=deal.version)
    return deal


def process_of(deal: Deal, *, definitions: ProcessDefinitions) -> Process | InvalidInput:
    process = definitions.process(deal.process_key)
    if process is None:
        return InvalidInput(field="dealId", message=f"the deal's process {deal.process_key!r} is no longer defined")
    return process


def refuse_if_closed(deal: Deal, *, field: str) -> InvalidInput | None:
    """A closed deal is frozen: its record is what it was won or lost with, until it is reopened."""
    if deal.status == Outcome.OPEN.value:
        return None
    return InvalidInput(
        field=field, message=f"the deal is closed {deal.status}; reopen it by moving it to an open stage first"
    )
