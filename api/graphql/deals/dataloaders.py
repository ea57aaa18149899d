"""Per-request loaders for deals and what hangs off them, each one SQL statement per batch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.graphql.core.context import WaymarkContext
from api.services import deal_queries


def deal_by_id_loader(context: WaymarkContext) -> DataLoader[int, Deal | None]:
    """Deals by primary key, only those the viewer may see (others load as None)."""

    async def load(keys: list[int]) -> list[Deal | None]:
        viewer = await context.viewer()
        if viewer is None:
            return [None for _ in keys]
        async with context.lock:
            return await deal_queries.deals_by_ids(context.session, viewer=viewer, ids=keys)

    return DataLoader(load_fn=load)


def completions_by_deal_id_loader(context: WaymarkContext) -> DataLoader[int, list[MilestoneCompletion]]:
    async def load(session: AsyncSession, keys: Sequence[int]) -> list[list[MilestoneCompletion]]:
        return await deal_queries.completions_by_deal_ids(session, ids=keys)

    return context.loader(load)


def events_by_deal_id_loader(context: WaymarkContext) -> DataLoader[int, list[DealEvent]]:
    async def load(session: AsyncSession, keys: Sequence[int]) -> list[list[DealEvent]]:
        return await deal_queries.events_by_deal_ids(session, ids=keys)

    return context.loader(load)


def competitor_keys_by_deal_id_loader(context: WaymarkContext) -> DataLoader[int, list[str]]:
    async def load(session: AsyncSession, keys: Sequence[int]) -> list[list[str]]:
        return await deal_queries.competitor_keys_by_deal_ids(session, ids=keys)

    return context.loader(load)
