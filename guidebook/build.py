"""Build the guidebook site from the process definitions, from Python (the CLI and `waymark serve` use this)."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api.process import DefinitionsInvalid, Problem
from guidebook import source
from guidebook.source import PROCESS_DIR_KEY

CHANGES_KEY = "waymark_changes"
"""The MkDocs `extra` key of the changelog's path (read by `guidebook.hooks`)."""

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "mkdocs.yml"
DOCS_DIR = ROOT / "guidebook" / "docs"


class GuidebookBuildFailed(Exception):
    """MkDocs could not build the site; the message says why (warnings included, in strict mode)."""


def build_site(
    *,
    process_dir: Path,
    site_dir: Path,
    strict: bool = True,
    config_file: Path = CONFIG_FILE,
    changes: Path | None = None,
    site_url: str | None = None,
) -> tuple[Problem, ...]:
    """A clean `mkdocs build` of the guidebook for `process_dir` into `site_dir`; returns the lint warnings.

    Raises `DefinitionsInvalid` (every `file:line:column` error) when the process files are invalid,
    and `GuidebookBuildFailed` when MkDocs fails, or in strict mode warns. Lint warnings never fail it.
    `changes` is the changelog of published versions (a "What changed" page); `site_url` where the site will
    be served, so that its 404 page finds its styles whatever the missing address.
    """
    source.set_preview(False)  # a build never falls back to an earlier good reading
    loaded = source.load(process_dir)  # the hook reuses this reading
    if loaded.definitions is None:
        raise DefinitionsInvalid(loaded.errors)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about MkDocs 2 on every import
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _collect_warnings() as warnings:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(Path(site_dir).resolve()), strict=strict)
            config.extra[PROCESS_DIR_KEY] = str(Path(process_dir).resolve())
            if changes is not None:
                config.extra[CHANGES_KEY] = str(Path(changes).resolve())
            if site_url is not None:
                config["site_url"] = site_url
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise GuidebookBuildFailed("\n".join([*warnings, str(error)])) from error
    return loaded.problems


def ensure_built(site_dir: Path, *, process_dir: Path) -> bool:
    """Build the site unless `site_dir` already holds a build newer than every process file.

    For `waymark serve`, which serves `site_dir` at `/guide`. Builds into a sibling folder and swaps
    it in, so a concurrent reader never sees a half-written site. Returns True when it built.
    """
    site_dir = Path(site_dir)
    folder = Path(process_dir)
    built = site_dir / "index.html"
    if built.exists() and built.stat().st_mtime >= _newest(folder):
        return False
    fresh = site_dir.with_name(f".{site_dir.name}.{os.getpid()}.new")
    build_site(process_dir=folder, site_dir=fresh, strict=False)
    old = site_dir.with_name(f".{site_dir.name}.{os.getpid()}.old")
    if site_dir.exists():
        site_dir.rename(old)
    fresh.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
    return True


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*.y*ml")]
    return max(times, default=0.0)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@contextmanager
def _collect_warnings() -> Iterator[list[str]]:
    handler = _ListHandler()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
