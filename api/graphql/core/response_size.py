"""How large an answer grows while it is completed: the count `ResponseSizeLimit` (`api.graphql.extensions`)
turns into one error once it passes the request's `max_response_bytes`."""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLLeafType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.graphql.core.context import WaymarkContext
from api.graphql.core.errors import ResponseTooLarge

KEY_BYTES = 32
"""What each value counts for its key and punctuation, on top of its own JSON text."""


class SizeLimitedExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, counting the answer's bytes as its values are completed.

    An estimate that errs on the large side (each value counts its JSON text and 32 bytes for its key and
    punctuation); past the request's `max_response_bytes` every further value fails, and
    `ResponseSizeLimit` then turns the answer into one error. The view checks the encoded JSON again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context_value
        self.max_response_bytes = (
            request.settings.limits.max_response_bytes if isinstance(request, WaymarkContext) else None
        )
        self.response_bytes = 0

    def complete_leaf_value(self, return_type: GraphQLLeafType, result: Any) -> Any:  # type: ignore[override]
        value = super().complete_leaf_value(return_type, result)
        if self.max_response_bytes is not None:
            self.count(value)
        return value

    def count(self, value: Any) -> None:
        """Count a completed leaf value; raises `ResponseTooLarge` past the limit."""
        if isinstance(value, str):
            self.response_bytes += len(value) if value.isascii() else len(json.dumps(value))
        self.response_bytes += KEY_BYTES
        self.grown()

    def grown(self) -> None:
        if self.max_response_bytes is not None and self.response_bytes > self.max_response_bytes:
            raise ResponseTooLarge(self.max_response_bytes)
