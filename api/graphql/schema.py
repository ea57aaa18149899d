"""The GraphQL schema. To add query or mutation fields, write a `@strawberry.type` class in your domain's
package and append it to QUERIES or MUTATIONS (e.g. `api/graphql/insights/resolvers.py`)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from api.graphql.accounts.resolvers import AccountsQuery
from api.graphql.accounts.types import TeamType, UserType
from api.graphql.core.errors import WaymarkSchema, is_unexpected
from api.graphql.core.execution import CompiledExecutor
from api.graphql.core.execution_plan import complete_once_per_request
from api.graphql.deals.mutations import DealMutation
from api.graphql.deals.resolvers import DealQuery
from api.graphql.deals.types import DealType
from api.graphql.extensions import CommitOrRollback, OperationNameRequired
from api.graphql.insights.resolvers import InsightsQuery
from api.graphql.process.mutations import ProcessMutation
from api.graphql.process.resolvers import ProcessQuery

QUERIES: list[type[Any]] = [ProcessQuery, DealQuery, AccountsQuery, InsightsQuery]
MUTATIONS: list[type[Any]] = [DealMutation, ProcessMutation]

MAX_DEPTH = 12
MAX_ALIASES = 30


def build_schema(
    *,
    queries: list[type[Any]] | None = None,
    mutations: list[type[Any]] | None = None,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    executor: type[Any] | None = CompiledExecutor,
) -> WaymarkSchema:
    """The schema; `executor=None` runs documents through Strawberry's own graphql-core executor instead of
    `CompiledExecutor` (the differential test compares the two)."""
    query = _root("Query", "Read the process and the deals you may see.", queries or QUERIES)
    mutation = _root("Mutation", "Work deals through the process; every change is recorded.", mutations or MUTATIONS)
    # The limiters are validation rules, built once: a limiter made per request brings a new rule class, which
    # the validation cache keys on, so every request would be validated again. None of the extensions below
    # has a per-field `resolve` hook.
    limits = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return WaymarkSchema(
        query=query,
        mutation=mutation,
        types=[DealType, UserType, TeamType],
        execution_context_class=executor,
        extensions=[
            CommitOrRollback,
            lambda: MaskErrors(should_mask_error=is_unexpected, error_message="Unexpected error."),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            OperationNameRequired,
            lambda: AddValidationRules(limits),
        ],
    )


def _root(name: str, description: str, parts: list[type[Any]]) -> type[Any]:
    """One root type from several domain classes (their fields merged, as `merge_types` does)."""
    return strawberry.type(type(name, tuple(reversed(parts)), {}), name=name, description=description)


# The process views: immutable, shared, their resolvers read only the request's settings and process version.
complete_once_per_request("Process", "Stage", "Milestone", "Play", "Competitor", "Objection", "Content")

schema = build_schema()
