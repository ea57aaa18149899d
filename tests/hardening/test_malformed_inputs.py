"""Malformed requests and inputs, each a client error (4xx, a typed failure, or an error with a code), never a
500 or "Unexpected error.", and none leaves a trace in the database (a dump of every table is compared)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.factories import create_deal, deal_gid, snapshot
from tests.hardening.documents import NESTED_JSON_BODY

CREATE = """mutation($name: String!, $account: String!, $amount: String!, $currency: String!, $closeDate: Date!) {
  createDeal(input: {name: $name, accountName: $account, processKey: "new-business", amount: $amount,
                     currency: $currency, closeDate: $closeDate}) { __typename ... on InvalidInput { field } } }"""
UPDATE = """mutation($id: ID!, $name: String, $amount: String) {
  updateDeal(input: {dealId: $id, expectedVersion: 1, name: $name, amount: $amount}) { __typename } }"""
COMPLETE = """mutation($id: ID!, $key: String!, $note: String) {
  completeMilestone(dealId: $id, milestoneKey: $key, note: $note) { __typename } }"""
MOVE = """mutation($id: ID!, $to: String!, $reason: String) {
  moveDeal(dealId: $id, toStage: $to, reason: $reason) { __typename } }"""
CLOSE = (
    """mutation($id: ID!, $reason: String) { closeDeal(dealId: $id, outcome: LOST, reason: $reason) { __typename } }"""
)
SEARCH = "query($text: String) { deals(first: 5, filter: {search: $text}) { totalCount } }"
AFTER = (
    "query($after: String, $field: DealOrderField!) "
    "{ deals(first: 5, after: $after, orderBy: {field: $field}) { totalCount } }"
)
SINCE = 'query($since: DateTime) { processInsights(processKey: "new-business", since: $since) { stages { entered } } }'
NODE = "query($id: ID!) { node(id: $id) { id } deal(id: $id) { id } }"
PERIOD = "query($end: Date, $quota: Decimal) { prioritizedDeals(periodEnd: $end, quota: $quota) { periodEnd } }"
FIRST = "query($first: Int!) { deals(first: $first) { totalCount } }"

GOOD_DEAL = {"name": "Spend platform", "account": "Northwind", "amount": "100.00", "currency": "EUR"}
CLOSE_DATE = "2026-12-31"


def _create(**change: str) -> dict[str, Any]:
    return {"query": CREATE, "variables": {**GOOD_DEAL, "closeDate": CLOSE_DATE, **change}}


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


def _gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Each case: a JSON body (a dict, where "$deal" stands for the deal's global ID) or raw bytes, and optional headers.
CASES: dict[str, Any] = {
    # names: surrogates, controls, text-direction overrides, invisible-only text
    "name with a lone high surrogate": _create(name="Deal \ud800"),
    "name with a lone low surrogate": _create(name="\udfffDeal"),
    "account with a lone surrogate": _create(account="North\ud83dwind"),
    "name with NUL": _create(name="Spend\x00platform"),
    "name with a C0 control": _create(name="Spend\x1bplatform"),
    "name with DEL": _create(name="Spend\x7fplatform"),
    "name with a C1 control (NEL)": _create(name="Spend\x85platform"),
    "name with a C1 control (CSI)": _create(name="Spend\x9bplatform"),
    "name with a right-to-left override": _create(name="Invoice \u202egnp.exe"),
    "name with a left-to-right embedding": _create(name="\u202aDeal"),
    "name with a first-strong isolate": _create(name="Deal \u2068x\u2069"),
    "name of zero-width spaces only": _create(name="\u200b\u200b"),
    "name of a zero-width joiner only": _create(name="\u200d"),
    "name of a byte-order mark only": _create(name="\ufeff"),
    "name of a word joiner and a soft hyphen": _create(name="\u2060\u00ad"),
    "name of ideographic spaces only": _create(name="\u3000\u3000"),
    "name of 201 characters": _create(name="x" * 201),
    "empty name": _create(name=""),
    # amounts
    "amount 1_000": _create(amount="1_000"),
    "amount 1e3": _create(amount="1e3"),
    "amount with Arabic-Indic digits": _create(amount="\u0661\u0660\u0660"),
    "amount with full-width digits": _create(amount="\uff11\uff10\uff10"),
    "amount 0x10": _create(amount="0x10"),
    "amount Infinity": _create(amount="Infinity"),
    "amount NaN": _create(amount="NaN"),
    "amount with a thousands comma": _create(amount="1,000.00"),
    "amount with three decimals": _create(amount="1.005"),
    "amount negative": _create(amount="-5.00"),
    "amount beyond the largest": _create(amount="1000000000000.00"),
    "amount of spaces": _create(amount="   "),
    "amount with a lone surrogate": _create(amount="1\ud800"),
    "currency lower case": _create(currency="eur"),
    "currency unknown": _create(currency="XXX"),
    # dates
    "close date in year 10000": _create(closeDate="10000-01-01"),
    "close date 30 February": _create(closeDate="2026-02-30"),
    "close date year 1": _create(closeDate="0001-01-01"),
    "close date not a date": _create(closeDate="soon"),
    "since overflowing below year 1 in UTC": {"query": SINCE, "variables": {"since": "0001-01-01T00:00:00+14:00"}},
    "since overflowing past 9999 in UTC": {"query": SINCE, "variables": {"since": "9999-12-31T23:59:59-14:00"}},
    "since with a 24-hour offset": {"query": SINCE, "variables": {"since": "2026-01-01T00:00:00+24:00"}},
    "since not a date": {"query": SINCE, "variables": {"since": "yesterday"}},
    "period end beyond the calendar": {"query": PERIOD, "variables": {"end": "9999-12-31"}},
    "quota not finite": {"query": PERIOD, "variables": {"quota": "Infinity"}},
    # cursors
    "cursor with a datetime overflowing in UTC": {
        "query": AFTER,
        "variables": {"after": _cursor("updated_at", False, "0001-01-01T00:00:00+14:00", 5), "field": "UPDATED_AT"},
    },
    "cursor with a naive datetime": {
        "query": AFTER,
        "variables": {"after": _cursor("updated_at", False, "2026-01-01T00:00:00", 5), "field": "UPDATED_AT"},
    },
    "cursor with an enormous id": {
        "query": AFTER,
        "variables": {"after": _cursor("close_date", False, "2026-01-01", 10**30), "field": "CLOSE_DATE"},
    },
    "cursor that is not base64": {"query": AFTER, "variables": {"after": "%%%", "field": "CLOSE_DATE"}},
    "cursor with a lone surrogate": {"query": AFTER, "variables": {"after": "\udc00", "field": "CLOSE_DATE"}},
    # search
    "search of 50,001 characters": {"query": SEARCH, "variables": {"text": "x" * 50_001}},
    "search of 201 characters": {"query": SEARCH, "variables": {"text": "y" * 201}},
    "search with a lone surrogate": {"query": SEARCH, "variables": {"text": "a\ud800"}},
    # notes and reasons
    "note with a lone surrogate": {"query": COMPLETE, "variables": {"id": "$deal", "key": "icp-fit", "note": "\ud800"}},
    "note with a C1 control": {"query": COMPLETE, "variables": {"id": "$deal", "key": "icp-fit", "note": "a\x90b"}},
    "note with a right-to-left override": {
        "query": COMPLETE,
        "variables": {"id": "$deal", "key": "icp-fit", "note": "ok \u202e"},
    },
    "note of 5,000 characters": {"query": COMPLETE, "variables": {"id": "$deal", "key": "icp-fit", "note": "n" * 5000}},
    "unknown milestone": {"query": COMPLETE, "variables": {"id": "$deal", "key": "no-such-milestone"}},
    "move to an unknown stage": {"query": MOVE, "variables": {"id": "$deal", "to": "nowhere", "reason": "x"}},
    "move with a reason holding NUL": {"query": MOVE, "variables": {"id": "$deal", "to": "sql", "reason": "a\x00"}},
    "close with a reason holding a surrogate": {"query": CLOSE, "variables": {"id": "$deal", "reason": "\udfff"}},
    "rename to invisible text": {"query": UPDATE, "variables": {"id": "$deal", "name": "\u200b"}},
    "update amount 1_000": {"query": UPDATE, "variables": {"id": "$deal", "amount": "1_000"}},
    # IDs and numbers
    "node ID of an unknown type": {"query": NODE, "variables": {"id": _gid("Nothing:1")}},
    "node ID beyond any row": {"query": NODE, "variables": {"id": _gid("Deal:99999999999999999999")}},
    "node ID negative": {"query": NODE, "variables": {"id": _gid("User:-1")}},
    "node ID not base64": {"query": NODE, "variables": {"id": "!!!"}},
    "node ID with a lone surrogate": {"query": NODE, "variables": {"id": "\ud800"}},
    "first beyond 64 bits": {"query": FIRST, "variables": {"first": 2**64}},
    "first negative": {"query": FIRST, "variables": {"first": -1}},
    "first a string": {"query": FIRST, "variables": {"first": "ten"}},
    "a required variable left out": {"query": FIRST, "variables": {}},
    "an unknown enum value": {"query": AFTER, "variables": {"field": "SIZE"}},
    # the request itself
    "nested JSON body": NESTED_JSON_BODY,
    "JSON nested 65 levels in variables": {"query": FIRST, "variables": {"first": json.loads("[" * 65 + "]" * 65)}},
    "body not UTF-8": b'{"query": "{ me { id } }\xff"}',
    "body truncated": b'{"query": "{ me ',
    "body a number": b"42",
    "query with a lone surrogate": {"query": "{ me { name } } # \ud800"},
    "query with NUL": {"query": "{ me\x00 { name } }"},
    "query of only a comment": {"query": "# nothing"},
    "query not a string": {"query": ["{ me { id } }"]},
    "operationName not a string": {"query": "{ me { id } }", "operationName": 5},
    "extensions not an object": {"query": "{ me { id } }", "extensions": "yes"},
    "variables nested objects of wrong type": {"query": FIRST, "variables": {"first": {"a": {"b": [1, 2]}}}},
}


@pytest.mark.parametrize("case", CASES)
async def test_a_malformed_request_is_a_client_error_and_changes_nothing(client, database, people, case):
    # given
    deal = await create_deal(database, owner=people.rep_a, completed=())
    request = CASES[case]
    headers = {"authorization": f"Bearer {people.rep_a.token}", "content-type": "application/json"}
    body = json.dumps(request).replace("$deal", deal_gid(deal)).encode() if isinstance(request, dict) else request
    before = await snapshot(database)

    # when
    response = await client.post("/graphql", content=body, headers=headers)

    # then
    assert 200 <= response.status_code < 500, (response.status_code, response.text)
    assert "Unexpected error." not in response.text
    assert "Traceback" not in response.text
    answer = response.json()
    assert _refused_or_typed(answer), answer
    assert await snapshot(database) == before


def _refused_or_typed(answer: dict[str, Any]) -> bool:
    """An error with a message (and, for one raised while running, a code), or a typed failure, or a found-nothing."""
    if answer.get("errors"):
        return all(e["message"] and ("path" not in e or e.get("extensions", {}).get("code")) for e in answer["errors"])
    results = list((answer.get("data") or {}).values())
    return all(
        r is None
        or (isinstance(r, dict) and (r.get("__typename") not in (None, "CreateDealSuccess") or r == {}))
        or r == {"totalCount": 0}
        for r in results
    )


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60
