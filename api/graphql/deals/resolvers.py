"""Deal queries: one deal, the deals connection, and `node(id)`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.accounts.resolvers import visible_team, visible_user
from api.graphql.core import fields
from api.graphql.core.context import Info_, require_viewer
from api.graphql.core.errors import ClientError
from api.graphql.core.ids import from_global_id, pk_of
from api.graphql.core.node import Node
from api.graphql.deals.connection import DealConnection, DealEdge, PageInfo
from api.graphql.deals.inputs import DealFilterInput, DealOrderInput, OrderDirection
from api.graphql.deals.loaders import DealByIdLoader
from api.graphql.deals.nodes import deal_event_node, node_named_by_keys
from api.graphql.deals.prefetch import deal_with_page, read_deal_page
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


def page_asked(*, first: int | None, after: str | None, last: int | None, before: str | None) -> deal_queries.PageAsked:
    """The page the arguments ask for, or a ClientError saying which argument is wrong."""
    for name, size in (("first", first), ("last", last)):
        if size is not None and size < 0:
            raise ClientError(f"{name}: must not be negative (got {size})")
    if first is not None and last is not None:
        raise ClientError("first, last: give one of them (first to page forward, last to page backward), not both")
    for name, cursor in (("after", after), ("before", before)):
        if cursor == "":
            raise ClientError(f"{name}: '' is not a cursor from this list; leave `{name}` out for the first page")
    if last is not None:
        return deal_queries.PageAsked(last=min(last, deal_queries.MAX_PAGE), after=after, before=before)
    size = deal_queries.DEFAULT_PAGE if first is None else min(first, deal_queries.MAX_PAGE)
    return deal_queries.PageAsked(first=size, after=after, before=before)


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
        viewer = await require_viewer(info)
        pk = pk_of(id, type_name="Deal")
        found = None if pk is None else await deal_with_page(info, viewer, pk, node_path=("deal",))
        return None if found is None else DealType(row=found)

    @fields.field(
        description=f"Deals you may see, a page at a time (at most {deal_queries.MAX_PAGE} per page): forward with "
        "`first` and `after`, backward with `last` and `before`, by keyset (a deal added or changed meanwhile never "
        "repeats or hides another)."
    )
    async def deals(
        self,
        info: Info_,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Page size going forward, capped at {deal_queries.MAX_PAGE}; "
                f"{deal_queries.DEFAULT_PAGE} when neither `first` nor `last` is given (null is the same as leaving it "
                "out). Not with `last`."
            ),
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
        filter: Annotated[DealFilterInput | None, strawberry.argument(description="Which deals.")] = None,
        order_by: Annotated[
            DealOrderInput | None,
            strawberry.argument(
                description="In what order. Without it: open deals first, then won and lost ones, each group by "
                "expected close date, then by ID (`OPEN_FIRST`)."
            ),
        ] = None,
        last: Annotated[
            int | None,
            strawberry.argument(
                description=f"Page size going backward: the last deals before `before` (or of the whole list), "
                f"capped at {deal_queries.MAX_PAGE}. Not with `first`."
            ),
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The `startCursor` of the page after the one you want.")
        ] = None,
    ) -> DealConnection:
        viewer = await require_viewer(info)
        asked = page_asked(first=first, after=after, last=last, before=before)
        deal_filter = to_deal_filter(filter, definitions=info.context.definitions)
        order = to_deal_order(order_by)

        async def page_of_deals(session: AsyncSession) -> deal_queries.DealPage:
            page = await deal_queries.page_of_deals(
                session, viewer=viewer, deal_filter=deal_filter, order=order, page=asked
            )
            DealByIdLoader.of(info.context).prime_many({deal.id: deal for deal in page.deals})
            await read_deal_page(info, session, page.deals, node_path=("deals", "edges", "node"))
            return page

        try:
            page = await info.context.unit_of_work.read(page_of_deals)
        except deal_queries.BadCursor as error:
            raise ClientError(f"{error.argument}: {error}") from error
        edges = [DealEdge(cursor=deal_queries.encode_cursor(d, order=order), node=DealType(row=d)) for d in page.deals]
        return DealConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
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
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A global ID: of a deal, user, team, process, stage, milestone, ... (any `Node`)."
            ),
        ],
    ) -> Node | None:
        await require_viewer(info)
        parsed = from_global_id(id)
        if parsed is None:
            return await node_named_by_keys(info, id)
        type_name, pk = parsed
        if type_name == "Deal":
            deal = await DealByIdLoader.of(info.context).load(pk)
            return None if deal is None else DealType(row=deal)
        if type_name == "User":
            return await visible_user(info, pk)
        if type_name == "Team":
            return await visible_team(info, pk)
        if type_name == "DealEvent":
            return await deal_event_node(info, pk)
        return None
