"""What hostile input costs: time and peak memory of each refusal, through the command line.

Run:  python benchmarks/hostile_input.py [runs]

Cases: curricula of 60 KB and 200 KB of nested brackets (they took 33 s and 4.3 GB, and
over 9 GB); a cohort.yaml with 42 KB of them under `ipskit cohorts` (10 s, 1.9 GB); roster
imports of 3,000 rows (15 s) and 20,000 rows (590 s; now refused at the 5,001st); and the
sweep of leftovers that writing commands start with, over a workspace of 500 cohorts.
Budgets: a refusal well under a second and under 200 MB; 3,000 rows under 2 s.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import MINI  # noqa: E402

IPSKIT = shutil.which("ipskit") or sys.exit("install ipskit first (pip install .)")


def measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak MB of one run, in a fresh measuring process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "took = time.perf_counter() - t\n"
        "print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd,
                          capture_output=True, text=True, check=True)  # fmt: skip
    took, peak = done.stdout.split()
    return float(took), float(peak)


def report(label: str, command: list[str], cwd: Path, runs: int, budget: float) -> None:
    results = [measured(command, cwd) for _ in range(runs)]
    took = statistics.median(r[0] for r in results)
    peak = max(r[1] for r in results)
    verdict = "ok" if took < budget and peak < 200 else "OVER"
    print(f"{label:<44} {took * 1000:8.0f} ms {peak:7.0f} MB   {verdict} (< {budget:g} s, 200 MB)")


def brackets(size: int) -> str:
    depth = (size - 20) // 2
    return "id: x\nsessions: " + "[" * depth + "]" * depth + "\n"


def people(path: Path, count: int) -> Path:
    rows = "".join(f"Person {n} Ñandú,p{n}@example.org\n" for n in range(count))
    path.write_text("Full name,Email\n" + rows, encoding="utf-8")
    return path


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env_ws = root / "ws"
        subprocess.run([IPSKIT, "init", str(env_ws), "--org", "Benchmark"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        (env_ws / "curricula" / "mini.yaml").write_text(MINI)
        for size in (60_000, 200_000):
            (root / f"nested-{size}.yaml").write_text(brackets(size))
            report(
                f"curricula validate: {size // 1000} KB of brackets",
                [IPSKIT, "curricula", "validate", f"nested-{size}.yaml"],
                root,
                runs,
                1.0,
            )
        subprocess.run(
            [
                IPSKIT,
                "-w",
                str(env_ws),
                "new-cohort",
                "nested",
                "--curriculum",
                "mini",
                "--start",
                "2027-01-06",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        settings = env_ws / "cohorts" / "nested" / "cohort.yaml"
        settings.write_text(settings.read_text() + "x: " + "[" * 21_000 + "]" * 21_000 + "\n")
        report(
            "cohorts: 42 KB of brackets in cohort.yaml",
            [IPSKIT, "-w", str(env_ws), "cohorts"],
            root,
            runs,
            1.0,
        )
        shutil.rmtree(settings.parent)
        for count, budget in ((3000, 2.0), (20_000, 1.0)):
            csv = people(root / f"people-{count}.csv", count)
            results = []
            for run in range(runs):
                cohort = f"r{count}-{run}"
                subprocess.run([IPSKIT, "-w", str(env_ws), "new-cohort", cohort, "--curriculum",
                                "mini", "--start", "2027-01-06"], check=True,
                               stdout=subprocess.DEVNULL)  # fmt: skip
                results.append(
                    measured(
                        [IPSKIT, "-w", str(env_ws), "roster", cohort, "import", str(csv)], root
                    )
                )
            took = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results)
            verdict = "ok" if took < budget else "OVER"
            print(f"{f'roster import: {count:,} rows':<44} {took * 1000:8.0f} ms {peak:7.0f} MB"
                  f"   {verdict} (< {budget:g} s)")  # fmt: skip
        sweep(root, runs)


def sweep(root: Path, runs: int) -> None:
    """The walk writing commands start with, over 500 cohorts with a folder of output each."""
    from ipskit.core.store import sweep_leftovers

    ws = root / "big"
    for n in range(500):
        (ws / "cohorts" / f"c{n:03d}").mkdir(parents=True)
        (ws / "out" / f"c{n:03d}" / "certificates").mkdir(parents=True)
        for name in ("cohort.yaml", "roster.csv", "attendance.csv", "history.csv"):
            (ws / "cohorts" / f"c{n:03d}" / name).write_text("x")
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        sweep_leftovers(ws)
        times.append(time.perf_counter() - began)
    took = statistics.median(times)
    print(
        f"{'sweep of leftovers: 500 cohorts, 1,500 folders':<44} {took * 1000:8.1f} ms"
        "            (attend and roster skip it: their cohort is swept under its lock)"
    )


if __name__ == "__main__":
    main()
