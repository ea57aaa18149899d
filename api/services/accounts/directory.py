"""Reading users and teams in batches (the loaders behind `owner`, `actor`, `team`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Team, User


async def users_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[User | None]:
    by_id = {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}
    return [by_id.get(i) for i in ids]


async def teams_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[Team | None]:
    by_id = {team.id: team for team in await session.scalars(select(Team).where(Team.id.in_(ids)))}
    return [by_id.get(i) for i in ids]
