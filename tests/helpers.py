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
    """A cohort whose sessions are all in the past (so they can be marked), with people."""
    from datetime import date, timedelta

    start = start or weekday_on_or_after(date.today() - timedelta(days=120), 2)
    result = run(
        "-w", str(workspace), "new-cohort", cohort_id, "--curriculum", curriculum,
        "--start", start.isoformat(), *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for person in people:
        assert run("-w", str(workspace), "roster", cohort_id, "add", person).exit_code == 0
    return workspace / "cohorts" / cohort_id


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
