"""Schema extensions: where a request's unit of work ends; which operation of a document runs; errors in
GraphQL's words."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from api.graphql.core.context import WaymarkContext
from api.graphql.core.errors import ClientError
from api.graphql.core.graphql_words import in_graphql_words

log = logging.getLogger("waymark.graphql")


class CommitOrRollback(SchemaExtension):
    """Commit when the operation ends without errors; roll back otherwise (`UnitOfWork.finish`)."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, WaymarkContext) and context.connection_params is not None:
            await context.next_event()  # a WebSocket's operations each get a scope of their own
        yield
        if not isinstance(context, WaymarkContext):
            return
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or self.execution_context.pre_execution_errors
        try:
            await context.unit_of_work.finish(failed=bool(errors))
        except Exception as error:
            # Error masking has run by now: the driver's words must not become the answer (it is logged as a bug).
            raise CommitFailed("Unexpected error.") from error


class CommitFailed(RuntimeError):
    """The request's work could not be committed or rolled back."""


class OperationNameRequired(SchemaExtension):
    """A document with several operations needs `operationName` (GraphQL spec, GetOperation): without one,
    Strawberry would run the first. Refused as a request error, before anything runs.

    Listed after the validation cache, whose `on_validate` sets `pre_execution_errors` first."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # `operation_name` falls back to the first operation's name; only the private field says what was sent.
        sent_name = context._provided_operation_name
        if document is not None and sent_name is None and not context.pre_execution_errors:
            operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if operations > 1:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"must provide operation name: the document holds {operations} operations; "
                        "say which to run with `operationName`",
                        extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
                    )
                ]
        yield


class GraphQLWords(SchemaExtension):
    """graphql-core's own messages (syntax, validation, argument and variable coercion) with values written as a
    client writes them: `null`, not `None` (see `api.graphql.core.graphql_words`). Our messages are left alone."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult):
            for error in result.errors or ():
                if not isinstance(error.original_error, ClientError):
                    error.message = in_graphql_words(error.message)
