"""A real server for the front-end clients: the app with the shipped process definitions (both processes) on a
free port, a board of deals from both, and the deals the scenarios work on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.db import Database
from api.process import load_definitions
from tests.api.conftest import _empty_tables, database, people, started_app  # noqa: F401
from tests.api.factories import People, create_deal, deal_gid
from tests.api.http_server import serving

SHIPPED_DIR = Path(__file__).parents[2] / "process_definitions"
SHIPPED = load_definitions(SHIPPED_DIR)


@dataclass(frozen=True)
class Board:
    base_url: str
    token: str
    complete: dict[str, str]
    """A new-business deal in SAL and the mandatory SAL milestone to complete on it."""
    move: dict[str, str]
    """A new-business deal with every milestone the gate into Commit needs, and that move."""
    blocked: dict[str, str]
    """An expansion deal in its business case without the budget owner's approval, and the refused move."""

    def scenario(self, **more: Any) -> dict[str, Any]:
        return {
            "baseUrl": self.base_url,
            "token": self.token,
            "complete": self.complete,
            "move": self.move,
            "blocked": self.blocked,
            **more,
        }


async def seed_board(db: Database, team: People) -> dict[str, dict[str, str]]:
    """Twenty-one deals of the two shipped processes, owned by the East team's reps; the first three are the
    scenarios' (closing first, so they are on the board's first page)."""
    complete = await _deal(db, team, "new-business", "sal", "Northwind rollout", day=1, done_in_stage=False)
    move = await _deal(db, team, "new-business", "sal", "Contoso renewal", day=2, done_in_stage=True)
    blocked = await _deal(db, team, "expansion", "business-case", "Fabrikam seats", day=3)
    stages = {"new-business": ["mql", "sql", "sal", "commit"], "expansion": ["qualified-expansion", "commit"]}
    for index in range(18):
        process_key = "new-business" if index % 2 else "expansion"
        stage = stages[process_key][index % len(stages[process_key])]
        await _deal(db, team, process_key, stage, f"Deal {index:02}", day=4 + index)
    return {
        "complete": {"dealId": deal_gid(complete), "milestoneKey": "finance-sign-off"},
        "move": {"dealId": deal_gid(move), "toStage": "commit"},
        "blocked": {"dealId": deal_gid(blocked), "toStage": "commit"},
    }


async def _deal(
    db: Database,
    team: People,
    process_key: str,
    stage: str,
    name: str,
    *,
    day: int,
    done_in_stage: bool | None = None,
) -> Any:
    process = SHIPPED.process(process_key)
    assert process is not None
    position = process.position(stage)
    done = [m.key for s in process.stages[:position] for m in s.mandatory_milestones]
    if done_in_stage is True:
        done += [m.key for m in process.stages[position].mandatory_milestones]
    elif done_in_stage is False:
        done += [process.stages[position].mandatory_milestones[0].key]
    return await create_deal(
        db,
        owner=team.rep_a if day % 2 else team.rep_b,
        stage=stage,
        completed=tuple(done),
        name=name,
        account_name=name.split()[0],
        close_date=date(2026, 10, 1 + day),
        competitors=("tabstone",) if day % 3 else ("veridane", "tabstone"),
        definitions=SHIPPED,
        process_key=process_key,
    )


@pytest.fixture
async def board(database: Database, people: People) -> AsyncIterator[Board]:  # noqa: F811
    seeded = await seed_board(database, people)
    async for app in started_app(database=database, process_dir=SHIPPED_DIR):
        async with serving(app) as base_url:
            yield Board(base_url=base_url, token=people.manager.token, **seeded)
