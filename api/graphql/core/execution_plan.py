"""The plan the compiled executor (`api.graphql.core.execution`) runs a selection set from: per field, how to
read it (a plain attribute, a resolver called directly, or graphql-core's `execute_field`) and what its type
needs to be completed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path

Getter = Callable[[Any], Any]
PLAIN_TYPES = frozenset({str, int, float, bool, Decimal, date, datetime})
"""Types of values that are never null, an error or awaitable."""
PASSES_AS_IS = {id(GraphQLString): str, id(GraphQLBoolean): bool}
"""Scalars whose coercion returns a value of exactly this type unchanged (graphql-core's `serialize_string`,
`serialize_boolean`)."""
ResolveInfo = GraphQLResolveInfo[Any]


class Step:
    """One field of a compiled selection: how to read it and how to complete its value."""

    __slots__ = (
        "as_is",
        "definition",
        "getter",
        "key",
        "leaf",
        "name",
        "nodes",
        "non_null",
        "object_type",
        "resolver",
    )

    def __init__(self, key: str, definition: GraphQLField, nodes: FieldDetailsList, schema: Any) -> None:
        self.key, self.definition, self.nodes = key, definition, nodes
        self.name = nodes[0].node.name.value
        self.getter = basic_getter(definition)
        self.resolver = None if self.getter is not None else direct_resolver(definition, schema)
        inner = definition.type
        self.non_null = isinstance(inner, GraphQLNonNull)
        if self.non_null:
            inner = inner.of_type  # type: ignore[union-attr]
        direct = self.getter is not None or self.resolver is not None
        self.leaf = inner if direct and is_leaf_type(inner) else None
        self.as_is: type | None = PASSES_AS_IS.get(id(self.leaf)) if self.leaf is not None else None
        plain_object = self.getter is not None and is_object_type(inner) and not inner.is_type_of  # type: ignore[union-attr]
        self.object_type: GraphQLObjectType | None = inner if plain_object else None  # type: ignore[assignment]


class Plan:
    __slots__ = ("shared", "steps", "type")

    def __init__(self, parent_type: GraphQLObjectType, steps: list[Step]) -> None:
        self.type, self.steps = parent_type, steps
        self.shared = parent_type.name in SHARED_VIEWS


SHARED_VIEWS: set[str] = set()
"""Object types whose completed value depends only on the object and the selection, within one request (their
resolvers may read the request's context, never the path or the parent): an object of one of them shown several
times with the same selection in a request is completed once (`complete_once_per_request`)."""


def complete_once_per_request(*type_names: str) -> None:
    SHARED_VIEWS.update(type_names)


def basic_getter(field_def: GraphQLField) -> Getter | None:
    """How to read a field Strawberry reads with `getattr` (no resolver, extension nor argument): its own basic
    resolver (marked `_is_default`, which ignores `info`), or, when that resolver is `getattr` itself, an
    `attrgetter` of the same attribute. None for every other field."""
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field_def.args:
        return None
    field = field_def.extensions.get("strawberry-definition")
    if getattr(field, "default_resolver", None) is getattr and getattr(field, "base_resolver", True) is None:
        return attrgetter(field.python_name)  # type: ignore[union-attr]

    def getter(source: Any) -> Any:
        return resolve(source, None)

    return getter


def direct_resolver(field_def: GraphQLField, schema: Any) -> Callable[[Any, RunningField], Any] | None:
    """A call of a Strawberry resolver method that takes no GraphQL argument, as Strawberry's wrapper makes it
    (`self`, `root`/`parent` and `info` filled in), without the argument conversion and extension chain it does
    not need. None when the field has arguments or extensions (permissions among them), or when the schema has
    exception handlers: Strawberry's wrapper then has work to do."""
    field = field_def.extensions.get("strawberry-definition")
    resolver = getattr(field, "base_resolver", None)
    if resolver is None or field_def.args or field.arguments or field.extensions or schema.exception_handlers:  # type: ignore[union-attr]
        return None
    info_class = schema.config.info_class
    takes_self = resolver.self_parameter is not None
    function = resolver.wrapped_func if callable(resolver.wrapped_func) else resolver  # as its __call__ does
    for_source = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = None if resolver.info_parameter is None else resolver.info_parameter.name

    def call(source: Any, running: RunningField) -> Any:
        kwargs = dict.fromkeys(for_source, source)
        if info_name is not None:  # its GraphQLResolveInfo is built only for a resolver that takes `info`
            kwargs[info_name] = info_class(_raw_info=running.info, _field=field)
        return function(source, **kwargs) if takes_self else function(**kwargs)

    return call


class RunningField:
    """A field being completed, with its `GraphQLResolveInfo` built only when asked for."""

    __slots__ = ("_info", "definition", "executor", "nodes", "parent_type", "path")

    def __init__(
        self,
        executor: Any,
        definition: GraphQLField,
        nodes: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
        info: ResolveInfo | None = None,
    ) -> None:
        self.executor, self.definition, self.nodes = executor, definition, nodes
        self.parent_type, self.path, self._info = parent_type, path, info

    @property
    def info(self) -> ResolveInfo:
        if self._info is None:
            self._info = self.executor.build_resolve_info(
                self.definition, to_nodes(self.nodes), self.parent_type, self.path
            )
        return self._info

    @property
    def name(self) -> str:
        return self.nodes[0].node.name.value


def compile_plan(executor: Any, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Plan:
    steps = []
    for key, nodes in grouped.items():
        definition = executor.schema.get_field(parent_type, nodes[0].node.name.value)
        if definition is not None:  # graphql-core leaves out a field the type does not have
            steps.append(Step(key, definition, nodes, executor.schema._strawberry_schema))  # type: ignore[attr-defined]
    return Plan(parent_type, steps)
