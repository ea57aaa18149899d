"""The plan the compiled executor (`api.graphql.core.execution`) runs a selection set from: per field, how to
read it (a plain attribute, a resolver called directly, or graphql-core's `execute_field`) and what its type
needs to be completed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from math import isfinite
from operator import attrgetter
from typing import Any

from graphql import (
    BREAK,
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DirectiveNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    is_leaf_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.info import Info

from api.graphql.core.views import ViewCache

Getter = Callable[[Any], Any]
PLAIN_TYPES = frozenset({str, int, float, bool, Decimal, date, datetime})
"""Types of values that are never null, an error or awaitable."""
PASSES_AS_IS = {
    id(GraphQLString): str,
    id(GraphQLID): str,
    id(GraphQLBoolean): bool,
    id(GraphQLInt): int,
    id(GraphQLFloat): float,
}
"""Scalars whose coercion returns a value of exactly this type unchanged (graphql-core's `serialize_string`,
`serialize_id`, `serialize_boolean`; `serialize_int` for an int within 32 bits and `serialize_float` for a
finite float, which `passes_as_is` checks)."""


def passes_as_is(value: Any) -> bool:
    """Whether a value of its step's `as_is` type is returned unchanged by its scalar's coercion: every string
    and boolean; an int within GraphQL's 32 bits; a finite float."""
    kind = type(value)
    if kind is int:
        number: int = value
        return GRAPHQL_MIN_INT <= number <= GRAPHQL_MAX_INT
    return kind is not float or isfinite(value)


ResolveInfo = GraphQLResolveInfo[Any]


class Step:
    """One field of a compiled selection: how to read it and how to complete its value."""

    __slots__ = (
        "as_is",
        "definition",
        "enum_names",
        "getter",
        "items",
        "key",
        "leaf",
        "leaf_read",
        "method",
        "name",
        "nodes",
        "non_null",
        "object_type",
        "resolver",
        "sub_plan",
    )

    def __init__(self, key: str, definition: GraphQLField, nodes: FieldDetailsList, schema: Any) -> None:
        self.key, self.definition, self.nodes = key, definition, nodes
        self.name = nodes[0].node.name.value
        self.getter = basic_getter(definition)
        self.resolver = None if self.getter is not None else direct_resolver(definition, schema)
        self.method = None if self.resolver is None else plain_method(definition)
        """A resolver method that takes nothing but `self`: called with the object alone."""
        inner = definition.type
        self.non_null = isinstance(inner, GraphQLNonNull)
        if self.non_null:
            inner = inner.of_type  # type: ignore[union-attr]
        direct = self.getter is not None or self.resolver is not None
        self.leaf = inner if direct and is_leaf_type(inner) else None
        self.as_is: type | None = PASSES_AS_IS.get(id(self.leaf)) if self.leaf is not None else None
        self.enum_names = None if self.leaf is None else enum_names(self.leaf)
        self.leaf_read: Getter | None = None if self.leaf is None else self.method or self.getter
        """How to read a leaf without a path nor `info`: its plain attribute, or its method that takes only `self`."""
        plain_object = direct and is_object_type(inner) and checked_without_info(inner)  # type: ignore[arg-type]
        self.object_type: GraphQLObjectType | None = inner if plain_object else None  # type: ignore[assignment]
        self.items: GraphQLOutputType | None = inner.of_type if direct and isinstance(inner, GraphQLList) else None
        """The item type of a list field read directly, completed without going through `complete_value`."""
        self.sub_plan: Plan | None = None
        """The object type's plan for this field's selection, once a value has needed it."""


@lru_cache(maxsize=256)
def enum_names(leaf: GraphQLLeafType) -> dict[int, tuple[Enum, str]] | None:
    """For an enum that Strawberry coerces from its Python class (`wrapped_cls`): what graphql-core's
    `complete_leaf_value` returns for each member, by the member's id (each entry holds its member). Strawberry's
    coercion compares the member's value with every value of the type, through `Enum.value`, a slow property.
    A member that does not coerce is left out (it goes the general way). None for any other leaf type."""
    members = getattr(leaf, "wrapped_cls", None)
    if not isinstance(members, type) or not issubclass(members, Enum):
        return None
    names: dict[int, tuple[Enum, str]] = {}
    for member in members:
        try:
            name = leaf.coerce_output_value(member)
        except Exception:  # noqa: BLE001  # left to graphql-core's path, which reports it on its field
            continue
        if isinstance(name, str):
            names[id(member)] = (member, name)
    return names


def checked_without_info(object_type: GraphQLObjectType) -> bool:
    """Whether a value is checked to be of `object_type` without a `GraphQLResolveInfo`: the type has no
    `is_type_of`, or the one Strawberry gives a type with interfaces (an `isinstance` test that ignores `info`;
    every `Node` has it). A type's own `is_type_of` may read `info`, and is left to graphql-core."""
    check = object_type.is_type_of
    return check is None or (
        getattr(check, "__module__", None) == STRAWBERRY_IS_TYPE_OF[0]
        and getattr(check, "__qualname__", "").endswith(STRAWBERRY_IS_TYPE_OF[1])
    )


STRAWBERRY_IS_TYPE_OF = ("strawberry.schema.schema_converter", "._get_is_type_of.<locals>.is_type_of")


def is_of_type(object_type: GraphQLObjectType, value: Any) -> bool:
    """graphql-core's `is_type_of` test, for a type `checked_without_info`. Strawberry's is an `isinstance` test
    against the type's class (and its interfaces), unless the value was cast (`strawberry.cast`): an instance of
    the class itself, not cast, passes it."""
    check = object_type.is_type_of
    if check is None:
        return True
    if type(value) is _own_class(object_type) and getattr(value, TYPE_CAST_ATTRIBUTE, None) is None:
        return True
    return check(value, None) is True  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def _own_class(object_type: GraphQLObjectType) -> type | None:
    definition = object_type.extensions.get("strawberry-definition")
    return getattr(definition, "origin", None)


Completed = tuple[Any, Any, int]
"""A shared value's completion: the value (held, so its id is not reused), what it completed to, and the bytes
it counts towards the answer's size."""


class Plan:
    __slots__ = ("across_requests", "kept", "kept_scope", "shared", "steps", "type")

    def __init__(self, parent_type: GraphQLObjectType, steps: list[Step]) -> None:
        self.type, self.steps = parent_type, steps
        self.across_requests = parent_type.name in SHARED_VIEWS
        self.shared = self.across_requests or parent_type.name in REQUEST_VIEWS
        """Its objects are completed once for a selection: in a request, and (`across_requests`) in every request
        of the same views scope."""
        self.kept: dict[int, Completed] = {}
        """Completions of shared values with this plan's selection, by the value's id, all made in `kept_scope`:
        reused by the requests of that views scope (`kept_for`)."""
        self.kept_scope: tuple[object, ...] = ()

    def kept_for(self, source: Any, scope: tuple[object, ...]) -> Completed | None:
        """The completion of `source` kept for `scope`, a tuple from `views_scope` (compared by identity)."""
        found = self.kept.get(id(source))
        if found is None or found[0] is not source or self.kept_scope is not scope:
            return None
        return found

    def keep(self, scope: tuple[object, ...], completed: Completed) -> None:
        """Keep a completion made in `scope` (from `views_scope`); those of another scope (an earlier process
        version, most likely) are dropped, so that they do not hold it in memory."""
        if self.kept_scope is not scope or len(self.kept) >= KEPT_PER_PLAN:
            self.kept.clear()
            self.kept_scope = scope
        self.kept[id(completed[0])] = completed


_SCOPES: ViewCache[tuple[object, ...]] = ViewCache(limit=16)


def views_scope(scope: tuple[object, ...]) -> tuple[object, ...]:
    """The one tuple kept for the views scope of these objects (the first that named it), so that plans compare
    scopes by identity; past 16 scopes all are forgotten (the plans then keep the completions of the scope of
    their next request)."""
    return _SCOPES.get(scope, lambda: scope)


KEPT_PER_PLAN = 4096
SHARED_VIEWS: set[str] = set()
"""Object types whose completed value depends only on the object, the selection and the views scope (their
resolvers may read the request's settings and process version, `WaymarkContext.views_scope`, never the viewer,
the path or the parent): an object of one of them shown again with the same selection is completed once, for
every request of the same scope (`complete_once`)."""


REQUEST_VIEWS: set[str] = set()
"""Object types whose completed value depends only on the object and the selection within one request (their
resolvers may read the request's loaders, never the path or the parent): an object shown again in the same
request with the same selection is completed once (`complete_once_per_request`)."""


def complete_once(*type_names: str) -> None:
    SHARED_VIEWS.update(type_names)


def complete_once_per_request(*type_names: str) -> None:
    REQUEST_VIEWS.update(type_names)


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
    info_class = deferred_info_class(schema.config.info_class)
    takes_self = resolver.self_parameter is not None
    function = resolver.wrapped_func if callable(resolver.wrapped_func) else resolver  # as its __call__ does
    for_source = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = None if resolver.info_parameter is None else resolver.info_parameter.name

    def call(source: Any, running: RunningField) -> Any:
        kwargs = dict.fromkeys(for_source, source)
        if info_name is not None:  # its GraphQLResolveInfo is built only for a resolver that takes `info`
            kwargs[info_name] = info_class(running, field)
        return function(source, **kwargs) if takes_self else function(**kwargs)

    return call


def plain_method(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """The function of a field `direct_resolver` calls, when it is a method that takes nothing but `self` (no
    `info`, parent nor root): the object is all it needs."""
    field = field_def.extensions.get("strawberry-definition")
    resolver = getattr(field, "base_resolver", None)
    if resolver is None or resolver.self_parameter is None or not callable(resolver.wrapped_func):
        return None
    if any(p is not None for p in (resolver.parent_parameter, resolver.root_parameter, resolver.info_parameter)):
        return None
    return resolver.wrapped_func  # type: ignore[no-any-return]


@cache
def deferred_info_class(info_class: type[Info]) -> Callable[[RunningField, Any], Info]:
    """`info_class` built from a running field: its `GraphQLResolveInfo` only when a resolver reads more than
    `info.context` (most read only that). A class that defines `context` its own way is built as Strawberry
    builds it."""
    if info_class.context is not Info.context:
        return lambda running, field: info_class(_raw_info=running.info, _field=field)

    class DeferredInfo(info_class):  # type: ignore[valid-type,misc]
        def __init__(self, running: RunningField, field: Any) -> None:
            self._running, self._field = running, field

        @property
        def _raw_info(self) -> ResolveInfo:  # type: ignore[override]
            return self._running.info

        @property
        def context(self) -> Any:
            return self._running.executor.context_value

    DeferredInfo.__name__ = DeferredInfo.__qualname__ = info_class.__name__
    return DeferredInfo


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


PlanTable = dict[tuple[int, ...], tuple[FieldDetailsList, "Plan | None"]]
"""Plans by (object type, the selection's field nodes), each with the field list it was compiled from."""


class DocumentPlans:
    """Plan tables kept with the operations they were compiled from, so that the requests of a document seen
    before (parsing and validation are cached too: `api.graphql.core.limits`) run without compiling.

    A table is shared only where a selection cannot change from one request to the next: an operation whose
    `@skip`/`@include` read a variable gets a table of its own per request. An entry holds its schema and
    operation, so the ids in its keys are never reused while it is kept."""

    def __init__(self, *, limit: int = 256) -> None:
        self._tables: OrderedDict[tuple[int, int], tuple[Any, OperationDefinitionNode, PlanTable]] = OrderedDict()
        self._limit = limit

    def table(self, schema: Any, operation: OperationDefinitionNode, fragments: dict[str, Any]) -> PlanTable:
        key = (id(schema), id(operation))
        found = self._tables.get(key)
        if found is not None and found[0] is schema and found[1] is operation:
            self._tables.move_to_end(key)
            return found[2]
        table: PlanTable = {}
        if not _reads_variables_in_directives(operation, fragments):
            self._tables[key] = (schema, operation, table)
            if len(self._tables) > self._limit:
                self._tables.popitem(last=False)
        return table


def _reads_variables_in_directives(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> bool:
    class Finder(Visitor):
        found = False

        def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
            if any(isinstance(argument.value, VariableNode) for argument in node.arguments or ()):
                self.found = True
                return BREAK
            return None

    finder = Finder()
    for node in (operation, *(details.definition for details in fragments.values())):
        visit(node, finder)
        if finder.found:
            return True
    return False


def plan_key(return_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> tuple[int, ...]:
    return (id(return_type), *(id(details.node) for details in field_details_list))


def compile_plan(executor: Any, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Plan:
    steps = []
    for key, nodes in grouped.items():
        definition = executor.schema.get_field(parent_type, nodes[0].node.name.value)
        if definition is not None:  # graphql-core leaves out a field the type does not have
            steps.append(Step(key, definition, nodes, executor.schema._strawberry_schema))  # type: ignore[attr-defined]
    return Plan(parent_type, steps)
