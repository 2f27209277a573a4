"""Shared test helpers: file trees from dicts, a small valid curriculum, CLI calls."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from ipskit.cli import app

#: Names that would be markup, template code or a sum if anything treated them as more
#: than text, and names in the scripts every document must draw.
HOSTILE = (
    "<img src=file:///etc/passwd>",
    "<link rel=attachment href=file:///etc/hostname>",
    "{{ 7*7 }}",
    "Siân O'Brien",
    "Łukasz Żółć",
    "Γιώργος Παπαδόπουλος",
    "Олена Коваленко",
    "محمد علي",
    "דוד לוי",
)

MINI = """\
id: mini
title: A small course
summary: Two short evenings.
audience: Anyone curious.
schedule:
  pattern: weekly
  start_time: "18:00"
group_agreement:
  - What is said here stays here.
sessions:
  - id: one
    title: First evening
    length_minutes: 60
    aim: Meet each other.
    objectives: [Name the three principles]
    blocks:
      - kind: welcome
        title: Welcome
        minutes: 10
        facilitator_notes: Greet people.
      - kind: break
        title: Tea
        minutes: 15
      - kind: role-play
        title: Practice in threes
        minutes: 35
        facilitator_notes: Set up groups of three.
        role_play:
          scenario: A first meeting.
          roles:
            - {name: Peer supporter, brief: Be curious.}
            - {name: Person, brief: Share what you choose.}
            - {name: Observer, brief: Notice connection.}
          debrief: ["What helped?", "What got in the way?"]
  - id: two
    title: Second evening
    length_minutes: 30
    aim: Say goodbye.
    objectives: [Reflect]
    blocks:
      - kind: check-out
        title: Closing round
        minutes: 30
        facilitator_notes: One word each.
completion:
  min_attendance_percent: 50
certificate:
  heading: Certificate of attendance
  statement: took part in a small course
"""


def build_file_tree(root: Path, spec: dict[str, str | dict]) -> None:
    """Create files and folders under root from a dict (strings are file contents)."""
    for name, content in spec.items():
        path = root / name
        if isinstance(content, dict):
            path.mkdir(parents=True, exist_ok=True)
            build_file_tree(path, content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def run(*args: str):
    """Invoke the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args))


def as_excel_reads(text: str) -> str:
    """A CSV export as Excel reads it: the byte order mark that says UTF-8, then the cells."""
    assert text.startswith("\ufeff"), text[:40]
    return text.removeprefix("\ufeff")


def kill_after(process, seconds: float) -> None:
    """SIGKILL ``process`` once ``seconds`` have passed, or let it be if it ended before.

    The kill lands at the same moment as after ``time.sleep(seconds)``; a process that has
    finished by then is not waited for any longer (a kill would do nothing to it).
    """
    import signal
    import subprocess

    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.wait()


def pdf_pages_text(path) -> list[str]:
    """The text of each page of a PDF, read by PDFium: pypdf's extract_text, many times faster.

    Lines end in "\\n", and a word broken at a line's end keeps its hyphen ("ten-\\nweek"),
    as pypdf gives them. Within a line, right-to-left words and table cells may come in
    another order than pypdf's: for text that is searched, not for reading order.
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            pages.append(text.get_text_range().replace("\r\n", "\n").replace("\ufffe", "-"))
            text.close()
            page.close()
        return pages
    finally:
        document.close()


def weekday_on_or_after(day, weekday: int):
    """The first date on or after ``day`` that falls on ``weekday`` (Monday is 0)."""
    from datetime import timedelta

    return day + timedelta(days=(weekday - day.weekday()) % 7)


def make_workspace(root: Path, name: str = "ws") -> Path:
    """A fresh workspace folder under root."""
    result = run("init", str(root / name), "--org", "Riverside Peer Network")
    assert result.exit_code == 0, result.output
    return root / name


def make_cohort(
    workspace: Path,
    cohort_id: str = "spring",
    curriculum: str = "ips-10-week",
    start=None,
    people: tuple[str, ...] = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel"),
    *extra: str,
):
    """A cohort whose sessions are all in the past (so they can be marked), with people.

    Most tests start from the same few cohorts, and reading the catalogue for new-cohort
    is most of a small test's time: the files a call made are kept, and a later call on a
    workspace holding the same files, with the same arguments on the same day, gets the
    same files copied in (modes and times kept) instead of making them again.
    """
    from datetime import date, timedelta

    start = start or weekday_on_or_after(date.today() - timedelta(days=120), 2)
    before = _files_of(workspace)
    key = (_fingerprint(before), cohort_id, curriculum, start.isoformat(), tuple(people),
           tuple(extra), date.today().isoformat())  # fmt: skip
    made = _MADE.get(key)
    if made is not None:
        _copy_made(*made, workspace)
        return workspace / "cohorts" / cohort_id
    result = run(
        "-w", str(workspace), "new-cohort", cohort_id, "--curriculum", curriculum,
        "--start", start.isoformat(), *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for person in people:
        assert run("-w", str(workspace), "roster", cohort_id, "add", person).exit_code == 0
    _keep_made(key, workspace, before, _files_of(workspace))
    return workspace / "cohorts" / cohort_id


# Files made by make_cohort, by what it was given: {key: (folder holding them, their names)}.
_MADE: dict[tuple, tuple[Path, list[str]]] = {}


def _files_of(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every file and folder under root: its mode, and a file's bytes."""
    found: dict[str, tuple[int, bytes | None]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[path.relative_to(root).as_posix()] = (-1, os.readlink(path).encode())
            continue
        mode = path.stat().st_mode
        data = path.read_bytes() if path.is_file() else None
        found[path.relative_to(root).as_posix()] = (mode, data)
    return found


def _fingerprint(files: dict[str, tuple[int, bytes | None]]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name, (mode, data) in files.items():
        digest.update(f"{name}\0{mode}\0".encode())
        digest.update(hashlib.sha256(data or b"").digest())
    return digest.hexdigest()


def _keep_made(key: tuple, workspace: Path, before: dict, after: dict) -> None:
    """Keep what the call added or changed, unless it removed files or names the folder."""
    import shutil
    import tempfile

    if set(before) - set(after):
        return
    changed = [name for name in after if after[name] != before.get(name)]
    if any(after[name][0] == -1 for name in changed):
        return
    places = {str(workspace).encode(), str(workspace.resolve()).encode()}
    if any(place in (after[name][1] or b"") for name in changed for place in places):
        return
    kept = Path(tempfile.mkdtemp(prefix="ipskit-test-cohort-"))
    for name in changed:
        source, target = workspace / name, kept / name
        if after[name][1] is None:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in sorted(changed, reverse=True):  # folders last, deepest first: modes and times
        if after[name][1] is None:
            shutil.copystat(workspace / name, kept / name)
    _MADE[key] = (kept, changed)
    import atexit

    atexit.register(shutil.rmtree, kept, ignore_errors=True)


def _copy_made(kept: Path, names: list[str], workspace: Path) -> None:
    import shutil

    for name in names:  # parents before what they hold
        if (kept / name).is_dir():
            (workspace / name).mkdir(exist_ok=True)
        else:
            shutil.copy2(kept / name, workspace / name)
    for name in sorted(names, reverse=True):
        if (kept / name).is_dir():
            shutil.copystat(kept / name, workspace / name)


# --- modules planted where a trainer keeps their own scripts (see test_safe_workers.py) ------

IPSKIT = str(Path(sys.executable).parent / "ipskit")

# Imported by a worker (or by multiprocessing as it starts one) after Python has started,
# so a copy in the current folder would be found first if the folder were on the path.
PLANTED = ("struct", "multiprocessing", "concurrent", "ipskit", "weasyprint", "pypdf",
           "jinja2", "segno", "tempfile", "fontTools", "pickle", "copyreg")  # fmt: skip


def plant(folder: Path, marks: Path) -> None:
    """Modules that record that they ran, then stop the process that imported them."""
    for name in PLANTED:
        (folder / f"{name}.py").write_text(
            f"open({str(marks / name)!r}, 'a').write('ran\\n')\n"
            "raise SystemExit('a planted module ran')\n"
        )


def clean_environment() -> dict[str, str]:
    """This environment without Python's or ipskit's own settings, as a trainer's shell has."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IPSKIT"))}
