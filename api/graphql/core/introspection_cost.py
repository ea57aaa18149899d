"""What an introspection field (`__schema`, `__type`) would return from this schema, counted without building it.

The schema is known, so the walk follows the real types, fields and arguments: the standard introspection
query costs what its answer holds (a few thousand values), where multiplying the largest list sizes would
claim hundreds of thousands. Each (object, selection set) pair is counted once and remembered, and the walk
stops past `MAX_STEPS`, so a document built to make it slow is refused instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    is_abstract_type,
    is_interface_type,
    is_object_type,
)

from api.graphql.core.limits import TOO_COMPLEX, refusal

MAX_STEPS = 200_000

Kind = str
"""Which introspection type an object is shown as: schema, type, field, input value, enum value, directive."""


class IntrospectionWalk:
    def __init__(
        self, *, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.steps = 0
        self.known: dict[tuple[int, int], int] = {}

    def cost(self, node: FieldNode) -> int:
        """`__schema { ... }` or `__type(name: ...) { ... }`: 1 plus what it returns."""
        if node.selection_set is None:
            return 1
        if node.name.value == "__schema":
            return 1 + self._object_cost("schema", self.schema, node.selection_set)
        found = self.schema.get_type(self._type_name(node) or "")
        return 1 if found is None else 1 + self._object_cost("type", found, node.selection_set)

    def _type_name(self, node: FieldNode) -> str | None:
        argument = next((a.value for a in node.arguments or () if a.name.value == "name"), None)
        if isinstance(argument, StringValueNode):
            return argument.value
        if isinstance(argument, VariableNode):
            value = self.variables.get(argument.name.value)
            return value if isinstance(value, str) else None
        return None

    def _object_cost(self, kind: Kind, shown: Any, selection_set: SelectionSetNode) -> int:
        key = (id(shown), id(selection_set))
        if key in self.known:
            return self.known[key]
        total = 0
        for field in _fields(selection_set, self.fragments, ()):
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise refusal("the introspection query is too complex to answer; ask for less", code=TOO_COMPLEX)
            total += self._field_cost(kind, shown, field)
        self.known[key] = total
        return total

    def _field_cost(self, kind: Kind, shown: Any, field: FieldNode) -> int:
        child = _child(self.schema, kind, shown, field.name.value)
        if child is None:
            return 1
        child_kind, value = child
        if value is None or field.selection_set is None:
            return 1 if not isinstance(value, list) else len(value)
        if isinstance(value, list):
            return sum(1 + self._object_cost(child_kind, item, field.selection_set) for item in value)
        return 1 + self._object_cost(child_kind, value, field.selection_set)


def _fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], spreading: tuple[str, ...]
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and fragment.name.value not in spreading:
                yield from _fields(fragment.selection_set, fragments, (*spreading, fragment.name.value))


def _child(schema: GraphQLSchema, kind: Kind, shown: Any, name: str) -> tuple[Kind, Any] | None:
    """What the introspection field `name` of `shown` returns, as (kind, object or list); None for a scalar."""
    if kind == "schema":
        return _schema_child(schema, name)
    if kind == "type":
        return _type_child(schema, shown, name)
    if kind in ("field", "directive") and name == "args":
        return "input value", list(shown.args.values())
    if kind in ("field", "input value") and name == "type":
        return "type", shown.type
    if kind == "directive" and name == "locations":
        return "location", list(shown.locations)
    return None


def _schema_child(schema: GraphQLSchema, name: str) -> tuple[Kind, Any] | None:
    found: dict[str, tuple[Kind, Any]] = {
        "types": ("type", list(schema.type_map.values())),
        "queryType": ("type", schema.query_type),
        "mutationType": ("type", schema.mutation_type),
        "subscriptionType": ("type", schema.subscription_type),
        "directives": ("directive", list(schema.directives)),
    }
    return found.get(name)


def _type_child(schema: GraphQLSchema, shown: Any, name: str) -> tuple[Kind, Any] | None:
    has_fields = is_object_type(shown) or is_interface_type(shown)
    if name == "fields":
        return "field", list(shown.fields.values()) if has_fields else None
    if name == "interfaces":
        return "type", list(shown.interfaces) if has_fields else None
    if name == "possibleTypes":
        return "type", list(schema.get_possible_types(shown)) if is_abstract_type(shown) else None
    if name == "enumValues":
        return "enum value", list(shown.values.values()) if isinstance(shown, GraphQLEnumType) else None
    if name == "inputFields":
        return "input value", list(shown.fields.values()) if isinstance(shown, GraphQLInputObjectType) else None
    if name == "ofType":
        return "type", shown.of_type if isinstance(shown, GraphQLList | GraphQLNonNull) else None
    return None
