"""The cyclic garbage collector's settings for a server, applied once it has started.

A request that answers a period-end view or a board makes hundreds of thousands of short-lived objects; with
Python's default thresholds (700, 10, 10) the collector runs hundreds of times in one request, walking the
long-lived ones (the schema, the process model, modules) every time: 40 % of the CPU of `pipeline` at 100,000
deals. The server freezes what start-up made (never collected again) and lets the young generation grow to
50,000 objects before a collection (`WAYMARK_GC_THRESHOLDS`, e.g. `700,10,10` for Python's defaults). Figures:
`tests/benchmarks/README.md`.
"""

from __future__ import annotations

import gc

SERVER_THRESHOLDS = (50_000, 20, 10)


def tune_for_serving(thresholds: tuple[int, int, int] = SERVER_THRESHOLDS) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
