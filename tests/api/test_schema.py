"""The exported SDL is current, and every type, field, argument, enum value and input field says what it is."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from api.cli.export_schema import SCHEMA_FILE, schema_sdl
from api.graphql.schema import schema
from tests.api.factories import gql


def test_exported_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), "run `waymark export-schema` and commit it"


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument, enum value and input field without a description, as a path."""
    missing: list[str] = []
    for name, graphql_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [f"{name}.{field_name}({arg})" for arg, a in field.args.items() if not a.description]
        if isinstance(graphql_type, GraphQLInputObjectType):
            missing += [f"{name}.{field}" for field, f in graphql_type.fields.items() if not f.description]
        if isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{value}" for value, v in graphql_type.values.items() if not v.description]
    return missing


def test_every_type_field_argument_enum_value_and_input_field_has_a_description():
    assert undescribed(schema._schema) == []


def test_the_description_check_finds_what_is_missing():
    # given: one of each kind, undescribed
    sdl = """
    type Query { deal(id: ID): Deal }
    type Deal { name: String }
    enum Status { OPEN }
    input Filter { status: Status }
    type Mutation { close(filter: Filter): Boolean }
    """

    # when
    missing = undescribed(build_schema(sdl))

    # then
    assert set(missing) == {
        "Query",
        "Query.deal",
        "Query.deal(id)",
        "Deal",
        "Deal.name",
        "Status",
        "Status.OPEN",
        "Filter",
        "Filter.status",
        "Mutation",
        "Mutation.close",
        "Mutation.close(filter)",
    }


def test_contract_names_are_present():
    sdl = schema_sdl()
    for name in (
        "processes:",
        "process(",
        "competitors:",
        "deal(",
        "deals(",
        "me:",
        "node(",
        "createDeal(",
        "updateDeal(",
        "completeMilestone(",
        "reopenMilestone(",
        "moveDeal(",
        "closeDeal(",
        "reloadProcessDefinitions:",
        "union MoveDealResult = MoveDealSuccess | StageGateBlocked",
    ):
        assert name in sdl, name


SCHEMA_TYPE_NAMES = "{ __schema { types { name kind } } }"


async def test_graphql_type_names_say_what_a_thing_is_not_that_it_is_a_type(client, people):
    # when
    body = await gql(client, SCHEMA_TYPE_NAMES, token=people.rep_a.token)

    # then: the GraphQL name, not the Python class name
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"CloseEstimate", "PrioritizedDeal", "QuotaPlan", "Objection"} <= names
    assert sorted(name for name in names if name.endswith("Type") and not name.startswith("__")) == []
