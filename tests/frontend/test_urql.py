"""urql with Graphcache, given only the schema, through the same board, deal pages and mutations as the Apollo
test: every page read back from the cache alone equals what the server says, and Graphcache prints nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.frontend.conftest import Board
from tests.frontend.diff import first_difference
from tests.frontend.node import run_scenario
from tests.frontend.test_apollo import assert_the_mutations_did_what_the_scenario_says

NO_KEY = re.compile(r"no key could be generated.*create a `keys` config for `(\w+)` that always returns null", re.S)


def assert_cache_reads_back_the_server(answered: dict[str, Any]) -> None:
    assert len(answered["pages"]) == 4
    for name, page in answered["pages"].items():
        assert page["cached"] is not None, name
        assert page["stale"] is False, name
        assert page["cached"] == page["fresh"], (name, first_difference(page["cached"], page["fresh"]))


async def test_given_only_the_schema_graphcache_reads_back_the_server_and_prints_nothing(board: Board):
    # when
    answered = await run_scenario("urql.mjs", board.scenario(cache="schema"))

    # then
    assert_the_mutations_did_what_the_scenario_says(answered)
    assert_cache_reads_back_the_server(answered)
    assert answered["printed"] == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # a control: the harness, not the database
async def test_value_types_need_the_recipes_keys_and_with_them_graphcache_prints_nothing(board: Board):
    # when: a query that also reads value types without an id (objections, a close estimate)
    schema_only = await run_scenario("urql.mjs", board.scenario(cache="schema", values=True))
    recipe = await run_scenario("urql.mjs", board.scenario(cache="recipe", values=True))

    # then: Graphcache asks for keys for exactly those, and the recipe gives them
    warned = {m.group(1) for p in schema_only["printed"] if (m := NO_KEY.search(p["text"]))}
    assert warned == {"CloseEstimate", "Objection"}, schema_only["printed"]
    assert len(schema_only["printed"]) >= 2
    assert_cache_reads_back_the_server(recipe)
    assert recipe["printed"] == []
