"""`WAYMARK_ENV=production`: no GraphiQL or introspection unless enabled, an explicit DATABASE_URL, JSON logs."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import httpx
import pytest

from api.app import configure_logging, create_app
from api.settings import Settings, SettingsInvalid
from tests.api.conftest import make_settings

INTROSPECTION = "{ __schema { queryType { name } } }"


def test_production_refuses_to_start_without_an_explicit_database(monkeypatch):
    monkeypatch.setenv("WAYMARK_ENV", "production")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    with pytest.raises(SettingsInvalid, match="WAYMARK_ENV=production needs an explicit DATABASE_URL"):
        Settings.from_env()


def test_production_turns_graphiql_and_introspection_off_unless_enabled(monkeypatch):
    monkeypatch.setenv("WAYMARK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://waymark@db/waymark")

    default = Settings.from_env()
    monkeypatch.setenv("WAYMARK_INTROSPECTION", "true")
    monkeypatch.setenv("WAYMARK_GRAPHIQL", "yes")
    enabled = Settings.from_env()
    monkeypatch.setenv("WAYMARK_GRAPHIQL", "maybe")

    assert (default.production, default.graphiql, default.introspection) == (True, False, False)
    assert (enabled.graphiql, enabled.introspection) == (True, True)
    with pytest.raises(SettingsInvalid, match="WAYMARK_GRAPHIQL='maybe': write true or false"):
        Settings.from_env()


def test_development_keeps_both_on(monkeypatch):
    monkeypatch.delenv("WAYMARK_ENV", raising=False)

    settings = Settings.from_env()

    assert (settings.production, settings.graphiql, settings.introspection) == (False, True, True)


async def test_a_production_server_serves_no_graphiql_and_refuses_introspection(database, people):
    settings = replace(make_settings(), production=True, graphiql=False, introspection=False)
    app = create_app(settings, database=database)
    headers = {"authorization": f"Bearer {people.admin.token}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
            page = await client.get("/graphql", headers={"accept": "text/html"})
            introspection = await client.post("/graphql", json={"query": INTROSPECTION}, headers=headers)
            anonymous = await client.post("/graphql", json={"query": INTROSPECTION})
            typename = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)

    assert page.status_code == 404
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert "data" not in introspection.json()
    assert anonymous.status_code == 401
    assert typename.json() == {"data": {"__typename": "Query"}}


def test_production_logs_one_json_object_per_line(capsys):
    # given: a handler on the root logger, as uvicorn sets up (every handler's formatter is put back after)
    root = logging.getLogger()
    handler = logging.StreamHandler()
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    formatters = [(h, h.formatter) for lg in loggers for h in lg.handlers]
    level = root.level
    root.addHandler(handler)
    try:
        # when
        configure_logging(replace(make_settings(), production=True))
        logging.getLogger("waymark.test").warning("database unreachable: %s", "TimeoutError")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for each, formatter in formatters:
            each.setFormatter(formatter)

    # then
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["name"] == "waymark.test"
    assert record["message"] == "database unreachable: TimeoutError"
    assert "asctime" in record
