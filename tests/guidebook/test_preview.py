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
from pathlib import Path

import pytest

from guidebook import source
from tests.guidebook.conftest import preview_build


@pytest.fixture
def editable(tmp_path: Path, synthetic_dir: Path) -> Path:
    target = tmp_path / "process_definitions"
    shutil.copytree(synthetic_dir, target)
    return target


_preview_build = preview_build


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
    assert "The process files have 1 error" in stage
    assert "This page shows the last version that loaded." in stage
    assert "Stage 2" in stage


@pytest.mark.usefixtures("preview_mode")
def test_lint_warnings_show_on_every_page_of_a_preview_and_never_in_a_build(tmp_path: Path, editable: Path) -> None:
    # given a milestone without an ask
    process = editable / "processes" / "synthetic.yaml"
    process.write_text(process.read_text().replace("        ask: Ask the buyer for the zx1q2 rollout review.\n", ""))
    # when
    _preview_build(editable, tmp_path / "site")
    # then
    listing = (tmp_path / "site" / "process-errors" / "index.html").read_text()
    assert "stages[0].milestones[1]" in listing
    assert "milestone &#x27;s1-m2&#x27; has no ask" in listing or "milestone 's1-m2' has no ask" in listing
    for page in ("index.html", "synthetic/stage-3/index.html", "competitors/acme/index.html"):
        assert "The process files have 1 warning" in (tmp_path / "site" / page).read_text(), page
    source.set_preview(False)
    build_dir = tmp_path / "built"
    _preview_build(editable, build_dir)
    assert "The process files have" not in (build_dir / "synthetic" / "stage-1" / "index.html").read_text()
    assert not (build_dir / "process-errors").exists()


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
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [*waymark, "guide", "serve", "--process-dir", "process_definitions", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    process = editable / "processes" / "synthetic.yaml"
    try:
        _wait_for(base + "synthetic/stage-1/", "Stage 1")
        # an edit rebuilds
        process.write_text(process.read_text().replace("name: Stage 1\n", "name: Renamed first stage\n"))
        _wait_for(base + "synthetic/stage-1/", "Renamed first stage")
        # an error keeps serving and shows the error, on its page and in the terminal, at a relative file:line:col
        process.write_text(process.read_text().replace("    probability: 0.4\n", "    probability: 40\n"))
        line = _line_number(process, "    probability: 40\n")
        where = f"process_definitions/processes/synthetic.yaml:{line}:18"
        error = f"{where}: stages[1].probability: 40 must be at most 1.0"
        errors = _wait_for(base + "process-errors/", "stages[1].probability")
        assert f"<code>{where}</code> <code>stages[1].probability</code>: 40 must be at most 1.0" in errors
        assert str(tmp_path) not in errors
        assert "The process files have 1 error" in _wait_for(base + "synthetic/stage-2/", "Stage 2")
        _wait_for_log(log_path, error)
        assert server.poll() is None
        # a warning shows the same way
        process.write_text(
            process.read_text()
            .replace("    probability: 40\n", "    probability: 0.4\n")
            .replace("        ask: Ask the buyer for the zx1q2 rollout review.\n", "")
        )
        line = _line_number(process, "      - key: s1-m2\n")
        where = f"process_definitions/processes/synthetic.yaml:{line}:9"
        warning = f"{where}: stages[0].milestones[1].ask: warning: milestone 's1-m2' has no ask"
        assert f"<code>{where}</code>" in _wait_for(base + "process-errors/", "has no ask")
        assert "The process files have 1 warning" in _wait_for(base + "synthetic/stage-1/", "Renamed first stage")
        _wait_for_log(log_path, warning)
        # fixing it clears the list
        process.write_text(
            process.read_text().replace(
                "        typical_days: 3\n        why: Deals without the rollout step 1.2 stall.\n",
                "        typical_days: 3\n        why: Deals without the rollout step 1.2 stall.\n"
                "        ask: Ask the buyer for the rollout review.\n",
                1,
            )
        )
        deadline = time.monotonic() + 30
        while _get(base + "process-errors/")[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert _get(base + "process-errors/")[0] == 404
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- waymark guide serve said:\n{log_path.read_text()}") from None
    finally:
        log.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _line_number(path: Path, line: str) -> int:
    return path.read_text().splitlines(keepends=True).index(line) + 1


def _wait_for_log(path: Path, text: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        time.sleep(0.25)
    raise AssertionError(f"the terminal never showed {text!r}")
