"""Per-request loaders for users and teams."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Team, User
from api.graphql.core.loaders import RequestLoader
from api.services.accounts import directory
from api.services.accounts.directory import TeamRecord, UserRecord


class UserByIdLoader(RequestLoader[int, User | UserRecord | None]):
    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[UserRecord | None]:
        return await directory.users_by_ids(session, ids=keys)


class TeamByIdLoader(RequestLoader[int, Team | TeamRecord | None]):
    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[TeamRecord | None]:
        return await directory.teams_by_ids(session, ids=keys)
