"""Opening a deal and changing its details: the checks; `recording` writes and records the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, utc_now
from api.process import Process, ProcessDefinitions
from api.services.accounts.viewer import Viewer, may_own_deals_of
from api.services.deals import recording
from api.services.deals.access import deal_to_change, refuse_if_closed
from api.services.deals.failures import Failure, InvalidInput, PermissionDenied
from api.services.deals.input import parse_amount, parse_close_date, parse_competitors, parse_currency, parse_name

NOT_YOUR_TEAM = "you may only give deals to yourself or, as a manager, to your team"


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


async def create_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    draft: DealDraft,
    process_version: int | None = None,
) -> Deal | Failure:
    if not viewer.may_change_deals:
        return PermissionDenied(message=f"the {viewer.role.value} role cannot create deals")
    process = definitions.process(draft.process_key)
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        return InvalidInput(field="input.processKey", message=f"unknown process {draft.process_key!r} (known: {known})")
    new = _checked_draft(
        draft,
        process=process,
        definitions=definitions,
        owner_id=viewer.id if draft.owner_id is None else draft.owner_id,
    )
    if isinstance(new, InvalidInput):
        return new
    if not await may_own_deals_of(session, viewer=viewer, owner_id=new.owner_id):
        return PermissionDenied(message=NOT_YOUR_TEAM)
    return await recording.insert_deal(session, new=new, viewer=viewer, process_version=process_version)


def _checked_draft(
    draft: DealDraft, *, process: Process, definitions: ProcessDefinitions, owner_id: int
) -> recording.NewDeal | InvalidInput:
    """The draft's values, checked in the order of the form; the first bad one as InvalidInput."""
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
    return recording.NewDeal(
        name=name,
        account_name=account_name,
        process_key=process.key,
        stage_key=process.first_stage.key,
        owner_id=owner_id,
        amount=amount,
        currency=currency,
        close_date=close_date,
        competitor_keys=competitors,
    )


async def update_deal(
    session: AsyncSession,
    *,
    viewer: Viewer,
    definitions: ProcessDefinitions,
    deal_id: int,
    expected_version: int,
    changes: DealChanges,
    process_version: int | None = None,
) -> Deal | Failure:
    deal = await deal_to_change(session, viewer=viewer, deal_id=deal_id, expected_version=expected_version)
    if not isinstance(deal, Deal):
        return deal
    closed = refuse_if_closed(deal, field="input.dealId")
    if closed is not None:
        return closed
    checked = _checked_changes(changes, deal=deal, definitions=definitions)
    if isinstance(checked, InvalidInput):
        return checked
    new_values, competitor_keys = checked
    if changes.owner_id is not None and changes.owner_id != deal.owner_id:
        if not await may_own_deals_of(session, viewer=viewer, owner_id=changes.owner_id):
            return PermissionDenied(message=NOT_YOUR_TEAM)
        new_values["owner_id"] = changes.owner_id
    await recording.change_details(
        session,
        deal=deal,
        new_values=new_values,
        competitor_keys=competitor_keys,
        viewer=viewer,
        process_version=process_version,
    )
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
