"""The `/graphql` endpoint: GraphiQL in a browser, and the GraphQL-over-HTTP conventions.

Queries over GET or POST; a mutation over GET is refused with 405; `application/graphql-response+json`
is honoured (and then a request that fails before execution answers 400); unparseable bodies answer 400.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.db import Database
from api.graphql.core.context import WaymarkContext
from api.services.auth import bearer_token
from api.services.definitions import DefinitionsStore
from api.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"


class MutationOverGet(Exception):
    """GET is safe by definition; a mutation must come by POST."""


class WaymarkGraphQL(GraphQL[WaymarkContext, None]):
    def __init__(
        self, *, schema: BaseSchema, database: Database, store: DefinitionsStore, settings: Settings
    ) -> None:
        super().__init__(schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        self.database = database
        self.store = store
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> WaymarkContext:
        return WaymarkContext(
            session=self.database.sessions(),
            store=self.store,
            settings=self.settings,
            token=bearer_token(request.headers.get("authorization")),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = PlainTextResponse(error.reason, status_code=error.status_code)
        except MutationOverGet:
            response = PlainTextResponse(
                "mutations are not allowed over GET; send them with POST", status_code=405,
                headers={"Allow": "POST"},
            )
        if _wants_graphql_response(request) and response.media_type == "application/json":
            response = _as_graphql_response(response)
        await response(scope, receive, send)

    async def execute_single(self, request: Request, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        if request_adapter.method == "GET":
            query = request.query_params.get("query") or ""
            operation = request.query_params.get("operationName")
            if _is_mutation(query, operation):
                raise MutationOverGet
        return await super().execute_single(request, request_adapter, *args, **kwargs)


def _is_mutation(query: str, operation_name: str | None) -> bool:
    from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse

    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return any(o.operation is OperationType.MUTATION for o in chosen[:1])


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _as_graphql_response(response: Response) -> Response:
    body = bytes(response.body)
    status = response.status_code
    if status == 200:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        if isinstance(payload, dict) and payload.get("data") is None and payload.get("errors"):
            status = 400
    return Response(body, status_code=status, media_type=GRAPHQL_RESPONSE)
