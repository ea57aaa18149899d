"""The Relay `Node` interface: anything with a global ID."""

from __future__ import annotations

import strawberry

from api.graphql.core import fields


@strawberry.interface(description="An object with a global ID, fetchable with `node(id)`.")
class Node:
    id: strawberry.ID = fields.filled(description="The global ID.")
