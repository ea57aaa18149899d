"""`waymark serve` in a process of its own, as a user starts it, its output (stdout and stderr) readable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def waymark_serve(*arguments: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
