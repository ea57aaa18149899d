"""Creating and editing deals. Every change is recorded in the deal's history; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealCompetitor, DealEvent, DealStatus, EventKind, MilestoneCompletion, utc_now
from api.process import Process, ProcessDefinitions
from api.services.auth import Viewer, may_own_deals_of, visible_deals
from api.services.deal_input import parse_amount, parse_close_date, parse_competitors, parse_currency, parse_name
from api.services.failures import DealNotFound, Failure, InvalidInput, PermissionDenied, VersionConflict


@dataclass(frozen=True, kw_only=True)
class DealDraft:
    """What a user enters to open a deal; amounts arrive as text and are checked here."""

    name: str
    account_name: str
    process_key: str
    amount: str
    currency: str
    close_date: date
    owner_id: int | None = None
    competitor_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DealChanges:
    """Fields to change on a deal; None leaves a field as it is."""

    name: str | None = None
    account_name: str | None = None
    amount: str | None = None
    currency: str | None = None
    close_date: date | None = None
    owner_id: int | None = None
    competitor_keys: list[str] | None = None


def record_event(session: AsyncSession, *, deal: Deal, kind: EventKind, actor: Viewer, **details: Any) -> DealEvent:
    event = DealEvent(deal_id=deal.id, kind=kind.value, actor_id=actor.id, occurred_at=utc_now(), **details)
    session.add(event)
    return event


def touch(deal: Deal) -> None:
    """Mark the deal changed: bumps `updated_at` and, on flush, `version`."""
    deal.updated_at = utc_now()


async def deal_for_change(
    session: AsyncSession, *, viewer: Viewer, deal_id: int, expected_version: int | None = None
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


def refuse_if_closed(deal: Deal, *, field: str) -> InvalidInput | None:
    """A closed deal is frozen: its record is what it was won or lost with, until it is reopened."""
    if deal.status == DealStatus.OPEN.value:
        return None
    return InvalidInput(
        field=field, message=f"the deal is closed {deal.status}; reopen it by moving it to an open stage first"
    )


def process_of(deal: Deal, *, definitions: ProcessDefinitions) -> Process | InvalidInput:
    process = definitions.process(deal.process_key)
    if process is None:
        return InvalidInput(field="dealId", message=f"the deal's process {deal.process_key!r} is no longer defined")
    return process


async def completed_keys(session: AsyncSession, *, deal_id: int) -> list[str]:
    return list(
        await session.scalars(select(MilestoneCompletion.milestone_key).where(MilestoneCompletion.deal_id == deal_id))
    )


async def create_deal(
    session: AsyncSession, *, viewer: Viewer, definitions: ProcessDefinitions, draft: DealDraft
) -> Deal | Failure:
    if not viewer.may_change_deals:
        return PermissionDenied(message=f"the {viewer.role.value} role cannot create deals")
    process = definitions.process(draft.process_key)
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        return InvalidInput(field="input.processKey", message=f"unknown process {draft.process_key!r} (known: {known})")
    name = parse_name(draft.name, field="input.name")
    if isinstance(name, InvalidInput):
        return name
    account_name = parse_name(draft.account_name, field="input.accountName")
    if isinstance(account_name, InvalidInput):
        return account_name
    amount = parse_amount(draft.amount, field="input.amount")
    if isinstance(amount, InvalidInput):
        return amount
    currency = parse_currency(draft.currency, field="input.currency")
    if isinstance(currency, InvalidInput):
        return currency
    close_date = parse_close_date(draft.close_date, field="input.closeDate", today=utc_now().date())
    if isinstance(close_date, InvalidInput):
        return close_date
    competitors = parse_competitors(draft.competitor_keys, definitions=definitions, field="input.competitorKeys")
    if isinstance(competitors, InvalidInput):
        return competitors
    owner_id = draft.owner_id if draft.owner_id is not None else viewer.id
    if not await may_own_deals_of(session, viewer=viewer, owner_id=owner_id):
        return PermissionDenied(message="you may only give deals to yourself or, as a manager, to your team")
    now = utc_now()
    deal = Deal(
        name=name,
        account_name=account_name,
        process_key=process.key,
        stage_key=process.first_stage.key,
        status=DealStatus.OPEN.value,
        owner_id=owner_id,
        amount=amount,
        currency=currency,
        close_date=close_date,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
    )
    session.add(deal)
    await session.flush()
    session.add_all(DealCompetitor(deal_id=deal.id, competitor_key=key) for key in competitors)
    record_event(session, deal=deal, kind=EventKind.CREATED, actor=viewer, to_stage=deal.stage_key)
    await session.flush()
    return deal


async def update_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    expected_version: int,
    changes: DealChanges,
) -> Deal | Failure:
    found = await deal_for_change(session, viewer=viewer, deal_id=deal_id, expected_version=expected_version)
    if not isinstance(found, Deal):
        return found
    deal = found
    closed = refuse_if_closed(deal, field="input.dealId")
    if closed is not None:
        return closed
    checked = _checked_changes(changes, deal=deal, definitions=definitions)
    if isinstance(checked, InvalidInput):
        return checked
    new_values, competitors = checked
    if changes.owner_id is not None and changes.owner_id != deal.owner_id:
        if not await may_own_deals_of(session, viewer=viewer, owner_id=changes.owner_id):
            return PermissionDenied(message="you may only give deals to yourself or, as a manager, to your team")
        new_values["owner_id"] = changes.owner_id

    recorded: dict[str, list[Any]] = {
        name: [_plain(getattr(deal, name)), _plain(value)]
        for name, value in new_values.items()
        if getattr(deal, name) != value
    }
    if competitors is not None and (
        replaced := await _replace_competitors(session, deal=deal, competitors=competitors)
    ):
        recorded["competitors"] = replaced
    if not recorded:
        return deal
    for name in recorded.keys() & new_values.keys():
        setattr(deal, name, new_values[name])
    touch(deal)
    record_event(session, deal=deal, kind=EventKind.UPDATED, actor=viewer, changes=recorded)
    await session.flush()
    return deal


def _checked_changes(
    changes: DealChanges, *, deal: Deal, definitions: ProcessDefinitions
) -> tuple[dict[str, Any], tuple[str, ...] | None] | InvalidInput:
    """The given plain fields and competitors, checked; the first bad one as InvalidInput."""
    checks: dict[str, Any] = {}
    if changes.name is not None:
        checks["name"] = parse_name(changes.name, field="input.name")
    if changes.account_name is not None:
        checks["account_name"] = parse_name(changes.account_name, field="input.accountName")
    if changes.amount is not None:
        checks["amount"] = parse_amount(changes.amount, field="input.amount")
    if changes.currency is not None:
        checks["currency"] = parse_currency(changes.currency, field="input.currency")
    if changes.close_date is not None and changes.close_date != deal.close_date:
        # An unchanged date passes even if out of range now: a form sends back every field it shows.
        checks["close_date"] = parse_close_date(changes.close_date, field="input.closeDate", today=utc_now().date())
    competitors = None
    if changes.competitor_keys is not None:
        competitors = parse_competitors(changes.competitor_keys, definitions=definitions, field="input.competitorKeys")
    for value in (*checks.values(), competitors):
        if isinstance(value, InvalidInput):
            return value
    assert not isinstance(competitors, InvalidInput)
    return checks, competitors


async def _replace_competitors(
    session: AsyncSession, *, deal: Deal, competitors: tuple[str, ...]
) -> list[list[str]] | None:
    """Set the deal's competitors; [before, after] when that changed them, else None."""
    before = sorted(
        await session.scalars(select(DealCompetitor.competitor_key).where(DealCompetitor.deal_id == deal.id))
    )
    if before == sorted(competitors):
        return None
    await session.execute(delete(DealCompetitor).where(DealCompetitor.deal_id == deal.id))
    session.add_all(DealCompetitor(deal_id=deal.id, competitor_key=key) for key in competitors)
    return [before, sorted(competitors)]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value
