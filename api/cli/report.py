"""`waymark report`: write what the process data says as one self-contained HTML page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.session import create_engine
from api.process import Process, ProcessDefinitions, load_definitions
from api.report.page import render_report
from api.report.source import busiest_process, deals_per_process, report_data
from api.settings import default_database_url, default_process_dir


def register(app: typer.Typer) -> None:
    """Add `waymark report` to the app."""
    app.command()(report)


def report(
    out: Annotated[Path, typer.Option("--out", help="Where to write the page.")] = Path("report.html"),
    process_key: Annotated[
        str | None,
        typer.Option("--process", help="The process to report on. Default: the one with the most deals."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: $DATABASE_URL, else ./waymark.sqlite3.")
    ] = None,
) -> None:
    """Write a stage funnel, time in stage and milestone lift, as SVG in one HTML file with no external assets."""
    definitions = load_definitions(default_process_dir())
    process = definitions.process(process_key) if process_key else None
    if process_key and process is None:
        known = ", ".join(p.key for p in definitions.processes)
        raise typer.BadParameter(f"unknown process {process_key!r} (known: {known})", param_hint="--process")
    built = asyncio.run(build_report(database_url or default_database_url(), definitions=definitions, process=process))
    out.write_text(built.page, encoding="utf-8")
    if process is None:
        typer.echo(
            f"Reporting on {built.process.key}: the process with the most deals ({built.deals:,}); "
            "choose another with --process."
        )
    typer.echo(f"Wrote {out}")


@dataclass(frozen=True, slots=True)
class BuiltReport:
    page: str
    process: Process
    deals: int


async def build_report(database_url: str, *, definitions: ProcessDefinitions, process: Process | None) -> BuiltReport:
    """The page for `process`, or for the process with the most deals when it is None."""
    engine = create_engine(url=database_url)
    try:
        async with engine.connect() as connection:
            session = AsyncSession(bind=connection)
            if process is None:
                counts = await deals_per_process(session, definitions.processes)
                process = busiest_process(definitions.processes, counts)
            data = await report_data(session, process=process)
            await session.close()
    finally:
        await engine.dispose()
    page = render_report(process=process, insights=data.insights, deals=data.deals, generated_at=datetime.now(UTC))
    return BuiltReport(page=page, process=process, deals=data.deals)
