"""The one place deal data is written. Each change here records what happened in the deal's history, so
no change can go unrecorded, and announces it to subscribers (`changes`, delivered once it commits); the
use cases (`editing`, `working`) decide what to change. Nothing here commits: the request's unit of work
does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealCompetitor, DealEvent, MilestoneCompletion, utc_now
from api.deal_events import DealEventKind
from api.process import Milestone, Outcome, Stage
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.deals.changes import announce_change


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDeal:
    """A checked draft: every value is valid."""

    name: str
    account_name: str
    process_key: str
    stage_key: str
    owner_id: int
    amount: Decimal
    currency: str
    close_date: date
    competitor_keys: tuple[str, ...]


async def lock_deal(session: AsyncSession, *, deal_id: int, viewer: Viewer) -> None:
    """Hold the deal's write lock until the transaction ends; a concurrent change waits for it.

    A no-op UPDATE rather than `SELECT ... FOR UPDATE`, because SQLite has no row locks: there it takes the
    database's write lock (waiting up to `busy_timeout`), on PostgreSQL the row's. Without it two requests
    could both pass the version check and the second would fail at flush with a `StaleDataError`.
    """
    await session.execute(
        update(Deal)
        .where(Deal.id == deal_id, visible_deals(viewer))
        .values(version=Deal.version)
        .execution_options(synchronize_session=False)
    )


async def insert_deal(session: AsyncSession, *, new: NewDeal, viewer: Viewer, process_version: int | None) -> Deal:
    now = utc_now()
    deal = Deal(
        name=new.name,
        account_name=new.account_name,
        process_key=new.process_key,
        stage_key=new.stage_key,
        status=Outcome.OPEN.value,
        owner_id=new.owner_id,
        amount=new.amount,
        currency=new.currency,
        close_date=new.close_date,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
    )
    session.add(deal)
    await session.flush()
    session.add_all(DealCompetitor(deal_id=deal.id, competitor_key=key) for key in new.competitor_keys)
    _record(
        session,
        deal=deal,
        kind=DealEventKind.CREATED,
        actor=viewer,
        process_version=process_version,
        to_stage=deal.stage_key,
    )
    await session.flush()
    await announce_change(session, deal_id=deal.id)
    return deal


async def change_details(
    session: AsyncSession,
    *,
    deal: Deal,
    new_values: dict[str, Any],
    competitor_keys: tuple[str, ...] | None,
    viewer: Viewer,
    process_version: int | None,
) -> None:
    """Set the deal's plain fields (and, if given, its competitors); one `updated` event lists what changed,
    before and after. Values equal to the current ones change nothing and record nothing."""
    changes: dict[str, list[Any]] = {
        name: [_plain(getattr(deal, name)), _plain(value)]
        for name, value in new_values.items()
        if getattr(deal, name) != value
    }
    if competitor_keys is not None and (replaced := await _replace_competitors(session, deal, competitor_keys)):
        changes["competitors"] = replaced
    if not changes:
        return
    for name in changes.keys() & new_values.keys():
        setattr(deal, name, new_values[name])
    _touch(deal)
    _record(
        session, deal=deal, kind=DealEventKind.UPDATED, actor=viewer, process_version=process_version, changes=changes
    )
    await session.flush()
    await announce_change(session, deal_id=deal.id)


async def add_completion(
    session: AsyncSession,
    *,
    deal: Deal,
    milestone: Milestone,
    note: str | None,
    viewer: Viewer,
    process_version: int | None,
) -> None:
    session.add(
        MilestoneCompletion(
            deal_id=deal.id, milestone_key=milestone.key, completed_by_id=viewer.id, completed_at=utc_now(), note=note
        )
    )
    _touch(deal)
    _record(
        session,
        deal=deal,
        kind=DealEventKind.MILESTONE_COMPLETED,
        actor=viewer,
        process_version=process_version,
        milestone_key=milestone.key,
        reason=note,
    )
    await session.flush()
    await announce_change(session, deal_id=deal.id)


async def remove_completions(
    session: AsyncSession,
    *,
    deal: Deal,
    completions: Iterable[MilestoneCompletion],
    milestone: Milestone,
    reason: str | None,
    viewer: Viewer,
    process_version: int | None,
) -> None:
    """Undo the completions of `milestone` (under its current key or a former one)."""
    for completion in completions:
        await session.delete(completion)
    _touch(deal)
    _record(
        session,
        deal=deal,
        kind=DealEventKind.MILESTONE_REOPENED,
        actor=viewer,
        process_version=process_version,
        milestone_key=milestone.key,
        reason=reason,
    )
    await session.flush()
    await announce_change(session, deal_id=deal.id)


async def enter_stage(
    session: AsyncSession,
    *,
    deal: Deal,
    target: Stage,
    kind: DealEventKind,
    reason: str | None,
    skipped: tuple[Milestone, ...],
    viewer: Viewer,
    process_version: int | None,
) -> None:
    """Put the deal in `target`; a gate override that let it in is recorded first, with what it skipped."""
    from_stage = deal.stage_key
    if skipped:
        _record(
            session,
            deal=deal,
            kind=DealEventKind.GATE_OVERRIDDEN,
            actor=viewer,
            process_version=process_version,
            from_stage=from_stage,
            to_stage=target.key,
            reason=reason,
            skipped_milestones=[m.key for m in skipped],
        )
    deal.stage_key = target.key
    deal.status = target.outcome.value
    deal.stage_entered_at = utc_now()
    _touch(deal)
    _record(
        session,
        deal=deal,
        kind=kind,
        actor=viewer,
        process_version=process_version,
        from_stage=from_stage,
        to_stage=target.key,
        reason=reason,
    )
    await session.flush()
    await announce_change(session, deal_id=deal.id)


def _record(
    session: AsyncSession,
    *,
    deal: Deal,
    kind: DealEventKind,
    actor: Viewer,
    process_version: int | None,
    **details: Any,
) -> None:
    """One entry of the deal's history, under the published process version the change was made with."""
    event = DealEvent(
        deal_id=deal.id,
        kind=kind.value,
        actor_id=actor.id,
        occurred_at=utc_now(),
        process_version=process_version,
        **details,
    )
    session.add(event)


def _touch(deal: Deal) -> None:
    """Mark the deal changed: bumps `updated_at` and, on flush, `version`."""
    deal.updated_at = utc_now()


async def _replace_competitors(session: AsyncSession, deal: Deal, keys: tuple[str, ...]) -> list[list[str]] | None:
    """Set the deal's competitors; [before, after] when that changed them, else None."""
    before = sorted(
        await session.scalars(select(DealCompetitor.competitor_key).where(DealCompetitor.deal_id == deal.id))
    )
    if before == sorted(keys):
        return None
    await session.execute(delete(DealCompetitor).where(DealCompetitor.deal_id == deal.id))
    session.add_all(DealCompetitor(deal_id=deal.id, competitor_key=key) for key in keys)
    return [before, sorted(keys)]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value
