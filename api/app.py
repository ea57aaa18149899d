"""The Starlette app: `/graphql`, `/healthz`, `/readyz`, and the guidebook at `/guide` when built."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from api.db import Database, upgrade
from api.graphql.schema import schema_for
from api.graphql.view import WaymarkGraphQL
from api.guide_mount import mount_guidebook
from api.services.publishing.store import DefinitionsStore
from api.settings import Settings

log = logging.getLogger("waymark")


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Starlette:
    """The API app. The lifespan loads the process definitions and, if configured, migrates the database.

    A `database` handed in belongs to the caller, who disposes of it; one the app creates is disposed when
    the app shuts down."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    owns_database = database is None
    database = database or Database(url=settings.database_url, timeouts=settings.database_timeouts)
    store = DefinitionsStore(directory=settings.process_dir)
    schema = schema_for(settings.limits, introspection=settings.introspection)
    graphql = WaymarkGraphQL(schema=schema, database=database, store=store, settings=settings)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # `is_reachable` gives up within the connect and statement timeouts: a partition answers 503, not never.
        checks = {"database": await database.is_reachable(), "processDefinitions": store.loaded}
        ready = all(checks.values())
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
        if not store.loaded:
            body["problems"] = store.problems_text()
        return JSONResponse(body, status_code=200 if ready else 503)

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        outcome = store.reload()
        if not outcome.loaded:
            log.error("process definitions in %s are invalid: %s", settings.process_dir, store.problems_text())
        if settings.migrate_on_start:
            await upgrade(database.engine)
        try:
            yield
        finally:
            if owns_database:
                await database.dispose()

    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    if settings.site_dir.is_dir():
        routes.append(mount_guidebook(settings.site_dir))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.database = database
    app.state.definitions = store
    app.state.settings = settings
    return app


def configure_logging(settings: Settings) -> None:
    """In production, one JSON object per log line (time, level, logger, message, and the traceback of an
    error) for the log collectors, uvicorn's own loggers included; elsewhere, logging as it was set up."""
    if not settings.production:
        return
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
