"""The Relay `Node` interface: anything with a global ID."""

# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global ID, fetchable with `node(id)`.")
class Node:
    @strawberry.field(description="The global ID.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError
