"""`waymark report`: write what the process data says as one self-contained HTML page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.session import create_engine
from api.process import Process, load_definitions
from api.report.page import render_report
from api.services.history_queries import load_events, load_snapshots
from api.services.insights import process_insights
from api.settings import default_database_url, default_process_dir


def register(app: typer.Typer) -> None:
    """Add `waymark report` to the app."""
    app.command()(report)


def report(
    out: Annotated[Path, typer.Option("--out", help="Where to write the page.")] = Path("report.html"),
    process_key: Annotated[
        str | None, typer.Option("--process", help="The process to report on. Default: the first one.")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: $DATABASE_URL, else ./waymark.sqlite3.")
    ] = None,
) -> None:
    """Write a stage funnel, time in stage and milestone lift, as SVG in one HTML file with no external assets."""
    definitions = load_definitions(default_process_dir())
    process = definitions.process(process_key) if process_key else definitions.processes[0]
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        raise typer.BadParameter(f"unknown process {process_key!r} (known: {known})", param_hint="--process")
    page = asyncio.run(build_report(database_url or default_database_url(), process=process))
    out.write_text(page, encoding="utf-8")
    typer.echo(f"Wrote {out}")


async def build_report(database_url: str, *, process: Process) -> str:
    engine = create_engine(url=database_url)
    try:
        async with engine.connect() as connection:
            session = AsyncSession(bind=connection)
            deals = await load_snapshots(session, process_key=process.key)
            events = await load_events(session, process_key=process.key)
            await session.close()
    finally:
        await engine.dispose()
    insights = process_insights(process=process, deals=deals, events=events)
    return render_report(process=process, insights=insights, deals=len(deals), generated_at=datetime.now(UTC))
