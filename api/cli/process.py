"""`waymark process publish | diff | versions`: publish the process as a new version, after checking what it
does to the recorded deals; compare two readings of it; list the published versions."""

from __future__ import annotations

import asyncio
import getpass
import io
import subprocess
import tarfile
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from api.cli.process_format import render
from api.db import Database, upgrade
from api.process import ProcessDefinitions, Severity, read_definitions
from api.process.diff import diff_definitions
from api.services.publishing import versions
from api.services.publishing.impact import Impact, assess_impact
from api.services.publishing.publish import Publication, PublishReport, PublishStatus, publish
from api.services.publishing.sources import definitions_of, read_sources
from api.settings import default_database_url, default_process_dir, is_sqlite

process_app = typer.Typer(help="Publish the process and compare its versions.", no_args_is_help=True)


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    """The database at `url`; the embedded SQLite file is brought up to date first, as the server does.
    A database that cannot be used ends the command with one line saying why."""
    database = Database(url=url)
    try:
        if is_sqlite(url):
            await upgrade(database.engine)
        yield database
    except (OperationalError, ProgrammingError, OSError) as error:
        hint = "" if is_sqlite(url) else "; is it running, and upgraded (`waymark db upgrade`)?"
        typer.echo(f"cannot use the database at {url}: {getattr(error, 'orig', error)}{hint}", err=True)
        raise typer.Exit(2) from None
    finally:
        await database.dispose()


class Output(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Defaults to $DATABASE_URL or the SQLite file.")
]
Format = Annotated[Output, typer.Option("--format", help="text for a terminal, markdown for a review, json for tools.")]


@process_app.command("publish")
def publish_command(
    directory: Annotated[
        Path | None, typer.Argument(help="The definitions folder (default: process_definitions).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why; kept with the version.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only report what publishing would do.")] = False,
    accept_orphans: Annotated[
        bool,
        typer.Option(
            "--accept-orphans",
            help="Publish even though recorded work would no longer resolve (it stays in the database and is "
            "listed by `orphanedWork`; the acceptance is recorded on the version).",
        ),
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who publishes (default: your login name).")] = None,
    database_url: DatabaseUrl = None,
    output: Format = Output.TEXT,
) -> None:
    """Publish the definitions as a new version; every server switches to it. Refused (exit 1) when it would
    lose recorded work without --accept-orphans, or strand open deals."""
    folder = directory or default_process_dir()
    files = read_definitions(folder)
    for problem in files.problems:
        typer.echo(str(problem), err=True)
    if files.definitions is None:
        typer.echo(f"{folder} has errors; nothing was published", err=True)
        raise typer.Exit(1)
    publication = Publication(
        sources=read_sources(folder),
        definitions=files.definitions,
        published_by=by or getpass.getuser(),
        note=note,
        dry_run=dry_run,
        accept_orphans=accept_orphans,
    )
    report = asyncio.run(_publish(database_url or default_database_url(), publication))
    if report.previous is None and report.status is not PublishStatus.REFUSED:
        typer.echo(f"{folder}: the first version of the process", err=output is Output.JSON)
    else:
        typer.echo(render(report.changes, report.impact, output=output.value, title=f"Publishing {folder}"))
    typer.echo(_outcome(report), err=output is Output.JSON)
    if report.status is PublishStatus.REFUSED:
        raise typer.Exit(1)


async def _publish(url: str, publication: Publication) -> PublishReport:
    async with _database(url) as database, database.transaction() as session:
        return await publish(session, publication)


def _outcome(report: PublishReport) -> str:
    number = None if report.version is None else report.version.number
    match report.status:
        case PublishStatus.PUBLISHED:
            return f"published version {number} (was {report.previous or 'none'})"
        case PublishStatus.UNCHANGED:
            return f"unchanged: version {number} already says this"
        case PublishStatus.PREVIEW:
            return f"dry run: would publish version {(report.previous or 0) + 1}; nothing was published"
    return "refused, nothing was published:\n" + "\n".join(f"  - {reason}" for reason in report.refusals)


@process_app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="A folder, a git revision of the process folder, or a version number.")],
    new: Annotated[str, typer.Argument(help="The same kinds as OLD.")],
    database_url: DatabaseUrl = None,
    output: Format = Output.TEXT,
) -> None:
    """What changes from OLD to NEW; with --database-url, also what it would do to the recorded deals."""
    url = database_url or default_database_url()
    before, after = _reading(old, url=url), _reading(new, url=url)
    changes = diff_definitions(before, after)
    impact = asyncio.run(_impact(url, before, after)) if database_url else None
    typer.echo(render(changes, impact, output=output.value, title=f"From {old} to {new}"))


async def _impact(url: str, old: ProcessDefinitions, new: ProcessDefinitions) -> Impact:
    async with _database(url) as database, database.sessions() as session:
        return await assess_impact(session, old=old, new=new)


@process_app.command("versions")
def versions_command(database_url: DatabaseUrl = None) -> None:
    """The published versions, newest first."""

    async def listed() -> list[str]:
        async with _database(database_url or default_database_url()) as database, database.sessions() as session:
            return [
                f"{v.number:>4}  {v.published_at:%Y-%m-%d %H:%M}  {v.published_by}  {v.label or ''}"
                f"{'  — ' + v.note if v.note else ''}{'  (accepted orphans)' if v.accepted_orphans else ''}"
                for v in await versions.all_versions(session)
            ]

    for line in asyncio.run(listed()) or ["nothing published yet"]:
        typer.echo(line)


def _reading(spec: str, *, url: str) -> ProcessDefinitions:
    """The definitions SPEC names: a folder; else a version number; else a git revision."""
    folder = Path(spec)
    if folder.is_dir():
        return _load(folder, spec)
    if spec.isdigit():
        return asyncio.run(_version(url, int(spec)))
    with _checked_out(spec) as checked_out:
        return _load(checked_out, spec)


def _load(folder: Path, spec: str) -> ProcessDefinitions:
    report = read_definitions(folder)
    if report.definitions is None:
        errors = "\n".join(str(p) for p in report.problems if p.severity is Severity.ERROR)
        _fail(f"{spec} does not load:\n{errors}")
    return report.definitions


async def _version(url: str, number: int) -> ProcessDefinitions:
    async with _database(url) as database, database.sessions() as session:
        found = await versions.version(session, number)
    if found is None:
        _fail(f"no published version {number} in {url}")
    return definitions_of(found.sources)


@contextmanager
def _checked_out(revision: str) -> Iterator[Path]:
    """The process folder as it was at a git revision, in a temporary folder."""
    folder = default_process_dir().resolve()
    try:
        top = Path(
            _git(folder.parent if not folder.is_dir() else folder, "rev-parse", "--show-toplevel").decode().strip()
        )
        relative = folder.relative_to(top).as_posix()
        archive = _git(top, "archive", "--format=tar", revision, "--", relative)
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode(errors="replace").strip() if error.stderr else str(error)
        _fail(f"{revision!r} is not a folder, a version number or a git revision ({message})")
    with tempfile.TemporaryDirectory(prefix="waymark-revision-") as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(temporary, filter="data")
        yield Path(temporary) / relative


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _git(where: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True).stdout


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""
    app.add_typer(process_app, name="process")
