"""`waymark guide serve`: YAML edits rebuild the preview; a YAML error shows in the site, never stops it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from guidebook import source
from guidebook.build import CONFIG_FILE
from guidebook.source import PROCESS_DIR_KEY


@pytest.fixture
def editable(tmp_path: Path, synthetic_dir: Path) -> Path:
    target = tmp_path / "process_definitions"
    shutil.copytree(synthetic_dir, target)
    return target


def _preview_build(process_dir: Path, site_dir: Path) -> None:
    """One rebuild as `mkdocs serve` runs it: a freshly loaded config, in preview mode."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(config_file=str(CONFIG_FILE), site_dir=str(site_dir), strict=False)
    config.extra[PROCESS_DIR_KEY] = str(process_dir)
    build(config)


@pytest.fixture
def preview_mode() -> Iterator[None]:
    source.set_preview(True)
    try:
        yield
    finally:
        source.set_preview(False)


@pytest.mark.usefixtures("preview_mode")
def test_an_error_in_preview_shows_an_error_page_and_keeps_the_last_good_pages(tmp_path: Path, editable: Path) -> None:
    # given a preview that built once
    site_dir = tmp_path / "site"
    _preview_build(editable, site_dir)
    # when a stage loses its name
    process = editable / "processes" / "synthetic.yaml"
    process.write_text(process.read_text().replace("    name: Stage 2\n", "    name: ''\n"))
    _preview_build(editable, site_dir)
    # then
    errors = (site_dir / "process-errors" / "index.html").read_text()
    assert "synthetic.yaml:" in errors
    assert "stages[1].name" in errors
    stage = (site_dir / "synthetic" / "stage-2" / "index.html").read_text()
    assert "The process files have errors" in stage
    assert "Stage 2" in stage


@pytest.mark.usefixtures("preview_mode")
def test_a_preview_that_never_loaded_shows_only_the_errors(tmp_path: Path, editable: Path) -> None:
    (editable / "competitors" / "acme.yaml").write_text("key: acme\nname: [not, a, name]\n")
    _preview_build(editable, tmp_path / "site")
    assert (tmp_path / "site" / "process-errors" / "index.html").is_file()
    assert not (tmp_path / "site" / "synthetic").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _wait_for(url: str, text: str, *, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = _get(url)
        if status == 200 and text in body:
            return body
        time.sleep(0.25)
    raise AssertionError(f"{url} never showed {text!r}")


def test_guide_serve_rebuilds_on_yaml_edits_and_survives_errors(tmp_path: Path, editable: Path) -> None:
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    waymark = [sys.executable, "-c", "import sys; from api.cli import main; sys.argv[0] = 'waymark'; main()"]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*waymark, "guide", "serve", "--process-dir", str(editable), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(base + "synthetic/stage-1/", "Stage 1")
        process = editable / "processes" / "synthetic.yaml"
        # an edit rebuilds
        process.write_text(process.read_text().replace("name: Stage 1\n", "name: Renamed first stage\n"))
        _wait_for(base + "synthetic/stage-1/", "Renamed first stage")
        # an error keeps serving and shows the error
        process.write_text(process.read_text().replace("    probability: 0.4\n", "    probability: 40\n"))
        errors = _wait_for(base + "process-errors/", "stages[1].probability")
        assert "synthetic.yaml:" in errors
        assert server.poll() is None
        # fixing it clears the error
        process.write_text(process.read_text().replace("    probability: 40\n", "    probability: 0.4\n"))
        deadline = time.monotonic() + 30
        while _get(base + "process-errors/")[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert _get(base + "process-errors/")[0] == 404
    except AssertionError as failure:
        raise AssertionError(
            f"{failure}\n--- waymark guide serve said:\n{(tmp_path / 'serve.log').read_text()}"
        ) from None
    finally:
        log.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
