"""Certificates for a cohort of 1,000: the batch against one write_pdf() per person.

Run:  python benchmarks/certificates.py [people] [--loop N]

Builds a workspace in a temporary folder with a one-session course and 1,000 people who
all attended (names in Latin with accents, Greek and Arabic letters, so that each
person's file gets fonts of its own), then:

1. times `ipskit certificates COHORT` as a trainer runs it (a new process, imports
   included): 1,000 PDF/A files, the combined print file and the register; and its
   peak memory (the largest resident size of the command and its worker processes);
   each person's file has its fonts cut down to the glyphs on its own page (with
   uharfbuzz if installed, else fontTools: the line says which, and whether WeasyPrint
   subsets with HarfBuzz, i.e. Debian's libharfbuzz-subset0 is installed);
2. renders the same template for the same people with one `HTML(...).write_pdf()` per
   person (the obvious way), in this process, for all of them or for the first N with
   --loop N (then scaled to 1,000, and said so).

Targets on a 2-core machine: the batch under 10 s, at least 3 times faster than the
loop, and under 1 GiB of memory.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

IPSKIT = shutil.which("ipskit") or str(Path(sys.executable).parent / "ipskit")
BUDGET, RATIO, MEMORY = 10.0, 3.0, 1024
FIRST = ("Siôn", "Zofia", "Ελένη", "Łukasz", "Aoife", "Γιώργος", "Chidi", "Mårten", "Nuño")
LAST = ("Prydderch", "Kęszycka", "Μαρκάκη", "Żółć", "Ní Bhriain", "حداد", "Øster", "Dvořák")


def build(root: Path, people: int) -> Path:
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.workspace import Workspace, init_workspace

    workspace = init_workspace(root / "ws", "Benchmark Peer Network")
    text = workspace.settings_path.read_text()
    text += "verification_url: https://peer-network.example.org/verify\n"
    workspace.settings_path.write_text(text)
    workspace = Workspace(workspace.root)
    start = date.today() - timedelta(days=14)
    create_cohort(workspace, "big", "ips-taster", start, trainers=("Alex Morgan", "Jo Evans"))
    cohort = open_cohort(workspace.cohorts_dir, "big")
    with changing(cohort) as records:
        for n in range(people):
            records.add(f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]} {n}")
        session = cohort.settings.sessions[0]
        for person in records.active:
            records.set_mark(session, person, "present", made_up=False, note="")
    return workspace.root


def batch(root: Path) -> tuple[float, int, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    begin = time.perf_counter()
    result = subprocess.run([IPSKIT, "-w", str(root), "certificates", "big"], capture_output=True,
                            text=True)  # fmt: skip
    elapsed = time.perf_counter() - begin
    if result.returncode != 0:
        sys.exit(result.stderr)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) // 1024
    files = list((root / "out" / "big" / "certificates").glob("certificate-*.pdf"))
    size = sum(p.stat().st_size for p in files) // max(len(files), 1) // 1024
    return elapsed, peak, len(files), size


def subsetters() -> str:
    """Which subsetter cuts each person's fonts, and which one WeasyPrint uses."""
    try:
        import uharfbuzz  # noqa: F401

        ours = "uharfbuzz"
    except ImportError:
        ours = "fontTools"
    from weasyprint.text.ffi import harfbuzz_subset

    theirs = "HarfBuzz (libharfbuzz-subset0)" if harfbuzz_subset else "fontTools"
    return f"fonts cut per person with {ours}; WeasyPrint subsets with {theirs}"


def loop(root: Path, count: int) -> float:
    """The same certificates made one at a time: a layout and a write_pdf() per person."""
    from ipskit.certificates.batch_pdf import TEMPLATE, Job, render_chunk
    from ipskit.certificates.issuing import Person, batch_context
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.records import Records
    from ipskit.documents.render import Renderer
    from ipskit.workspace import Workspace

    workspace = Workspace(root)
    cohort = open_cohort(workspace.cohorts_dir, "big")
    people = Records.load(cohort).active[:count]
    renderer = Renderer(workspace)
    renderer.layout("<p>warm up</p>", template=TEMPLATE)  # imports, outside the timing
    meta = {"title": "Certificate", "author": "Benchmark Peer Network", "language": "en-GB"}
    folder = root / "loop"
    folder.mkdir()
    begin = time.perf_counter()
    for n, person in enumerate(people):
        code = f"{n:04d}-LOOP"
        context = batch_context(workspace, cohort, [Person(code, person.id, person.name)],
                                date.today(), renderer)  # fmt: skip
        background = renderer.html(TEMPLATE, {**context, "layer": "background"})
        sheets = [[{**context["certificates"][0], "number": 1}]]
        own = renderer.html(TEMPLATE, {**context, "layer": "people", "sheets": sheets})
        made = context["certificates"][0]
        job = Job(background, own, [code], [made["target"]], [made["qr_alt"]])
        (data,) = render_chunk(renderer, job, meta).files
        (folder / f"{person.id}.pdf").write_bytes(data)
    return time.perf_counter() - begin


def main() -> None:
    args = sys.argv[1:]
    sample = None
    if "--loop" in args:
        at = args.index("--loop")
        sample = int(args[at + 1])
        del args[at : at + 2]
    people = int(args[0]) if args else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = build(Path(tmp), people)
        print(subsetters())
        elapsed, peak, files, size = batch(root)
        assert files == people, files
        print(f"ipskit certificates, {people} people: {elapsed:.2f} s, peak {peak} MiB,"
              f" {size} KB a file (budget {BUDGET:.0f} s, {MEMORY} MiB):"
              f" {'ok' if elapsed < BUDGET and peak < MEMORY else 'OVER'}")  # fmt: skip
        count = min(sample or people, people)
        looped = loop(root, count)
        scaled = looped * people / count
        how = "" if count == people else f" ({count} made, scaled to {people})"
        print(f"one write_pdf() per person: {scaled:.1f} s{how}")
        ratio = scaled / elapsed
        print(f"the batch is {ratio:.1f}x faster (target {RATIO:.0f}x):"
              f" {'ok' if ratio >= RATIO else 'OVER'}")  # fmt: skip


if __name__ == "__main__":
    main()
