"""The Starlette app: `/graphql`, `/healthz`, `/readyz`, and the guidebook at `/guide`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from api.db import Database, upgrade
from api.db.notifications import Listener
from api.garbage_collection import tune_for_serving
from api.graphql import graphiql
from api.graphql.schema import schema_for
from api.graphql.view import WaymarkGraphQL
from api.guide_mount import mount_guidebook
from api.guide_site import Changelog, GuideBuilder, GuideSite
from api.services.accounts.token_cache import viewer_cache
from api.services.accounts.tokens import TOKENS_CHANNEL
from api.services.deals.changes import CHANNEL, DealChangeHub, feed_locally
from api.services.history.cache import history_cache
from api.services.history.service import measure_ahead
from api.services.publishing.changelog import changelog
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
    changes: DealChangeHub
    """Where this server's subscribers hear of changed deals."""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Starlette:
    """The API app. Its lifespan migrates the database if configured, serves the active process version (the
    process folder is published first on a database where nothing was), and keeps it current.

    A `database` handed in belongs to the caller, who disposes of it; one the app creates is disposed when
    the app shuts down."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    owns_database = database is None
    database = database or Database(url=settings.database_url, timeouts=settings.database_timeouts)
    served = ServedProcess(directory=settings.process_dir)
    builder = None
    if settings.build_guide:
        builder = GuideBuilder(GuideSite(), root=settings.guide_builds_dir, changelog=_changelog_of(database))
    if builder is not None:
        served.on_switch(builder.version_switched)
    if settings.measure_history_ahead:
        served.on_switch(lambda version: measure_ahead(database.engine, version.definitions, today=_today()))
    parts = Parts(
        settings=settings,
        database=database,
        owns_database=owns_database,
        served=served,
        watcher=VersionWatcher(database=database, served=served, check_every=settings.version_check_seconds),
        guide_builder=builder,
        changes=DealChangeHub(),
    )
    app = Starlette(routes=_routes(parts), lifespan=_lifespan(parts), middleware=_middleware(settings))
    app.state.parts = parts
    app.state.database = database
    app.state.served = served
    app.state.settings = settings
    return app


def _today() -> date:
    return datetime.now(UTC).date()


def _changelog_of(database: Database) -> Changelog:
    async def read(upto: int) -> list[dict[str, Any]]:
        async with database.sessions() as session:
            return await changelog(session, upto=upto)

    return read


def _routes(parts: Parts) -> list[BaseRoute]:
    schema = schema_for(parts.settings.limits, introspection=parts.settings.introspection)
    graphql = WaymarkGraphQL(
        schema=schema, database=parts.database, served=parts.served, settings=parts.settings, changes=parts.changes
    )
    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ]
    if parts.settings.graphiql:
        routes.append(graphiql.mount_assets())
    if parts.guide_builder is not None:
        routes.append(Mount("/guide", app=parts.guide_builder.site, name="guide"))
    elif parts.settings.site_dir.is_dir():
        routes.append(mount_guidebook(parts.settings.site_dir))
    return routes


def _middleware(settings: Settings) -> list[Middleware]:
    """CORS for the listed origins only (none by default): preflight answered, credentials allowed."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            max_age=600,
        )
    ]


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
        listeners = _listen(parts)
        if parts.settings.gc_thresholds is not None:
            tune_for_serving(parts.settings.gc_thresholds)
        try:
            yield
        finally:
            for listener in listeners:
                await listener.stop()
            await parts.watcher.stop()
            await history_cache.settle()
            if parts.guide_builder is not None:
                await parts.guide_builder.stop()
            if parts.owns_database:
                await parts.database.dispose()

    return lifespan


def _listen(parts: Parts) -> list[Listener]:
    """Hear what every server sharing a PostgreSQL database does: changed deals (fed to this server's
    subscribers) and revoked tokens (forgotten at once). On the embedded SQLite file, subscribers are fed from
    this process's commits and a revoked token is refused within `token_cache_seconds`."""
    engine = parts.database.engine
    if engine.dialect.name != "postgresql":
        feed_locally(parts.changes, database_url=engine.url.render_as_string(hide_password=False))
        return []
    listeners = [
        Listener(parts.database.separate_engine(), channel=CHANNEL, on_message=parts.changes.heard, on_reconnect=_pass),
        # Revocations sent while the connection was down are lost: forget every token on reconnecting too.
        Listener(
            parts.database.separate_engine(),
            channel=TOKENS_CHANNEL,
            on_message=viewer_cache.forget,
            on_reconnect=viewer_cache.forget,
        ),
    ]
    for listener in listeners:
        listener.start()
    return listeners


def _pass() -> None:
    """Notifications missed while the listener was reconnecting are not replayed: subscribers see the next."""


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    parts: Parts = request.app.state.parts
    served = parts.served
    # `is_reachable` gives up within the connect and statement timeouts: a partition answers 503, not never.
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
