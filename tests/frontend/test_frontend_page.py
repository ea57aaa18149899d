"""api/FRONTEND.md gives the configuration the front-end tests run: the recipe's functions word for word, the
codegen scalars map and Relay's custom scalars as the tests' configuration files have them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.frontend.node import FRONTEND

PAGE = (Path(__file__).parents[2] / "api" / "FRONTEND.md").read_text(encoding="utf-8")


def test_the_page_gives_the_recipe_the_tests_run_word_for_word():
    recipe = (FRONTEND / "lib" / "recipe.mjs").read_text(encoding="utf-8")
    functions = [block for block in recipe.split("\n\n") if block.strip()]

    assert len(functions) == 4
    for block in functions:
        assert block.strip() in PAGE, block.splitlines()[0]


def test_the_page_gives_the_codegen_and_relay_scalars_the_tests_use():
    codegen = (FRONTEND / "codegen.yml").read_text(encoding="utf-8")
    block = codegen[codegen.index("    config:") : codegen.index("  # The control")]
    relay = json.loads((FRONTEND / "relay.config.json").read_text(encoding="utf-8"))["customScalarTypes"]

    assert block.strip() in PAGE
    assert f'"customScalarTypes": {json.dumps(relay)}' in PAGE


def test_the_api_readme_links_the_page():
    readme = (Path(__file__).parents[2] / "api" / "README.md").read_text(encoding="utf-8")

    assert "(FRONTEND.md)" in readme
