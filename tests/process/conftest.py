from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(__file__).parents[2] / "process_definitions"


@pytest.fixture
def definitions_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the minimal valid definitions; the test runs beside it, as `process_definitions`."""
    shutil.copytree(FIXTURES / "valid", tmp_path / "process_definitions")
    monkeypatch.chdir(tmp_path)
    return Path("process_definitions")


@pytest.fixture
def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the shipped definitions; the test runs beside it, as `process_definitions`."""
    shutil.copytree(SHIPPED, tmp_path / "process_definitions")
    monkeypatch.chdir(tmp_path)
    return Path("process_definitions")
