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
from api.graphql.schema import schema
from api.graphql.view import WaymarkGraphQL
from api.guide_mount import mount_guidebook
from api.services.publishing.store import ServedProcess
from api.services.publishing.watcher import VersionWatcher, start_serving
from api.settings import Settings

log = logging.getLogger("waymark")


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Starlette:
    """The API app. The lifespan loads the process definitions and, if configured, migrates the database.

    A `database` handed in belongs to the caller, who disposes of it; one the app creates is disposed when
    the app shuts down."""
    settings = settings or Settings.from_env()
    owns_database = database is None
    database = database or Database(url=settings.database_url)
    served = ServedProcess(directory=settings.process_dir)
    watcher = VersionWatcher(database=database, served=served, check_every=settings.version_check_seconds)
    graphql = WaymarkGraphQL(schema=schema, database=database, served=served, settings=settings)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = {"database": await database.is_reachable(), "processDefinitions": served.loaded}
        ready = all(checks.values())
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
        if served.loaded:
            version = served.served
            body["processVersion"] = {"number": version.number, "label": version.label, "hash": version.content_hash}
        else:
            body["problems"] = served.problems_text()
        return JSONResponse(body, status_code=200 if ready else 503)

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await upgrade(database.engine)
        try:
            await start_serving(database, served)
        except Exception:  # the database is down: the watcher serves the active version once it is back
            log.exception("could not read the active process version at start")
        await watcher.start()
        try:
            yield
        finally:
            await watcher.stop()
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
    app.state.served = served
    app.state.watcher = watcher
    app.state.settings = settings
    return app
