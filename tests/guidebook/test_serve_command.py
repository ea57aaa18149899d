"""`waymark guide serve` listens beside the API, and says so in one line when its port is taken."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

WAYMARK = [sys.executable, "-c", "import sys; from api.cli import main; sys.argv[0] = 'waymark'; main()"]


def _default_of(command: list[str], option: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    found = re.search(rf"{option}\s.*?\[default: ([^\]]+)\]", result.output)
    assert found, result.output
    return found.group(1)


def test_the_preview_defaults_to_port_8001_beside_the_api_on_8000() -> None:
    assert _default_of(["guide", "serve"], "--dev-addr") == "127.0.0.1:8001"
    assert _default_of(["serve"], "--port") == "8000"


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_a_taken_port_is_one_clear_line_and_a_failure(taken_port: int, synthetic_dir: Path, tmp_path: Path) -> None:
    # when
    result = subprocess.run(
        [*WAYMARK, "guide", "serve", "--process-dir", str(synthetic_dir), "--dev-addr", f"127.0.0.1:{taken_port}"],
        cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"waymark guide serve: 127.0.0.1:{taken_port} is already in use (another preview or server?): stop it, "
        f"or choose another port with --dev-addr 127.0.0.1:{taken_port + 1}"
    ]
    assert result.stdout == ""


def test_an_address_without_a_port_is_refused_before_anything_is_built(synthetic_dir: Path) -> None:
    result = CliRunner().invoke(app, ["guide", "serve", "--process-dir", str(synthetic_dir), "--dev-addr", "localhost"])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "waymark guide serve: --dev-addr must be HOST:PORT, such as 127.0.0.1:8001, not 'localhost'"
    )


def test_a_port_taken_during_the_first_build_is_the_same_line(
    taken_port: int, synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the port looked free when checked, and was taken by the time the preview listens
    monkeypatch.setattr("api.cli.guide.address_problem", lambda dev_addr: None)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    # The command hands the folder to MkDocs' hooks through the environment: undo that after the test.
    monkeypatch.setenv("WAYMARK_PROCESS_DIR", str(synthetic_dir))

    # when
    result = CliRunner().invoke(
        app, ["guide", "serve", "--process-dir", str(synthetic_dir), "--dev-addr", f"127.0.0.1:{taken_port}"]
    )

    # then
    assert result.exit_code == 1
    assert f"waymark guide serve: 127.0.0.1:{taken_port} is already in use" in result.output
    assert "Traceback" not in result.output
