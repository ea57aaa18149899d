"""An executor that runs each selection set from a compiled plan, kept with the document, and returns exactly
what graphql-core returns (`tests/api/test_execution_differential.py` runs every document of the tests and
generated ones through both and compares data and errors; `tests/api/test_execution_edge_cases.py` the error
paths).

graphql-core pays the same for every selected field: a path, a `GraphQLResolveInfo` and its list of nodes, the
resolver wrapper, then `complete_value` testing the type kind by kind. A board of 100 deals selects ~7,000
fields, most of them plain (a value the view already holds: Strawberry's "basic" fields, which it reads with
`getattr`) and scalar. Given to Strawberry as `execution_context_class`, this executor:

* compiles each (object type, selection) of the document into a list of steps: for a basic field its
  Strawberry resolver (which ignores `info`) and what its type needs (a scalar or enum to coerce, an object to
  complete, anything else to complete as graphql-core does); every other field is a step that runs
  graphql-core's own `execute_field` (resolvers keep their arguments, `Info`, extensions and error handling).
  The plans are kept with the parsed document (`DocumentPlans`), so a document seen before runs without
  compiling, unless its `@skip`/`@include` read variables;
* runs the steps: a scalar is read and coerced with graphql-core's `complete_leaf_value`; a path and a
  `GraphQLResolveInfo` are built only when something needs them (a sub-selection, an error, an awaitable, an
  abstract type, a type's own `is_type_of`, a resolver that reads more of `info` than its context); an object
  whose type has Strawberry's `is_type_of` (every `Node`: an `isinstance` test) is checked without one;
* completes an object of a shared view (`complete_once`: the process views), or a tuple of them, once for a
  given selection, and reuses the value where the same object is shown again: in the request, and in later
  requests of the same views scope (the settings and the process version they serve: `WaymarkContext.views_scope`),
  the process's static fragments; an object of a view shared within a request (`complete_once_per_request`: the
  users a deal page names again and again) is completed once in that request.

The plan itself is `api/graphql/core/execution_plan.py`; values completed later, `api/graphql/core/awaited.py`.
Every leaf counts towards the answer's size as on graphql-core's path (`SizeLimitedExecution`), and a shared
view shown again counts again.

Errors are located and nulled by graphql-core's `handle_field_error` at the points graphql-core would raise
them, with its messages. Documents with field middleware, `@defer` or `@stream` run on graphql-core's path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from functools import lru_cache
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, is_iterable

from api.graphql.core.awaited import awaitable_by_class, gathered_fields, gathered_items
from api.graphql.core.execution_plan import (
    PLAIN_TYPES,
    Completed,
    DocumentPlans,
    Plan,
    ResolveInfo,
    RunningField,
    Step,
    checked_without_info,
    compile_plan,
    is_of_type,
    passes_as_is,
    plan_key,
    views_scope,
)
from api.graphql.core.response_size import KEY_BYTES, SizeLimitedExecution

DOCUMENT_PLANS = DocumentPlans()
COMPLETED_TYPES = frozenset({type(None), str, int, float, bool, dict, list})
"""Types of completed values, never awaitable."""
NOT_PLAIN = object()
"""`_plain_leaf`'s answer for a value it does not complete."""
LISTS = frozenset({list, tuple})
"""Types of values a list field is completed from here (graphql-core takes any iterable)."""


class CompiledExecutor(SizeLimitedExecution):
    """Strawberry's executor, running selection sets from compiled plans (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = awaitable_by_class(self.is_awaitable)  # type: ignore[assignment]
        manager = self.middleware_manager
        self._fast = not (manager is not None and manager.middlewares) and self.schema.get_directive("stream") is None
        self._plans = DOCUMENT_PLANS.table(self.schema, self.operation, self.fragments)
        self._seen: dict[tuple[int, int], tuple[FieldDetailsList, Plan | None]] = {}
        self._shared_done: dict[tuple[int, int], Completed] = {}
        scope = getattr(self.context_value, "views_scope", None)
        self._views_scope: tuple[object, ...] | None = None if scope is None else views_scope(scope)
        """What the shared views' completions depend on besides their object; None: they are reused within the
        request only."""
        self._field_errors = 0
        """Every field error handled, those graphql-core leaves out of the answer (under a nulled parent) too."""

    def handle_field_error(self, *args: Any, **kwargs: Any) -> None:
        self._field_errors += 1
        super().handle_field_error(*args, **kwargs)

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list) if self._fast and position_context is None else None
        if plan is None:
            return super().collect_and_execute_subfields(
                return_type, field_details_list, path, result, position_context
            )
        if plan.shared:
            return self._run_once(plan, result, path)
        return self._run(plan, result, path)

    def _run_once(self, plan: Plan, source: Any, path: Path) -> Any:
        """A shared view's completed value, reused for the same object and selection; only a value completed
        at once and without an error is reused (an error belongs to one path)."""
        found = self._done(plan, source)
        if found is not None:
            return found[1]
        errors = self._field_errors
        size_before = self.response_bytes
        completed = self._run(plan, source, path)
        self._keep(plan, source, completed, errors, size_before)
        return completed

    def _done(self, plan: Plan, source: Any) -> Completed | None:
        """The completion of a shared value (or tuple of them) with this plan, if this request or an earlier one
        of the same views scope made it, counted again towards the answer's size; None if there is none."""
        key = (id(source), id(plan))
        found = self._shared_done.get(key)
        if found is None or found[0] is not source:
            scope = self._views_scope
            found = None if scope is None or not plan.across_requests else plan.kept_for(source, scope)
            if found is None:
                return None
            self._shared_done[key] = found
        self.response_bytes += found[2]  # shown again: it counts again towards the answer's size
        self.grown()
        return found

    def _keep(self, plan: Plan, source: Any, completed: Any, errors: int, size_before: int) -> None:
        """Remember a shared value's completion for `_run_once` or `_items_once`, unless it is still pending or
        a field of it failed on the way (an error graphql-core left out of the answer too: a value nulled under a
        nulled parent is no value to show again): for the request, and for the requests of its views scope."""
        if type(completed) in COMPLETED_TYPES and self._field_errors == errors:
            # holds the source, so its id is not reused
            done = self._shared_done[(id(source), id(plan))] = (source, completed, self.response_bytes - size_before)
            if self._views_scope is not None and plan.across_requests:
                plan.keep(self._views_scope, done)

    def _plan(self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> Plan | None:
        """The plan for this selection: found by the list's identity within the request (every item of a list
        comes with the same one), else by its field nodes in the document's table, else compiled."""
        seen = self._seen.get((id(return_type), id(field_details_list)))
        if seen is not None and seen[0] is field_details_list:
            return seen[1]
        key = plan_key(return_type, field_details_list)
        found = self._plans.get(key)
        if found is None:
            grouped, defer_usages, _ = self.collect_subfields(return_type, field_details_list)
            plan = None if defer_usages else compile_plan(self, return_type, grouped)
            found = self._plans[key] = (field_details_list, plan)  # holds the nodes, so their ids are not reused
        # holds the list, so its id is not reused within the request
        self._seen[(id(return_type), id(field_details_list))] = (field_details_list, found[1])
        return found[1]

    def _run(self, plan: Plan, source: Any, path: Path) -> Any:
        """graphql-core's `execute_fields` over the compiled steps."""
        results: dict[str, Any] = {}
        pending: list[str] = []
        parent_type = plan.type
        try:
            for step in plan.steps:
                if step.leaf_read is not None:
                    value = self._leaf(step, parent_type, source, path)
                elif step.method is not None:
                    value = self._method(step, parent_type, source, path)
                elif step.resolver is not None:
                    value = self._resolved(step, parent_type, source, Path(path, step.key, parent_type.name))
                elif step.getter is None:
                    value = self.execute_field(
                        parent_type, source, step.nodes, Path(path, step.key, parent_type.name), None
                    )
                    if value is Undefined:
                        continue
                else:
                    value = self._basic(step, parent_type, source, Path(path, step.key, parent_type.name))
                results[step.key] = value
                if type(value) not in COMPLETED_TYPES and self.is_awaitable(value):
                    pending.append(step.key)
        except Exception:
            if pending:
                self.settle_in_background([results[key] for key in pending])
            raise
        return results if not pending else gathered_fields(results, pending)

    def _resolved(self, step: Step, parent_type: GraphQLObjectType, source: Any, path: Path) -> Any:
        """graphql-core's `execute_field` for a resolver without arguments, called directly."""
        field = RunningField(self, step.definition, step.nodes, parent_type, path)
        try:
            result = step.resolver(source, field)  # type: ignore[misc]
            if result is None and not step.non_null:
                return None
            if step.leaf is not None and (leaf := self._plain_leaf(step, result)) is not NOT_PLAIN:
                return leaf
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, path)
            return None
        return self._resolver_value(step, parent_type, result, path, field)

    def _method(self, step: Step, parent_type: GraphQLObjectType, source: Any, parent_path: Path) -> Any:
        """`_resolved` for a method that takes only `self`, whose value is not a leaf (`_leaf` reads those)."""
        path = Path(parent_path, step.key, parent_type.name)
        try:
            result = step.method(source)  # type: ignore[misc]
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, path)
            return None
        if result is None and not step.non_null:
            return None
        field = RunningField(self, step.definition, step.nodes, parent_type, path)
        return self._resolver_value(step, parent_type, result, path, field)

    def _resolver_value(
        self, step: Step, parent_type: GraphQLObjectType, result: Any, path: Path, field: RunningField
    ) -> Any:
        """A resolver's value that is not a plain leaf: a list, an object, or anything else as `_completed`."""
        if step.items is not None and type(result) in LISTS:
            return self._list(step, field, path, result)
        if step.object_type is not None and self._an_object_now(result) and is_of_type(step.object_type, result):
            return self._sub_selection(step, result, path)
        return self._completed(step, parent_type, result, path, field)

    def _list(self, step: Step, field: RunningField, path: Path, items: list[Any] | tuple[Any, ...]) -> Any:
        """`_completed` for a list or tuple a resolver returned: its items, without the type tests on the way."""
        try:
            completed = self._complete_items(step.items, field, path, items, None)  # type: ignore[arg-type]
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, path)
            return None
        if type(completed) is list:
            return completed
        return self._guarded(completed, step.definition.type, step.nodes, path)

    def _leaf(self, step: Step, parent_type: GraphQLObjectType, source: Any, path: Path) -> Any:
        """A scalar or enum read without a path nor `info` (`Step.leaf_read`), and coerced; anything unusual
        goes the general way."""
        try:
            value = step.leaf_read(source)  # type: ignore[misc]
            if value is None and not step.non_null:
                return None
            if (leaf := self._plain_leaf(step, value)) is not NOT_PLAIN:
                return leaf
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, Path(path, step.key, parent_type.name))
            return None
        return self._completed(step, parent_type, value, Path(path, step.key, parent_type.name))

    def _plain_leaf(self, step: Step, value: Any) -> Any:
        """A scalar or enum value of a leaf step, completed at once: as it is (`Step.as_is`), an enum member by
        its name (`Step.enum_names`), or coerced when it is usual; `NOT_PLAIN` for anything else (null, an error,
        an awaitable), which goes the general way."""
        kind = type(value)
        if kind is step.as_is and (kind is str or passes_as_is(value)):
            self._count_as_is(value)
            return value
        if step.enum_names is not None:
            found = step.enum_names.get(id(value))
            if found is not None and found[0] is value:
                self._count_as_is(found[1])
                return found[1]
        if self._usual(value):
            return self.complete_leaf_value(step.leaf, value)  # type: ignore[arg-type]
        return NOT_PLAIN

    def _count_as_is(self, value: Any) -> None:
        """`count` of a leaf that passes as it is (`Step.as_is`), written out: most leaves are such."""
        if self.max_response_bytes is None:
            return
        if type(value) is str:
            if not value.isascii():
                self.count(value)
                return
            self.response_bytes += len(value)
        self.response_bytes += KEY_BYTES
        if self.response_bytes > self.max_response_bytes:
            self.grown()

    def _usual(self, value: Any) -> bool:
        """Neither null, an error, nor an awaitable: a value graphql-core completes at once."""
        if type(value) in PLAIN_TYPES:
            return True
        return (
            value is not None
            and value is not Undefined
            and not isinstance(value, Exception)
            and not self.is_awaitable(value)
        )

    def _an_object_now(self, value: Any) -> bool:
        """Neither null, an error, a completed value nor an awaitable: an object to complete at once."""
        return type(value) not in COMPLETED_TYPES and _an_object(value) and not self.is_awaitable(value)

    def _basic(self, step: Step, parent_type: GraphQLObjectType, source: Any, path: Path) -> Any:
        try:
            value = step.getter(source)  # type: ignore[misc]
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, path)
            return None
        if value is None and not step.non_null:
            return None
        usual = value is not None and not isinstance(value, Exception) and not self.is_awaitable(value)
        if step.object_type is not None and usual and is_of_type(step.object_type, value):
            return self._sub_selection(step, value, path)
        return self._completed(step, parent_type, value, path)

    def _sub_selection(self, step: Step, value: Any, path: Path) -> Any:
        """The object's fields, from its plan: kept on the step, which belongs to the document's plans."""
        plan = step.sub_plan
        if plan is None and self._fast:
            plan = step.sub_plan = self._plan(step.object_type, step.nodes)  # type: ignore[arg-type]
        try:
            if plan is None:
                completed = self.collect_and_execute_subfields(step.object_type, step.nodes, path, value, None)  # type: ignore[arg-type]
            else:
                completed = self._run_once(plan, value, path) if plan.shared else self._run(plan, value, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.definition.type, step.nodes, path)
            return None
        if self.is_awaitable(completed):
            return self._guarded(completed, step.definition.type, step.nodes, path)
        return completed

    def _completed(
        self, step: Step, parent_type: GraphQLObjectType, value: Any, path: Path, field: RunningField | None = None
    ) -> Any:
        """What graphql-core's `execute_field` does with a resolver's value, from `value` on."""
        if field is None:
            field = RunningField(self, step.definition, step.nodes, parent_type, path)
        return_type = step.definition.type
        try:
            if self.is_awaitable(value):
                return self.complete_awaitable_value(return_type, step.nodes, field.info, path, value, None)
            completed = self._complete(return_type, field, path, value, None)
            if self.is_awaitable(completed):
                return self._guarded(completed, return_type, step.nodes, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, step.nodes, path)
            return None
        return completed

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: ResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not self._fast:
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)
        field = RunningField(self, _definition(info), field_details_list, info.parent_type, info.path, info)
        return self._complete(return_type, field, path, result, position_context)

    def _complete(
        self, return_type: GraphQLOutputType, field: RunningField, path: Path, result: Any, context: Any
    ) -> Any:
        """graphql-core's `complete_value`, step for step, with lists, leaves and plain objects done here."""
        if isinstance(result, Exception):
            raise result
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(return_type.of_type, field, path, result, context)
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {field.parent_type}.{field.name}.")
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(return_type, GraphQLList):
            return self._complete_list(return_type, field, path, result, context)
        if is_leaf_type(return_type):
            return self.complete_leaf_value(return_type, result)  # type: ignore[arg-type]
        if is_object_type(return_type) and _completed_here(return_type, result):  # type: ignore[arg-type]
            return self.collect_and_execute_subfields(return_type, field.nodes, path, result, context)  # type: ignore[arg-type]
        return super().complete_value(return_type, field.nodes, field.info, path, result, context)

    def _complete_list(
        self, return_type: GraphQLList[GraphQLOutputType], field: RunningField, path: Path, result: Any, context: Any
    ) -> Any:
        if self.is_async_iterable(result):
            return super().complete_list_value(return_type, field.nodes, field.info, path, result, context)
        if not is_iterable(result):
            raise GraphQLError(f"Expected Iterable, but did not find one for field '{field.parent_type}.{field.name}'.")
        return self._complete_items(return_type.of_type, field, path, result, context)

    def _complete_items(
        self, item_type: GraphQLOutputType, field: RunningField, path: Path, items: Iterable[Any], context: Any
    ) -> Any:
        """graphql-core's `complete_iterable_value` without @stream: an error nulls its item (or, for a non-null
        item, goes to the list's field)."""
        plan = self._items_plan(item_type, field, context)
        if plan is not None and plan.shared and type(items) is tuple:
            return self._items_once(plan, item_type, field, path, items)
        return self._each_item(plan, item_type, field, path, items, context)

    def _items_once(
        self, plan: Plan, item_type: GraphQLOutputType, field: RunningField, path: Path, items: tuple[Any, ...]
    ) -> Any:
        """A tuple of shared views, completed once for a selection, like each of its items (`_run_once`): a
        resolver that returns the same tuple for many objects (the deals in one state) has it completed once, for
        the request and the later requests of its views scope."""
        found = self._done(plan, items)
        if found is not None:
            return found[1]
        errors = self._field_errors
        size_before = self.response_bytes
        completed = self._each_item(plan, item_type, field, path, items, None)
        self._keep(plan, items, completed, errors, size_before)
        return completed

    def _each_item(
        self,
        plan: Plan | None,
        item_type: GraphQLOutputType,
        field: RunningField,
        path: Path,
        items: Iterable[Any],
        context: Any,
    ) -> Any:
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                if self.is_awaitable(item):
                    pending.append(index)
                    completed.append(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field.nodes, field.info, item_path, context
                        )
                    )
                    continue
                if plan is not None and _an_object(item) and is_of_type(plan.type, item):
                    value = self._planned_item(plan, item_type, field, item_path, item)
                else:
                    value = self._complete_item(item_type, field, item_path, item, context)
                if type(value) not in COMPLETED_TYPES and self.is_awaitable(value):
                    pending.append(index)
                completed.append(value)
        except Exception:
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            raise
        return completed if not pending else gathered_items(completed, pending)

    def _items_plan(self, item_type: GraphQLOutputType, field: RunningField, context: Any) -> Plan | None:
        """The plan every item of a list of objects is completed from, when its type is completed here."""
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not self._fast or context is not None or not is_object_type(inner) or not _checked_here(inner):  # type: ignore[arg-type]
            return None
        return self._plan(inner, field.nodes)  # type: ignore[arg-type]

    def _planned_item(
        self, plan: Plan, item_type: GraphQLOutputType, field: RunningField, path: Path, item: Any
    ) -> Any:
        """`_complete_item` for an object of the plan's type: its fields, with the item's errors handled."""
        try:
            value = self._run_once(plan, item, path) if plan.shared else self._run(plan, item, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.nodes, path)
            return None
        if type(value) is not dict and self.is_awaitable(value):
            return self._guarded(value, item_type, field.nodes, path)
        return value

    def _complete_item(
        self, item_type: GraphQLOutputType, field: RunningField, path: Path, item: Any, context: Any
    ) -> Any:
        try:
            value = self._complete(item_type, field, path, item, context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.nodes, path)
            return None
        if self.is_awaitable(value):
            return self._guarded(value, item_type, field.nodes, path)
        return value

    async def _guarded(
        self, pending: Awaitable[Any], return_type: GraphQLOutputType, nodes: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await pending
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, nodes, path)
            return None


def _an_object(value: Any) -> bool:
    """Not null, not an error: what `_complete` would go on to complete as an object."""
    return value is not None and value is not Undefined and not isinstance(value, Exception)


@lru_cache(maxsize=1024)
def _checked_here(object_type: GraphQLObjectType) -> bool:
    return checked_without_info(object_type)


def _completed_here(object_type: GraphQLObjectType, value: Any) -> bool:
    """Whether an object is completed here: its type's check needs no `info`, and passes (a value that fails
    it goes to graphql-core, which says so in its words)."""
    return _checked_here(object_type) and is_of_type(object_type, value)


def _definition(info: ResolveInfo) -> GraphQLField:
    found = info.schema.get_field(info.parent_type, info.field_name)
    assert found is not None
    return found
