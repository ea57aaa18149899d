"""Requests/s over real HTTP: `waymark serve --workers N` with one and with several worker processes, loaded
by `hey` (Debian package `hey`: `apt-get install hey`) at 1, 10 and 50 concurrent clients."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.benchmarks.side_by_side import documents
from tests.benchmarks.side_by_side.data import prepare

CLIENTS = (1, 10, 50)
SECONDS = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, *, workers: int, code: Path | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "WAYMARK_BUILD_GUIDE": "false",
        "WAYMARK_MIGRATE_ON_START": "false",
    }
    if code is not None:
        environment["PYTHONPATH"] = str(code)
    if code is None:  # as operators run it
        command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port)]
        command += ["--workers", str(workers), "--no-access-log", "--no-build-guide"]
    else:  # an earlier checkout, which may not have `serve --workers`
        command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port)]
        command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    server = subprocess.Popen(command, env=environment, cwd=code or Path.cwd())
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not become ready")


def _hey(base: str, *, token: str, body: dict[str, object], clients: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(body, file)
    command = ["hey", "-z", f"{SECONDS}s", "-c", str(clients), "-m", "POST", "-T", "application/json"]
    command += ["-H", f"Authorization: Bearer {token}", "-D", file.name, f"{base}/graphql"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    Path(file.name).unlink()
    rate = _seconds(r"Requests/sec:\s+([\d.]+)", output)
    codes = re.findall(r"\[(\d+)\]\s+(\d+) responses", output)
    failed = sum(int(n) for code, n in codes if code != "200")
    if "99% in" in output:
        p50, p99 = _seconds(r"50% in ([\d.]+) secs", output), _seconds(r"99% in ([\d.]+) secs", output)
        latency = f"p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
    else:  # hey leaves out the percentiles of short runs: its average and slowest instead
        average, slowest = _seconds(r"Average:\s+([\d.]+) secs", output), _seconds(r"Slowest:\s+([\d.]+)", output)
        latency = f"avg {average * 1000:7.1f} ms  max {slowest * 1000:7.1f} ms"
    return f"{rate:8.1f}/s  {latency}" + (f"  {failed} non-200" if failed else "")


def _seconds(pattern: str, output: str) -> float:
    found = re.search(pattern, output)
    return float(found.group(1)) if found else float("nan")


def http_runs(*, size: int, workers: int, code: Path | None = None) -> None:
    if shutil.which("hey") is None:
        print("HTTP: `hey` is not installed (apt-get install hey); skipped")
        return
    db = asyncio.run(prepare(size, reseed=False))
    requests = {
        "board, OPEN": {"query": documents.BOARD, "variables": documents.OPEN},
        "me { id }": {"query": documents.ME},
    }
    print(f"HTTP, {size:,} deals, hey for {SECONDS} s per cell" + (f", code from {code}" if code else ""))
    for count in (1, workers):
        server, base = _serve(db.url, workers=count, code=code)
        try:
            for name, body in requests.items():
                for clients in CLIENTS:
                    result = _hey(base, token=db.admin_token, body=body, clients=clients)
                    print(f"  {count} worker(s)  {name:12} {clients:>3} clients  {result}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
