"""What every resolver gets: the request's unit of work, the viewer, the process, and its loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.graphql.core.errors import ProcessUnavailable
from api.graphql.core.unit_of_work import UnitOfWork
from api.process import ProcessDefinitions
from api.services.accounts.token_cache import viewer_cache
from api.services.accounts.tokens import viewer_for_token
from api.services.accounts.viewer import Viewer
from api.services.publishing.store import ServedProcess, ServedVersion
from api.settings import Settings


@dataclass(kw_only=True)
class WaymarkContext:
    """Built once per request by the GraphQL view; loaders and the viewer live and die with it."""

    unit_of_work: UnitOfWork
    served: ServedProcess
    """What the server serves; use `version` (fixed for the request), not `served.served`."""
    version: ServedVersion | None
    """The process version the request started with: it keeps it to the end, whatever is published meanwhile."""
    settings: Settings
    token: str
    loaders: dict[type[Any], DataLoader[Any, Any]] = field(default_factory=dict)
    """The request's loaders, by class (see `api.graphql.core.loaders.RequestLoader.of`)."""
    _viewer: asyncio.Future[Viewer | None] | None = None

    @property
    def session(self) -> AsyncSession:
        return self.unit_of_work.session

    @property
    def definitions(self) -> ProcessDefinitions:
        return self.published.definitions

    @property
    def published(self) -> ServedVersion:
        if self.version is None:
            raise ProcessUnavailable(
                f"no process version has been published yet, and the server's process files do not load: "
                f"{self.served.problems_text()}"
            )
        return self.version

    async def viewer(self) -> Viewer | None:
        """The token's user, looked up once per request however many resolvers ask at the same time."""
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._look_up_viewer())
        return await asyncio.shield(self._viewer)

    async def _look_up_viewer(self) -> Viewer | None:
        async def look_up(session: AsyncSession) -> Viewer | None:
            return await viewer_for_token(session, token=self.token)

        async def read() -> Viewer | None:
            return await self.unit_of_work.read(look_up)

        seconds = self.settings.token_cache_seconds
        return await viewer_cache.viewer(database=self.session.bind, token=self.token, seconds=seconds, look_up=read)


Info_ = Info[WaymarkContext, Any]
