"""The GraphQL schema. To add query or mutation fields, write a `@strawberry.type` class in your domain's
package and append it to QUERIES or MUTATIONS (e.g. `api/graphql/insights/resolvers.py`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from graphql import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from api.graphql.accounts.resolvers import AccountsQuery
from api.graphql.accounts.types import TeamType, UserType
from api.graphql.core.errors import WaymarkSchema
from api.graphql.core.execution import CompiledExecutor
from api.graphql.core.execution_plan import complete_once, complete_once_per_request
from api.graphql.core.response_size import SizeLimitedExecution
from api.graphql.core.scalars import SCALARS
from api.graphql.deals.mutations import DealMutation
from api.graphql.deals.resolvers import DealQuery
from api.graphql.deals.subscriptions import DealSubscription
from api.graphql.deals.types import DealType
from api.graphql.extensions import (
    CommitOrRollback,
    DocumentChecks,
    GraphQLWords,
    MaskUnexpectedErrors,
    ResponseSizeLimit,
)
from api.graphql.insights.resolvers import InsightsQuery
from api.graphql.process.mutations import ProcessMutation
from api.graphql.process.resolvers import ProcessQuery
from api.settings import RequestLimits

QUERIES: list[type[Any]] = [ProcessQuery, DealQuery, AccountsQuery, InsightsQuery]
MUTATIONS: list[type[Any]] = [DealMutation, ProcessMutation]
SUBSCRIPTIONS: list[type[Any]] = [DealSubscription]


def build_schema(
    *,
    queries: list[type[Any]] | None = None,
    mutations: list[type[Any]] | None = None,
    limits: RequestLimits | None = None,
    introspection: bool = True,
    executor: type[SizeLimitedExecution] | None = CompiledExecutor,
) -> WaymarkSchema:
    """The schema with its request limits: documents are parsed and checked within them
    (`api.graphql.core.limits`), validated with the depth, alias and introspection rules, costed before they
    run (`api.graphql.core.cost`), and their answers stop growing past the response size.

    Documents run on `CompiledExecutor`; `executor=None` runs them on graphql-core's own executor instead
    (the differential test compares the two)."""
    limits = limits or RequestLimits()
    query = _root("Query", "Read the process and the deals you may see.", queries or QUERIES)
    mutation = _root("Mutation", "Work deals through the process; every change is recorded.", mutations or MUTATIONS)
    # The limiters are validation rules, built once: a limiter made per request brings a new rule class, which
    # the validation cache keys on, so every request would be validated again. None of the extensions below
    # has a per-field `resolve` hook.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        MaxIntrospectionDepthRule,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    subscription = _root("Subscription", "Deal state pushed as it changes, over `graphql-transport-ws`.", SUBSCRIPTIONS)
    return WaymarkSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=[DealType, UserType, TeamType],
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=executor or SizeLimitedExecution,
        extensions=[
            CommitOrRollback,
            GraphQLWords,
            MaskUnexpectedErrors,
            ResponseSizeLimit,
            lambda: DocumentChecks(limits, rules),
        ],
    )


@cache
def schema_for(limits: RequestLimits, *, introspection: bool) -> WaymarkSchema:
    """One schema per set of limits (the app's settings choose them); built once, shared by every request."""
    return build_schema(limits=limits, introspection=introspection)


def _root(name: str, description: str, parts: list[type[Any]]) -> type[Any]:
    """One root type from several domain classes (their fields merged, as `merge_types` does)."""
    return strawberry.type(type(name, tuple(reversed(parts)), {}), name=name, description=description)


# The process views: immutable, shared, their resolvers read only the request's settings and process version.
complete_once("Process", "Stage", "Milestone", "Play", "Competitor", "Objection", "Content")
# A user's view is made once per request and user (`resolve_user`); its fields read only the user and the
# request's loaders.
complete_once_per_request("User", "Team")

schema = schema_for(RequestLimits(), introspection=True)
"""The schema with the default limits; `waymark export-schema` writes its SDL."""
