"""Schema extensions: where a request's unit of work ends; the checks a document passes before it runs (its
limits, validation, which operation, its cost); how large its answer may grow while it runs; errors in
GraphQL's words."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationDefinitionNode
from graphql.validation import ASTValidationRule
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.execution import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.core.context import WaymarkContext
from api.graphql.core.cost import CostMemo, too_costly
from api.graphql.core.errors import ClientError, ResponseTooLarge, is_unexpected
from api.graphql.core.graphql_words import in_graphql_words
from api.graphql.core.limits import parse_within_limits, validated
from api.graphql.core.list_sizes import ListSizes, list_sizes
from api.graphql.core.unit_of_work import ServiceUnavailable
from api.process import ProcessDefinitions
from api.settings import RequestLimits

log = logging.getLogger("waymark.graphql")


class CommitOrRollback(SchemaExtension):
    """Commit when the operation ends without errors; roll back otherwise (`UnitOfWork.finish`).

    A commit the database does not take replaces the answer with `ServiceUnavailable`, after the other
    extensions (error masking among them) are done: a driver's message never reaches the client."""

    def on_execute(self) -> Iterator[None]:
        """A query only reads: on PostgreSQL its statements then need no transaction (`UnitOfWork.reads_only`)."""
        context = self.execution_context.context
        if isinstance(context, WaymarkContext) and self.execution_context.operation_type is OperationType.QUERY:
            context.unit_of_work.reads_only()
        yield

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
        except ServiceUnavailable as unavailable:
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(unavailable.message, original_error=unavailable)]
        except Exception:  # a bug of ours at commit: logged, and masked like any other
            log.exception("unexpected error while committing operation %s", self.execution_context.operation_name)
            if result is not None:
                result.data = None
                result.errors = [GraphQLError("Unexpected error.")]


class DocumentChecks(SchemaExtension):
    """A document's checks, in order, before anything of it runs:

    1. parsed within the request limits, its shape checked (`api.graphql.core.limits`; this replaces
       Strawberry's `ParserCache`);
    2. validated once per document (`validated`; this replaces Strawberry's `ValidationCache`), with
       Strawberry's rules and `rules` (the depth, alias and introspection limits, built once: a rule made per
       request would be a new class, and every request would be validated again);
    3. given `operationName` when it holds several operations (GraphQL spec, GetOperation: Strawberry would
       run the first): refused as a request error otherwise;
    4. costed (`api.graphql.core.cost`) and refused past `max_cost`.

    One extension for all four: Strawberry wraps each hook of each extension anew for every request."""

    def __init__(self, limits: RequestLimits, rules: Sequence[type[ASTValidationRule]]) -> None:
        self.limits = limits
        self.rules = tuple(rules)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = parse_within_limits(context.query, self.limits)
        yield

    def on_validate(self) -> Iterator[None]:
        """Before `yield`: Strawberry reads the errors before the hooks resume."""
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            rules = (*context.validation_rules, *self.rules)
            context.pre_execution_errors = validated(context.schema._schema, document, rules)
            if not context.pre_execution_errors:
                context.pre_execution_errors = _operation_not_named(context) or _too_costly(context, self.limits)
        yield


def _operation_not_named(context: ExecutionContext) -> list[GraphQLError]:
    """The error of a document with several operations and no `operationName`, if it is one."""
    document = context.graphql_document
    # `operation_name` falls back to the first operation's name; only the private field says what was sent.
    if document is None or context._provided_operation_name is not None:
        return []
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if operations <= 1:
        return []
    return [
        GraphQLError(
            f"must provide operation name: the document holds {operations} operations; "
            "say which to run with `operationName`",
            extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
        )
    ]


def _too_costly(context: ExecutionContext, limits: RequestLimits) -> list[GraphQLError]:
    """The refusal of an operation whose cost is over the limit, or that cannot be costed; none otherwise."""
    assert context.graphql_document is not None
    request = context.context
    version = request.version if isinstance(request, WaymarkContext) else None
    definitions = None if version is None else version.definitions
    try:
        cost = _COSTS.cost(
            schema=context.schema._schema,
            document=context.graphql_document,
            operation_name=context._provided_operation_name,
            variables=context.variables,
            sizes=_sizes(definitions),
        )
    except GraphQLError as refused:
        return [refused]
    return [too_costly(cost, limit=limits.max_cost)] if cost > limits.max_cost else []


_COSTS = CostMemo()
_SIZES: dict[int, tuple[ProcessDefinitions | None, ListSizes]] = {}


def _sizes(definitions: ProcessDefinitions | None) -> ListSizes:
    """The list sizes of these definitions, computed once per loaded set (they are immutable)."""
    key = id(definitions)
    found = _SIZES.get(key)
    if found is None or found[0] is not definitions:
        if len(_SIZES) > 16:
            _SIZES.clear()
        found = _SIZES[key] = (definitions, list_sizes(definitions))
    return found[1]


class ResponseSizeLimit(SchemaExtension):
    """An answer that grew too large becomes a single `RESPONSE_TOO_LARGE` error without data (and, being an
    error, rolls its operation back). Listed after `MaskUnexpectedErrors`, so it runs before it on the way out."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        too_large = next((e for e in errors if isinstance(e.original_error, ResponseTooLarge)), None)
        if result is not None and too_large is not None:
            result.data = None
            result.errors = [GraphQLError(too_large.message, original_error=too_large.original_error)]


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


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's `MaskErrors`, with the message of an unexpected error (`is_unexpected`) replaced by
    "Unexpected error.". Its check of a result (`isinstance` against a runtime-checkable protocol, about 9 us)
    is made only for a result that has errors: most have none."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Unexpected error.")

    def _process_result(self, result: object) -> None:
        if getattr(result, "errors", None):
            super()._process_result(result)
