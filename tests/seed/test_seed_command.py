"""`waymark seed` as a person runs it: into a SQLite file, more than once, into more than one process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(Path(__file__).parents[2])
    return tmp_path / "seeded.sqlite3"


def _seed(database_file: Path, *args: str) -> str:
    result = runner.invoke(app, ["seed", "--database-url", f"sqlite+aiosqlite:///{database_file}", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seeding_twice_and_into_a_second_process_adds_deals_and_reuses_the_team(database_file: Path) -> None:
    # given
    first = _seed(database_file, "--deals", "40", "--process", "new-business")

    # when
    second = _seed(database_file, "--deals", "30", "--process", "expansion")

    # then
    assert "Seeded 40 deals in process 'new-business'" in first
    assert "Seeded 30 deals in process 'expansion'" in second
    with sqlite3.connect(database_file) as db:
        by_process = dict(db.execute("SELECT process_key, count(*) FROM deals GROUP BY process_key").fetchall())
        teams = db.execute("SELECT count(*) FROM teams").fetchone()[0]
        people = db.execute("SELECT count(*) FROM users").fetchone()[0]
    assert by_process == {"new-business": 40, "expansion": 30}
    assert (teams, people) == (1, 3)


def test_seeded_losses_name_the_shipped_competitors(database_file: Path) -> None:
    _seed(database_file, "--deals", "300", "--process", "new-business")

    with sqlite3.connect(database_file) as db:
        reasons = [r for (r,) in db.execute("SELECT reason FROM deal_events WHERE kind = 'closed-lost'")]
    assert reasons
    assert all(reasons)
    assert any("Tabstone" in r or "Veridane" in r for r in reasons)


def test_an_unknown_process_is_a_clear_error(database_file: Path) -> None:
    result = runner.invoke(
        app, ["seed", "--database-url", f"sqlite+aiosqlite:///{database_file}", "--process", "renewals"]
    )

    assert result.exit_code == 2
    assert "unknown process 'renewals' (known: expansion, new-business)" in result.output
