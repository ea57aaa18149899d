"""The exported SDL is current, and every type and field says what it is."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.cli.export_schema import SCHEMA_FILE, schema_sdl
from api.graphql.schema import schema


def test_exported_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), "run `waymark export-schema` and commit it"


def test_every_type_and_field_has_a_description():
    missing: list[str] = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            missing += [f"{name}.{field}" for field, f in graphql_type.fields.items() if not f.description]
        if isinstance(graphql_type, GraphQLEnumType) and name != "UserRole":
            continue
    assert missing == []


def test_contract_names_are_present():
    sdl = schema_sdl()
    for name in ("processes:", "process(", "competitors:", "deal(", "deals(", "me:", "node(", "createDeal(",
                 "updateDeal(", "completeMilestone(", "reopenMilestone(", "moveDeal(", "closeDeal(",
                 "reloadProcessDefinitions:", "union MoveDealResult = MoveDealSuccess | StageGateBlocked"):
        assert name in sdl, name
