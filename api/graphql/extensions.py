"""Schema extensions: the one place a request's work is committed or rolled back."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from api.graphql.core.context import WaymarkContext

log = logging.getLogger("waymark.graphql")


class CommitOrRollback(SchemaExtension):
    """Commit when the operation ends without errors; roll back otherwise. Always close the session."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if not isinstance(context, WaymarkContext):
            return
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or self.execution_context.pre_execution_errors
        try:
            if errors:
                await context.session.rollback()
            else:
                await context.session.commit()
        finally:
            await context.session.close()
