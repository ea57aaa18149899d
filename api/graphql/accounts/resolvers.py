"""Who am I, and the people `node(id)` may show (`api.services.accounts.directory` says who sees whom)."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Team, User
from api.graphql.accounts.loaders import TeamByIdLoader, UserByIdLoader
from api.graphql.accounts.types import TeamType, UserType
from api.graphql.core import fields
from api.graphql.core.context import Info_, require_viewer
from api.services.accounts import directory
from api.services.accounts.directory import UserRecord


@strawberry.type
class AccountsQuery:
    @fields.field(description="The user the request's token belongs to (a request without a valid token is refused).")
    async def me(self, info: Info_) -> UserType | None:
        viewer = await require_viewer(info)
        # The viewer was read with its user: shown as is, without reading the user again.
        return UserType(row=UserRecord(id=viewer.id, name=viewer.name, role=viewer.role.value, team_id=viewer.team_id))


async def visible_user(info: Info_, user_id: int) -> UserType | None:
    """The user, if the viewer may see them; None otherwise, as for an ID that names nobody."""
    viewer = await require_viewer(info)

    async def read(session: AsyncSession) -> User | None:
        return await directory.visible_user(session, viewer=viewer, user_id=user_id)

    user = await info.context.unit_of_work.read(read)
    if user is None:
        return None
    UserByIdLoader.of(info.context).prime(user.id, user)
    return UserType(row=user)


async def visible_team(info: Info_, team_id: int) -> TeamType | None:
    """The team, if the viewer may see it; None otherwise."""
    viewer = await require_viewer(info)

    async def read(session: AsyncSession) -> Team | None:
        return await directory.visible_team(session, viewer=viewer, team_id=team_id)

    team = await info.context.unit_of_work.read(read)
    if team is None:
        return None
    TeamByIdLoader.of(info.context).prime(team.id, team)
    return TeamType(row=team)
