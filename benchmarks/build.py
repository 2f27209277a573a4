"""`ipskit build`: a ten-week cohort's whole pack, cold, unchanged and after one edit.

Run:  python benchmarks/build.py [rounds]

Builds, in a temporary folder, a workspace with a ten-week cohort of 12 people who each
get a personal workbook, and in each round (3 unless told), each a new process with its
imports, as a trainer runs them:

- cold: `ipskit build COHORT --per-participant` on a copy with nothing built, and, in
  the same round, the separate commands that make the same documents one after another
  (session-plans, session-plans --prep, build-workbook, build-workbook --per-participant,
  handouts, register, calendar) on another such copy: the two alternate, so that a busy
  moment of the machine falls on both alike;
- unchanged: `ipskit build COHORT` again, with nothing changed;
- one edit: a participant's name corrected, then `ipskit build COHORT`, which must make
  their copy and the sign-in sheets and nothing else (the workbook's body is kept).

It prints the fastest, median and slowest of each next to its target, the cold speed-up,
and the machine's cores and load, and exits 1 if a median misses its target. Measure it
as a trainer's machine is: without HarfBuzz's subsetting library (libharfbuzz-subset),
which makes writing PDFs far faster where it is installed.

Targets on a 2-core machine: cold at most 15 s and at least 1.5 times as fast as the
separate commands; unchanged under 1 s; one edit under 3 s.
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

# The same workspace as benchmarks/workbooks.py, with its own number of people.
from workbooks import build as workspace

IPSKIT = shutil.which("ipskit") or str(Path(sys.executable).parent / "ipskit")
PEOPLE = 12
COLD, SPEED_UP, UNCHANGED, ONE_EDIT = 15.0, 1.5, 1.0, 3.0
SEPARATE = [
    ["session-plans", "spring"],
    ["session-plans", "spring", "--prep"],
    ["build-workbook", "spring"],
    ["build-workbook", "spring", "--per-participant"],
    ["handouts", "spring"],
    ["register", "spring"],
    ["calendar", "spring"],
]


def ipskit(ws: Path, *args: str) -> tuple[float, str]:
    """Run one command; its time in seconds and what it printed."""
    begin = time.perf_counter()
    result = subprocess.run([IPSKIT, "-w", str(ws), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - begin
    if result.returncode != 0:
        sys.exit(f"ipskit {' '.join(args)} failed: {result.stderr.strip()}")
    return elapsed, result.stdout


def made(output: str) -> set[str]:
    return {line.split(None, 1)[1] for line in output.splitlines() if line.startswith("made ")}


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def spread(name: str, times: list[float], target: str) -> str:
    return (f"{name}: min {min(times):.2f} s, median {statistics.median(times):.2f} s,"
            f" max {max(times):.2f} s; target {target}")  # fmt: skip


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    subsetting = any(any(Path(p).glob("libharfbuzz-subset.so*")) for p in
                     ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib"))  # fmt: skip
    print(f"{os.cpu_count()} cores; load {load()}; libharfbuzz-subset"
          f" {'installed (faster than a trainer may have)' if subsetting else 'absent'}")  # fmt: skip
    cold, separate, unchanged, edited = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        blank = workspace(Path(tmp) / "blank", PEOPLE)
        for n in range(rounds):
            built = Path(tmp) / f"built-{n}"
            shutil.copytree(blank, built)
            seconds, _ = ipskit(built, "build", "spring", "--per-participant")
            cold.append(seconds)
            apart = Path(tmp) / f"apart-{n}"
            shutil.copytree(blank, apart)
            separate.append(sum(ipskit(apart, *args)[0] for args in SEPARATE))
            seconds, said = ipskit(built, "build", "spring")
            assert not made(said), said
            unchanged.append(seconds)
            ipskit(built, "roster", "spring", "edit", "p03", "--name", f"Participant {n} Edited")
            seconds, said = ipskit(built, "build", "spring")
            expected = {"out/spring/workbooks/workbook-p03.pdf", "out/spring/registers.pdf"}
            assert made(said) == expected, said
            edited.append(seconds)
            print(f"  round {n + 1}: cold {cold[-1]:.2f} s, separately {separate[-1]:.2f} s,"
                  f" unchanged {unchanged[-1]:.2f} s, one edit {edited[-1]:.2f} s"
                  f" (load {load()})")  # fmt: skip
    ratios = [s / c for c, s in zip(cold, separate, strict=True)]
    lines = [
        (spread("cold build", cold, f"{COLD:.0f} s"), statistics.median(cold) <= COLD),
        (spread("the separate commands", separate, "none"), True),
        (f"cold speed-up: {', '.join(f'{r:.2f}x' for r in ratios)} (median"
         f" {statistics.median(ratios):.2f}x); target {SPEED_UP}x",
         statistics.median(ratios) >= SPEED_UP),
        (spread("unchanged", unchanged, f"under {UNCHANGED:.0f} s"),
         statistics.median(unchanged) < UNCHANGED),
        (spread("one name edited", edited, f"under {ONE_EDIT:.0f} s"),
         statistics.median(edited) < ONE_EDIT),
    ]  # fmt: skip
    for line, ok in lines:
        print(f"{line}: {'ok' if ok else 'MISSED'}" if "target none" not in line else line)
    sys.exit(0 if all(ok for _, ok in lines) else 1)


if __name__ == "__main__":
    main()
