"""The API against a floor, side by side in one run: `python -m tests.benchmarks.side_by_side` (see the README
next to this package)."""
