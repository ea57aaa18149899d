"""Documents for the differential test of the executor: every GraphQL document written in the tests, and documents
generated from the schema (fragments, aliases, variables, directives, arguments, lists, nulls, errors)."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    get_named_type,
    is_leaf_type,
    parse,
)

TESTS = Path(__file__).resolve().parents[1]
VARIABLES = {"first": "Int!", "yes": "Boolean!", "no": "Boolean!", "id": "ID!"}


def documents_in_the_tests() -> list[str]:
    """Every string literal in the tests that parses as a GraphQL document with an operation."""
    found: dict[str, None] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value
            if is_text and _is_operation(node.value):
                found[node.value] = None
    return list(found)


def _is_operation(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    return any(isinstance(d, OperationDefinitionNode) for d in document.definitions)


def variables_for(document: str, *, deal_id: str, user_id: str, process_key: str) -> dict[str, Any]:
    """Plausible values for a document's variables, by name and type, so most documents run rather than fail
    on a missing variable (those that do fail, fail the same way through both executors)."""
    values: dict[str, Any] = {}
    for definition in parse(document).definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            type_name = _type_name(variable.type)
            values[name] = _value(name, type_name, deal_id=deal_id, user_id=user_id, process_key=process_key)
    return {k: v for k, v in values.items() if v is not None}


def _type_name(node: Any) -> str:
    while not hasattr(node, "name"):
        node = node.type
    return str(node.name.value)


def _value(name: str, type_name: str, *, deal_id: str, user_id: str, process_key: str) -> Any:
    lowered = name.lower()
    by_type: dict[str, Any] = {
        "Int": 5,
        "Boolean": True,
        "Float": 1.5,
        "Date": "2026-12-31",
        "Decimal": "1000.00",
        "DealFilterInput": {"statuses": ["OPEN"]},
        "DealOrderInput": {"field": "AMOUNT", "direction": "DESC"},
    }
    if type_name == "ID":
        return user_id if "owner" in lowered or "user" in lowered else deal_id
    if type_name == "String":
        return process_key if "process" in lowered else "a note"
    return by_type.get(type_name)


@dataclass
class Generator:
    """Random documents over a schema, reproducible from the seed."""

    schema: GraphQLSchema
    seed: int
    roots: dict[str, str]
    """Root field -> the arguments to call it with (e.g. `deals` -> `(first: $first)`)."""
    max_depth: int = 5
    random: random.Random = field(init=False)
    fragments: list[str] = field(init=False, default_factory=list)
    aliases: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def documents(self, count: int) -> Iterator[str]:
        for index in range(count):
            self.fragments, self.aliases = [], 0
            root = self.random.choice(sorted(self.roots))
            root_type = self.schema.query_type
            assert root_type is not None
            selection = self._selection(get_named_type(root_type.fields[root].type), depth=1)
            body = f"{self._alias()}{root}{self.roots[root]} {selection}"
            if self.random.random() < 0.3:
                body += " __typename"
            text = body + " ".join(self.fragments)
            used = [f"${name}: {kind}" for name, kind in VARIABLES.items() if f"${name}" in text]
            header = f"({', '.join(used)})" if used else ""
            yield f"query Generated{index}{header} {{ {body} }}\n" + "\n".join(self.fragments)

    def _alias(self) -> str:
        if self.aliases < 20 and self.random.random() < 0.2:
            self.aliases += 1
            return f"a{self.aliases}: "
        return ""

    def _selection(self, named: Any, *, depth: int) -> str:
        if is_leaf_type(named):
            return ""
        if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
            return self._abstract(named, depth=depth)
        assert isinstance(named, GraphQLObjectType)
        fields = self._fields(named, depth=depth)
        if self.random.random() < 0.15:  # a named fragment
            name = f"F{len(self.fragments)}{named.name}"
            self.fragments.append(f"fragment {name} on {named.name} {{ {fields} }}")
            return f"{{ ...{name} }}"
        if self.random.random() < 0.15:
            return f"{{ ... on {named.name} {{ {fields} }} }}"
        return f"{{ {fields} }}"

    def _abstract(self, named: Any, *, depth: int) -> str:
        possible = list(self.schema.get_possible_types(named))
        chosen = self.random.sample(possible, k=min(len(possible), 3))
        parts = ["__typename"] + [f"... on {t.name} {{ {self._fields(t, depth=depth)} }}" for t in chosen]
        return "{ " + " ".join(parts) + " }"

    def _fields(self, named: GraphQLObjectType, *, depth: int) -> str:
        usable = [
            (name, f)
            for name, f in named.fields.items()
            if all(not isinstance(a.type, GraphQLNonNull) or a.default_value is not None for a in f.args.values())
        ]
        leaves = [n for n, f in usable if is_leaf_type(get_named_type(f.type))]
        nested = [n for n, f in usable if not is_leaf_type(get_named_type(f.type))] if depth < self.max_depth else []
        picked = self.random.sample(leaves, k=min(len(leaves), self.random.randint(1, 4)))
        picked += self.random.sample(nested, k=min(len(nested), self.random.randint(0, 2)))
        if not picked:
            picked = ["__typename"]
        parts = []
        for name in picked:
            directive = self.random.choice(
                ["", "", "", " @include(if: $yes)", " @skip(if: $yes)", " @include(if: $no)"]
            )
            if name == "__typename":
                parts.append(f"{self._alias()}__typename{directive}")
                continue
            arguments = self._arguments(named.fields[name])
            sub = self._selection(get_named_type(named.fields[name].type), depth=depth + 1)
            parts.append(f"{self._alias()}{name}{arguments}{directive} {sub}".strip())
        return " ".join(parts)

    def _arguments(self, definition: Any) -> str:
        if "first" in definition.args and self.random.random() < 0.6:
            return self.random.choice(["(first: $first)", "(first: 0)", "(first: -1)", "(first: 2)"])
        return ""
