"""The `/graphql` endpoint: GraphiQL in a browser, and the GraphQL-over-HTTP conventions.

Queries over GET or POST; a mutation over GET is refused with 405; `application/graphql-response+json`
is honoured (and then a request that fails before execution answers 400, without a `data` entry);
unparseable bodies answer 400, other content types 415, oversized requests 413/414. Every refusal has a
GraphQL error body (`{"errors": [{"message", "extensions": {"code"}}]}`).
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api.db import Database
from api.graphql import graphiql
from api.graphql.core.context import WaymarkContext
from api.services.accounts.tokens import bearer_token, viewer_for_token
from api.services.deals.changes import DealChangeHub
from api.services.publishing.store import ServedProcess
from api.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
MAX_REQUEST_BYTES = 100_000
"""A request body larger than this is refused (413) before it is parsed."""
MAX_QUERY_STRING_BYTES = 16_384
"""A GET query string longer than this is refused (414); uvicorn's own limit on the request head is 16 KiB."""


class MutationOverGet(Exception):
    """GET is safe by definition; a mutation must come by POST."""


class RequestTooLarge(Exception):
    """The body grew past the limit while it was read."""


class WaymarkGraphQL(GraphQL[WaymarkContext, None]):
    def __init__(
        self,
        *,
        schema: BaseSchema,
        database: Database,
        served: ServedProcess,
        settings: Settings,
        changes: DealChangeHub | None = None,
    ) -> None:
        # A browser's WebSocket from another origin is refused (403) unless CORS allows that origin too.
        super().__init__(
            schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), allowed_origins=settings.cors_origins
        )
        self.database = database
        self.served = served
        self.settings = settings
        self.changes = changes or DealChangeHub()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> WaymarkContext:
        context = WaymarkContext.for_request(
            database=self.database,
            served=self.served,
            settings=self.settings,
            token=bearer_token(request.headers.get("authorization")),
            changes=self.changes,
        )
        if isinstance(request, WebSocket):
            context.connection_params, context.websocket = {}, request
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql.page(demo_tokens=self.settings.demo_tokens))

    async def on_ws_connect(self, context: WaymarkContext) -> UnsetType | dict[str, object] | None:
        """Authenticate a WebSocket in its `connection_init` payload (`{"Authorization": "Bearer <token>"}`,
        as GraphiQL and the graphql-ws clients send headers): a missing or invalid token closes it (4403)."""
        params = context.connection_params or {}
        given = params.get("Authorization") or params.get("authorization")
        if isinstance(given, str):
            context.token = bearer_token(given)
        async with self.database.sessions() as session:
            viewer = await viewer_for_token(session, token=context.token)
        if viewer is None:
            raise ConnectionRejectionError
        acknowledged: UnsetType = UNSET
        return acknowledged

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, _limited(receive, MAX_REQUEST_BYTES))
        response = _refuse_oversized(request)
        if response is None:
            try:
                response = await self.run(request)
            except HTTPException as error:
                response = _error_response(request, error.reason, status_code=error.status_code)
            except MutationOverGet:
                response = _error_response(
                    request,
                    "mutations are not allowed over GET; send them with POST",
                    status_code=405,
                    headers={"Allow": "POST"},
                )
            except RequestTooLarge:
                response = _too_large(request)
        if _wants_graphql_response(request) and response.media_type == "application/json":
            response = _as_graphql_response(response)
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            # Strawberry answers a body that is JSON but not an object (or not UTF-8) with a 500; check first.
            # The body is parsed again below: it is small (MAX_REQUEST_BYTES) and this keeps Strawberry's checks.
            content_type = (request.content_type or "").partition(";")[0].strip().lower()
            if content_type != "application/json":
                raise HTTPException(415, "send the request as `Content-Type: application/json`")
            try:
                body = json.loads(await request.get_body())
            except ValueError as error:
                raise HTTPException(400, "the request body is not valid UTF-8 JSON") from error
            if isinstance(body, list):
                raise HTTPException(400, "batched requests are not supported; send one JSON object per request")
            if not isinstance(body, dict):
                raise HTTPException(400, 'the request body must be a JSON object like {"query": "..."}')
        return await super().parse_http_body(request)

    async def execute_single(self, request: Request, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        if request_adapter.method == "GET":
            query = request.query_params.get("query") or ""
            operation = request.query_params.get("operationName")
            if _is_mutation(query, operation):
                raise MutationOverGet
        return await super().execute_single(request, request_adapter, *args, **kwargs)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if _is_request_error(result):
            response.pop("data", None)
        return response


def _is_mutation(query: str, operation_name: str | None) -> bool:
    from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse

    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return any(o.operation is OperationType.MUTATION for o in chosen[:1])


def _is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed (bad syntax, invalid document, bad variables): the response has no `data` entry."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])


def _limited(receive: Receive, limit: int) -> Receive:
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestTooLarge
        return message

    return receive_within_limit


def _refuse_oversized(request: Request) -> Response | None:
    if len(request.scope.get("query_string", b"")) > MAX_QUERY_STRING_BYTES:
        message = f"the query string is longer than {MAX_QUERY_STRING_BYTES} bytes; send large queries by POST"
        return _error_response(request, message, status_code=414)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        return _too_large(request)
    return None


def _too_large(request: Request) -> Response:
    return _error_response(request, f"the request body is larger than {MAX_REQUEST_BYTES} bytes", status_code=413)


def _error_response(
    request: Request, message: str, *, status_code: int, headers: dict[str, str] | None = None
) -> Response:
    """A refusal before execution, as a GraphQL response without `data`."""
    code = "BAD_REQUEST" if status_code == 400 else "REQUEST_REFUSED"
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    media_type = GRAPHQL_RESPONSE if _wants_graphql_response(request) else "application/json"
    return Response(body, status_code=status_code, media_type=media_type, headers=headers)


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _as_graphql_response(response: Response) -> Response:
    """The same body as `application/graphql-response+json`: a request error (no `data` entry) is a 400."""
    body = bytes(response.body)
    status = response.status_code
    if status == 200:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        if isinstance(payload, dict) and "data" not in payload and payload.get("errors"):
            status = 400
    return Response(body, status_code=status, media_type=GRAPHQL_RESPONSE)
