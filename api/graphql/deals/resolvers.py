"""Deal queries: one deal, the deals connection, and `node(id)`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.accounts.resolvers import visible_team, visible_user
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.errors import ClientError, require_viewer
from api.graphql.core.ids import from_global_id, pk_of
from api.graphql.core.node import Node
from api.graphql.deals.connection import DealConnection, DealEdge, PageInfo
from api.graphql.deals.inputs import DealFilterInput, DealOrderInput, OrderDirection
from api.graphql.deals.loaders import DealByIdLoader
from api.graphql.deals.prefetch import prefetch_deal_page
from api.graphql.deals.types import DealType
from api.process import Process, ProcessDefinitions
from api.services.deals import queries as deal_queries
from api.services.deals.failures import InvalidInput
from api.services.deals.input import parse_search


def to_deal_filter(given: DealFilterInput | None, *, definitions: ProcessDefinitions) -> deal_queries.DealFilter:
    if given is None:
        return deal_queries.DealFilter()
    owner_id = None
    if given.owner_id is not None:
        owner_id = pk_of(given.owner_id, type_name="User")
        if owner_id is None:
            raise ClientError(f"filter.ownerId: {given.owner_id!r} is not a user ID")
    processes = definitions.processes
    if given.process_key is not None:
        process = definitions.process(given.process_key)
        if process is None:
            known = ", ".join(p.key for p in definitions.processes)
            raise ClientError(f"filter.processKey: unknown process {given.process_key!r} (known: {known})")
        processes = (process,)
    return deal_queries.DealFilter(
        process_key=given.process_key,
        stage_keys=_stage_keys(given.stages or (), processes=processes),
        statuses=tuple(s.value for s in given.statuses or ()),
        owner_id=owner_id,
        close_date_from=given.close_date_from,
        close_date_to=given.close_date_to,
        search=_search(given.search),
    )


def _search(given: str | None) -> str | None:
    parsed = parse_search(given, field="filter.search")
    if isinstance(parsed, InvalidInput):
        raise ClientError(f"{parsed.field}: {parsed.message}")
    return parsed


def _stage_keys(given: Sequence[str], *, processes: Sequence[Process]) -> tuple[str, ...]:
    """The stage keys to match: each given stage's key and its former keys (deals may still carry one)."""
    keys: list[str] = []
    for index, key in enumerate(given):
        stages = [s for s in (p.stage(key) for p in processes) if s is not None]
        if not stages:
            known = ", ".join(dict.fromkeys(s.key for p in processes for s in p.stages))
            raise ClientError(f"filter.stages[{index}]: unknown stage {key!r} (known: {known})")
        keys += [k for s in stages for k in (s.key, *s.formerly)]
    return tuple(dict.fromkeys(keys))


def to_deal_order(given: DealOrderInput | None) -> deal_queries.DealOrder:
    if given is None:
        return deal_queries.DealOrder()
    return deal_queries.DealOrder(
        field=deal_queries.DealOrderField(given.field.value), descending=given.direction is OrderDirection.DESC
    )


@strawberry.type
class DealQuery:
    @fields.field(description="One deal by ID; null when there is none you may see.")
    async def deal(
        self, info: Info_, id: Annotated[strawberry.ID, strawberry.argument(description="The deal's global ID.")]
    ) -> DealType | None:
        await require_viewer(info)
        pk = pk_of(id, type_name="Deal")
        found = None if pk is None else await DealByIdLoader.of(info.context).load(pk)
        return None if found is None else DealType(row=found)

    @fields.field(description=f"Deals you may see, a page at a time (at most {deal_queries.MAX_PAGE} per page).")
    async def deals(
        self,
        info: Info_,
        first: Annotated[int, strawberry.argument(description=f"Page size, capped at {deal_queries.MAX_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
        filter: Annotated[DealFilterInput | None, strawberry.argument(description="Which deals.")] = None,
        order_by: Annotated[DealOrderInput | None, strawberry.argument(description="In what order.")] = None,
    ) -> DealConnection:
        viewer = await require_viewer(info)
        if first < 0:
            raise ClientError(f"first: must not be negative (got {first})")
        if after == "":
            raise ClientError("after: '' is not a cursor from this list; leave `after` out for the first page")
        deal_filter = to_deal_filter(filter, definitions=info.context.definitions)
        order = to_deal_order(order_by)

        async def page_of_deals(session: AsyncSession) -> deal_queries.DealPage:
            return await deal_queries.page_of_deals(
                session,
                viewer=viewer,
                deal_filter=deal_filter,
                order=order,
                first=min(first, deal_queries.MAX_PAGE),
                after=after,
            )

        try:
            page = await info.context.unit_of_work.read(page_of_deals)
        except deal_queries.BadCursor as error:
            raise ClientError(f"after: {error}") from error
        for deal in page.deals:
            DealByIdLoader.of(info.context).prime(deal.id, deal)
        await prefetch_deal_page(info, page.deals, node_path=("deals", "edges", "node"))
        edges = [DealEdge(cursor=deal_queries.encode_cursor(d, order=order), node=DealType(row=d)) for d in page.deals]
        return DealConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            viewer=viewer,
            deal_filter=deal_filter,
        )

    @fields.field(description="Any object by its global ID; null when there is none you may see.")
    async def node(
        self,
        info: Info_,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID, e.g. a deal's, user's or team's.")],
    ) -> Node | None:
        await require_viewer(info)
        parsed = from_global_id(id)
        if parsed is None:
            return None
        type_name, pk = parsed
        if type_name == "Deal":
            deal = await DealByIdLoader.of(info.context).load(pk)
            return None if deal is None else DealType(row=deal)
        if type_name == "User":
            return await visible_user(info, pk)
        if type_name == "Team":
            return await visible_team(info, pk)
        return None
