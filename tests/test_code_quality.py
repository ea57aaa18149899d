"""The linters run as part of the test command, so CI and contributors see the same result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", "api", "guidebook", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted() -> None:
    result = _run("ruff", "format", "--check", "api", "guidebook", "tests")
    assert result.returncode == 0, "run `ruff format api guidebook tests`:\n" + result.stdout + result.stderr


def test_mypy_strict_on_api_and_guidebook_finds_nothing() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
