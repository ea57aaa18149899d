"""The guidebook at `/guide`: the build of the process version this server serves.

When the server switches to a version, the guidebook of that version is built in the background, in a
process of its own (`waymark guide build`), off the request path; `/guide` switches to it, whole, once the
build is complete, and until then the previous build keeps serving. Builds are kept by version number and
content hash, so a restarted server (or a second worker on the same machine) reuses a finished one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from api.services.publishing.sources import write_sources
from api.services.publishing.store import ServedVersion

log = logging.getLogger("waymark.guide")

COMPLETE = ".complete"
"""Written last into a finished build: a folder without it is a build that did not finish."""
KEPT_BUILDS = 3


class GuideSite:
    """An ASGI app serving one build folder, swapped whole by `serve`."""

    def __init__(self) -> None:
        self._files: StaticFiles | None = None
        self.folder: Path | None = None

    def serve(self, folder: Path) -> None:
        self._files, self.folder = StaticFiles(directory=folder, html=True), folder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        files = self._files
        if files is None:
            response = PlainTextResponse("The guidebook is being built; try again in a moment.", status_code=503)
            await response(scope, receive, send)
            return
        await files(scope, receive, send)


Changelog = Callable[[int], Awaitable[list[dict[str, Any]]]]
"""The published versions up to a number, for the "What changed" page (`api.services.publishing.changelog`)."""


class GuideBuilder:
    """Builds the guidebook of each version the server switches to, into `root`, and serves it on `site`
    (mounted at `mount`)."""

    def __init__(
        self, site: GuideSite, *, root: Path, mount: str = "/guide/", changelog: Changelog | None = None
    ) -> None:
        self.site = site
        self.root = root
        self.mount = mount
        self.changelog = changelog
        self._task: asyncio.Task[None] | None = None
        self._wanted: ServedVersion | None = None
        self.built = asyncio.Event()
        """Set whenever the wanted version's build is being served."""

    def version_switched(self, version: ServedVersion) -> None:
        """Build (or reuse) `version`'s guidebook; a newer switch supersedes a build still running."""
        self._wanted = version
        self.built.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.get_running_loop().create_task(self._build(version), name=f"guidebook {version.number}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _build(self, version: ServedVersion) -> None:
        folder = self.root / f"{version.number}-{version.content_hash[:12]}"
        if not (folder / COMPLETE).exists():
            try:
                await self._build_into(version, folder)
            except GuideBuildFailed as error:
                log.error("the guidebook of version %s did not build: %s", version.number, error)
                return
        if self._wanted is version:
            self.site.serve(folder)
            self.built.set()
            log.info("guidebook of version %s served at /guide", version.number)
            self._prune(keep=folder)

    async def _build_into(self, version: ServedVersion, folder: Path) -> None:
        work = self.root / f".building-{version.number}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        sources = write_sources(version.sources, work / "process_definitions")
        site = work / "site"
        command = ["guide", "build", "--process-dir", str(sources), "--site-dir", str(site), "--no-strict"]
        if self.changelog is not None:
            changes = work / "changes.json"
            changes.write_text(json.dumps(await self.changelog(version.number)), encoding="utf-8")
            command += ["--changes", str(changes)]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.cli",
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            shutil.rmtree(work, ignore_errors=True)
            raise GuideBuildFailed(output.decode(errors="replace").strip()[-2000:])
        _serve_not_found_from(site / "404.html", self.mount)
        (site / COMPLETE).write_text(json.dumps({"version": version.number, "hash": version.content_hash}))
        try:
            site.rename(folder)
        except OSError:  # another worker finished the same build first: use theirs
            if not (folder / COMPLETE).exists():
                raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _prune(self, *, keep: Path) -> None:
        builds = sorted(
            (p for p in self.root.glob("*-*") if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in builds[KEPT_BUILDS:]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)


def _serve_not_found_from(page: Path, mount: str) -> None:
    """MkDocs links the 404 page's styles and scripts from the server's root (it is shown at any address);
    here the site is served under `mount`."""
    if page.exists():
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace('href="/', f'href="{mount}').replace('src="/', f'src="{mount}'), encoding="utf-8")


class GuideBuildFailed(Exception):
    """`waymark guide build` failed; the message is its output."""
