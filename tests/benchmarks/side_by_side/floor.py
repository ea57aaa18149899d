"""The floor: the fewest hand-written SQL statements (asyncpg) and hand-built JSON, with the same rules
(`api.services`) over the same loaded process model, for the board, the deal page and `me`.

Each function answers what the API answers to the document of the same name in `documents.py`; the benchmark
compares the two values before it times either.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

import asyncpg

from api.graphql.core.ids import to_global_id
from api.process import Milestone, Outcome, Process, ProcessDefinitions
from api.services.accounts.tokens import hash_token
from api.services.deals import queries
from api.services.deals.progress import DealProgress

VIEWER = (
    "SELECT u.id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
)

BOARD_PAGE = """
SELECT d.id, d.name, d.account_name, d.amount, d.currency, d.close_date, d.status, d.stage_key, d.process_key,
       u.name AS owner_name,
       ARRAY(SELECT c.milestone_key FROM milestone_completions c WHERE c.deal_id = d.id ORDER BY c.id) AS done,
       ARRAY(SELECT k.competitor_key FROM deal_competitors k WHERE k.deal_id = d.id ORDER BY k.competitor_key)
         AS competitors,
       CASE WHEN d.status = 'lost' THEN (SELECT e.from_stage FROM deal_events e
         WHERE e.deal_id = d.id AND e.kind = 'closed-lost' ORDER BY e.id DESC LIMIT 1) END AS lost_from
FROM deals d JOIN users u ON u.id = d.owner_id
{where}
ORDER BY CASE WHEN d.status = 'open' THEN 0 ELSE 1 END, d.close_date, d.id LIMIT 101
"""


async def viewer_id(connection: asyncpg.Connection, token: str) -> int:
    row = await connection.fetchrow(VIEWER, hash_token(token))
    assert row is not None, "unknown token"
    assert row["role"] == "admin", "the floor serves the admin's view"
    return int(row["id"])


async def me(connection: asyncpg.Connection, token: str) -> dict[str, Any]:
    row = await connection.fetchrow(VIEWER, hash_token(token))
    return {"me": None if row is None else {"id": to_global_id("User", row["id"])}}


async def board(
    connection: asyncpg.Connection, definitions: ProcessDefinitions, token: str, statuses: tuple[str, ...]
) -> dict[str, Any]:
    await viewer_id(connection, token)
    where = ""
    if statuses:
        where = "WHERE d.status IN (" + ", ".join(f"${i + 1}" for i in range(len(statuses))) + ")"
    rows = await connection.fetch(BOARD_PAGE.format(where=where), *statuses)
    page = rows[:100]
    edges = []
    for row in page:
        cursor = queries.encode_cursor(
            SimpleNamespace(status=row["status"], close_date=row["close_date"], id=row["id"]), order=ORDER
        )  # type: ignore[arg-type]
        edges.append({"cursor": cursor, "node": _board_node(definitions, row)})
    return {
        "deals": {
            "pageInfo": {"hasNextPage": len(rows) > 100, "endCursor": edges[-1]["cursor"] if edges else None},
            "edges": edges,
        }
    }


ORDER = queries.DealOrder()


def _board_node(definitions: ProcessDefinitions, row: asyncpg.Record) -> dict[str, Any]:
    process = definitions.process(row["process_key"])
    assert process is not None
    stage = process.stage(row["stage_key"])
    assert stage is not None
    progress = DealProgress(process=process, stage_key=row["stage_key"], completed_keys=tuple(row["done"]))
    gate = progress.gate
    if row["status"] == Outcome.LOST.value:
        strength = progress.strength_if_lost_from(row["lost_from"])
    else:
        strength = progress.strength
    return {
        "id": to_global_id("Deal", row["id"]),
        "name": row["name"],
        "accountName": row["account_name"],
        "amount": str(row["amount"]),
        "currency": row["currency"],
        "closeDate": row["close_date"].isoformat(),
        "status": row["status"].upper(),
        "stage": {"key": stage.key, "name": stage.name},
        "owner": {"name": row["owner_name"]},
        "strength": strength,
        "canAdvance": gate is not None and gate.passed,
        "blocked": gate is not None and not gate.passed,
        "nextSteps": [_next_step(m) for m in progress.next_steps],
        "remainingMilestones": [{"key": m.key} for m in progress.remaining],
        "blockers": [] if gate is None else [{"key": m.key} for m in gate.missing],
        "competitors": [_competitor(definitions, k) for k in row["competitors"] if definitions.competitor(k)],
        "plays": [
            {
                "milestone": {"key": p.milestone.key},
                "play": {"competitor": {"key": p.play.competitor}, "play": p.play.play, "talkTrack": p.play.talk_track},
            }
            for p in progress.plays(definitions, list(row["competitors"]))
        ],
    }


@cache
def _next_step(m: Milestone) -> dict[str, Any]:
    return {"key": m.key, "title": m.title, "ask": m.ask, "typicalDays": m.typical_days, "mandatory": m.mandatory}


def _competitor(definitions: ProcessDefinitions, key: str) -> dict[str, Any]:
    found = definitions.competitor(key)
    assert found is not None
    return {"key": found.key, "name": found.name}


DEAL = """
SELECT d.id, d.name, d.account_name, d.amount, d.currency, d.close_date, d.status, d.version, d.stage_key,
       d.process_key, u.name AS owner_name,
       ARRAY(SELECT k.competitor_key FROM deal_competitors k WHERE k.deal_id = d.id ORDER BY k.competitor_key)
         AS competitors
FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = $1
"""
COMPLETIONS = """
SELECT c.milestone_key, c.completed_at, c.note, u.name FROM milestone_completions c
JOIN users u ON u.id = c.completed_by_id WHERE c.deal_id = $1 ORDER BY c.id
"""
EVENTS = """
SELECT e.kind, e.occurred_at, e.from_stage, e.to_stage, e.milestone_key, e.reason, u.name FROM deal_events e
JOIN users u ON u.id = e.actor_id WHERE e.deal_id = $1 ORDER BY e.id
"""


async def deal_page(
    connection: asyncpg.Connection, definitions: ProcessDefinitions, token: str, deal_id: int
) -> dict[str, Any]:
    await viewer_id(connection, token)
    row = await connection.fetchrow(DEAL, deal_id)
    if row is None:
        return {"deal": None}
    completions = await connection.fetch(COMPLETIONS, deal_id)
    events = await connection.fetch(EVENTS, deal_id)
    process = definitions.process(row["process_key"])
    assert process is not None
    stage = process.stage(row["stage_key"])
    assert stage is not None
    by_key = {process.canonical_milestone_key(c["milestone_key"]): c for c in completions}
    return {
        "deal": {
            "id": to_global_id("Deal", row["id"]),
            "name": row["name"],
            "accountName": row["account_name"],
            "amount": str(row["amount"]),
            "currency": row["currency"],
            "closeDate": row["close_date"].isoformat(),
            "status": row["status"].upper(),
            "version": row["version"],
            "stage": {"key": stage.key, "name": stage.name},
            "owner": {"name": row["owner_name"]},
            "milestones": [_deal_milestone(definitions, process, m, by_key.get(m.key)) for m in process.milestones],
            "competitors": [_competitor(definitions, k) for k in row["competitors"] if definitions.competitor(k)],
            "history": [_event(process, e) for e in events],
        }
    }


def _deal_milestone(
    definitions: ProcessDefinitions, process: Process, milestone: Milestone, done: asyncpg.Record | None
) -> dict[str, Any]:
    return {
        "milestone": _milestone_page(definitions, milestone),
        "completed": done is not None,
        "completedAt": None if done is None else done["completed_at"].isoformat(),
        "completedBy": None if done is None else {"name": done["name"]},
        "note": None if done is None else done["note"],
    }


_fragments: dict[int, dict[str, Any]] = {}


def _milestone_page(definitions: ProcessDefinitions, m: Milestone) -> dict[str, Any]:
    """Static for a process version: built once, as a hand-written server would."""
    found = _fragments.get(id(m))
    if found is None:
        found = _fragments[id(m)] = {
            "key": m.key,
            "title": m.title,
            "ask": m.ask,
            "mandatory": m.mandatory,
            "typicalDays": m.typical_days,
            "content": [_content(definitions, use.content, use.send_when) for use in m.content],
            "plays": [
                {"competitor": _competitor(definitions, p.competitor), "play": p.play, "talkTrack": p.talk_track}
                for p in m.plays
            ],
        }
    return found


def _content(definitions: ProcessDefinitions, key: str, send_when: str) -> dict[str, Any]:
    item = definitions.content_item(key)
    return {
        "key": key,
        "title": item.title if item else key,
        "url": item.url if item else None,
        "kind": item.kind.value if item else "other",
        "sendWhen": send_when,
    }


def _event(process: Process, e: asyncpg.Record) -> dict[str, Any]:
    milestone = process.milestone(e["milestone_key"]) if e["milestone_key"] else None
    return {
        "kind": e["kind"].upper().replace("-", "_"),
        "occurredAt": e["occurred_at"].isoformat(),
        "actor": {"name": e["name"]},
        "fromStage": _stage_key(process, e["from_stage"]),
        "toStage": _stage_key(process, e["to_stage"]),
        "milestone": None if milestone is None else {"key": milestone.key},
        "reason": e["reason"],
    }


def _stage_key(process: Process, key: str | None) -> dict[str, str] | None:
    stage = process.stage(key) if key else None
    return None if stage is None else {"key": stage.key}
