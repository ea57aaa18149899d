"""GraphQL Code Generator (`typescript` + `typescript-operations`) with the `scalars` map api/FRONTEND.md gives:
the board's and the mutations' types compile under `tsc --strict`, and a deal's amount and close date are the
strings their scalars say (without the map they are not: the control)."""

from __future__ import annotations

import re

import pytest

from tests.frontend.node import BIN, FRONTEND, node_packages, run

TSC_OPTIONS = ["--strict", "--noEmit", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler"]


@pytest.fixture(scope="session")
async def generated() -> None:
    """codegen.yml's two outputs: with the documented scalars map, and without it (the control)."""
    await node_packages()
    code, out, err = await run(str(BIN / "graphql-codegen"), "--config", "codegen.yml")
    assert code == 0, out + err


async def test_generated_types_for_the_board_and_mutations_compile_under_strict_with_the_documented_scalars(
    generated: None,
):
    # when
    code, out, err = await run(str(BIN / "tsc"), "-p", "tsconfig.json", "--strict")

    # then
    assert code == 0, out + err
    generated = (FRONTEND / "generated" / "graphql.ts").read_text(encoding="utf-8")
    assert "Decimal: { input: string; output: string; }" in generated
    assert re.search(r"export type BoardQuery = .*amount: string, currency: string, closeDate: string", generated)


async def test_without_the_scalars_map_amounts_and_days_are_not_strings(generated: None):
    # when
    code, out, _ = await run(str(BIN / "tsc"), *TSC_OPTIONS, "typecheck/unmapped.ts")

    # then: both expectations fail, one line each
    assert code != 0
    failing = sorted(re.findall(r"typecheck/unmapped\.ts\((\d+),\d+\): error TS2344", out))
    assert failing == ["7", "8"], out
