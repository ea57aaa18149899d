"""Blocked and stale deals as cursor connections. The pipeline computes every such deal in one pass, so a page is
a slice of that list; its cursors hold the sort key (not a position), so a deal that leaves the list between
two pages does not shift the next page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from api.graphql.core.errors import ClientError
from api.graphql.deals.connection import PageInfo
from api.graphql.insights.pipeline_deals import BlockedDeal, SortKey, StaleDeal

MAX_PAGE = 500
DEFAULT_PAGE = 50
PageSize = Annotated[
    int | None, strawberry.argument(description=f"Page size, 0–{MAX_PAGE}; {DEFAULT_PAGE} when left out or null.")
]
PageAfter = Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")]

Item = TypeVar("Item")


@strawberry.type(description="A blocked deal in a page, with its cursor.")
class BlockedDealEdge:
    cursor: str = strawberry.field(description="Opaque position of this deal in the list: pass it as `after`.")
    node: BlockedDeal = strawberry.field(description="The blocked deal.")


@strawberry.type(description="A page of blocked deals, longest in stage first.")
class BlockedDealConnection:
    edges: list[BlockedDealEdge] = strawberry.field(description="The deals of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether there is more.")
    total_count: int = strawberry.field(description="How many deals are blocked, over all pages.")


@strawberry.type(description="A stale deal in a page, with its cursor.")
class StaleDealEdge:
    cursor: str = strawberry.field(description="Opaque position of this deal in the list: pass it as `after`.")
    node: StaleDeal = strawberry.field(description="The stale deal.")


@strawberry.type(description="A page of stale deals, most overdue first.")
class StaleDealConnection:
    edges: list[StaleDealEdge] = strawberry.field(description="The deals of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether there is more.")
    total_count: int = strawberry.field(description="How many deals are stale, over all pages.")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: list[tuple[str, Item]]
    """Each item with its cursor."""
    page_info: PageInfo
    total_count: int


def page_of(items: Sequence[tuple[SortKey, Item]], *, kind: str, first: int | None, after: str | None) -> Page[Item]:
    """The `first` items after the cursor `after`, in the order of their keys."""
    items = sorted(items, key=lambda keyed: keyed[0])
    size = checked_size(first)
    start = 0
    if after is not None:
        bound = _decode(after, kind=kind)
        start = next((i for i, (key, _) in enumerate(items) if _after(key, bound)), len(items))
    chosen = [(_encode(kind, key), item) for key, item in items[start : start + size]]
    page_info = PageInfo(
        has_next_page=start + size < len(items),
        has_previous_page=after is not None,
        start_cursor=chosen[0][0] if chosen else None,
        end_cursor=chosen[-1][0] if chosen else None,
    )
    return Page(items=chosen, page_info=page_info, total_count=len(items))


def checked_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0:
        raise ClientError(f"first: must not be negative (got {first})")
    return min(first, MAX_PAGE)


def _after(key: SortKey, bound: SortKey) -> bool:
    return key > bound


def _encode(kind: str, key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, key[0], key[1]]).encode()).decode()


def _decode(cursor: str, *, kind: str) -> SortKey:
    problem = ClientError(f"after: {cursor!r} is not a cursor from this list; leave `after` out for the first page")
    try:
        found_kind, first, deal_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise problem from error
    number = isinstance(first, int | float) and not isinstance(first, bool)
    if found_kind != kind or not isinstance(deal_id, str) or not number:
        raise problem
    return float(first), deal_id
