"""`waymark guide build|serve`: the guidebook (MkDocs + Material) built from the process definitions."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from api.process import DefinitionsInvalid, load_definitions
from api.settings import default_process_dir
from guidebook.build import CONFIG_FILE, DOCS_DIR, GuidebookBuildFailed, build_site
from guidebook.pages import write_docs_folder

guide_app = typer.Typer(
    help="Build or preview the guidebook: the process as a playbook for reps.", no_args_is_help=True
)

ProcessDir = Annotated[
    Path | None,
    typer.Option(
        "--process-dir", help="The process definitions folder. Default: $WAYMARK_PROCESS_DIR or ./process_definitions."
    ),
]


def register(app: typer.Typer) -> None:
    """Add `waymark guide build` and `waymark guide serve` to the app."""
    app.add_typer(guide_app, name="guide")


@guide_app.command()
def build(
    process_dir: ProcessDir = None,
    site_dir: Annotated[Path, typer.Option("--site-dir", help="Where to write the site.")] = Path("site"),
    strict: Annotated[bool, typer.Option("--strict/--no-strict", help="Fail on any MkDocs warning.")] = True,
) -> None:
    """Build the guidebook into a clean site folder (mkdocs build --strict); exit 1 on any error."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    folder = process_dir or default_process_dir()
    started = time.perf_counter()
    try:
        build_site(process_dir=folder, site_dir=site_dir, strict=strict)
    except DefinitionsInvalid as invalid:
        typer.echo(str(invalid), err=True)
        typer.echo(f"the guidebook was not built: {folder} has errors (see `waymark check`)", err=True)
        raise typer.Exit(1) from invalid
    except GuidebookBuildFailed as failed:
        typer.echo(str(failed), err=True)
        raise typer.Exit(1) from failed
    typer.echo(f"built the guidebook from {folder} into {site_dir}/ in {time.perf_counter() - started:.2f} s")


@guide_app.command()
def serve(
    process_dir: ProcessDir = None,
    dev_addr: Annotated[str, typer.Option("--dev-addr", help="Address to serve on, as HOST:PORT.")] = "127.0.0.1:8000",
    livereload: Annotated[
        bool, typer.Option("--livereload/--no-livereload", help="Reload the browser after each rebuild.")
    ] = True,
) -> None:
    """Live preview: rebuild on every edit to the process files or pages; errors show in the site."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    folder = (process_dir or default_process_dir()).resolve()
    if not folder.is_dir():
        typer.echo(f"{folder}: no such folder", err=True)
        raise typer.Exit(1)
    # The hooks read the folder from the environment: MkDocs reloads its config on every rebuild.
    os.environ["WAYMARK_PROCESS_DIR"] = str(folder)
    _log_to_stderr(logging.INFO)
    from mkdocs.commands.serve import serve as mkdocs_serve

    mkdocs_serve(config_file=str(CONFIG_FILE), livereload=livereload, dev_addr=dev_addr, strict=False)


@guide_app.command()
def markdown(
    out: Annotated[Path, typer.Option("--out", help="The folder to write the Markdown pages into.")],
    process_dir: ProcessDir = None,
) -> None:
    """Write the guidebook as plain Markdown files (for a generator that runs no MkDocs hooks, e.g. Zensical)."""
    folder = process_dir or default_process_dir()
    try:
        definitions = load_definitions(folder)
    except DefinitionsInvalid as invalid:
        typer.echo(str(invalid), err=True)
        raise typer.Exit(1) from invalid
    written = write_docs_folder(definitions, hand_written=DOCS_DIR, out_dir=out)
    typer.echo(f"wrote {len(written)} generated pages and the hand-written ones into {out}/")


def _log_to_stderr(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(level)
