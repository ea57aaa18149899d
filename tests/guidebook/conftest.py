"""Guidebook fixtures: one site built per session from the shipped definitions, served over HTTP."""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.process import ProcessDefinitions, load_definitions
from guidebook import source
from guidebook.build import CONFIG_FILE, build_site
from guidebook.source import PROCESS_DIR_KEY
from tests.guidebook.synthetic import write_definitions
from tests.prerequisites import CHROMIUM, CHROMIUM_FLAGS
from tests.prerequisites import missing as skip_unless_ci

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "process_definitions"
ARTIFACTS = ROOT / "tests" / "artifacts"
HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def record_build_time(label: str, seconds: float) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "build-times.txt").open("a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {label}: {seconds:.2f} s\n")


@pytest.fixture(scope="session")
def definitions_dir() -> Path:
    return SHIPPED


@pytest.fixture(scope="session")
def definitions(definitions_dir: Path) -> ProcessDefinitions:
    return load_definitions(definitions_dir)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, definitions_dir: Path) -> Path:
    """The guidebook for the shipped definitions, built once, strict."""
    site_dir = tmp_path_factory.mktemp("guidebook") / "site"
    started = time.perf_counter()
    build_site(process_dir=definitions_dir, site_dir=site_dir, strict=True)
    record_build_time("shipped definitions", time.perf_counter() - started)
    return site_dir


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated process (4 stages × 3 milestones, two competitors and the status quo)."""
    return write_definitions(tmp_path_factory.mktemp("synthetic") / "process_definitions")


@pytest.fixture(scope="session")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory, synthetic_dir: Path) -> Path:
    site_dir = tmp_path_factory.mktemp("synthetic-guidebook") / "site"
    build_site(process_dir=synthetic_dir, site_dir=site_dir, strict=True)
    return site_dir


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 (search needs HTTP; file:// does not work)."""
    yield from serve(site)


def serve(site_dir: Path) -> Iterator[str]:
    """Serve a built site over HTTP on 127.0.0.1 for as long as the generator runs; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
# open, and every asyncio test after a browser module needs the thread to itself.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        skip_unless_ci(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_unless_ci("the playwright Python package is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a fresh browser context; nothing may come from the internet."""
    context = browser.new_context(**{"viewport": DESKTOP, **context_options})
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:")) else outside.append(r.url))
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
    assert outside == []


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from open_page(browser)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page the size of a phone held upright (390 × 844 CSS pixels), with touch."""
    yield from open_page(browser, viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_unless_ci("axe-core is not installed and npm is missing: apt-get install npm, then npm ci")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True)
        if result.returncode != 0 or not AXE.exists():
            skip_unless_ci(f"`npm ci` in {HERE} failed, so axe-core is missing:\n{result.stderr[-2000:]}")
    return AXE


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"guidebook-{name}.png"), full_page=False)


def preview_build(process_dir: Path, site_dir: Path) -> None:
    """One rebuild as `mkdocs serve` runs it: a freshly loaded config (use with the `preview_mode` fixture)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(config_file=str(CONFIG_FILE), site_dir=str(site_dir), strict=False)
    config.extra[PROCESS_DIR_KEY] = str(process_dir)
    build(config)


@pytest.fixture
def preview_mode() -> Iterator[None]:
    """Builds behave as in `waymark guide serve`: problems shown on the pages, the last good version kept."""
    source.set_preview(True)
    try:
        yield
    finally:
        source.set_preview(False)
