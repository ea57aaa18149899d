"""Errors that reach the client as top-level GraphQL errors with a code; anything else is masked."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from api.graphql.core.context import Info_
from api.services.auth import Viewer


class ClientError(Exception):
    """A request the client must change; shown as is, with `extensions.code`."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code}


class NotAuthenticated(ClientError):
    code = "UNAUTHENTICATED"


def is_unexpected(error: GraphQLError) -> bool:
    """Mask everything but validation errors and ClientErrors: internals never reach the client."""
    original = error.original_error
    return original is not None and not isinstance(original, ClientError | GraphQLError)


async def require_viewer(info: Info_) -> Viewer:
    viewer = await info.context.viewer()
    if viewer is None:
        raise NotAuthenticated("send a valid API token as `Authorization: Bearer <token>`")
    return viewer
