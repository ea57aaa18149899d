"""Who am I."""

from __future__ import annotations

import strawberry

from api.graphql.accounts.loaders import UserByIdLoader
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
        user = await UserByIdLoader.of(info.context).load(viewer.id)
        return None if user is None else UserType(row=user)
