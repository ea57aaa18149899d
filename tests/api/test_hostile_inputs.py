"""Inputs a careless or hostile client sends: typed results or client errors, never "Unexpected error."."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.factories import count_rows, create_deal, deal_gid, gql, snapshot

CREATE_DEAL = """
mutation Create($name: String!, $amount: Decimal!, $currency: String!) {
  createDeal(input: {name: $name, accountName: "Northwind", processKey: "new-business", amount: $amount,
                     currency: $currency, closeDate: "2026-12-31"}) {
    __typename
    ... on CreateDealSuccess { deal { name currency amount } }
    ... on InvalidInput { field message }
  }
}
"""

COMPLETE_MILESTONE = """
mutation Complete($dealId: ID!, $note: String) {
  completeMilestone(dealId: $dealId, milestoneKey: "icp-fit", note: $note) {
    __typename
    ... on InvalidInput { field message }
  }
}
"""

MOVE_BACK = """
mutation Move($dealId: ID!, $reason: String) {
  moveDeal(dealId: $dealId, toStage: "mql", reason: $reason) {
    __typename
    ... on InvalidInput { field message }
  }
}
"""

DEAL = "query($id: ID!) { deal(id: $id) { name } node(id: $id) { id } }"
SEARCH = "query($text: String!) { deals(first: 5, filter: {search: $text}) { totalCount } }"
AFTER = "query($after: String!) { deals(first: 5, after: $after) { totalCount } }"
HUGE_PK = base64.b64encode(b"Deal:99999999999999999999999").decode()


def _no_unexpected_error(body: dict) -> None:
    assert "Unexpected error." not in json.dumps(body), body


@pytest.mark.parametrize(
    ("name", "amount", "currency", "field"),
    [
        ("Spend\x00platform", "100.00", "EUR", "input.name"),
        ("Spend platform", "1E+999999999999999999", "EUR", "input.amount"),
        ("Spend platform", "1e-999999999", "EUR", "input.amount"),
        ("Spend platform", "-0", "EUR", None),
        ("Spend platform", "100.00", "E\x00R", "input.currency"),
    ],
)
async def test_create_deal_with_hostile_values_is_typed(client, database, people, name, amount, currency, field):
    before = await count_rows(database, "deals")

    body = await gql(
        client, CREATE_DEAL, {"name": name, "amount": amount, "currency": currency}, token=people.rep_a.token
    )

    _no_unexpected_error(body)
    result = body["data"]["createDeal"]
    if field is None:
        assert result["__typename"] == "CreateDealSuccess"
    else:
        assert (result["__typename"], result["field"]) == ("InvalidInput", field)
        assert await count_rows(database, "deals") == before


async def test_a_nul_byte_or_an_endless_note_is_invalid_input(client, database, people):
    deal = await create_deal(database, owner=people.rep_a, completed=())
    before = await snapshot(database)

    nul = await gql(client, COMPLETE_MILESTONE, {"dealId": deal_gid(deal), "note": "ok\x00"}, token=people.rep_a.token)
    long = await gql(
        client, COMPLETE_MILESTONE, {"dealId": deal_gid(deal), "note": "x" * 5000}, token=people.rep_a.token
    )

    assert nul["data"]["completeMilestone"]["__typename"] == "InvalidInput"
    assert long["data"]["completeMilestone"]["__typename"] == "InvalidInput"
    assert await snapshot(database) == before


@pytest.mark.parametrize("reason", ["why\x00", "x" * 5000])
async def test_a_hostile_reason_is_invalid_input(client, database, people, reason):
    deal = await create_deal(database, owner=people.rep_a, stage="sql")
    before = await snapshot(database)

    body = await gql(client, MOVE_BACK, {"dealId": deal_gid(deal), "reason": reason}, token=people.rep_a.token)

    assert body["data"]["moveDeal"] == {
        "__typename": "InvalidInput",
        "field": "reason",
        "message": body["data"]["moveDeal"]["message"],
    }
    assert await snapshot(database) == before


async def test_an_id_beyond_any_row_is_simply_not_found(client, people):
    body = await gql(client, DEAL, {"id": HUGE_PK}, token=people.rep_a.token)

    assert body == {"data": {"deal": None, "node": None}}


async def test_mutating_an_id_beyond_any_row_is_deal_not_found(client, people):
    body = await gql(client, MOVE_BACK, {"dealId": HUGE_PK, "reason": "x"}, token=people.rep_a.token)

    assert body["data"]["moveDeal"]["__typename"] == "DealNotFound"


async def test_searching_for_a_nul_byte_finds_nothing_rather_than_failing(client, people):
    body = await gql(client, SEARCH, {"text": "a\x00b"}, token=people.rep_a.token)

    assert body == {"data": {"deals": {"totalCount": 0}}}


async def test_a_cursor_with_an_enormous_id_is_a_client_error(client, people):
    cursor = base64.urlsafe_b64encode(json.dumps(["close_date", False, "2026-01-01", 10**30]).encode()).decode()

    body = await gql(client, AFTER, {"after": cursor}, token=people.rep_a.token)

    _no_unexpected_error(body)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "1E+999999"),
        ("amount", "NaN"),
        ("amount", "-Infinity"),
        ("updated_at", "9999-12-31T23:59:59+14:00"),
        ("updated_at", "2026-01-01T00:00:00"),
        ("close_date", "0001-01-01"),
    ],
)
async def test_a_forged_cursor_value_is_a_client_error_or_an_empty_page(client, people, field, value):
    cursor = base64.urlsafe_b64encode(json.dumps([field, False, value, 5]).encode()).decode()
    query = (
        "query($after: String!, $field: DealOrderField!) { deals(first: 5, after: $after, "
        "orderBy: {field: $field}) { totalCount edges { cursor } } }"
    )

    body = await gql(client, query, {"after": cursor, "field": field.upper()}, token=people.rep_a.token)

    _no_unexpected_error(body)
