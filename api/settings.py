"""Settings read from the environment, with defaults that work on a fresh checkout."""

from __future__ import annotations

import os
from pathlib import Path


def default_process_dir() -> Path:
    """`WAYMARK_PROCESS_DIR`, else `process_definitions/` in the current folder."""
    return Path(os.environ.get("WAYMARK_PROCESS_DIR", "process_definitions"))
