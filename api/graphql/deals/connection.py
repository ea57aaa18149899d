"""The Relay-style connection for lists of deals."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.deals.types import DealType
from api.services.accounts.viewer import Viewer
from api.services.deals import queries as deal_queries


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Going forward (`first`): whether more deals follow `endCursor`. Going backward (`last`): "
        "whether this page was fetched with `before`."
    )
    has_previous_page: bool = strawberry.field(
        description="Going forward (`first`): whether this page was fetched with `after`. Going backward (`last`): "
        "whether more deals precede `startCursor`."
    )
    start_cursor: str | None = strawberry.field(description="The first edge's cursor: pass it as `before`.")
    end_cursor: str | None = strawberry.field(description="The last edge's cursor: pass it as `after`.")


@strawberry.type(description="A deal in a page, with its cursor.")
class DealEdge:
    cursor: str = strawberry.field(description="Opaque position of this deal in the ordered list.")
    node: DealType = strawberry.field(description="The deal.")


@strawberry.type(description="A page of deals.")
class DealConnection:
    edges: list[DealEdge] = strawberry.field(description="The deals of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether there is more.")
    viewer: strawberry.Private[Viewer]
    deal_filter: strawberry.Private[deal_queries.DealFilter]

    @fields.field(description="How many deals match the filter, over all pages.")
    async def total_count(self, info: Info_) -> int:
        async def count(session: AsyncSession) -> int:
            return await deal_queries.count_deals(session, viewer=self.viewer, deal_filter=self.deal_filter)

        return await info.context.unit_of_work.read(count)
