"""The `/graphql` endpoint: GraphiQL in a browser, and the GraphQL-over-HTTP conventions.

Queries over GET or POST, sent in full or as a persisted query's hash (`api.graphql.persisted`); a mutation over
GET is refused with 405, whichever way it comes; `application/graphql-response+json`
is honoured (and then a request that fails before execution answers 400, without a `data` entry);
unparseable bodies answer 400, other content types 415, oversized requests 413/414. Every refusal has a
GraphQL error body (`{"errors": [{"message", "extensions": {"code"}}]}`).

What a request may cost is checked cheapest first, so an abusive one is refused before it costs much: the
size of the request, then its token (no token or an invalid one: 401, before the body is read), then the
body (JSON nested too deeply or holding text that is not Unicode: 400), then the document's size and shape
(`api.graphql.core.limits`), validation, and the operation's cost (`api.graphql.core.cost`). The whole
request runs within a time limit; an answer that grows too large, or a database that does not answer,
becomes a single error without data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api.db import Database
from api.graphql import graphiql
from api.graphql.core.context import WaymarkContext, signed_in
from api.graphql.core.limits import parse_within_limits
from api.graphql.core.unit_of_work import ServiceUnavailable, UnitOfWork
from api.graphql.persisted import PersistedQueries, PersistedQueryRefused
from api.services.accounts.tokens import bearer_token
from api.services.accounts.viewer import Viewer
from api.services.deals.changes import DealChangeHub
from api.services.publishing.store import ServedProcess
from api.settings import Settings

log = logging.getLogger("waymark.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
MAX_OPERATIONS_PER_CONNECTION = 20
"""Operations one WebSocket may have running at once (subscriptions, mostly)."""
MAX_REQUEST_BYTES = 100_000
"""A request body larger than this is refused (413) before it is parsed."""
MAX_QUERY_STRING_BYTES = 16_384
"""A GET query string longer than this is refused (414); a request head past 64 KiB is refused (431) before it
reaches the app (`api.cli.listening`)."""
MAX_JSON_NESTING = 64
"""Deeper JSON than any variables of this schema need; Python's parser would fail with a RecursionError."""
_ADMITTED = "waymark.admitted"


class MutationOverGet(Exception):
    """GET is safe by definition; a mutation must come by POST."""


class RequestTooLarge(Exception):
    """The body grew past the limit while it was read."""


class LimitedTransportWSHandler(BaseGraphQLTransportWSHandler[WaymarkContext, None]):
    """`graphql-transport-ws` with the document limits checked on each `subscribe` before the document is used:
    an over-limit document is answered with an `error` message naming the limit (as over HTTP)."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            settings: Settings = self.view.settings  # type: ignore[attr-defined]
            try:
                parse_within_limits(str(message["payload"].get("query") or ""), settings.limits)
            except GraphQLError as refused:
                await self.send_message({"id": message["id"], "type": "error", "payload": [refused.formatted]})
                return
        await super().handle_subscribe(message)


class WaymarkGraphQL(GraphQL[WaymarkContext, None]):
    graphql_transport_ws_handler_class = LimitedTransportWSHandler

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
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            graphql_ide="graphiql" if settings.graphiql else None,
            allowed_origins=settings.cors_origins,
            max_subscriptions_per_connection=MAX_OPERATIONS_PER_CONNECTION,
        )
        self.database = database
        self.served = served
        self.settings = settings
        self.changes = changes or DealChangeHub()
        self.persisted = PersistedQueries()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> WaymarkContext:
        admitted: tuple[UnitOfWork, Viewer] | None = request.scope.get(_ADMITTED)
        unit_of_work, viewer = admitted or (self._unit_of_work(), None)
        context = WaymarkContext.for_request(
            database=self.database,
            served=self.served,
            settings=self.settings,
            token=bearer_token(request.headers.get("authorization")),
            changes=self.changes,
            unit_of_work=unit_of_work,
            admitted=viewer,
        )
        if isinstance(request, WebSocket):
            context.connection_params, context.websocket = {}, request
        return context

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A browser's GET without a document: unless it names a persisted query instead."""
        return request.query_params.get("extensions") is None and super().should_render_graphql_ide(request)

    def encode_json(self, data: object) -> str:
        """An answer or a WebSocket message as compact JSON, written by orjson: the same text as `json.dumps` for
        ASCII (UTF-8 where `json.dumps` writes `\\u` escapes), some 25 times faster (24 ms against 0.9 ms for
        the 6,049 deals of an admin's `prioritizedDeals`). Text, not bytes: a WebSocket sends bytes as binary
        frames, which `graphql-transport-ws` clients do not read."""
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql.page(demo_tokens=self.settings.demo_tokens))

    async def on_ws_connect(self, context: WaymarkContext) -> UnsetType | dict[str, object] | None:
        """Authenticate a WebSocket in its `connection_init` payload (`{"Authorization": "Bearer <token>"}`,
        as GraphiQL and the graphql-ws clients send headers): a missing or invalid token closes it (4403)."""
        params = context.connection_params or {}
        given = params.get("Authorization") or params.get("authorization")
        if isinstance(given, str):
            context.token = bearer_token(given)
        unit_of_work = self._unit_of_work()
        try:
            viewer = await signed_in(
                context.token, database=self.database, settings=self.settings, unit_of_work=unit_of_work
            )
        finally:
            await unit_of_work.finish(failed=True)  # it only read
        if viewer is None:
            raise ConnectionRejectionError
        acknowledged: UnsetType = UNSET
        return acknowledged

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, _limited(receive, MAX_REQUEST_BYTES))
        response = await self._respond(request)
        if _wants_graphql_response(request) and response.media_type == "application/json":
            response = _as_graphql_response(response)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        refused = _refuse_oversized(request)
        if refused is not None:
            return refused
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return await self._answer(request)  # the GraphiQL page (or 404): no data, no token needed
        unit_of_work = self._unit_of_work()
        try:
            async with asyncio.timeout(self.settings.limits.timeout_seconds):
                viewer = await self._admit(request, unit_of_work)
                if isinstance(viewer, Response):
                    return viewer
                request.scope[_ADMITTED] = (unit_of_work, viewer)
                return self._within_size(request, await self._answer(request))
        except TimeoutError:
            log.warning("request stopped after %s s", self.settings.limits.timeout_seconds)
            await unit_of_work.abandon()
            return _timed_out(request, self.settings.limits.timeout_seconds)
        except ServiceUnavailable as unavailable:
            return _error_response(
                request, unavailable.message, status_code=503, code=unavailable.code, headers={"Retry-After": "5"}
            )
        finally:
            await unit_of_work.finish(failed=True)  # a no-op once the operation committed or rolled back

    def _unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self.database.sessions(),
            writers=self.database.writers,
            wait_seconds=self.database.wait_seconds,
            reads_outside_transactions=self.database.reads_outside_transactions,
        )

    async def _admit(self, request: Request, unit_of_work: UnitOfWork) -> Viewer | Response:
        """The token's user, or a 401 refusal: no document is read without a valid token."""
        token = bearer_token(request.headers.get("authorization"))
        if not token:
            message = "send your API token as `Authorization: Bearer <token>`"
            return _error_response(request, message, status_code=401, code="UNAUTHENTICATED", headers=_CHALLENGE)

        viewer = await signed_in(token, database=self.database, settings=self.settings, unit_of_work=unit_of_work)
        if viewer is None:
            message = "the API token is not valid: unknown, revoked or expired; ask an admin for a new one"
            return _error_response(request, message, status_code=401, code="UNAUTHENTICATED", headers=_CHALLENGE)
        return viewer

    async def _answer(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as error:
            return _error_response(request, error.reason, status_code=error.status_code)
        except MutationOverGet:
            return _error_response(
                request,
                "mutations are not allowed over GET; send them with POST",
                status_code=405,
                headers={"Allow": "POST"},
            )
        except RequestTooLarge:
            return _too_large(request)
        except PersistedQueryRefused as refused:
            # under application/graphql-response+json every request error is a 4xx, this one too
            status = 400 if refused.status == 200 and _wants_graphql_response(request) else refused.status
            return _error_response(request, refused.message, status_code=status, code=refused.code)

    def _within_size(self, request: Request, response: Response) -> Response:
        """The encoded answer checked against the limit (execution counted it already, as an estimate)."""
        limit = self.settings.limits.max_response_bytes
        if len(getattr(response, "body", b"")) <= limit:
            return response
        message = f"the answer would be larger than {limit:,} bytes, the most this server sends"
        return _error_response(request, message, status_code=200, code="RESPONSE_TOO_LARGE")

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            # Strawberry answers a body that is JSON but not an object (or not UTF-8) with a 500; check first.
            # The body is parsed again below: it is small (MAX_REQUEST_BYTES) and this keeps Strawberry's checks.
            content_type = (request.content_type or "").partition(";")[0].strip().lower()
            if content_type != "application/json":
                raise HTTPException(415, "send the request as `Content-Type: application/json`")
            body = _json_body(await request.get_body())
            if isinstance(body, list):
                raise HTTPException(400, "batched requests are not supported; send one JSON object per request")
            if not isinstance(body, dict):
                raise HTTPException(400, 'the request body must be a JSON object like {"query": "..."}')
        parsed = await super().parse_http_body(request)
        assert isinstance(parsed, GraphQLRequestData)  # batches are refused above
        return self.persisted.resolve(parsed)  # a persisted query's document (`api.graphql.persisted`)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: WaymarkContext,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> Any:
        if request_adapter.method == "GET":
            query, operation = request_data.query or "", request_data.operation_name
            _refuse_lone_surrogates(query, operation)
            if _is_mutation(query, operation, settings=self.settings):
                raise MutationOverGet
        return await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        unavailable = next((e for e in result.errors or [] if isinstance(e.original_error, ServiceUnavailable)), None)
        if unavailable is not None:
            raise ServiceUnavailable from unavailable.original_error
        response = await super().process_result(request, result)
        if _is_request_error(result):
            response.pop("data", None)
        return response


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="waymark"'}


def _json_body(raw: bytes) -> Any:
    """The parsed body: UTF-8 JSON, not nested past MAX_JSON_NESTING, and only Unicode text inside."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(400, "the request body is not valid UTF-8 JSON") from error
    if text.count("[") + text.count("{") > MAX_JSON_NESTING and _nesting(text) > MAX_JSON_NESTING:
        raise HTTPException(400, f"the request body is JSON nested more than {MAX_JSON_NESTING} levels deep")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise HTTPException(400, "the request body is not valid UTF-8 JSON") from error
    if "\\u" in text:  # valid UTF-8 holds no surrogate; only a `\u` escape can make one
        _refuse_lone_surrogates(body)
    return body


def _nesting(text: str) -> int:
    """How deep the brackets of a JSON text go, ignoring those inside strings; linear, no recursion."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_lone_surrogates(*values: Any) -> None:
    """JSON may spell half of a UTF-16 pair (`\\ud800`); no database stores it, so it is refused here."""
    try:
        json.dumps(values, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise HTTPException(
            400,
            "the request holds text that is not valid Unicode (a lone UTF-16 surrogate such as \\ud800); "
            "send each character whole",
        ) from error


def _timed_out(request: Request, seconds: float) -> Response:
    message = f"the request took longer than {seconds:g} s and was stopped; nothing was changed. Ask for less"
    return _error_response(request, message, status_code=503, code="REQUEST_TIMED_OUT")


def _is_mutation(query: str, operation_name: str | None, *, settings: Settings) -> bool:
    from graphql import OperationDefinitionNode

    try:
        document = parse_within_limits(query, settings.limits)
    except GraphQLError:  # the schema's own parse reports it
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
    request: Request,
    message: str,
    *,
    status_code: int,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A refusal before execution, as a GraphQL response without `data`."""
    code = code or ("BAD_REQUEST" if status_code == 400 else "REQUEST_REFUSED")
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
