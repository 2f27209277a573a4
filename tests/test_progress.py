"""Commands that take seconds say what they are doing, on a terminal, and only there.

Each command runs as its own process, as a trainer runs it: once with a pseudo-terminal
for stdout and stderr (the display is drawn, then taken away), and once with pipes
(nothing extra at all). What a terminal shows at the end is worked out from everything
written to it, so that a display left behind, or a hidden cursor, would be seen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from helpers import build_file_tree, clean_environment, make_cohort

#: The time taken so far, as the display shows it: 0:00:03.
ELAPSED = re.compile(r"\b\d:\d\d:\d\d\b")
ESCAPE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


class Seen(NamedTuple):
    """What a command run on a terminal wrote to it, and how it ended."""

    code: int
    raw: str  # everything written, escape sequences and all
    text: str  # the same, with the escape sequences taken out
    screen: list[str]  # the lines the terminal shows at the end
    cursor_shown: bool


def on_a_terminal(args: list[str], cwd: Path, *, env: dict[str, str] | None = None,
                  interrupt_on: str | None = None) -> Seen:  # fmt: skip
    """Run ``ipskit ARGS`` with a pseudo-terminal for its stdin, stdout and stderr.

    With ``interrupt_on``, Ctrl-C reaches it once that text has been shown.
    """
    leader, follower = pty.openpty()
    # 160 columns, so that the whole display fits on one line.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    environment = {
        key: value
        for key, value in clean_environment().items()
        if key not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM")
    }
    environment |= {"TERM": "xterm-256color", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "ipskit", *args], cwd=cwd,
                               stdin=follower, stdout=follower, stderr=follower,
                               env=environment)  # fmt: skip
    os.close(follower)
    written = b""
    interrupted = False
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end is closed: the process has ended
                break
            if not chunk:
                break
            written += chunk
            if interrupt_on and not interrupted and interrupt_on in _plain(written):
                process.send_signal(signal.SIGINT)
                interrupted = True
        code = process.wait(timeout=60)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    raw = written.decode("utf-8", "replace")
    shown, cursor = _screen(raw)
    return Seen(code, raw, ESCAPE.sub("", raw), shown, cursor)


def _plain(written: bytes) -> str:
    return ESCAPE.sub("", written.decode("utf-8", "replace"))


def _screen(raw: str) -> tuple[list[str], bool]:
    """The lines a terminal shows after ``raw``, and whether its cursor is shown.

    Enough of a terminal for what is written here: text, carriage returns, new lines,
    the cursor moved up, lines erased, colours (ignored) and the cursor hidden or shown.
    """
    lines: list[str] = [""]
    row = column = 0
    cursor = True
    position = 0
    for found in ESCAPE.finditer(raw + "\x1b[0m"):
        for char in raw[position : found.start()]:
            if char == "\r":
                column = 0
            elif char == "\n":
                row += 1
                column = 0
                if row == len(lines):
                    lines.append("")
            elif char.isprintable():
                line = lines[row].ljust(column)
                lines[row] = line[:column] + char + line[column + 1 :]
                column += 1
        position = found.end()
        argument, command = found.groups()
        if command == "A":
            row = max(0, row - int(argument or 1))
        elif command == "K" and argument == "2":
            lines[row] = ""
        elif command in "hl" and argument == "?25":
            cursor = command == "h"
    shown = [line.rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    return shown, cursor


def in_a_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ipskit", *args], cwd=cwd,
                          env=clean_environment(), capture_output=True, text=True)  # fmt: skip


@pytest.fixture(scope="module")
def demo(demo_build, tmp_path_factory) -> Path:
    """The run's demo, copied: publishing keeps each cohort's keys beside its register."""
    root = tmp_path_factory.mktemp("progress") / "demo"
    shutil.copytree(demo_build[0], root, symlinks=True)
    return root


def both_ways(args: list[str], cwd: Path) -> tuple[Seen, subprocess.CompletedProcess[str]]:
    """The command on a terminal, then in a pipe; each left as clean as the other."""
    seen = on_a_terminal(args, cwd)
    piped = in_a_pipe(args, cwd)
    assert seen.code == piped.returncode == 0, seen.text + piped.stderr
    assert piped.stderr == ""  # nothing of the display where no one watches
    assert seen.screen == piped.stdout.splitlines()  # the display has gone, all of it
    assert seen.cursor_shown
    return seen, piped


def test_session_plans_say_which_page_and_which_session(demo, tmp_path):
    out = tmp_path / "plans"
    seen, piped = both_ways(["-w", str(demo), "session-plans", "first-cascade", "-o", str(out)],
                            tmp_path)  # fmt: skip
    assert piped.stdout == f"Wrote 4 files to {out}\n"
    assert "Making the session plans" in seen.text
    assert "Laying out the session plans" in seen.text
    assert "Cutting out each session's plan" in seen.text
    assert re.search(r"Cutting out each session's plan\W+3/3 +0:00:\d\d", seen.text)


def test_personal_workbooks_count_the_copies(demo, tmp_path):
    out = tmp_path / "copies"
    seen, piped = both_ways(["-w", str(demo), "build-workbook", "first-cascade",
                             "--per-participant", "-o", str(out)], tmp_path)  # fmt: skip
    assert piped.stdout == f"Wrote 9 workbooks to {out}\n"
    assert "Laying out the workbook: page " in seen.text
    assert re.search(r"Putting together each person's copy\W+9/9 +0:00:\d\d", seen.text)


def test_sign_in_sheets(demo, tmp_path):
    out = tmp_path / "registers.pdf"
    seen, piped = both_ways(["-w", str(demo), "register", "intensive", "-o", str(out)],
                            tmp_path)  # fmt: skip
    assert piped.stdout == f"Wrote 5 sign-in sheets to {out}\n"
    assert "Making the sign-in sheets" in seen.text
    assert re.search(r"Writing the sign-in sheets\W+" + ELAPSED.pattern, seen.text)


def test_the_funder_report_as_a_pdf(demo, tmp_path):
    out = tmp_path / "report.pdf"
    seen, piped = both_ways(["-w", str(demo), "report", "--format", "pdf", "-o", str(out)],
                            tmp_path)  # fmt: skip
    assert piped.stdout == f"Wrote the report to {out}\n"
    assert "Laying out the report: page 1" in seen.text
    assert re.search(r"Writing the report\W+" + ELAPSED.pattern, seen.text)


def test_publishing_counts_the_certificates(demo, tmp_path):
    out = tmp_path / "verify"
    seen = on_a_terminal(["-w", str(demo), "certificates", "publish", "-o", str(out)], tmp_path)
    assert seen.code == 0, seen.text
    # Every key worked out: 10, 13 and 8 certificates in the demo's finished cohorts.
    assert re.search(r"Working out each certificate's key\W+31/31 +0:00:\d\d", seen.text)
    assert seen.screen[0] == f"Published the verification page for 31 certificates in {out}" \
        " (changed: index.html, logo.svg, register.js, verify.css, verify.js)."  # fmt: skip
    assert seen.cursor_shown
    piped = in_a_pipe(["-w", str(demo), "certificates", "publish", "-o", str(out)], tmp_path)
    assert piped.stderr == ""
    assert piped.stdout.splitlines()[0] == (
        f"The verification page in {out} is up to date (31 certificates)."
    )
    assert seen.screen[1:] == piped.stdout.splitlines()[1:]


def test_ctrl_c_takes_the_display_away_and_says_stopped(demo, tmp_path):
    out = tmp_path / "plans"
    seen = on_a_terminal(["-w", str(demo), "session-plans", "ten-week", "-o", str(out)],
                         tmp_path, interrupt_on="Laying out the session plans")  # fmt: skip
    assert seen.code == 130, seen.text
    assert seen.screen == ["stopped: nothing was half-written"]
    assert seen.cursor_shown


@pytest.fixture
def small(tmp_path) -> Path:
    """A workspace of its own with a four-person ten-week cohort."""
    from helpers import make_workspace

    root = make_workspace(tmp_path)
    make_cohort(root)
    return root


def test_an_error_takes_the_display_away_and_is_printed_as_ever(small, tmp_path):
    build_file_tree(small, {"templates": {"register.html": "{{ nothing_here }}\n"}})
    args = ["-w", str(small), "register", "spring"]
    seen = on_a_terminal(args, tmp_path)
    piped = in_a_pipe(args, tmp_path)
    assert seen.code == piped.returncode == 1
    assert "Making the sign-in sheets" in seen.text
    assert seen.screen == piped.stderr.splitlines()
    assert piped.stderr.startswith(f"{small / 'templates' / 'register.html'}:1: ")
    assert seen.cursor_shown


def test_a_dumb_terminal_gets_no_display(small, tmp_path):
    args = ["-w", str(small), "register", "spring", "1"]
    seen = on_a_terminal(args, tmp_path, env={"TERM": "dumb"})
    assert seen.code == 0
    assert seen.raw == f"Wrote 1 sign-in sheet to {small / 'out' / 'spring' / 'register-1.pdf'}\r\n"


def test_no_color_keeps_the_display_without_colour(small, tmp_path):
    args = ["-w", str(small), "register", "spring", "1"]
    seen = on_a_terminal(args, tmp_path, env={"NO_COLOR": "1"})
    assert seen.code == 0
    assert "Writing the sign-in sheets" in seen.text
    assert not re.search(r"\x1b\[[0-9;]*m", seen.raw.replace("\x1b[0m", ""))
    assert seen.screen == [
        f"Wrote 1 sign-in sheet to {small / 'out' / 'spring' / 'register-1.pdf'}"
    ]


def test_build_counts_the_documents_made_in_both_processes(demo, tmp_path):
    """A cold build of a cohort on a terminal, and of the same cohort in a pipe."""
    copies = {}
    for way in ("terminal", "pipe"):
        copies[way] = tmp_path / way
        shutil.copytree(demo, copies[way], symlinks=True)
        shutil.rmtree(copies[way] / "out" / "intensive")  # nothing built yet
    seen = on_a_terminal(["-w", str(copies["terminal"]), "build", "intensive"], tmp_path)
    piped = in_a_pipe(["-w", str(copies["pipe"]), "build", "intensive"], tmp_path)
    assert seen.code == piped.returncode == 0, seen.text + piped.stderr
    assert piped.stderr == ""
    assert piped.stdout.splitlines()[-1] == "Built intensive: 6 documents (6 made)"
    assert seen.screen == piped.stdout.splitlines()  # the display has gone, all of it
    assert seen.cursor_shown
    # Seven pieces of work (the forms among them, which this course has none of).
    assert re.search(r"Making intensive's [a-z -]+\W+[1-6]/7 +0:00:\d\d", seen.text)
    assert re.search(r"\W7/7 +0:00:\d\d", seen.text)
