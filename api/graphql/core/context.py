"""What every resolver gets: the request's unit of work, the viewer, the process version, and its loaders.

Over HTTP a request is one operation, with one scope. Over a WebSocket the connection shares one context
for all its operations; a subscription opens a fresh scope (a new unit of work, loaders and process
version) for every event it delivers, held in a context variable of the operation's task, so concurrent
subscriptions of one connection never share a session or stale loaders.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.db import Database
from api.graphql.core.errors import NotAuthenticated, ProcessUnavailable
from api.graphql.core.unit_of_work import UnitOfWork
from api.process import ProcessDefinitions
from api.services.accounts.token_cache import viewer_cache
from api.services.accounts.tokens import TokenHolder, token_holder
from api.services.accounts.viewer import Viewer
from api.services.deals.changes import DealChangeHub
from api.services.publishing.store import ServedProcess, ServedVersion
from api.settings import Settings


@dataclass(kw_only=True)
class Scope:
    """What lives for one operation (or one subscription event): its database work, the process version it
    started with, its loaders and its viewer."""

    unit_of_work: UnitOfWork
    version: ServedVersion | None
    """The process version the operation started with: it keeps it to the end, whatever is published."""
    loaders: dict[type[Any], DataLoader[Any, Any]] = field(default_factory=dict)
    """By class (see `api.graphql.core.loaders.RequestLoader.of`)."""
    viewer: asyncio.Future[Viewer | None] | None = None


_event_scope: ContextVar[Scope | None] = ContextVar("waymark_event_scope", default=None)


@dataclass(kw_only=True)
class WaymarkContext:
    """Built once per HTTP request, or once per WebSocket connection, by the GraphQL view.

    Over HTTP the view has already turned the token into `admitted` (a request without a valid token is
    refused before its document is read); a WebSocket's operations, and each event of a subscription, look
    the token up again, so a token revoked meanwhile stops them."""

    database: Database
    served: ServedProcess
    """What the server serves; resolvers use `version` (fixed for the operation), not `served.served`."""
    settings: Settings
    token: str
    scope: Scope
    changes: DealChangeHub
    """Where subscriptions hear of changed deals."""
    connection_params: dict[str, Any] | None = None
    """A WebSocket's `connection_init` payload."""
    websocket: WebSocket | None = None
    """The connection, for a WebSocket (a subscriber that falls behind is disconnected)."""

    admitted: Viewer | None = None
    """The viewer the HTTP view admitted the request for."""

    @classmethod
    def for_request(
        cls,
        *,
        database: Database,
        served: ServedProcess,
        settings: Settings,
        token: str,
        changes: DealChangeHub,
        unit_of_work: UnitOfWork | None = None,
        admitted: Viewer | None = None,
    ) -> WaymarkContext:
        scope = new_scope(database, served, unit_of_work=unit_of_work)
        return cls(
            database=database,
            served=served,
            settings=settings,
            token=token,
            scope=scope,
            changes=changes,
            admitted=admitted,
        )

    @property
    def current(self) -> Scope:
        return _event_scope.get() or self.scope

    @property
    def unit_of_work(self) -> UnitOfWork:
        return self.current.unit_of_work

    @property
    def loaders(self) -> dict[type[Any], DataLoader[Any, Any]]:
        return self.current.loaders

    @property
    def version(self) -> ServedVersion | None:
        return self.current.version

    @property
    def views_scope(self) -> tuple[object, ...]:
        """What the process views' resolvers read besides their view: the settings and the process version. The
        executor reuses a view's completion for every operation of the same scope (`complete_once`)."""
        return (self.settings, self.version)

    @property
    def definitions(self) -> ProcessDefinitions:
        return self.published.definitions

    @property
    def published(self) -> ServedVersion:
        version = self.version
        if version is None:
            raise ProcessUnavailable(
                f"no process version has been published yet, and the server's process files do not load: "
                f"{self.served.problems_text()}"
            )
        return version

    async def viewer(self) -> Viewer | None:
        """The token's user, looked up once per operation (once per subscription event) however many resolvers
        ask at the same time; over HTTP, the one the view admitted."""
        scope = self.current
        if self.admitted is not None and scope is self.scope:
            return self.admitted
        if scope.viewer is None:
            scope.viewer = asyncio.ensure_future(self._look_up_viewer(scope))
        return await asyncio.shield(scope.viewer)

    async def _look_up_viewer(self, scope: Scope) -> Viewer | None:
        return await signed_in(
            self.token, database=self.database, settings=self.settings, unit_of_work=scope.unit_of_work
        )

    async def next_event(self) -> None:
        """Close the scope of the subscription event just delivered and open a fresh one for the next."""
        previous = _event_scope.get()
        if previous is not None:
            await previous.unit_of_work.finish(failed=True)  # an event reads only: nothing to commit
        _event_scope.set(new_scope(self.database, self.served))

    async def end_events(self) -> None:
        previous = _event_scope.get()
        if previous is not None:
            await previous.unit_of_work.finish(failed=True)
            _event_scope.set(None)


async def signed_in(token: str, *, database: Database, settings: Settings, unit_of_work: UnitOfWork) -> Viewer | None:
    """The viewer holding `token` (None: unknown, revoked or expired), read through `unit_of_work` unless this
    server read it in the last few seconds (`token_cache`)."""

    async def look_up() -> TokenHolder | None:
        async def read(session: AsyncSession) -> TokenHolder | None:
            return await token_holder(session, token=token)

        return await unit_of_work.read(read)

    return await viewer_cache.viewer(
        database=database, token=token, seconds=settings.token_cache_seconds, look_up=look_up
    )


def new_scope(database: Database, served: ServedProcess, *, unit_of_work: UnitOfWork | None = None) -> Scope:
    work = unit_of_work or UnitOfWork(
        database.sessions(),
        writers=database.writers,
        wait_seconds=database.wait_seconds,
        reads_outside_transactions=database.reads_outside_transactions,
    )
    return Scope(unit_of_work=work, version=served.served if served.loaded else None)


Info_ = Info[WaymarkContext, Any]


async def require_viewer(info: Info_) -> Viewer:
    """The signed-in viewer, or an `UNAUTHENTICATED` error."""
    viewer = await info.context.viewer()
    if viewer is None:
        raise NotAuthenticated("send a valid API token as `Authorization: Bearer <token>`")
    return viewer
