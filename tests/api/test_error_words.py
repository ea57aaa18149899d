"""A client that sends a wrong value reads about it in GraphQL's words: `null`, `true`, `"text"`, never Python's
`None`, `True`, `'text'`. Checked for every required argument and every required input field of the schema."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.graphql.core.graphql_words import in_graphql_words
from tests.api.factories import gql

ROOT_FIELDS = """
{ __schema {
  queryType { fields { name args { name type { kind } } type { kind ofType { kind ofType { kind } } } } }
  mutationType { fields { name args { name type { kind } } type { kind ofType { kind ofType { kind } } } } }
  types { name kind inputFields { name type { kind } } }
} }
"""
PYTHON_WORDS = re.compile(r"\b(None|True|False)\b|'")


def python_in(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", []) if PYTHON_WORDS.search(e["message"])]


def _selection(field: dict[str, Any]) -> str:
    kinds = [field["type"]["kind"], (field["type"]["ofType"] or {}).get("kind")]
    return "" if "SCALAR" in kinds or "ENUM" in kinds else " { __typename }"


async def test_null_for_any_required_argument_is_refused_as_null(client, people):
    # given: every root field that takes a required argument, called with null for each
    schema = (await gql(client, ROOT_FIELDS, token=people.admin.token))["data"]["__schema"]
    calls = [
        (operation, field, arg["name"])
        for operation, root in (("query", schema["queryType"]), ("mutation", schema["mutationType"]))
        for field in root["fields"]
        for arg in field["args"]
        if arg["type"]["kind"] == "NON_NULL"
    ]
    assert len(calls) >= 10

    for operation, field, arg in calls:
        # when
        query = f"{operation} {{ {field['name']}({arg}: null){_selection(field)} }}"
        body = await gql(client, query, token=people.admin.token)

        # then
        assert body["errors"], (field["name"], arg)
        assert python_in(body) == [], body
        assert any(e["message"].endswith("not to be null.") for e in body["errors"]), body


async def test_null_for_any_required_input_field_is_refused_as_null(client, people):
    # given: every required field of every input type, sent as null in a variable
    schema = (await gql(client, ROOT_FIELDS, token=people.admin.token))["data"]["__schema"]
    inputs = [t for t in schema["types"] if t["kind"] == "INPUT_OBJECT"]
    required = [(t["name"], f["name"]) for t in inputs for f in t["inputFields"] if f["type"]["kind"] == "NON_NULL"]
    uses = _where_each_input_is_used(schema)
    assert required

    for type_name, field_name in required:
        # when
        operation, root_field, arg = uses[type_name]
        query = f"{operation} Q($value: {type_name}!) {{ {root_field}({arg}: $value) {{ __typename }} }}"
        body = await gql(client, query, {"value": {field_name: None}}, token=people.admin.token)

        # then
        messages = [e["message"] for e in body["errors"]]
        assert python_in(body) == [], messages
        expected = f'Variable "$value" has invalid value at .{field_name}: Expected value of non-null type'
        assert any(m.startswith(expected) and m.endswith("not to be null.") for m in messages), messages


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (
            "query Q($first: Int!) { pipeline { blocked(first: $first) { __typename } } }",
            {"first": None},
            'Variable "$first" has invalid value: Expected value of non-null type "Int!" not to be null.',
        ),
        (
            "query Q($first: Int!) { pipeline { blocked(first: $first) { __typename } } }",
            {"first": True},
            'Variable "$first" has invalid value: Int cannot represent non-integer value: true',
        ),
        (
            "query Q($filter: DealFilterInput) { deals(filter: $filter) { totalCount } }",
            {"filter": {"search": False}},
            'Variable "$filter" has invalid value at .search: String cannot represent a non string value: false',
        ),
        (
            "query Q($filter: DealFilterInput) { deals(filter: $filter) { totalCount } }",
            {"filter": {"stage": "sal"}},
            'Variable "$filter" has invalid value: Expected value of type "DealFilterInput" not to include unknown '
            'field "stage". Did you mean "stages"? Found: {"stage": "sal"}.',
        ),
        (
            "query Q($first: Int) { pipeline { blocked(first: $first) { __typename } } }",
            {"first": None},
            'Argument "first" has invalid value: Expected variable "$first" provided to non-null type "Int!" not to '
            "be null.",
        ),
        (
            "query Q { pipeline { blocked(first: null) { __typename } } }",
            None,
            'Expected value of non-null type "Int!" not to be null.',
        ),
    ],
)
async def test_wrong_values_are_described_as_the_client_wrote_them(client, people, query, variables, message):
    body = await gql(client, query, variables, token=people.rep_a.token)

    assert [e["message"] for e in body["errors"]] == [message]


def test_python_spellings_become_json_and_the_rest_stays():
    assert in_graphql_words("found: {'a': [1, None, True, False]}.") == 'found: {"a": [1, null, true, false]}.'
    assert in_graphql_words("type 'Int!' not to be None.") == 'type "Int!" not to be null.'
    assert in_graphql_words("""found: "it's", 'x'""") == 'found: "it\'s", "x"'
    assert in_graphql_words("found: 'it\\'s \"q\"'") == 'found: "it\'s \\"q\\""'
    assert in_graphql_words("Nonesuch, TrueNorth and Falsetto stay") == "Nonesuch, TrueNorth and Falsetto stay"


def _where_each_input_is_used(schema: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """An argument of a root field that takes each input type directly (`DealFilterInput` -> deals(filter:))."""
    known = {
        "CreateDealInput": ("mutation", "createDeal", "input"),
        "UpdateDealInput": ("mutation", "updateDeal", "input"),
        "DealFilterInput": ("query", "deals", "filter"),
        "DealOrderInput": ("query", "deals", "orderBy"),
        "PipelineFilterInput": ("query", "pipeline", "filter"),
    }
    inputs = {t["name"] for t in schema["types"] if t["kind"] == "INPUT_OBJECT"}
    assert inputs <= set(known), f"say where {inputs - set(known)} is used"
    return known
