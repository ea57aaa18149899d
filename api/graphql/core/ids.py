"""Global IDs (`base64("Deal:42")`) so `node(id)` can fetch any object by its ID alone."""

from __future__ import annotations

import base64
import binascii

import strawberry

from api.db.models import MAX_ID


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for text that is not one of our IDs."""
    try:
        decoded = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, pk = decoded.partition(":")
    if not type_name or not (pk.isascii() and pk.isdigit()) or not 0 < int(pk) <= MAX_ID:
        return None
    return type_name, int(pk)


def pk_of(global_id: str, *, type_name: str) -> int | None:
    parsed = from_global_id(global_id)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None
