"""Publishing the verification page for a workspace with many certificates.

Run:  python benchmarks/publish.py [certificates]

Builds a workspace in a temporary folder whose one cohort's register lists 1,000
issued certificates (written straight into certificates.csv: the PDFs are not needed
to publish), then times `ipskit certificates publish` as a trainer runs it (a new
process, imports included): once into an empty folder, and again with nothing changed.
Most of the first run's time is PBKDF2, which makes each certificate's key deliberately
slow to compute (10,000 rounds), so that codes cannot be recovered from the published
data; the keys are then kept in the cohort's folder, so publishing again is quick.

No target is set for this; the figure is in the README.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

IPSKIT = shutil.which("ipskit") or str(Path(sys.executable).parent / "ipskit")


def build(root: Path, count: int) -> Path:
    from ipskit.cohorts.certificate_register import COLUMNS, new_code
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.core import csvio
    from ipskit.workspace import Workspace, init_workspace

    workspace = init_workspace(root / "ws", "Benchmark Peer Network")
    workspace = Workspace(workspace.root)
    start = date.today() - timedelta(days=14)
    cohort, _ = create_cohort(workspace, "big", "ips-taster", start)
    taken: set[str] = set()
    rows = [
        [new_code(taken), f"p{n + 1:02d}", f"Participant {n}", cohort.settings.curriculum_title,
         "1.75", start.isoformat(), hashlib.sha256(str(n).encode()).hexdigest(), "issued",
         start.isoformat(), ""]
        for n in range(count)
    ]  # fmt: skip
    (cohort.folder / "certificates.csv").write_text(csvio.to_text(COLUMNS, rows))
    return workspace.root


def publish(root: Path) -> float:
    begin = time.perf_counter()
    result = subprocess.run([IPSKIT, "-w", str(root), "certificates", "publish"],
                            capture_output=True, text=True)  # fmt: skip
    elapsed = time.perf_counter() - begin
    if result.returncode != 0:
        sys.exit(result.stderr)
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        root = build(Path(folder), count)
        first = publish(root)
        again = publish(root)
        size = (root / "out" / "verify" / "register.js").stat().st_size
    print(f"ipskit certificates publish, {count} certificates:")
    print(f"  into an empty folder   {first:6.2f} s   (register.js {size / 1024:.0f} KB)")
    print(f"  again, nothing changed {again:6.2f} s")


if __name__ == "__main__":
    main()
