"""How often Python looks for unreachable cycles, in a process that lays out pages."""

from __future__ import annotations

import gc

#: Python's cycle collector runs after every 700 new objects by default.
COLLECT_AFTER = (100_000, 10, 10)


def fewer_collections() -> None:
    """Let Python look for unreachable cycles less often, in a process that lays out pages.

    Laying out a document makes millions of small objects, and the collector, at its
    default pace, goes through them over and over. Collecting after every 100,000 new
    objects rather than 700 lays out the ten-week session plans in 0.84 to 0.93 of the
    time (benchmarks/collector.py), and the demo in 0.88, for some memory (the demo's
    largest process peaks at 218 MB rather than 172); the older generations keep their
    default pace, so what a finished document leaves is still freed soon after.
    """
    gc.set_threshold(*COLLECT_AFTER)
