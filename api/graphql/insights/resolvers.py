"""`prioritizedDeals`, `pipeline` and `processInsights`: for the deals the viewer may see."""

# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.graphql.core.context import Info_
from api.graphql.core.errors import ClientError, require_viewer
from api.graphql.core.ids import pk_of
from api.graphql.insights.types import (
    Pipeline,
    PrioritizedDeals,
    PrioritizedDealType,
    ProcessInsightsType,
    QuotaPlanType,
    process_insights_type,
)
from api.process import Process
from api.services.insights_queries import insights_for, pipeline_for, prioritized_for


@strawberry.input(description="Which open deals the pipeline covers.")
class PipelineFilterInput:
    process_key: str | None = strawberry.field(default=None, description="Default: the first process.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="One rep; default: all you may see.")


def _process(info: Info_, key: str | None) -> Process:
    definitions = info.context.definitions
    process = definitions.process(key) if key else definitions.processes[0]
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        raise ClientError(f"processKey: unknown process {key!r} (known: {known})")
    return process


def _owner(given: strawberry.ID | None, field: str) -> int | None:
    if given is None:
        return None
    pk = pk_of(given, type_name="User")
    if pk is None:
        raise ClientError(f"{field}: {given!r} is not a user ID")
    return pk


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        description="Open deals you may see, ranked for period end, each with its estimate, slack and a reason; "
        "with a quota, the plan to close the gap."
    )
    async def prioritized_deals(
        self,
        info: Info_,
        period_end: Annotated[date | None, strawberry.argument(description="Default: end of this quarter.")] = None,
        owner_id: Annotated[strawberry.ID | None, strawberry.argument(description="One rep's deals.")] = None,
        quota: Annotated[Decimal | None, strawberry.argument(description="The period's quota.")] = None,
        process_key: Annotated[str | None, strawberry.argument(description="Default: the first process.")] = None,
    ) -> PrioritizedDeals:
        viewer = await require_viewer(info)
        process = _process(info, process_key)
        learned = await info.context.loaders.learned_history_by_process_key.load(process.key)
        async with info.context.lock:
            result = await prioritized_for(
                info.context.session,
                viewer=viewer,
                process=process,
                owner_id=_owner(owner_id, "ownerId"),
                today=datetime.now(UTC).date(),
                period_end=period_end,
                quota=quota,
                learned=learned,
            )
        return PrioritizedDeals(
            period_end=result.period_end,
            deals=[PrioritizedDealType(item=p, process=process) for p in result.ranked],
            plan=None if result.plan is None else QuotaPlanType(plan=result.plan, process=process),
        )

    @strawberry.field(description="Open deals you may see: per stage totals, blocked and stale deals, strength.")
    async def pipeline(
        self,
        info: Info_,
        filter: Annotated[PipelineFilterInput | None, strawberry.argument(description="Which deals.")] = None,
    ) -> Pipeline:
        viewer = await require_viewer(info)
        given = filter or PipelineFilterInput()
        process = _process(info, given.process_key)
        learned = await info.context.loaders.learned_history_by_process_key.load(process.key)
        async with info.context.lock:
            summary = await pipeline_for(
                info.context.session,
                viewer=viewer,
                process=process,
                owner_id=_owner(given.owner_id, "filter.ownerId"),
                now=datetime.now(UTC),
                learned=learned,
            )
        return Pipeline(summary=summary, process=process)

    @strawberry.field(
        description="Conversion, time in stage, observed milestone durations, milestone lift and overridden gates, "
        "over the deals you may see created since `since`."
    )
    async def process_insights(
        self,
        info: Info_,
        process_key: Annotated[str, strawberry.argument(description="The process.")],
        since: Annotated[datetime | None, strawberry.argument(description="Deals created from then on.")] = None,
    ) -> ProcessInsightsType:
        viewer = await require_viewer(info)
        process = _process(info, process_key)
        async with info.context.lock:
            insights = await insights_for(info.context.session, viewer=viewer, process=process, since=since)
        return process_insights_type(process, insights)
