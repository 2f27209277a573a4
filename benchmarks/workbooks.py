"""Participant workbooks: one copy per person for a ten-week cohort of 30, cold and warm.

Run:  python benchmarks/workbooks.py [runs]

Builds a workspace with a ten-week cohort of 30 participants in a temporary folder and
times `ipskit build-workbook COHORT --per-participant` as a trainer would run it (a new
process each time, imports included), several times (3 unless told) each way:

- cold: nothing made before, so the workbook's body is laid out too;
- warm: the body kept from the last build (out/COHORT/.build), every copy made again,
  as after the covers' template changed or the copies were deleted.

Budget: 5 s warm on a 2-core machine; the cold figure is printed beside it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

IPSKIT = shutil.which("ipskit") or str(Path(sys.executable).parent / "ipskit")
PEOPLE, BUDGET = 30, 5.0


def build(root: Path, people: int = PEOPLE) -> Path:
    """A workspace in ``root`` with a ten-week cohort, spring, of ``people``, nothing built."""
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.workspace import init_workspace

    workspace = init_workspace(root / "ws", "Benchmark Peer Network")
    cohort, _ = create_cohort(workspace, "spring", "ips-10-week", date.today() + timedelta(days=30))
    with changing(cohort) as records:
        for n in range(people):
            records.add(f"Participant {n} Ñandú-Øster")
    return root / "ws"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        workspace = build(Path(tmp))
        out = workspace / "out" / "spring"
        command = [IPSKIT, "-w", str(workspace), "build-workbook", "spring", "--per-participant"]
        times: dict[str, list[float]] = {"cold": [], "warm": []}
        for _ in range(runs):
            for way in times:
                if way == "cold":
                    shutil.rmtree(out, ignore_errors=True)
                else:  # the copies go; the body and the record of it stay
                    shutil.rmtree(out / "workbooks")
                begin = time.perf_counter()
                result = subprocess.run(command, capture_output=True, text=True)
                times[way].append(time.perf_counter() - begin)
                if result.returncode != 0:
                    sys.exit(result.stderr)
                assert result.stdout.startswith(f"Wrote {PEOPLE} workbooks"), result.stdout
        written = sorted((out / "workbooks").glob("*.pdf"))
        assert len(written) == PEOPLE, written
        size = sum(p.stat().st_size for p in written) / len(written) / 1024
        for way, taken in times.items():
            best = min(taken)
            verdict = f"; budget {BUDGET:.0f} s: {'ok' if best < BUDGET else 'OVER'}"
            print(
                f"build-workbook --per-participant, {PEOPLE} people, {way}: best {best:.2f} s"
                f" of {runs} ({', '.join(f'{t:.2f}' for t in taken)}); {size:.0f} KB a copy"
                + (verdict if way == "warm" else "")
            )


if __name__ == "__main__":
    main()
