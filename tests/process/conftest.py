from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(__file__).parents[2] / "process_definitions"


@pytest.fixture
def definitions_copy(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid definitions, at `<tmp>/process_definitions`."""
    target = tmp_path / "process_definitions"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped definitions, at `<tmp>/process_definitions`."""
    target = tmp_path / "process_definitions"
    shutil.copytree(SHIPPED, target)
    return target
