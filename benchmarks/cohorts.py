"""Everyday commands on a large workspace, and their start-up next to typer + rich.

Run:  python benchmarks/cohorts.py [runs]

Builds a workspace of 500 cohorts of 30 participants and 10 sessions (all marked) in a
temporary folder, then times, as a trainer would run them:
- `ipskit cohorts` over all 500, and `ipskit attendance COHORT` on one (budget: 1 s each);
- `attend`, `attendance`, `status` and `roster list` on one cohort, next to a bare
  `python -c "import typer, rich"` (budget: 1.5x);
and checks that none of them imports a PDF library.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

IPSKIT = shutil.which("ipskit") or sys.exit("install ipskit first (pip install .)")
COHORTS, PEOPLE, SESSIONS = 500, 30, 10


def build(root: Path) -> Path:
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.cohort_file import write_settings
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.cohorts.record_types import ATTENDANCE_FILE, Mark
    from ipskit.workspace import init_workspace

    workspace = init_workspace(root / "ws", "Benchmark Peer Network")
    start = date.today() - timedelta(days=200)
    cohort, _ = create_cohort(workspace, "c000", "ips-10-week", start)
    with changing(cohort) as records:
        for n in range(PEOPLE):
            records.add(f"Participant {n} Ñandú", email=f"p{n}@example.org")
    rng = random.Random(1)
    template = cohort.folder
    for index in range(COHORTS):
        folder = root / "ws" / "cohorts" / f"c{index:03d}"
        if index:  # as `new-cohort` would write it, without parsing the curriculum again
            shutil.copytree(template, folder)
            write_settings(folder, cohort.settings._replace(id=folder.name))
        copy = open_cohort(folder.parent, folder.name)
        with changing(copy) as records:  # as `ipskit attend` would record them
            for session in range(1, SESSIONS + 1):
                for person in records.roster:
                    status = rng.choice(["present"] * 8 + ["late", "absent", "excused"])
                    records.marks[(session, person.id)] = Mark(session, person.id, status)
            records.changed.add(ATTENDANCE_FILE)
    return root / "ws"


def run_once(command: list[str], env: dict[str, str]) -> float:
    begin = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - begin


def paired(
    command: list[str], base: list[str], env: dict[str, str], runs: int
) -> tuple[float, float]:
    """Medians of the command and the baseline, run alternately so that both see the
    same machine: on shared machines the speed drifts from one second to the next."""
    ours, theirs = [], []
    for _ in range(runs):
        theirs.append(run_once(base, env))
        ours.append(run_once(command, env))
    return statistics.median(ours), statistics.median(theirs)


def imports_pdf_library(command: list[str], env: dict[str, str]) -> bool:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ipskit", *command[1:]],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return any(name in result.stderr for name in ("weasyprint", "pypdf", "pydantic"))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        ws = build(Path(folder))
        print(f"built {COHORTS} cohorts of {PEOPLE} people in {time.perf_counter() - began:.1f} s")
        # An installed ipskit has its bytecode compiled by pip; make sure this one does too,
        # whatever PYTHONDONTWRITEBYTECODE says, so that we time what a trainer runs.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["IPSKIT_WORKSPACE"] = str(ws)
        import ipskit

        subprocess.run([sys.executable, "-m", "compileall", "-q", Path(ipskit.__file__).parent],
                       check=True)  # fmt: skip
        base = [sys.executable, "-c", "import typer, rich"]
        first = run_once([IPSKIT, "cohorts"], env)
        print(f"{'ipskit cohorts, first run':<40} {first * 1000:7.1f} ms   "
              f"{'ok' if first < 1 else 'OVER'} (< 1 s)")  # fmt: skip
        for cache in ws.glob("cohorts/*/.*-cache.json"):
            cache.unlink()
        cold = run_once([IPSKIT, "cohorts"], env)
        print(f"{'ipskit cohorts, every cohort hand-edited':<40} {cold * 1000:7.1f} ms"
              "   (no budget: a whole workspace edited by hand is rare)")  # fmt: skip
        checks = [
            ("ipskit cohorts (500 cohorts)", [IPSKIT, "cohorts"], 1.0, None),
            ("ipskit attendance c001", [IPSKIT, "attendance", "c001"], 1.0, 1.5),
            ("ipskit status c001", [IPSKIT, "status", "c001"], None, 1.5),
            ("ipskit roster c001 list", [IPSKIT, "roster", "c001", "list"], None, 1.5),
            ("ipskit attend c001 1 --present p01", [IPSKIT, "attend", "c001", "1", "--present", "p01"], None, 1.5),
        ]  # fmt: skip
        print(f"{'command':<40} {'median':>10}   {'import typer, rich':>18}")
        for label, command, seconds, ratio in checks:
            took, baseline = paired(command, base, env, runs)
            verdicts = []
            if seconds is not None:
                verdicts.append(f"{'ok' if took < seconds else 'OVER'} (< {seconds:g} s)")
            if ratio is not None:
                verdicts.append(f"{took / baseline:.2f}x {'ok' if took / baseline <= ratio else 'OVER'}"
                                f" (<= {ratio:g}x)")  # fmt: skip
            if imports_pdf_library(command, env):
                verdicts.append("IMPORTS A PDF OR VALIDATION LIBRARY")
            print(
                f"{label:<40} {took * 1000:7.1f} ms   {baseline * 1000:10.1f} ms     {'   '.join(verdicts)}"
            )


if __name__ == "__main__":
    main()
