"""`prioritizedDeals`, `pipeline` and `processInsights`: for the deals the viewer may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import SelectedField, Selection

from api.graphql.core import fields
from api.graphql.core.context import Info_, require_viewer
from api.graphql.core.errors import ClientError
from api.graphql.core.ids import pk_of
from api.graphql.core.scalars import DecimalText
from api.graphql.insights.arguments import as_utc, checked_period_end, checked_quota
from api.graphql.insights.pipeline_types import Pipeline
from api.graphql.insights.types import (
    PrioritizedDeals,
    PrioritizedDealType,
    ProcessInsightsType,
    QuotaPlanType,
    process_insights_type,
)
from api.graphql.process.loaders import LearnedHistoryByProcessKeyLoader
from api.process import Process
from api.services.accounts.viewer import Viewer
from api.services.deals.failures import InvalidInput
from api.services.deals.input import parse_currency
from api.services.forecast import service as forecast
from api.services.history.insights import ProcessInsights
from api.services.history.learned import LearnedHistory
from api.services.history.service import insights_for


@strawberry.input(description="Which open deals the pipeline covers.")
class PipelineFilterInput:
    process_key: str | None = strawberry.field(
        default=None, description="One process; default: every process you may see open deals in."
    )
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="One rep; default: all you may see.")


def _process(info: Info_, key: str) -> Process:
    definitions = info.context.definitions
    process = definitions.process(key)
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        raise ClientError(f"processKey: unknown process {key!r} (known: {known})")
    return process


def _processes(info: Info_, key: str | None) -> tuple[Process, ...]:
    """The named process, or every loaded one."""
    return tuple(info.context.definitions.processes) if key is None else (_process(info, key),)


def _asked(info: Info_, *, viewer: Viewer, process_key: str | None, owner_id: int | None) -> forecast.OpenDealsAsked:
    return forecast.OpenDealsAsked(
        viewer=viewer, processes=_processes(info, process_key), named=process_key is not None, owner_id=owner_id
    )


def _remember(info: Info_, learned: dict[str, LearnedHistory]) -> None:
    """Hand the learned figures a view used to the request's loader: its deals' own estimates use the same."""
    loader = LearnedHistoryByProcessKeyLoader.of(info.context)
    for key, figures in learned.items():
        loader.prime(key, figures)


def _owner(given: strawberry.ID | None, field: str) -> int | None:
    if given is None:
        return None
    pk = pk_of(given, type_name="User")
    if pk is None:
        raise ClientError(f"{field}: {given!r} is not a user ID")
    return pk


def _currency(given: str) -> str:
    parsed = parse_currency(given, field="currency")
    if isinstance(parsed, InvalidInput):
        raise ClientError(f"{parsed.field}: {parsed.message}")
    return parsed


@strawberry.type
class InsightsQuery:
    @fields.field(
        description="Open deals you may see, ranked for period end, each with its estimate, slack and a reason; "
        "with a quota, the plan to close the gap. Without a processKey, the deals of every process are ranked "
        "together, each estimated against its own process."
    )
    async def prioritized_deals(
        self,
        info: Info_,
        period_end: Annotated[
            date | None,
            strawberry.argument(description="Default: end of this quarter. At most 100 years from today, either way."),
        ] = None,
        owner_id: Annotated[strawberry.ID | None, strawberry.argument(description="One rep's deals.")] = None,
        quota: Annotated[
            DecimalText | None,
            strawberry.argument(
                description="The period's quota, not negative, in `currency`; won deals count from the same processes."
            ),
        ] = None,
        currency: Annotated[
            str | None,
            strawberry.argument(
                description="The quota's currency (ISO 4217): only deals and wins in it count towards the quota; "
                "deals in other currencies are listed in `plan.otherCurrencyDeals`. Default: the currency most of "
                "the ranked open deals are in, else most deals won this period (ties: alphabetically first)."
            ),
        ] = None,
        process_key: Annotated[
            str | None, strawberry.argument(description="One process; default: every process.")
        ] = None,
    ) -> PrioritizedDeals:
        viewer = await require_viewer(info)
        today = datetime.now(UTC).date()
        period_end = checked_period_end(period_end, today=today)
        checked = checked_quota(quota)
        owner = _owner(owner_id, "ownerId")
        asked = _asked(info, viewer=viewer, process_key=process_key, owner_id=owner)
        quota_currency = None if currency is None else _currency(currency)

        # the plan (its own statement, and a refusal when the quota's currency is unknown) only when it is asked for
        planned = checked if _selects_any(info.selected_fields, PLAN) else None

        async def prioritize(session: AsyncSession) -> forecast.Prioritization:
            return await forecast.prioritized_deals(
                session, asked=asked, today=today, period_end=period_end, quota=planned, currency=quota_currency
            )

        try:
            result = await info.context.unit_of_work.read(prioritize)
        except forecast.QuotaCurrencyUnknown as unknown:
            raise ClientError(str(unknown)) from None
        _remember(info, dict(result.learned))
        process_of = result.process_of
        return PrioritizedDeals(
            period_end=result.period_end,
            deals=[PrioritizedDealType(item=p, process=process_of[p.assessment.deal.deal_id]) for p in result.ranked],
            plan=None if result.plan is None else QuotaPlanType(plan=result.plan, process_of=result.process_of),
        )

    @fields.field(
        description="Open deals you may see: per stage totals, blocked and stale deals, strength; of one process, "
        "or (without filter.processKey) of every process you may see open deals in, with `processes` per process."
    )
    async def pipeline(
        self,
        info: Info_,
        filter: Annotated[PipelineFilterInput | None, strawberry.argument(description="Which deals.")] = None,
    ) -> Pipeline:
        viewer = await require_viewer(info)
        given = filter or PipelineFilterInput()
        owner = _owner(given.owner_id, "filter.ownerId")
        asked = _asked(info, viewer=viewer, process_key=given.process_key, owner_id=owner)
        now = datetime.now(UTC)

        deals = _selects_any(info.selected_fields, DEAL_LISTS)

        async def summarize(session: AsyncSession) -> forecast.Pipelines:
            return await forecast.pipelines(session, asked=asked, now=now, deals=deals)

        result = await info.context.unit_of_work.read(summarize)
        _remember(info, dict(result.learned))
        return Pipeline(sections=result.sections, now=now)

    @fields.field(
        description="Conversion, time in stage, observed milestone durations, milestone lift and overridden gates, "
        "over the deals you may see created since `since`."
    )
    async def process_insights(
        self,
        info: Info_,
        process_key: Annotated[
            str,
            strawberry.argument(
                description="The process (required: conversion, time in stage and lift only make sense within one "
                "process's stages and milestones)."
            ),
        ],
        since: Annotated[
            datetime | None,
            strawberry.argument(
                description="Deals created from then on; an ISO 8601 date and time, read as UTC when it has no offset."
            ),
        ] = None,
    ) -> ProcessInsightsType:
        viewer = await require_viewer(info)
        process = _process(info, process_key)

        async def measure(session: AsyncSession) -> ProcessInsights:
            return await insights_for(session, viewer=viewer, process=process, since=as_utc(since))

        insights = await info.context.unit_of_work.read(measure)
        return process_insights_type(process, insights)


DEAL_LISTS = frozenset({"blocked", "blockedDeals", "stale", "staleDeals"})
"""The pipeline's fields that list deals: without them, the pipeline is counted in the database by deal state.
(A deal's own `blocked` and `stale`, selected inside these lists, are found too; they change nothing.)"""
PLAN = frozenset({"plan"})
"""The ranking's field that plans a quota: without it, no plan is computed."""


def _selects_any(selections: Iterable[Selection], names: frozenset[str]) -> bool:
    """Whether any field below `selections`, through fragments, is named one of `names`."""
    return any(
        (isinstance(selection, SelectedField) and selection.name in names) or _selects_any(selection.selections, names)
        for selection in selections
    )
