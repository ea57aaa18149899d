"""What every resolver gets: the request's unit of work, the viewer, the process, and its loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.graphql.core.unit_of_work import UnitOfWork
from api.process import ProcessDefinitions
from api.services.accounts.tokens import viewer_for_token
from api.services.accounts.viewer import Viewer
from api.services.publishing.store import DefinitionsStore
from api.settings import Settings


@dataclass(kw_only=True)
class WaymarkContext:
    """Built once per request by the GraphQL view; loaders and the viewer live and die with it.

    Over HTTP the view has already turned the token into `admitted` (a request without a valid token is
    refused before its document is read); a context built without it looks the token up on first use."""

    unit_of_work: UnitOfWork
    store: DefinitionsStore
    settings: Settings
    token: str
    admitted: Viewer | None = None
    loaders: dict[type[Any], DataLoader[Any, Any]] = field(default_factory=dict)
    """The request's loaders, by class (see `api.graphql.core.loaders.RequestLoader.of`)."""
    _viewer: asyncio.Future[Viewer | None] | None = None

    @property
    def session(self) -> AsyncSession:
        return self.unit_of_work.session

    @property
    def definitions(self) -> ProcessDefinitions:
        return self.store.current

    async def viewer(self) -> Viewer | None:
        """The token's user, looked up once per request however many resolvers ask at the same time."""
        if self.admitted is not None:
            return self.admitted
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._look_up_viewer())
        return await asyncio.shield(self._viewer)

    async def _look_up_viewer(self) -> Viewer | None:
        async def look_up(session: AsyncSession) -> Viewer | None:
            return await viewer_for_token(session, token=self.token)

        return await self.unit_of_work.read(look_up)


Info_ = Info[WaymarkContext, Any]
