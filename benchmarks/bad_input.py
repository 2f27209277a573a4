"""How fast each kind of bad curriculum is refused, through the real command line.

Run:  python benchmarks/bad_input.py [runs]
Each case is a small valid curriculum with one mistake (or an alias bomb); the
budget is "well under a second" per refusal, start-up included.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import MINI  # noqa: E402


def alias_bomb() -> str:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        rows.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(rows) + "\n"


CASES = {
    "tab indent": MINI.replace("  pattern: weekly", "\tpattern: weekly"),
    "duplicate key": MINI + "id: again\n",
    "unknown key (durration)": MINI.replace(
        "length_minutes: 60", "length_minutes: 60\n    durration: 1"
    ),
    "text where minutes belong": MINI.replace("minutes: 10\n", "minutes: ten\n"),
    "012 where text belongs": MINI.replace("title: First evening", "title: 012"),
    "alias bomb": alias_bomb(),
    "!!python tag": MINI.replace(
        "summary: Two", "summary: !!python/object/apply:os.system ['x'] #"
    ),
}


def main() -> None:
    # Time what an installed ipskit runs: its bytecode compiled, as pip does on install.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import ipskit

    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(ipskit.__file__)],
                   check=True)  # fmt: skip
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    ipskit = shutil.which("ipskit") or sys.exit("install ipskit first")
    with tempfile.TemporaryDirectory() as folder:
        for label, text in CASES.items():
            path = Path(folder) / "course.yaml"
            path.write_text(text, encoding="utf-8")
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                result = subprocess.run(
                    [ipskit, "curricula", "validate", str(path)], capture_output=True, text=True
                )
                times.append(time.perf_counter() - start)
                assert result.returncode == 1, (label, result.stdout, result.stderr)
            first = result.stderr.splitlines()[0].replace(str(path), "course.yaml")
            print(f"{label:<28} {statistics.median(times) * 1000:6.0f} ms   {first[:70]}")


if __name__ == "__main__":
    main()
