"""`waymark user add`: a usable name, and a team for every manager; refusals are usage errors (exit code 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def _add(database_file: Path, *args: str):
    return runner.invoke(app, ["user", "add", *args, "--database-url", f"sqlite+aiosqlite:///{database_file}"])


def _users(database_file: Path) -> list[tuple[str, str]]:
    if not database_file.exists():
        return []
    with sqlite3.connect(database_file) as connection:
        return list(connection.execute("SELECT name, role FROM users ORDER BY id"))


def test_rep_is_created_with_a_token(tmp_path):
    database_file = tmp_path / "users.sqlite3"

    result = _add(database_file, "  Alice Rep ", "--role", "rep", "--team", "East")

    assert result.exit_code == 0, result.output
    assert "API token (shown once): wmk_" in result.output
    assert _users(database_file) == [("Alice Rep", "rep")]


def test_manager_with_a_team_is_created(tmp_path):
    database_file = tmp_path / "users.sqlite3"

    result = _add(database_file, "Maya Manager", "--role", "manager", "--team", "East")

    assert result.exit_code == 0, result.output
    assert _users(database_file) == [("Maya Manager", "manager")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "--role", "rep"), "the user's name must not be empty"),
        (("   ", "--role", "admin"), "the user's name must not be empty"),
        (("Ada\x07", "--role", "admin"), "the user's name must not contain control characters"),
        (("Maya Manager", "--role", "manager"), "a manager needs a team"),
        (("Maya Manager", "--role", "manager", "--team", " "), "the team's name must not be empty"),
    ],
)
def test_unusable_user_is_refused_as_a_usage_error_and_nothing_is_created(tmp_path, args, message):
    database_file = tmp_path / "users.sqlite3"

    result = _add(database_file, *args)

    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert _users(database_file) == []
