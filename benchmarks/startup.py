"""How long `ipskit --help` takes next to a bare `import typer, rich` (the budget is 1.5x).

Run:  python benchmarks/startup.py [runs]
Prints the median of several runs of each, and their ratio.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    # Time what an installed ipskit runs: its bytecode compiled, as pip does on install.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import ipskit

    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(ipskit.__file__)],
                   check=True)  # fmt: skip
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ipskit = shutil.which("ipskit")
    commands = {
        "python -c 'import typer, rich'": [sys.executable, "-c", "import typer, rich"],
        "ipskit --help": [ipskit, "--help"]
        if ipskit
        else [sys.executable, "-m", "ipskit", "--help"],
        "ipskit curricula --help": (
            [ipskit, "curricula", "--help"]
            if ipskit
            else [sys.executable, "-m", "ipskit", "curricula", "--help"]
        ),
        "ipskit curricula list": (
            [ipskit, "curricula", "list"]
            if ipskit
            else [sys.executable, "-m", "ipskit", "curricula", "list"]
        ),
    }
    for command in commands.values():  # warm the file cache
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    base = None
    for label, command in commands.items():
        seconds = median_seconds(command, runs)
        base = base or seconds
        print(f"{label:<34} {seconds * 1000:7.1f} ms   {seconds / base:4.2f}x")


if __name__ == "__main__":
    main()
