"""`waymark seed`: fill the database with a realistic, reproducible synthetic history."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.db.migrate import upgrade
from api.db.session import create_engine
from api.process import Process, load_definitions
from api.seed.seeding import HISTORY_DAYS, seed_database
from api.settings import default_database_url, default_process_dir


def register(app: typer.Typer) -> None:
    """Add `waymark seed` to the app."""
    app.command()(seed)


def seed(
    deals: Annotated[int, typer.Option("--deals", min=1, help="How many deals to create.")] = 1000,
    seed_value: Annotated[int, typer.Option("--seed", help="The same seed gives the same history.")] = 1,
    process_key: Annotated[
        str | None, typer.Option("--process", help="The process the deals follow. Default: the first one.")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: $DATABASE_URL, else ./waymark.sqlite3.")
    ] = None,
) -> None:
    """Create teams, reps and deals with two years of history (progress, stalls, moves back, wins, losses,
    a few gate overrides), so the pipeline, prioritisation, insights and report have something to show."""
    definitions = load_definitions(default_process_dir())
    process = definitions.process(process_key) if process_key else definitions.processes[0]
    if process is None:
        known = ", ".join(p.key for p in definitions.processes)
        raise typer.BadParameter(f"unknown process {process_key!r} (known: {known})", param_hint="--process")
    url = database_url or default_database_url()
    console = Console(highlight=False)
    with Progress(
        TextColumn("[bold]seeding[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"{process.key} deals", total=deals)
        result = asyncio.run(
            _seed(
                url,
                process=process,
                deals=deals,
                seed_value=seed_value,
                competitor_names=[c.name for c in definitions.competitors if not c.status_quo],
                advance=lambda n: progress.advance(task, n),
            )
        )
    console.print(
        f"Seeded {result} deals in process {process.key!r} over {HISTORY_DAYS} days (seed {seed_value}).",
        markup=False,
    )


async def _seed(
    url: str,
    *,
    process: Process,
    deals: int,
    seed_value: int,
    competitor_names: list[str],
    advance: Callable[[int], None],
) -> int:
    engine = create_engine(url=url)
    try:
        await upgrade(engine)
        result = await seed_database(
            engine,
            process=process,
            deals=deals,
            seed=seed_value,
            competitor_names=competitor_names,
            on_batch=advance,
        )
    finally:
        await engine.dispose()
    return result.deals
