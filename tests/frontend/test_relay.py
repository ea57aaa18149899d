"""relay-compiler compiles a paginated, refetchable board fragment (first/after and last/before) and a refetchable
Stage fragment against the committed schema, and relay-runtime runs the generated operations against the server:
the pages follow each other both ways, `node(id:)` refetches each stage, and Relay's store keeps both processes'
Commit stages apart."""

from __future__ import annotations

import base64
from typing import Any

from tests.frontend.conftest import Board
from tests.frontend.node import BIN, FRONTEND, node_packages, run, run_scenario

GENERATED = FRONTEND / "relay" / "__generated__"


async def compile_relay() -> None:
    await node_packages()
    code, out, err = await run(str(BIN / "relay-compiler"))
    assert code == 0, out + err


def stage_id(process_key: str, stage_key: str) -> str:
    return base64.b64encode(f"Stage:{process_key}/{stage_key}".encode()).decode()


def ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


async def test_relay_compiler_compiles_the_paginated_board_and_the_refetchable_stage():
    # when
    await compile_relay()

    # then
    pagination = (GENERATED / "BoardDealsPaginationQuery.graphql.js").read_text(encoding="utf-8")
    refetch = (GENERATED / "StageCardRefetchQuery.graphql.js").read_text(encoding="utf-8")
    for variable in ("$first: Int\\n", "$after: String\\n", "$last: Int\\n", "$before: String\\n"):
        assert variable in pagination
    assert "node(id: $id)" in refetch


async def test_the_generated_operations_page_both_ways_and_refetch_stages(board: Board):
    # given
    await compile_relay()

    commits = [stage_id("new-business", "commit"), stage_id("expansion", "commit")]

    # when: the board's pages, then the stage card of every stage on them and of both processes' Commit
    answered = await run_scenario("relay.mjs", board.scenario(stageIds=commits))

    # then: every operation answered without errors
    responses = answered["responses"]
    assert [r for r in responses if "errors" in r["body"]] == []
    first, second, back = (r["body"]["data"]["deals"] for r in responses[:3])
    assert len(ids(first)) == len(ids(second)) == 3
    assert set(ids(first)).isdisjoint(ids(second))
    assert ids(back) == ids(first)
    assert (back["pageInfo"]["hasPreviousPage"], back["pageInfo"]["hasNextPage"]) == (False, True)

    # then: each stage card refetched through node(id:), and the store keeps every stage apart
    refetched = [r for r in responses[3:] if r["operation"] == "StageCardRefetchQuery"]
    assert refetched
    assert all(r["body"]["data"]["node"]["id"] == r["variables"]["id"] for r in refetched)
    stages = sorted((s["processKey"], s["key"]) for s in answered["stages"])
    assert len(stages) == len(set(stages))
    assert {("new-business", "commit"), ("expansion", "commit"), ("new-business", "sal")} <= set(stages)
