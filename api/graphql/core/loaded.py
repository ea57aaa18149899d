"""Resolve from a request's DataLoader without awaiting when the loader already holds the value.

graphql-core runs every awaitable a resolver returns as a task; on a board of 100 deals, async fields
make thousands of them. A resolver that answers at once when its data is already loaded (the deals board
prefetches a page's relations) costs a function call instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Any, TypeAlias, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

Resolved: TypeAlias = T | Awaitable[T]
"""What such a resolver returns: the value, or an awaitable of it (graphql-core accepts both)."""


def then(loader: DataLoader[K, V], key: K, compute: Callable[[V], Resolved[T]]) -> Resolved[T]:
    """`compute(value)` now if `loader` already holds the value for `key`, else once it has loaded it.

    `compute` may itself answer with an awaitable (a second loader), which is then awaited too."""
    found, value = held(loader, key)
    if found:
        return compute(value)
    return _after(loader.load(key), compute)


def held(loader: DataLoader[K, Any], key: K) -> tuple[bool, Any]:
    """(True, the value) when `loader` holds the value for `key` already; (False, None) when it does not, or is
    still reading it (which a turn on the session must not wait for: the read may need that turn)."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception() is not None:
        return False, None
    return True, future.result()


async def _after(pending: Awaitable[V], compute: Callable[[V], Resolved[T]]) -> T:
    result = compute(await pending)
    return await result if isawaitable(result) else result
