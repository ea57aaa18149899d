"""Limits on a GraphQL document, checked before it is validated: its size, its parser tokens, and how many
fields it selects once its fragments are spread where they are used.

Validation compares every two fields that answer at the same response path (to prove they can be merged), so
its time grows with the square of how often one field is repeated: `{ me{id} me{id} ... }` a thousand times
took two seconds of the event loop. Capping the repetitions of each path, and the fields in all, keeps
validation in milliseconds whatever the document; the walk that counts them is linear and runs once per
distinct document (the parse and the check are cached together). The validation of each parsed document is
cached too (`validated`), found by the document object that the parse cache hands out again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql.validation import ASTValidationRule
from strawberry.schema.schema import validate_document

from api.graphql.core.views import ViewCache
from api.settings import RequestLimits

TOO_LARGE = "DOCUMENT_TOO_LARGE"
TOO_COMPLEX = "DOCUMENT_TOO_COMPLEX"


def refusal(message: str, *, code: str, **details: Any) -> GraphQLError:
    """A request error that names the limit it broke; nothing of the request ran."""
    return GraphQLError(message, extensions={"code": code, **details})


def validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """The document's validation errors under `rules`, found once per schema, document and rules (Strawberry's
    own rules are added as its `validate_document` adds them).

    Strawberry's `ValidationCache` is an `lru_cache` over the document, which hashes the whole syntax tree
    (frozen dataclasses, hashed node by node) on every request to find the entry. `parse_within_limits` parses
    each distinct text once and hands out the same document after, so the document object itself is the key
    here."""
    return _VALIDATED.get((schema, document, *rules), lambda: validate_document(schema, document, rules))


_VALIDATED: ViewCache[list[GraphQLError]] = ViewCache(limit=256)
"""Validation errors by the identity of the schema, the document and the rules (each entry holds them)."""


def parse_within_limits(query: str, limits: RequestLimits) -> DocumentNode:
    """The document, or a `GraphQLError` naming the limit it broke (or the syntax error)."""
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > limits.max_document_bytes:
        raise refusal(
            f"the document is {size:,} bytes; at most {limits.max_document_bytes:,} are accepted",
            code=TOO_LARGE,
            limit=limits.max_document_bytes,
        )
    return _parsed_and_checked(query, limits)


@lru_cache(maxsize=256)
def _parsed_and_checked(query: str, limits: RequestLimits) -> DocumentNode:
    """Cached only when the document passes: a refused one is refused again, as cheaply, each time."""
    try:
        document = parse(query, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens)
    except GraphQLError as error:
        if "tokens" in error.message or "comments" in error.message:
            raise refusal(
                f"the document has more than {limits.max_tokens:,} tokens (names, punctuation, values, "
                "comments); send a smaller document",
                code=TOO_LARGE,
                limit=limits.max_tokens,
            ) from None
        raise
    check_shape(document, limits)
    return document


def check_shape(document: DocumentNode, limits: RequestLimits) -> None:
    """Refuse a document that repeats one response path more than `max_repeated_field` times, or selects more
    than `max_expanded_fields` fields with its fragments spread (each fragment also counts on its own)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(fragments=fragments, limits=limits)
    for index, definition in enumerate(document.definitions):
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk.count(definition.selection_set, root=f"#{index}")


def _too_many_fields(limits: RequestLimits) -> GraphQLError:
    return refusal(
        f"the document selects more than {limits.max_expanded_fields:,} fields once its fragments are spread; "
        "ask for fewer fields or split the request",
        code=TOO_COMPLEX,
        limit=limits.max_expanded_fields,
    )


class _Walk:
    """Every field's response path, fragments spread in place; iterative, so no nesting overflows it.

    A fragment already being spread on the way down is not spread again (validation reports the cycle);
    nothing deeper than the depth limit is walked (validation refuses it)."""

    def __init__(self, *, fragments: dict[str, FragmentDefinitionNode], limits: RequestLimits) -> None:
        self.fragments = fragments
        self.limits = limits
        self.paths: Counter[tuple[str, ...]] = Counter()
        self.fields = 0
        self.selections = 0

    def count(self, selection_set: SelectionSetNode, *, root: str) -> None:
        for path in self._paths(selection_set, root=root):
            self.fields += 1
            if self.fields > self.limits.max_expanded_fields:
                raise _too_many_fields(self.limits)
            self.paths[path] += 1
            if self.paths[path] > self.limits.max_repeated_field:
                raise refusal(
                    f"`{'.'.join(path[1:])}` is selected more than {self.limits.max_repeated_field} times at one "
                    "place (directly or through fragments); select each field once",
                    code=TOO_COMPLEX,
                    limit=self.limits.max_repeated_field,
                )

    def _paths(self, selection_set: SelectionSetNode, *, root: str) -> Iterator[tuple[str, ...]]:
        stack: list[tuple[SelectionSetNode, tuple[str, ...], frozenset[str]]] = [(selection_set, (root,), frozenset())]
        while stack:
            selections, path, spreading = stack.pop()
            for selection in selections.selections:
                self.selections += 1
                if self.selections > 2 * self.limits.max_expanded_fields:  # spreads of empty fragments, say
                    raise _too_many_fields(self.limits)
                if isinstance(selection, FieldNode):
                    field_path = (*path, (selection.alias or selection.name).value)
                    yield field_path
                    if selection.selection_set is not None and len(field_path) <= self.limits.max_depth + 1:
                        stack.append((selection.selection_set, field_path, spreading))
                elif isinstance(selection, InlineFragmentNode):
                    stack.append((selection.selection_set, path, spreading))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in self.fragments and name not in spreading:
                        stack.append((self.fragments[name].selection_set, path, spreading | {name}))
