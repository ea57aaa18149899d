"""Serve the built guidebook (a static MkDocs site) under the API's `/guide`."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def mount_guidebook(site_dir: Path, *, path: str = "/guide") -> Mount:
    """A route serving the built site in `site_dir` (with `index.html` for folders) at `path`."""
    return Mount(path, app=StaticFiles(directory=site_dir, html=True), name="guide")
