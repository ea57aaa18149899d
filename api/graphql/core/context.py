"""What every resolver gets: the request's session, the viewer, the process and per-request loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.process import ProcessDefinitions
from api.services.auth import Viewer, viewer_for_token
from api.services.definitions import DefinitionsStore
from api.settings import Settings

if TYPE_CHECKING:
    from api.graphql.loaders import Loaders

K = TypeVar("K")
V = TypeVar("V")


@dataclass(kw_only=True)
class WaymarkContext:
    """Built once per request by the GraphQL view; loaders and the viewer live and die with it."""

    session: AsyncSession
    store: DefinitionsStore
    settings: Settings
    token: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One AsyncSession runs one statement at a time; resolvers run concurrently, so they take turns."""
    wrote: bool = False
    """Whether a mutation of this request has changed the database (a rollback would undo it)."""
    _viewer: asyncio.Future[Viewer | None] | None = None
    _loaders: Loaders | None = None

    @property
    def definitions(self) -> ProcessDefinitions:
        return self.store.current

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from api.graphql.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders

    async def viewer(self) -> Viewer | None:
        """The token's user, looked up once per request however many resolvers ask at the same time."""
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._look_up_viewer())
        return await asyncio.shield(self._viewer)

    async def _look_up_viewer(self) -> Viewer | None:
        async with self.lock:
            return await viewer_for_token(self.session, token=self.token)

    def loader(self, load: Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
        """A per-request DataLoader whose batch function takes the session lock."""

        async def load_fn(keys: list[K]) -> Sequence[V]:
            async with self.lock:
                return await load(self.session, keys)

        return DataLoader(load_fn=load_fn)


Info_ = Info[WaymarkContext, Any]
