"""Guidebook fixtures: one site built per session from the shipped definitions, served over HTTP."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.process import ProcessDefinitions, load_definitions
from guidebook.build import build_site
from tests.guidebook.synthetic import write_definitions

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "process_definitions"
ARTIFACTS = ROOT / "tests" / "artifacts"


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
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
