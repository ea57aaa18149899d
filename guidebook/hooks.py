"""MkDocs hooks (`hooks:` in mkdocs.yml): add the pages generated from the process definitions.

MkDocs executes this file afresh for every configuration it loads, but the modules it imports stay
cached, so during a live preview the rendering modules are reloaded before each build: an edit to
them shows up without restarting the preview.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from api.process import Problem
from api.process import guide_urls as urls
from api.process.branding import is_inline_svg, logo_file
from guidebook import source
from guidebook.build import CHANGES_KEY

RENDERING_MODULES = (
    "guidebook.text",
    "api.process.guide_urls",
    "guidebook.branding",
    "guidebook.flow",
    "guidebook.pages.gates",
    "guidebook.pages.plays",
    "guidebook.pages.process_home",
    "guidebook.pages.stage",
    "guidebook.pages.battlecard",
    "guidebook.pages.sheet_fit",
    "guidebook.pages.call_sheet",
    "guidebook.pages.home",
    "guidebook.pages.content_library",
    "guidebook.pages.navigation",
    "guidebook.pages.problems",
    "guidebook.pages.redirects",
    "guidebook.pages.changes",
    "guidebook.pages",
)

log = logging.getLogger("mkdocs.plugins.waymark")


_loaded: source.Loaded | None = None
_pages: dict[str, str] = {}
_static: dict[str, str] = {}
"""Generated files copied as they are (the redirects of renamed stages)."""
_in_nav: set[str] = set()
_process_dir: Path | None = None


def on_startup(*, command: str, dirty: bool) -> None:
    source.set_preview(command == "serve")


def on_config(config: Any) -> Any:
    global _loaded, _pages, _static, _in_nav, _process_dir
    if source.is_preview():
        for name in RENDERING_MODULES:
            importlib.reload(importlib.import_module(name))
    rendering = importlib.import_module("guidebook.pages")
    folder = process_dir(config)
    loaded, pages = _render(rendering, folder)
    if loaded.definitions is not None:
        importlib.import_module("guidebook.branding").apply_branding(
            config, config.theme, loaded.definitions.branding, with_logo=_logo(loaded, folder) is not None
        )
    if source.is_preview() and loaded.problems:
        showing_last_good = loaded.definitions is not None
        pages[urls.ERRORS_PAGE] = rendering.problems_page(loaded.problems, showing_last_good=showing_last_good)
        _report(loaded)
    nav = rendering.navigation(loaded.definitions)
    changelog = config.extra.get(CHANGES_KEY)
    if changelog and loaded.definitions is not None:
        changes = importlib.import_module("guidebook.pages.changes")
        pages[changes.PAGE] = changes.changes_page(changes.read_changelog(Path(changelog)))
        nav.append({"What changed": changes.PAGE})
    redirects = importlib.import_module("guidebook.pages.redirects")
    static = {} if loaded.definitions is None else redirects.redirect_pages(loaded.definitions)
    _loaded, _pages, _static, _in_nav, _process_dir = loaded, pages, static, rendering.nav_pages(nav), folder
    config.nav = nav
    return config


def _render(rendering: Any, folder: Path) -> tuple[source.Loaded, dict[str, str]]:
    """The definitions as loaded, and their pages; a one-off build stops at the first problem."""
    loaded = source.load(folder)
    if loaded.errors and not source.is_preview():
        raise PluginError(f"the process definitions have errors:\n{loaded.message}")
    if loaded.definitions is None:
        return loaded, {}
    try:
        return loaded, rendering.render_pages(loaded.definitions)
    except rendering.KeyClash as clash:
        if not source.is_preview():
            raise PluginError(str(clash)) from clash
        return source.unrenderable(folder, Problem(source.shown_path(folder), 0, 0, "", str(clash))), {}


def _report(loaded: source.Loaded) -> None:
    """The problems in the terminal running the preview, as `waymark check` prints them."""
    tally = importlib.import_module("guidebook.pages.problems").tally(loaded.problems)
    shown = " (the preview shows the last version that loaded)" if loaded.errors and loaded.definitions else ""
    log.warning("The process files have %s%s:", tally, shown)
    for problem in loaded.problems:
        log.warning("  %s", problem)


def on_files(files: Files, *, config: Any) -> Files:
    for path, markdown in _pages.items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"guidebook/docs/{path} clashes with a page generated from the process")
        inclusion = InclusionLevel.UNDEFINED if path in _in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, path, content=markdown, inclusion=inclusion))
    for path, html in _static.items():
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=html))
    logo = _logo_file(config)
    if logo is not None:
        files.append(logo)
    return files


def _logo_file(config: Any) -> File | None:
    if _loaded is None or _process_dir is None:
        return None
    logo = _logo(_loaded, _process_dir)
    if _loaded.definitions is None or logo is None:
        return None
    target = importlib.import_module("guidebook.branding").logo_site_path(_loaded.definitions.branding)
    if isinstance(logo, Path):
        return File.generated(config, target, abs_src_path=str(logo))
    return File.generated(config, target, content=logo)


def _logo(loaded: source.Loaded, folder: Path) -> Path | str | None:
    """The logo to copy into the site: its file, or the SVG markup written in branding.yaml; None without one."""
    logo = loaded.definitions.branding.logo if loaded.definitions is not None else None
    if logo is None:
        return None
    return logo if is_inline_svg(logo) else logo_file(folder, logo)


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Files) -> str:
    assert _loaded is not None
    rendering = importlib.import_module("guidebook.pages")
    here = page.file.src_uri
    if "<!-- waymark:" in markdown:
        markdown = rendering.fill_home(markdown, _loaded.definitions, site_name=config.site_name, here=here)
    if source.is_preview() and _loaded.problems and here != urls.ERRORS_PAGE:
        banner = rendering.problems_banner(
            _loaded.problems, here=here, showing_last_good=_loaded.definitions is not None
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
