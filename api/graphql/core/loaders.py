"""Per-request DataLoaders that register themselves: `DealByIdLoader.of(context)` makes the loader on its
first use in a request and returns the same one after, so every resolver of the request shares its batches
and its cache. Each domain keeps its loaders next to its types (`<domain>/loaders.py`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from api.graphql.core.context import WaymarkContext

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class RequestLoader(DataLoader[K, V], Generic[K, V]):
    """A loader for one request. Subclasses implement `read`: one statement for many keys, answering in
    the order of the keys."""

    def __init__(self, context: WaymarkContext) -> None:
        self.context = context
        self._views: dict[int, tuple[Any, Any]] = {}
        super().__init__(load_fn=self._load_batch)

    def view(self, value: Any, build: Callable[[Any], T]) -> T:
        """`build(value)`, made once per value the loader gave this request (found by the value's identity, and
        holding it): a user named by every event of a deal page gets one view, which the executor completes once
        (`complete_once_per_request`)."""
        found = self._views.get(id(value))
        if found is not None and found[0] is value:
            return found[1]  # type: ignore[no-any-return]
        view = build(value)
        self._views[id(value)] = (value, view)
        return view

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

    async def read_joined(self, session: AsyncSession, keys: Sequence[K]) -> Sequence[V]:
        """`read`, with what the request will show next joined in and primed into the loaders that serve it (the
        users named by a deal's history, say); `read_together` uses it for the loaders it is told to join."""
        return await self.read(session, keys)


async def read_together(
    context: WaymarkContext,
    session: AsyncSession,
    wanted: Sequence[tuple[type[RequestLoader[Any, Any]], Sequence[Any]]],
    *,
    joined: Collection[type[RequestLoader[Any, Any]]] = (),
) -> None:
    """What `load_many` of each loader would read, on the session of a turn the caller has (`unit_of_work.read`):
    the keys a loader holds no value for (nor one on its way) are read one loader after the other, and each
    loader is primed with what was found. A request that knows what its fields will need (a page of deals)
    reads it after its own reads in that turn, without a task, a turn and a batch per loader (about 0.1 ms
    each). The loaders in `joined` read with `read_joined`."""
    for loader, keys in _missing(context, wanted):
        values = await (loader.read_joined if type(loader) in joined else loader.read)(session, keys)
        loader.prime_many(dict(zip(keys, values, strict=True)))


def _missing(
    context: WaymarkContext, wanted: Sequence[tuple[type[RequestLoader[Any, Any]], Sequence[Any]]]
) -> list[tuple[RequestLoader[Any, Any], list[Any]]]:
    """Each loader with the keys it holds no value for, nor one on its way."""
    missing = []
    for kind, keys in wanted:
        loader = kind.of(context)
        unknown = [key for key in dict.fromkeys(keys) if loader.cache_map.get(key) is None]
        if unknown:
            missing.append((loader, unknown))
    return missing


def forget(context: WaymarkContext, loader: type[RequestLoader[K, Any]], key: K) -> None:
    """Drop `key` from the request's `loader`, if it was made: the next load reads it again."""
    found = context.loaders.get(loader)
    if found is not None:
        with suppress(KeyError):  # not loaded yet
            found.clear(key)
