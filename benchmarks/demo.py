"""The demo workspace, built as a trainer first builds it: `ipskit demo DIR`.

Run:  python benchmarks/demo.py [runs]

Times `ipskit demo` into a new temporary folder, several times (3 unless told), each a
new process with its imports, and prints the fastest, the median and the slowest run
next to the target, with the machine's cores and load, since the demo uses both cores
and a busy machine slows it. Exits 1 if the median is over the target.

Target: 30 s on a 2-core machine.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IPSKIT = shutil.which("ipskit") or str(Path(sys.executable).parent / "ipskit")
TARGET = 30.0


def load() -> str:
    """The load averages over 1, 5 and 15 minutes, where the system tells them."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def build_once(folder: Path) -> float:
    begin = time.perf_counter()
    result = subprocess.run([IPSKIT, "demo", str(folder)], capture_output=True, text=True)
    elapsed = time.perf_counter() - begin
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"{os.cpu_count()} cores; load before: {load()}")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(runs):
            seconds = build_once(Path(tmp) / f"demo-{number}")
            times.append(seconds)
            print(f"  run {number + 1}: {seconds:.1f} s (load {load()})")
    median = statistics.median(times)
    print(
        f"ipskit demo, {runs} runs: min {min(times):.1f} s, median {median:.1f} s,"
        f" max {max(times):.1f} s; target {TARGET:.0f} s: {'ok' if median <= TARGET else 'OVER'}"
    )
    sys.exit(0 if median <= TARGET else 1)


if __name__ == "__main__":
    main()
