"""Per-request loaders for users and teams."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.db.models import Team, User
from api.graphql.core.context import WaymarkContext
from api.services import deal_queries


def user_by_id_loader(context: WaymarkContext) -> DataLoader[int, User | None]:
    async def load(session: AsyncSession, keys: Sequence[int]) -> list[User | None]:
        return await deal_queries.users_by_ids(session, ids=keys)

    return context.loader(load)


def team_by_id_loader(context: WaymarkContext) -> DataLoader[int, Team | None]:
    async def load(session: AsyncSession, keys: Sequence[int]) -> list[Team | None]:
        return await deal_queries.teams_by_ids(session, ids=keys)

    return context.loader(load)
