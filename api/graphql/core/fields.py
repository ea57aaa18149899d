"""Typed spellings of `@strawberry.field(...)` and `@strawberry.mutation(...)` for resolver methods.

Called with options and no resolver, Strawberry's decorators are typed as returning `Any`, so strict mypy
reports every resolver as untyped (`untyped-decorator`); Strawberry's mypy plugin does not change that.
These return the same objects, typed as keeping the method's signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def field(*, description: str, **options: Any) -> Callable[[Resolver], Resolver]:
    """`@strawberry.field(description=..., ...)` on a resolver method."""
    return cast(Callable[[Resolver], Resolver], strawberry.field(description=description, **options))


def mutation(*, description: str, **options: Any) -> Callable[[Resolver], Resolver]:
    """`@strawberry.mutation(description=..., ...)` on a resolver method."""
    return cast(Callable[[Resolver], Resolver], strawberry.mutation(description=description, **options))
