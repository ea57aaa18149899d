"""The cost of an operation, computed from its document before anything runs: roughly how many values its
response may hold, which is what graphql-core's execution time and the response's size grow with.

Every field counts 1 plus the cost of its selection; a list field counts that times its size
(`api.graphql.core.list_sizes`: a `first` argument, the loaded process definitions, or a declared size).
Fragments and inline fragments count in full wherever they are spread, even when only one of the types they
are on can match: an upper bound. Introspection (`__schema`, `__type`) counts what it would return from
this schema, walked exactly (`api.graphql.core.introspection_cost`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_interface_type,
    is_object_type,
)

from api.graphql.core.introspection_cost import IntrospectionWalk
from api.graphql.core.limits import TOO_COMPLEX, refusal
from api.graphql.core.list_sizes import PAGE_CAPS, UNDECLARED, ListSizes

TOO_COSTLY = "QUERY_TOO_COSTLY"
MAX_NESTING = 64
"""Deeper than any document the depth limit lets through; guards the walk's recursion."""


class CostWalk:
    """The cost of one operation of a validated document."""

    def __init__(
        self, *, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], sizes: ListSizes
    ) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = variables
        self.sizes = sizes
        self.introspection = IntrospectionWalk(schema=schema, fragments=self.fragments, variables=variables)

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self._selection_cost(operation.selection_set, root, page=None, nesting=0)

    def _selection_cost(self, selection_set: SelectionSetNode, parent: Any, *, page: int | None, nesting: int) -> int:
        if nesting > MAX_NESTING:
            raise refusal("the document is nested too deeply to cost", code=TOO_COMPLEX)
        return sum(
            self._field_cost(field, owner, page=page, nesting=nesting)
            for field, owner in self._fields(selection_set, parent, ())
        )

    def _fields(
        self, selection_set: SelectionSetNode, parent: Any, spreading: tuple[str, ...]
    ) -> Iterator[tuple[FieldNode, Any]]:
        """Each field with the type it is selected on, fragments spread in place."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                owner = parent if condition is None else self.schema.get_type(condition.name.value)
                yield from self._fields(selection.selection_set, owner, spreading)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in spreading:
                    owner = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self._fields(fragment.selection_set, owner, (*spreading, fragment.name.value))

    def _field_cost(self, node: FieldNode, parent: Any, *, page: int | None, nesting: int) -> int:
        name = node.name.value
        if name in ("__schema", "__type"):
            return self.introspection.cost(node)
        definition = _field(parent, name)
        if definition is None:  # __typename, or a field validation already refused
            return 1
        own_page = self._page(node, definition, parent)
        size = 1
        if isinstance(_nullable(definition.type), GraphQLList):
            if own_page is not None:
                size = own_page
            elif page is not None and name in ("edges", "nodes"):
                size = page
            else:
                size = self.sizes.of(parent.name, name)
        if node.selection_set is None:
            return size
        named = get_named_type(definition.type)
        return size * (1 + self._selection_cost(node.selection_set, named, page=own_page, nesting=nesting + 1))

    def _page(self, node: FieldNode, definition: GraphQLField, parent: Any) -> int | None:
        """The page a `first` argument asks for, up to the field's cap; None for a field without one."""
        argument = definition.args.get("first")
        if argument is None:
            return None
        cap = PAGE_CAPS.get(f"{parent.name}.{node.name.value}", UNDECLARED)
        given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        value: Any = argument.default_value
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            value = self.variables.get(given.name.value, value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return cap
        return min(value, cap)


def operation_cost(
    *,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    sizes: ListSizes,
) -> int:
    """The cost of the operation that would run (0 when there is none to run: execution reports that)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    walk = CostWalk(schema=schema, document=document, variables={} if variables is None else variables, sizes=sizes)
    return walk.operation_cost(operation)


class _Reading(dict[str, Any]):
    """Variables that remember which of them a walk read (a walk reads them with `get` only)."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        super().__init__(variables)
        self.read: dict[str, None] = {}

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read[name] = None
        return super().get(name, default)


@dataclass(slots=True)
class _Costs:
    document: DocumentNode
    sizes: ListSizes
    reads: tuple[str, ...]
    """The variables the walk reads: which ones is fixed by the document (a `first` given as a variable, an
    introspection argument), so the cost is fixed by their values."""
    by_values: dict[tuple[Any, ...], int] = field(default_factory=dict)


class CostMemo:
    """Costs already computed, by document (compared by identity: parsed documents are cached and reused),
    operation, list sizes and the values of the variables the walk reads. A front end sends the same few
    documents again and again; walking one again gives the same cost."""

    LIMIT = 512

    def __init__(self) -> None:
        self._known: dict[tuple[int, str | None, int], _Costs] = {}

    def cost(
        self,
        *,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        sizes: ListSizes,
    ) -> int:
        given = variables or {}
        key = (id(document), operation_name, id(sizes))
        known = self._known.get(key)
        if known is not None and (known.document is not document or known.sizes is not sizes):
            known = None  # another document or process under a reused id
        if known is not None:
            with suppress(TypeError):  # an unhashable value: walked again below
                if (found := known.by_values.get(tuple(given.get(name) for name in known.reads))) is not None:
                    return found
        reading = _Reading(given)
        cost = operation_cost(
            schema=schema, document=document, operation_name=operation_name, variables=reading, sizes=sizes
        )
        if known is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            known = self._known[key] = _Costs(document=document, sizes=sizes, reads=tuple(reading.read))
        values = tuple(given.get(name) for name in known.reads)
        with suppress(TypeError):
            if len(known.by_values) < self.LIMIT:
                known.by_values[values] = cost
        return cost


def too_costly(cost: int, *, limit: int) -> Any:
    return refusal(
        f"the query would cost {cost:,} (about how many values its answer may hold); the limit is {limit:,}. "
        "Ask for fewer fields, smaller pages (`first`) or fewer nested lists, or split the request",
        code=TOO_COSTLY,
        cost=cost,
        limit=limit,
    )


def _field(parent: Any, name: str) -> GraphQLField | None:
    if is_object_type(parent) or is_interface_type(parent):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _nullable(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
