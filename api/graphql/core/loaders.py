"""Per-request DataLoaders that register themselves: `DealByIdLoader.of(context)` makes the loader on its
first use in a request and returns the same one after, so every resolver of the request shares its batches
and its cache. Each domain keeps its loaders next to its types (`<domain>/loaders.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from api.graphql.core.context import WaymarkContext

K = TypeVar("K")
V = TypeVar("V")


class RequestLoader(DataLoader[K, V], Generic[K, V]):
    """A loader for one request. Subclasses implement `read`: one statement for many keys, answering in
    the order of the keys."""

    def __init__(self, context: WaymarkContext) -> None:
        self.context = context
        super().__init__(load_fn=self._load_batch)

    @classmethod
    def of(cls, context: WaymarkContext) -> Self:
        found = context.loaders.get(cls)
        if found is None:
            found = context.loaders[cls] = cls(context)
        assert isinstance(found, cls)
        return found

    async def _load_batch(self, keys: list[K]) -> Sequence[V]:
        async def batch(session: AsyncSession) -> Sequence[V]:
            return await self.read(session, keys)

        return await self.context.unit_of_work.read(batch)

    async def read(self, session: AsyncSession, keys: Sequence[K]) -> Sequence[V]:
        raise NotImplementedError


async def load_together(
    context: WaymarkContext, wanted: Sequence[tuple[type[RequestLoader[Any, Any]], Sequence[Any]]]
) -> None:
    """What `load_many` of each loader would read, in one turn on the session: the keys a loader does not hold
    yet are read one loader after the other, and each loader is primed with what was found. A request that
    knows what its fields will need (a page of deals) reads it without a task, a turn and a batch per loader
    (about 0.1 ms each)."""
    missing = []
    for kind, keys in wanted:
        loader = kind.of(context)
        unknown = [key for key in dict.fromkeys(keys) if loader.cache_map.get(key) is None]
        if unknown:
            missing.append((loader, unknown))
    if not missing:
        return

    async def read(session: AsyncSession) -> list[Sequence[Any]]:
        return [await loader.read(session, keys) for loader, keys in missing]

    found = await context.unit_of_work.read(read)
    for (loader, keys), values in zip(missing, found, strict=True):
        loader.prime_many(dict(zip(keys, values, strict=True)))


def forget(context: WaymarkContext, loader: type[RequestLoader[K, Any]], key: K) -> None:
    """Drop `key` from the request's `loader`, if it was made: the next load reads it again."""
    found = context.loaders.get(loader)
    if found is not None:
        with suppress(KeyError):  # not loaded yet
            found.clear(key)
