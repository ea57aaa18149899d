"""MkDocs hooks (`hooks:` in mkdocs.yml): add the pages generated from the process definitions.

MkDocs executes this file afresh for every configuration it loads, but the modules it imports stay
cached, so during a live preview the rendering modules are reloaded before each build: an edit to
them shows up without restarting the preview.
"""

from __future__ import annotations

import importlib
import os
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from api.process import Problem
from api.process import guide_urls as urls
from guidebook import source

RENDERING_MODULES = (
    "guidebook.text",
    "api.process.guide_urls",
    "guidebook.flow",
    "guidebook.pages.gates",
    "guidebook.pages.plays",
    "guidebook.pages.process_home",
    "guidebook.pages.stage",
    "guidebook.pages.call_sheet",
    "guidebook.pages.battlecard",
    "guidebook.pages.content_library",
    "guidebook.pages",
)

_loaded: source.Loaded | None = None
_pages: dict[str, str] = {}
_in_nav: set[str] = set()


def on_startup(*, command: str, dirty: bool) -> None:
    source.set_preview(command == "serve")


def on_config(config: Any) -> Any:
    global _loaded, _pages, _in_nav
    if source.is_preview():
        for name in RENDERING_MODULES:
            importlib.reload(importlib.import_module(name))
    rendering = importlib.import_module("guidebook.pages")
    folder = process_dir(config)
    loaded = source.load(folder)
    if loaded.errors and not source.is_preview():
        raise PluginError(f"the process definitions have errors:\n{loaded.message}")
    pages: dict[str, str] = {}
    if loaded.definitions is not None:
        try:
            pages = rendering.render_pages(loaded.definitions)
        except rendering.KeyClash as clash:
            if not source.is_preview():
                raise PluginError(str(clash)) from clash
            loaded = source.unrenderable(folder, Problem(str(folder), 0, 0, "", str(clash)))
    if loaded.errors:
        pages[urls.ERRORS_PAGE] = rendering.error_page(loaded.errors, showing_last_good=loaded.definitions is not None)
    nav = rendering.navigation(loaded.definitions)
    _loaded, _pages, _in_nav = loaded, pages, rendering.nav_pages(nav)
    config.nav = nav
    return config


def on_files(files: Files, *, config: Any) -> Files:
    for path, markdown in _pages.items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"guidebook/docs/{path} clashes with a page generated from the process")
        inclusion = InclusionLevel.UNDEFINED if path in _in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, path, content=markdown, inclusion=inclusion))
    return files


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Files) -> str:
    assert _loaded is not None
    rendering = importlib.import_module("guidebook.pages")
    here = page.file.src_uri
    if rendering.HOME_MARKER in markdown:
        listing = rendering.home_listing(_loaded.definitions, from_page=here)
        markdown = markdown.replace(rendering.HOME_MARKER, listing)
    if _loaded.errors and here != urls.ERRORS_PAGE:
        errors = posixpath.relpath(urls.ERRORS_PAGE, posixpath.dirname(here) or ".")
        shown = "This page shows the last version that loaded." if _loaded.definitions else ""
        banner = (
            '!!! failure "The process files have errors"\n\n'
            f"    {shown} See [the errors]({errors}) or run `waymark check`.\n\n"
        )
        markdown = banner + markdown  # front matter is already stripped at this point
    return markdown


def on_serve(server: Any, *, config: Any, builder: Any) -> Any:
    server.watch(str(process_dir(config)))
    return server


def process_dir(config: Any) -> Path:
    """`extra.waymark_process_dir` (set by `build_site`), else `WAYMARK_PROCESS_DIR`, else next to mkdocs.yml."""
    configured = config.extra.get(source.PROCESS_DIR_KEY) or os.environ.get("WAYMARK_PROCESS_DIR")
    if configured:
        return Path(configured).resolve()
    return Path(config.config_file_path).resolve().parent / "process_definitions"
