"""`waymark guide build|serve`: the guidebook (MkDocs + Material) built from the process definitions."""

from __future__ import annotations

import errno
import logging
import os
import socket
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

DEFAULT_DEV_ADDR = "127.0.0.1:8001"
"""The preview's address: next to the API's `waymark serve` on 8000, so both can run at once."""

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
    changes: Annotated[
        Path | None, typer.Option("--changes", help="The changelog of published versions (JSON): a What changed page.")
    ] = None,
    site_url: Annotated[str | None, typer.Option("--site-url", help="Where the site will be served.")] = None,
) -> None:
    """Build the guidebook into a clean site folder (mkdocs build --strict); exit 1 on any error."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    folder = process_dir or default_process_dir()
    started = time.perf_counter()
    try:
        warnings = build_site(process_dir=folder, site_dir=site_dir, strict=strict, changes=changes, site_url=site_url)
    except DefinitionsInvalid as invalid:
        typer.echo(str(invalid), err=True)
        typer.echo(f"the guidebook was not built: {folder} has errors (see `waymark check`)", err=True)
        raise typer.Exit(1) from invalid
    except GuidebookBuildFailed as failed:
        typer.echo(str(failed), err=True)
        raise typer.Exit(1) from failed
    for warning in warnings:
        typer.echo(str(warning), err=True)
    tally = f" ({len(warnings)} lint warning{'s' if len(warnings) != 1 else ''}: see above)" if warnings else ""
    typer.echo(f"built the guidebook from {folder} into {site_dir}/ in {time.perf_counter() - started:.2f} s{tally}")


@guide_app.command()
def serve(
    process_dir: ProcessDir = None,
    dev_addr: Annotated[str, typer.Option("--dev-addr", help="Address to serve on, as HOST:PORT.")] = DEFAULT_DEV_ADDR,
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
    unusable = address_problem(dev_addr)
    if unusable is not None:
        typer.echo(f"waymark guide serve: {unusable}", err=True)
        raise typer.Exit(1)
    # The hooks read the folder from the environment: MkDocs reloads its config on every rebuild.
    os.environ["WAYMARK_PROCESS_DIR"] = str(folder)
    _log_to_stderr(logging.INFO)
    from mkdocs.commands.serve import serve as mkdocs_serve

    try:
        mkdocs_serve(config_file=str(CONFIG_FILE), livereload=livereload, dev_addr=dev_addr, strict=False)
    except OSError as error:  # the port was taken while the first build ran
        if error.errno != errno.EADDRINUSE:
            raise
        typer.echo(f"waymark guide serve: {_in_use(dev_addr)}", err=True)
        raise typer.Exit(1) from None


def address_problem(dev_addr: str) -> str | None:
    """Why the preview cannot listen on `dev_addr` (HOST:PORT), or None when it can."""
    host, _, port = dev_addr.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"--dev-addr must be HOST:PORT, such as {DEFAULT_DEV_ADDR}, not '{dev_addr}'"
    try:
        family = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        return f"cannot listen on {dev_addr}: no such host '{host}'"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As MkDocs' server does, so a port left in TIME_WAIT by an earlier preview counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as error:
            return _in_use(dev_addr) if error.errno == errno.EADDRINUSE else f"cannot listen on {dev_addr}: {error}"
    return None


def _in_use(dev_addr: str) -> str:
    host, _, port = dev_addr.rpartition(":")
    return (
        f"{dev_addr} is already in use (another preview or server?): stop it, "
        f"or choose another port with --dev-addr {host}:{int(port) + 1}"
    )


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


class _StderrHandler(logging.Handler):
    """MkDocs' messages on whatever `sys.stderr` is at the time, as `mkdocs serve` prints them."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr, flush=True)
        except Exception:
            self.handleError(record)


def _log_to_stderr(level: int) -> None:
    logger = logging.getLogger("mkdocs")
    logger.setLevel(level)
    if any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        return  # once per process, however many times the command runs in it (as in tests)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger.addHandler(handler)
