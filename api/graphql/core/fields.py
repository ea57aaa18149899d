"""Typed spellings of `@strawberry.field(...)` and `@strawberry.mutation(...)` for resolver methods, and plain
fields a view fills when it is built.

Called with options and no resolver, Strawberry's decorators are typed as returning `Any`, so strict mypy
reports every resolver as untyped (`untyped-decorator`); Strawberry's mypy plugin does not change that.
These return the same objects, typed as keeping the method's signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

Resolver = TypeVar("Resolver", bound=Callable[..., Any])
READS = "reads"
"""The metadata entry of a field that says what its resolver reads (see `field`)."""


def field(*, description: str, reads: object = None, **options: Any) -> Callable[[Resolver], Resolver]:
    """`@strawberry.field(description=..., ...)` on a resolver method. `reads` says which of the request's
    loaders the resolver uses (kept in the field's metadata), so a list can load them up front."""
    if reads is not None:
        options["metadata"] = {**options.get("metadata", {}), READS: reads}
    return cast(Callable[[Resolver], Resolver], strawberry.field(description=description, **options))


def mutation(*, description: str, **options: Any) -> Callable[[Resolver], Resolver]:
    """`@strawberry.mutation(description=..., ...)` on a resolver method."""
    return cast(Callable[[Resolver], Resolver], strawberry.mutation(description=description, **options))


def subscription(*, description: str, **options: Any) -> Callable[[Resolver], Resolver]:
    """`@strawberry.subscription(description=..., ...)` on a resolver method (an async generator)."""
    return cast(Callable[[Resolver], Resolver], strawberry.subscription(description=description, **options))


def filled(*, description: str) -> Any:
    """A plain field the type's `__post_init__` fills from the object it views, not a constructor argument.

    A resolver method costs Strawberry's per-field wrapper (Info, argument conversion, extension chain) on
    every value it returns; a plain field is read with `getattr`. Use it for values that are known when the
    view is built and cheap to copy; keep a resolver for what needs the request (loaders, settings)."""
    plain = strawberry.field(description=description)
    plain.init = False  # dataclasses honour Field.init; Strawberry's own `init=` only informs type checkers
    return plain


def resolved_by(resolver: Callable[..., Any], *, description: str, reads: object = None, **options: Any) -> Any:
    """`strawberry.field(resolver=...)`, assigned in the class body among plain fields.

    The schema lists a type's annotated fields first and its resolver methods after them; a resolver given
    this way keeps its place (and the schema its field order)."""
    if reads is not None:
        options["metadata"] = {**options.get("metadata", {}), READS: reads}
    return strawberry.field(resolver=resolver, description=description, **options)
