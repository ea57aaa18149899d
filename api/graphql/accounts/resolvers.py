"""Who am I."""

from __future__ import annotations

import strawberry

from api.db.models import User
from api.graphql.accounts.types import UserType
from api.graphql.core import fields
from api.graphql.core.context import Info_


@strawberry.type
class AccountsQuery:
    @fields.field(description="The user the request's token belongs to; null without a valid token.")
    async def me(self, info: Info_) -> UserType | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        # The viewer was read with its user: shown as is, without reading the user again.
        return UserType(row=User(id=viewer.id, name=viewer.name, role=viewer.role.value, team_id=viewer.team_id))
