"""Values the compiled executor (`api.graphql.core.execution`) completes later: which values may be awaited,
and the results that wait for them."""

from __future__ import annotations

from collections.abc import Callable
from types import GeneratorType
from typing import Any

from graphql.pyutils import gather_with_cancel


def awaitable_by_class(is_awaitable: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`is_awaitable`, its answer remembered per class: whether a value can be awaited depends on its class
    alone (`__await__`, coroutine types), but for a generator, which depends on its code's flags."""
    known: dict[type, bool] = {}

    def check(value: Any) -> bool:
        kind = type(value)
        found = known.get(kind)
        if found is None:
            found = is_awaitable(value)
            if kind is not GeneratorType:
                known[kind] = found
        return found

    return check


async def gathered_fields(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    awaited = await gather_with_cancel(*(results[key] for key in pending))
    results.update(zip(pending, awaited, strict=True))
    return results


async def gathered_items(completed: list[Any], pending: list[int]) -> list[Any]:
    awaited = await gather_with_cancel(*(completed[index] for index in pending))
    for index, value in zip(pending, awaited, strict=True):
        completed[index] = value
    return completed
