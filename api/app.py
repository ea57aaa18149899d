"""The Starlette app: `/graphql`, `/healthz`, `/readyz`, and the guidebook at `/guide`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from api.db import Database, upgrade
from api.garbage_collection import tune_for_serving
from api.graphql.schema import schema
from api.graphql.view import WaymarkGraphQL
from api.guide_mount import mount_guidebook
from api.guide_site import GuideBuilder, GuideSite
from api.services.history.cache import history_cache
from api.services.publishing.store import ServedProcess
from api.services.publishing.watcher import VersionWatcher, start_serving
from api.settings import Settings

log = logging.getLogger("waymark")


@dataclass(frozen=True, slots=True)
class Parts:
    """What one app holds for its life: in `app.state.parts`."""

    settings: Settings
    database: Database
    owns_database: bool
    served: ServedProcess
    watcher: VersionWatcher
    guide_builder: GuideBuilder | None


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Starlette:
    """The API app. Its lifespan migrates the database if configured, serves the active process version (the
    process folder is published first on a database where nothing was), and keeps it current.

    A `database` handed in belongs to the caller, who disposes of it; one the app creates is disposed when
    the app shuts down."""
    settings = settings or Settings.from_env()
    owns_database = database is None
    database = database or Database(url=settings.database_url)
    served = ServedProcess(directory=settings.process_dir)
    builder = GuideBuilder(GuideSite(), root=settings.guide_builds_dir) if settings.build_guide else None
    if builder is not None:
        served.on_switch(builder.version_switched)
    parts = Parts(
        settings=settings,
        database=database,
        owns_database=owns_database,
        served=served,
        watcher=VersionWatcher(database=database, served=served, check_every=settings.version_check_seconds),
        guide_builder=builder,
    )
    app = Starlette(routes=_routes(parts), lifespan=_lifespan(parts))
    app.state.parts = parts
    app.state.database = database
    app.state.served = served
    app.state.settings = settings
    return app


def _routes(parts: Parts) -> list[BaseRoute]:
    graphql = WaymarkGraphQL(schema=schema, database=parts.database, served=parts.served, settings=parts.settings)
    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    if parts.guide_builder is not None:
        routes.append(Mount("/guide", app=parts.guide_builder.site, name="guide"))
    elif parts.settings.site_dir.is_dir():
        routes.append(mount_guidebook(parts.settings.site_dir))
    return routes


def _lifespan(parts: Parts) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if parts.settings.migrate_on_start:
            await upgrade(parts.database.engine)
        try:
            await start_serving(parts.database, parts.served)
        except Exception:  # the database is down: the watcher serves the active version once it is back
            log.exception("could not read the active process version at start")
        await parts.watcher.start()
        if parts.settings.gc_thresholds is not None:
            tune_for_serving(parts.settings.gc_thresholds)
        try:
            yield
        finally:
            await parts.watcher.stop()
            await history_cache.settle()
            if parts.guide_builder is not None:
                await parts.guide_builder.stop()
            if parts.owns_database:
                await parts.database.dispose()

    return lifespan


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    parts: Parts = request.app.state.parts
    served = parts.served
    checks = {"database": await parts.database.is_reachable(), "processDefinitions": served.loaded}
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
