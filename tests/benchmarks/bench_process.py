"""How long loading the process definitions takes, against bare YAML parsing of the same files
with the same parser (libyaml through PyYAML): the floor no loader could beat.

Run: `python -m tests.benchmarks.bench_process [--repeat N] [DIR]`
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from api.process import load_definitions, read_definitions


def _timed(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, default=Path("process_definitions"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    files = sorted(args.directory.glob("*/*.yaml"))
    size = sum(f.stat().st_size for f in files)

    def bare_parse() -> None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for path in files:
            yaml.load(path.read_bytes(), Loader=loader)

    floor = _timed(bare_parse, args.repeat)
    full = _timed(lambda: load_definitions(args.directory), args.repeat)
    definitions = load_definitions(args.directory)
    problems = len(read_definitions(args.directory).problems)
    milestones = sum(len(p.milestones) for p in definitions.processes)
    print(
        f"files: {len(files)} ({size / 1024:.0f} KiB), processes: {len(definitions.processes)}, "
        f"milestones: {milestones}, problems: {problems}"
    )
    print(f"bare YAML parse (floor): {floor * 1000:.1f} ms")
    print(f"load + validate + lint:  {full * 1000:.1f} ms  ({full / floor:.2f}x the floor)")


if __name__ == "__main__":
    main()
