"""Global IDs (`base64("Deal:42")`) so `node(id)` can fetch any object by its ID alone, and so a client's
normalised cache (Apollo, urql, Relay) keys every object it stores by one field.

Rows of the database are named by their primary key (`Deal:42`). Process content has no row: it is named by
the keys that identify it in the definitions, e.g. `Stage:new-business/commit`. A stage's and a milestone's
part is its *first* key (the first entry of `formerly`, else its key), so a rename listed under `formerly:` keeps
the ID a client has cached, and two processes that both have a `commit` stage give two IDs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import strawberry

from api.db.models import MAX_ID

MAX_ID_LENGTH = 600
"""Longer text is not one of our IDs: process keys are at most 64 characters, and an ID holds at most four."""


def to_global_id(type_name: str, pk: int | str) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def content_id(type_name: str, *keys: str) -> strawberry.ID:
    """The ID of process content, from the keys that name it (e.g. `content_id("Stage", "new-business", "sal")`)."""
    return to_global_id(type_name, "/".join(keys))


def first_key(key: str, formerly: Sequence[str]) -> str:
    """The key a stage or milestone was first published under: `formerly` lists earlier keys, oldest first."""
    return formerly[0] if formerly else key


def decode_global_id(global_id: str) -> tuple[str, str] | None:
    """(type name, what follows the colon), or None for text that is not one of our IDs."""
    if len(global_id) > MAX_ID_LENGTH:
        return None
    try:
        decoded = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, colon, rest = decoded.partition(":")
    if not type_name or not colon or not rest:
        return None
    return type_name, rest


def pk_from(rest: str) -> int | None:
    """The primary key an ID's text names, or None when it is not one."""
    if not (rest.isascii() and rest.isdigit()) or not 0 < int(rest) <= MAX_ID:
        return None
    return int(rest)


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for text that is not the ID of a row."""
    decoded = decode_global_id(global_id)
    if decoded is None:
        return None
    pk = pk_from(decoded[1])
    return None if pk is None else (decoded[0], pk)


def pk_of(global_id: str, *, type_name: str) -> int | None:
    parsed = from_global_id(global_id)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None
