"""The custom scalars say their wire formats in the schema, and keep them: amounts are decimal strings in and out
(a deal's amount accepts exactly the strings it accepted as a `String`, with the same `InvalidInput` answers),
days are `YYYY-MM-DD`, moments RFC 3339 in UTC."""

from __future__ import annotations

import re
from datetime import date

import pytest

from api.services.deals.failures import InvalidInput
from api.services.deals.input import parse_amount
from tests.api.factories import create_deal, deal_gid, gql

SCALARS = """
{ __schema { types { name kind description specifiedByURL } } }
"""
CREATE_DEAL = """
mutation Create($amount: Decimal!) {
  createDeal(input: {name: "Spend platform", accountName: "Northwind", processKey: "new-business",
                     amount: $amount, currency: "EUR", closeDate: "2026-12-31"}) {
    __typename
    ... on CreateDealSuccess { deal { amount } }
    ... on InvalidInput { field message }
  }
}
"""
UPDATE_AMOUNT = """
mutation Update($id: ID!, $version: Int!, $amount: Decimal!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, amount: $amount}) {
    __typename
    ... on UpdateDealSuccess { deal { amount version } }
    ... on InvalidInput { field message }
  }
}
"""
DEAL = "query Deal($id: ID!) { deal(id: $id) { amount closeDate createdAt history { occurredAt } } }"
BY_CLOSE_DATE = "query Deals($from: Date) { deals(filter: {closeDateFrom: $from}) { totalCount } }"
QUOTA = 'query Plan($quota: Decimal) { prioritizedDeals(quota: $quota, periodEnd: "2030-01-01") { plan { quota } } }'

AMOUNTS_SENT_AS_STRINGS_BEFORE = [
    "12500.00",
    " 12500.5 ",
    "0",
    "-0",
    "1_000",
    "1e3",
    "999999999999.99",
    "lots",
    "",
    "-5",
    "1.005",
    "NaN",
    "Infinity",
    "1E+999999999999999999",
    "1e-999999999",
    "1000000000000",
]


def as_before(amount: str) -> dict[str, str]:
    """What `createDeal` answered for this string when `amount` was a `String`: the same use case, fed the string."""
    parsed = parse_amount(amount, field="input.amount")
    if isinstance(parsed, InvalidInput):
        return {"__typename": "InvalidInput", "field": parsed.field, "message": parsed.message}
    return {"__typename": "CreateDealSuccess", "amount": f"{parsed:.2f}"}


def as_now(result: dict) -> dict[str, str]:
    if result["__typename"] == "CreateDealSuccess":
        return {"__typename": "CreateDealSuccess", "amount": result["deal"]["amount"]}
    return result


@pytest.mark.parametrize("amount", AMOUNTS_SENT_AS_STRINGS_BEFORE)
async def test_a_deal_amount_accepts_the_strings_it_accepted_as_a_string_with_the_same_answers(client, people, amount):
    # when
    body = await gql(client, CREATE_DEAL, {"amount": amount}, token=people.rep_a.token)

    # then
    assert "errors" not in body, body
    assert as_now(body["data"]["createDeal"]) == as_before(amount)


async def test_updating_an_amount_answers_as_creating_one(client, database, people):
    deal = await create_deal(database, owner=people.rep_a)
    token = people.rep_a.token

    good = await gql(
        client, UPDATE_AMOUNT, {"id": deal_gid(deal), "version": deal.version, "amount": " 7.5 "}, token=token
    )
    updated = good["data"]["updateDeal"]["deal"]
    bad = await gql(
        client, UPDATE_AMOUNT, {"id": deal_gid(deal), "version": updated["version"], "amount": "lots"}, token=token
    )

    assert updated["amount"] == "7.50"
    assert bad["data"]["updateDeal"] == {
        "__typename": "InvalidInput",
        "field": "input.amount",
        "message": "'lots' is not a number; write it like '12500.00'",
    }


async def test_an_amount_written_inline_or_as_a_json_number_is_read_as_its_decimal_text(client, people):
    inline = await gql(
        client,
        CREATE_DEAL.replace("Create($amount: Decimal!)", "Create").replace("$amount", '"250.10"'),
        token=people.rep_a.token,
    )
    number = await gql(client, CREATE_DEAL, {"amount": 250}, token=people.rep_a.token)

    assert inline["data"]["createDeal"]["deal"] == {"amount": "250.10"}
    assert number["data"]["createDeal"]["deal"] == {"amount": "250.00"}


@pytest.mark.parametrize(("sent", "shown"), [(True, "true"), ({"value": "1"}, '{"value": "1"}'), ([1], "[1]")])
async def test_an_amount_that_is_no_string_or_number_is_a_request_error_in_json_words(client, people, sent, shown):
    body = await gql(client, CREATE_DEAL, {"amount": sent}, token=people.rep_a.token)

    [error] = body["errors"]
    assert f'Decimal must be a string like "12500.00" (got {shown})' in error["message"]
    assert "data" not in body


async def test_a_quota_that_is_no_number_is_refused_in_plain_words(client, people):
    body = await gql(client, QUOTA, {"quota": "lots"}, token=people.rep_a.token)

    [error] = body["errors"]
    assert error["message"] == "quota: 'lots' is not a number; write it like '250000.00'"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_results_carry_the_documented_wire_formats(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, amount="8300", close_date=date(2026, 9, 27))

    # when
    body = await gql(client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # then
    found = body["data"]["deal"]
    assert (found["amount"], found["closeDate"]) == ("8300.00", "2026-09-27")
    moments = [found["createdAt"], *(e["occurredAt"] for e in found["history"])]
    rfc3339_utc = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00")
    assert all(rfc3339_utc.fullmatch(m) for m in moments), moments


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("20260927", 'Date must be a string written YYYY-MM-DD, e.g. "2026-09-27" (got "20260927")'),
        ("2026-W39-7", 'Date must be a string written YYYY-MM-DD, e.g. "2026-09-27" (got "2026-W39-7")'),
        ("2026-02-30", 'Date "2026-02-30" is not a day of the calendar'),
        (20260927, 'Date must be a string written YYYY-MM-DD, e.g. "2026-09-27" (got 20260927)'),
    ],
)
async def test_a_day_must_be_written_as_the_scalar_says(client, people, sent, message):
    body = await gql(client, BY_CLOSE_DATE, {"from": sent}, token=people.rep_a.token)

    [error] = body["errors"]
    assert error["message"] == f'Variable "$from" has invalid value: {message}'


async def test_each_custom_scalar_states_its_wire_format(client, people):
    body = await gql(client, SCALARS, token=people.rep_a.token)

    scalars = {t["name"]: t for t in body["data"]["__schema"]["types"] if t["kind"] == "SCALAR"}
    assert scalars["Date"]["specifiedByURL"] == "https://scalars.graphql.org/andimarek/local-date.html"
    assert scalars["DateTime"]["specifiedByURL"] == "https://scalars.graphql.org/andimarek/date-time.html"
    assert '`"2026-09-27"`' in scalars["Date"]["description"]
    assert '`"2026-08-08T22:26:00+00:00"`' in scalars["DateTime"]["description"]
    assert '`"8300.00"`' in scalars["Decimal"]["description"]
    assert "never a JSON number" in scalars["Decimal"]["description"]
