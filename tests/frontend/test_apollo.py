"""Apollo Client's InMemoryCache through the board (deals of both processes), deal pages, `completeMilestone`,
`moveDeal` into the next stage and a `moveDeal` the gate refuses: every page read back from the cache alone equals
what the server says, and the development build prints no warning with the configuration api/FRONTEND.md gives."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.frontend.conftest import Board
from tests.frontend.diff import first_difference
from tests.frontend.node import run_scenario

DATA_LOSS = re.compile(r"Cache data may be lost when replacing the (\w+) field of a (\w+) object")
SHRINKING_LISTS = {"Deal.nextSteps", "Deal.blockers", "Deal.remainingMilestones", "Deal.plays"}
"""The deal's lists that get shorter when a milestone is done, in what the scenario selects."""


def data_loss_warnings(answered: dict[str, Any]) -> set[str]:
    found = (DATA_LOSS.search(p["text"]) for p in answered["printed"])
    return {f"{m.group(2)}.{m.group(1)}" for m in found if m}


def assert_cache_reads_back_the_server(answered: dict[str, Any]) -> None:
    assert len(answered["pages"]) == 4
    for name, page in answered["pages"].items():
        assert page["cached"] is not None, name
        assert page["cached"] == page["fresh"], (name, first_difference(page["cached"], page["fresh"]))


def assert_the_mutations_did_what_the_scenario_says(answered: dict[str, Any]) -> None:
    results = answered["results"]
    assert results["completed"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    moved = results["moved"]["moveDeal"]
    assert (moved["__typename"], moved["deal"]["stage"]["key"]) == ("MoveDealSuccess", "commit")
    blocked = results["blocked"]["moveDeal"]
    assert blocked["__typename"] == "StageGateBlocked"
    assert blocked["message"].startswith("cannot enter Commit: missing ")
    assert blocked["missingMilestones"]


async def test_with_the_documented_recipe_the_cache_reads_back_the_server_and_apollo_prints_nothing(board: Board):
    # when
    answered = await run_scenario("apollo.mjs", board.scenario(cache="recipe"))

    # then
    assert_the_mutations_did_what_the_scenario_says(answered)
    assert_cache_reads_back_the_server(answered)
    assert answered["printed"] == []


async def test_with_possible_types_alone_nothing_is_lost_and_only_shortened_lists_are_warned_about(board: Board):
    # when: no typePolicies at all
    answered = await run_scenario("apollo.mjs", board.scenario(cache="possibleTypes"))

    # then: objects are kept apart by their IDs (no warning about `stage`, no missing field); Apollo still warns,
    # by design, whenever a list field of an object with an ID gets shorter, whatever the schema
    assert_the_mutations_did_what_the_scenario_says(answered)
    assert_cache_reads_back_the_server(answered)
    assert data_loss_warnings(answered) == SHRINKING_LISTS
    assert [p for p in answered["printed"] if not DATA_LOSS.search(p["text"])] == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # a control: the harness, not the database
async def test_without_possible_types_apollo_loses_a_union_members_message_and_says_so(board: Board):
    # when: the harness is deaf to nothing: the configuration the issue started from
    answered = await run_scenario("apollo.mjs", board.scenario(cache="bare"))

    # then
    blocked = answered["results"]["blocked"]["moveDeal"]
    assert blocked["__typename"] == "StageGateBlocked"
    assert "message" not in blocked
    assert any("missing `possibleTypes`" in p["text"] for p in answered["printed"])


@pytest.mark.parametrize("get", [False, True], ids=["post", "get"])
async def test_apollos_persisted_queries_link_sends_the_document_once_then_its_hash_alone(board: Board, get: bool):
    # when: two clients in turn ask for the same deal page through the link
    answered = await run_scenario("apollo_persisted.mjs", board.scenario(get=get))

    # then: the first hash is unknown (a request error: 400, as Apollo asks for application/graphql-response+json),
    # so the document follows with it; from then on the hash alone is answered
    hashed = "GET" if get else "POST"
    assert answered["sent"] == [
        {"method": hashed, "withDocument": False, "status": 400},
        {"method": "POST", "withDocument": True, "status": 200},
        {"method": hashed, "withDocument": False, "status": 200},
    ]
    assert answered["first"] == answered["second"]
    assert answered["first"]["deal"]["id"] == board.complete["dealId"]
    assert answered["printed"] == []
