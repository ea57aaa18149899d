"""Errors that reach the client as top-level GraphQL errors with a code; anything else is masked."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from api.graphql.core.unit_of_work import ServiceUnavailable

log = logging.getLogger("waymark.graphql")


class ClientError(Exception):
    """A request the client must change; shown as is, with `extensions.code`."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code}


class NotAuthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    code = "FORBIDDEN"


class ProcessUnavailable(ClientError):
    """No process version has been published yet and the server's own files do not load."""

    code = "PROCESS_UNAVAILABLE"


class ResponseTooLarge(Exception):
    """The answer grew past `RequestLimits.max_response_bytes` while it was built; it is not sent."""

    code = "RESPONSE_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the answer would be larger than {limit:,} bytes, the most this server sends; "
            "ask for fewer fields or smaller pages (`first`); nothing was changed"
        )
        self.extensions: dict[str, Any] = {"code": self.code, "limit": limit}


def is_unexpected(error: GraphQLError) -> bool:
    """Mask everything but validation errors, ClientErrors and the server's own refusals: internals never
    reach the client."""
    original = error.original_error
    return original is not None and not isinstance(
        original, ClientError | GraphQLError | ServiceUnavailable | ResponseTooLarge
    )


class WaymarkSchema(strawberry.Schema):
    """A schema that logs only bugs at ERROR, with their traceback; a client's mistakes are not our errors."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        operation = execution_context.operation_name if execution_context is not None else None
        for error in errors:
            if is_unexpected(error):
                log.error(
                    "unexpected error in operation %s at %s: %s",
                    operation,
                    error.path,
                    error.message,
                    exc_info=error.original_error,
                )
            else:
                code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
                log.debug("client error (%s) in operation %s: %s", code, operation, error.message)
