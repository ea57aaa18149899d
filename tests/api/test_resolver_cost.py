"""What a request pays per field: values a view knows are plain fields (no Strawberry resolver wrapper),
process views are built once, and a repeated document is validated once (the limits still apply)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import DocumentNode
from strawberry.types.base import get_object_definition

from api.graphql.accounts.types import UserType
from api.graphql.deals.types import DealEventType, DealMilestone, DealType
from api.graphql.process.types import CompetitorType, MilestoneType, PlayType, ProcessType, StageType
from api.graphql.schema import build_schema
from api.process import load_definitions
from api.settings import RequestLimits
from tests.api.conftest import FIXTURE_DEFINITIONS

PLAIN_FIELDS: dict[type[Any], tuple[str, ...]] = {
    ProcessType: ("key", "name", "description", "version", "stages", "entry_stage", "milestone_limit"),
    StageType: ("key", "name", "objective", "position", "probability", "outcome", "milestones"),
    MilestoneType: (
        "key",
        "title",
        "mandatory",
        "weight",
        "typical_days",
        "why",
        "ask",
        "questions",
        "activities",
        "content",
        "plays",
        "formerly",
    ),
    PlayType: ("play", "talk_track"),
    CompetitorType: ("key", "name", "is_status_quo", "summary", "objections", "proof_points"),
    DealType: ("id", "name", "account_name", "amount", "currency", "close_date"),
    DealMilestone: ("milestone", "completed", "completed_at", "note"),
    DealEventType: (
        "kind",
        "occurred_at",
        "from_stage_key",
        "to_stage_key",
        "from_stage",
        "to_stage",
        "milestone_key",
        "milestone",
        "reason",
    ),
    UserType: ("name", "role"),
}


@pytest.mark.parametrize("view", PLAIN_FIELDS, ids=lambda view: view.__name__)
def test_fields_a_view_already_holds_have_no_resolver(view):
    definition = get_object_definition(view, strict=True)

    with_resolver = [name for name in PLAIN_FIELDS[view] if definition.get_field(name).base_resolver is not None]

    assert with_resolver == []


def test_process_views_are_built_once_per_model_and_anew_after_a_reload():
    # given
    first, reloaded = load_definitions(FIXTURE_DEFINITIONS), load_definitions(FIXTURE_DEFINITIONS)
    process, again = first.processes[0], reloaded.processes[0]
    stage = process.stages[0]
    milestone = stage.milestones[0]

    # when
    view = MilestoneType.of(process, milestone)

    # then
    assert MilestoneType.of(process, milestone) is view
    assert StageType.of(process, stage).milestones[0] is view
    assert MilestoneType.of(again, again.stages[0].milestones[0]) is not view
    assert (view.key, view.title, view.stage().key) == (milestone.key, milestone.title, stage.key)


async def test_a_repeated_document_is_validated_once_and_the_limits_still_apply(monkeypatch):
    # given: a schema with tight limits, and a document no other test has sent
    schema = build_schema(limits=RequestLimits(max_depth=3, max_aliases=2))
    validations: list[object] = []
    validate = strawberry_schema.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        validations.append(args[1])
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    ok = f"{{ t{uuid.uuid4().hex}: __typename }}"
    too_many_aliases = f"{{ a{uuid.uuid4().hex}: __typename b: __typename c: __typename }}"

    # when
    answers = [await schema.execute(ok) for _ in range(3)]
    refusals = [await schema.execute(too_many_aliases) for _ in range(2)]

    # then
    assert [a.errors for a in answers] == [None, None, None]
    assert len(validations) == 2
    assert all(r.errors and "aliases" in r.errors[0].message for r in refusals)


async def test_a_repeated_document_is_found_without_hashing_its_syntax_tree(monkeypatch):
    # given: a document validated once
    schema = build_schema(limits=RequestLimits())
    document = f"{{ t{uuid.uuid4().hex}: __typename }}"
    assert (await schema.execute(document)).errors is None

    # when: hashing a document fails (a frozen syntax tree hashes every node)
    def refuse(_: object) -> int:
        raise AssertionError("the document was hashed")

    monkeypatch.setattr(DocumentNode, "__hash__", refuse)
    again = await schema.execute(document)

    # then
    assert again.errors is None
    assert again.data is not None
