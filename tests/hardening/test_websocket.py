"""The API has no subscriptions and routes /graphql for GET and POST only, so a WebSocket there is closed at once:
no document reaches the schema past the HTTP checks (the token before the body, the body's size and nesting)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.db import Database
from tests.api.conftest import make_settings


def test_a_websocket_to_graphql_is_closed_before_anything_is_read(tmp_path):
    app = create_app(make_settings(), database=Database(url=f"sqlite+aiosqlite:///{tmp_path / 'ws.sqlite3'}"))

    with TestClient(app) as client, pytest.raises(WebSocketDisconnect):
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]).__enter__()
