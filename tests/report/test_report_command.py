"""`waymark report` as a person runs it after seeding: the busiest process by default, and the same figures
as the API's `processInsights`."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from api.cli import app
from api.db.session import create_engine
from api.process import load_definitions
from api.report.source import report_data
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
SHIPPED = Path(__file__).parents[2] / "process_definitions"


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file with 120 new-business deals and 30 expansion deals (expansion comes first in the files)."""
    monkeypatch.chdir(Path(__file__).parents[2])
    url = f"sqlite+aiosqlite:///{tmp_path / 'seeded.sqlite3'}"
    for process, deals in (("new-business", "120"), ("expansion", "30")):
        result = runner.invoke(app, ["seed", "--database-url", url, "--deals", deals, "--process", process])
        assert result.exit_code == 0, result.output
    return url


def test_a_plain_report_covers_the_process_with_the_most_deals_and_says_so(seeded: str, tmp_path: Path) -> None:
    # when
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--database-url", seeded, "--out", str(out)])
    # then
    assert result.exit_code == 0, result.output
    assert "Reporting on new-business: the process with the most deals (120)" in result.output
    page = out.read_text(encoding="utf-8")
    assert "120 deals" in page
    assert re.search(r'<svg id="stage-funnel"[^>]*>.*?<rect', page)


def test_a_named_process_is_reported_without_the_default_notice(seeded: str, tmp_path: Path) -> None:
    out = tmp_path / "expansion.html"
    result = runner.invoke(app, ["report", "--database-url", seeded, "--out", str(out), "--process", "expansion"])
    assert result.exit_code == 0, result.output
    assert "Reporting on" not in result.output
    assert "30 deals" in out.read_text(encoding="utf-8")


def test_the_report_reads_the_same_statistics_as_the_api(seeded: str) -> None:
    process = load_definitions(SHIPPED).process("new-business")
    assert process is not None

    async def both() -> tuple[object, object]:
        engine = create_engine(url=seeded)
        try:
            async with engine.connect() as connection:
                session = AsyncSession(bind=connection)
                data = await report_data(session, process=process)
                api = await process_statistics(session, process=process, deals=of_process(process, None))
                await session.close()
                return data.insights, api
        finally:
            await engine.dispose()

    report, api = asyncio.run(both())
    assert report == api
