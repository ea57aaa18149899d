"""The deal event kinds are stored in the event log: their values are pinned, and the GraphQL enum agrees."""

from __future__ import annotations

from api.deal_events import DealEventKind
from api.graphql.deals.events import DealEventKind as GraphQLDealEventKind
from api.services.history import records

STORED = {
    "CREATED": "created",
    "UPDATED": "updated",
    "MILESTONE_COMPLETED": "milestone-completed",
    "MILESTONE_REOPENED": "milestone-reopened",
    "MOVED": "moved",
    "GATE_OVERRIDDEN": "gate-overridden",
    "CLOSED_WON": "closed-won",
    "CLOSED_LOST": "closed-lost",
    "REOPENED": "reopened",
}


def test_the_stored_values_of_deal_event_kinds_never_change_without_a_migration() -> None:
    assert {kind.name: kind.value for kind in DealEventKind} == STORED


def test_storage_and_the_domain_records_share_one_enum() -> None:
    assert records.HistoryEvent.__annotations__["kind"] == "DealEventKind"
    assert records.DealEventKind is DealEventKind


def test_the_graphql_enum_names_every_kind_by_its_stored_value() -> None:
    assert {kind.name: kind.value for kind in GraphQLDealEventKind} == STORED
