"""The definitions Waymark ships are complete enough for a rep to sell with."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.process import Outcome, ProcessDefinitions, load_definitions, read_definitions
from tests.process.conftest import SHIPPED


@pytest.fixture(scope="module")
def shipped() -> ProcessDefinitions:
    return load_definitions(SHIPPED)


def test_shipped_definitions_have_no_errors_and_no_warnings() -> None:
    report = read_definitions(SHIPPED)

    assert [str(p) for p in report.problems] == []


def test_every_shipped_milestone_has_an_ask_questions_and_a_typical_duration(shipped: ProcessDefinitions) -> None:
    for process in shipped.processes:
        for milestone in process.milestones:
            where = f"{process.key}/{milestone.key}"
            assert milestone.ask, where
            assert len(milestone.questions) >= 2, where
            assert milestone.activities, where
            assert milestone.content, where
            assert milestone.typical_days > 0, where


def test_new_business_runs_mql_to_closed_won_or_lost(shipped: ProcessDefinitions) -> None:
    process = shipped.process("new-business")
    assert process is not None
    assert [s.key for s in process.stages] == ["mql", "sql", "sal", "commit", "closed-won", "closed-lost"]
    assert [s.outcome for s in process.stages[-2:]] == [Outcome.WON, Outcome.LOST]
    for stage in process.open_stages:
        assert 3 <= len(stage.milestones) <= 7, stage.key


def test_decision_maker_and_finance_sign_off_are_required_before_commit(shipped: ProcessDefinitions) -> None:
    process = shipped.process("new-business")
    assert process is not None
    commit = process.position("commit")
    required_before_commit = {m.key for stage in process.stages[:commit] for m in stage.milestones if m.mandatory}
    assert {"decision-maker-agrees", "finance-sign-off"} <= required_before_commit
    buying_team = process.milestone("buying-team-engaged")
    assert buying_team is not None
    assert not buying_team.mandatory


def test_competitive_milestones_have_a_play_for_every_competitor_and_the_status_quo(
    shipped: ProcessDefinitions,
) -> None:
    process = shipped.process("new-business")
    assert process is not None
    assert [c.key for c in shipped.status_quo] == ["status-quo"]
    assert len(shipped.competitors) >= 3
    contested = [m for m in process.milestones if m.plays]
    assert len(contested) >= 6
    everyone = {c.key for c in shipped.competitors}
    for milestone in contested:
        assert {p.competitor for p in milestone.plays} == everyone, milestone.key


def test_more_than_one_process_is_shipped(shipped: ProcessDefinitions) -> None:
    assert len(shipped.processes) >= 2


def test_a_typo_in_a_competitor_key_points_at_its_line(shipped_copy: Path) -> None:
    # given: the first play in new-business.yaml names a competitor that does not exist
    path = shipped_copy / "processes" / "new-business.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number, line = next((n, text) for n, text in enumerate(lines, 1) if "competitor: " in text)
    key = line.split("competitor: ", 1)[1].strip()
    lines[number - 1] = line.replace(f"competitor: {key}", f"competitor: {key}x")
    path.write_text("".join(lines), encoding="utf-8")

    # when
    report = read_definitions(shipped_copy)

    # then
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.path, error.line, error.column) == (
        "process_definitions/processes/new-business.yaml",
        number,
        line.index(key) + 1,
    )
    assert error.field.endswith(".competitor")
    assert error.message.startswith(f"unknown competitor '{key}x' (known: ")
