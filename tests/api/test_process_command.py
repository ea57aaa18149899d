"""`waymark process publish | versions | diff` on a database with recorded deals: the command a release
pipeline or an enablement lead runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.db import Database, upgrade
from tests.api.conftest import FIXTURE_DEFINITIONS
from tests.api.factories import add_people, create_deal


def waymark(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, check=False)


@pytest.fixture
async def recorded(tmp_path: Path) -> tuple[str, Path]:
    """An SQLite file with a deal that completed budget-range, and an editable copy of the definitions."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'waymark.sqlite3'}"
    database = Database(url=url)
    try:
        await upgrade(database.engine)
        people = await add_people(database)
        await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "budget-range"))
    finally:
        await database.dispose()
    folder = tmp_path / "definitions"
    shutil.copytree(FIXTURE_DEFINITIONS, folder)
    return url, folder


def rename_budget_range(folder: Path, *, formerly: bool) -> None:
    path = folder / "processes" / "new-business.yaml"
    new_key = "key: budget-known\n        formerly: [budget-range]" if formerly else "key: budget-known"
    path.write_text(path.read_text().replace("key: budget-range", new_key, 1))


def test_publish_refuses_to_orphan_work_and_publishes_what_the_publisher_accepts(recorded: tuple[str, Path]) -> None:
    url, folder = recorded

    # when: the first publish, the same again, a refused rename, and the same rename accepted
    first = waymark("process", "publish", str(folder), "--database-url", url, "--by", "Elena", "--note", "start")
    again = waymark("process", "publish", str(folder), "--database-url", url)
    rename_budget_range(folder, formerly=False)
    refused = waymark("process", "publish", str(folder), "--database-url", url)
    dry_run = waymark("process", "publish", str(folder), "--database-url", url, "--dry-run", "--accept-orphans")
    accepted = waymark(
        "process", "publish", str(folder), "--database-url", url, "--accept-orphans", "--note", "budget is known"
    )
    listed = waymark("process", "versions", "--database-url", url)

    # then
    assert first.returncode == 0, first.stderr
    assert "published version 1 (was none)" in first.stdout
    assert "unchanged: version 1 already says this" in again.stdout
    assert refused.returncode == 1
    assert "milestone new-business/budget-range would no longer resolve: 1 deal(s) hold it" in refused.stdout
    assert "refused, nothing was published" in refused.stdout
    assert dry_run.returncode == 0
    assert "dry run: would publish version 2; nothing was published" in dry_run.stdout
    assert accepted.returncode == 0, accepted.stdout
    assert "published version 2 (was 1)" in accepted.stdout
    lines = listed.stdout.strip().splitlines()
    assert lines[0].split()[0] == "2"
    assert "budget is known" in lines[0]
    assert "(accepted orphans)" in lines[0]
    assert lines[1].split()[0] == "1"
    assert "Elena" in lines[1]


def test_diff_between_published_versions_reports_the_impact_with_a_database(recorded: tuple[str, Path]) -> None:
    # given: version 1, then version 2 renaming budget-range through formerly
    url, folder = recorded
    assert waymark("process", "publish", str(folder), "--database-url", url).returncode == 0
    rename_budget_range(folder, formerly=True)
    assert waymark("process", "publish", str(folder), "--database-url", url).returncode == 0
    path = folder / "processes" / "new-business.yaml"  # and a folder that then drops the former key
    path.write_text(path.read_text().replace("        formerly: [budget-range]\n", ""))

    # when
    versions = waymark("process", "diff", "1", "2", "--database-url", url, "--format", "json")
    unmapped = waymark("process", "diff", "2", str(folder), "--database-url", url, "--format", "markdown")

    # then
    body = json.loads(versions.stdout)
    assert [(c["kind"], c["where"]) for c in body["changes"]] == [("renamed", "new-business/sql/budget-known")]
    assert body["impact"]["orphans"] == []
    assert "| milestone | `new-business/budget-range` | 1 |" in unmapped.stdout


def test_publish_of_invalid_files_publishes_nothing_and_says_where(recorded: tuple[str, Path]) -> None:
    url, folder = recorded
    path = folder / "processes" / "new-business.yaml"
    path.write_text(path.read_text().replace("probability: 0.35", "probability: 35"))

    result = waymark("process", "publish", str(folder), "--database-url", url)

    assert result.returncode == 1
    assert "processes/new-business.yaml:" in result.stderr
    assert "nothing was published" in result.stderr
    assert "Traceback" not in result.stderr
