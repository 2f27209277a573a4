"""One way to append to a record file, one way to write what a command makes.

Append-only files (the certificate register, ``sent.csv``, ``history.csv``) are added to
by :func:`ipskit.core.csvio.append_rows` (or, for the history, the same text committed with
the records): a file whose last line break was removed by hand gets the next row on a
line of its own, and reads back whole. Every ``--out`` is written by
:func:`ipskit.core.store.write_output`: a refusal is one line naming the path, exit 1, and
nothing written. Tests run as root, so refusals are injected where ipskit meets the
operating system.
"""

from __future__ import annotations

import errno
import os
import pickle
import shutil
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.cohorts.certificate_register import COLUMNS, REGISTER_FILE, read_register
from ipskit.cohorts.record_types import HISTORY_COLUMNS, HISTORY_FILE
from ipskit.cohorts.sent_log import SENT_COLUMNS, read_sent, record_sent
from ipskit.core import csvio
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError

URL = "https://riverside.example.org/verify"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A workspace with a one-evening course that everyone attended, built once."""
    ws = make_workspace(tmp_path_factory.mktemp("one-write-path"))
    settings = ws / "ipskit.yaml"
    text = settings.read_text().replace(
        "signatories: []", "signatories:\n  - name: Alex Morgan\n    role: Lead trainer"
    )
    settings.write_text(text + f"verification_url: {URL}\n")
    make_cohort(ws, "taster", "ips-taster", None, ("Siân Hughes", "Sam Patel"),
                "--trainer", "Alex Morgan")  # fmt: skip
    make_cohort(ws, "c1", "ips-2-day-cascade", None, ("Amara Okafor",))  # a code of conduct
    assert run("-w", str(ws), "attend", "taster", "1", "--all-present").exit_code == 0
    return ws


@pytest.fixture
def ws(built, tmp_path) -> Path:
    """A copy of the built workspace for one test."""
    return Path(shutil.copytree(built, tmp_path / "ws", symlinks=True))


def without_last_line_break(path: Path) -> None:
    """What a hand edit in a text editor may do: the file no longer ends in a line break."""
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    assert not path.read_bytes().endswith((b"\n", b"\r"))


# --- append_rows -----------------------------------------------------------------------------


def test_append_rows_starts_a_file_with_its_header_and_guards_formula_cells(tmp_path):
    path = tmp_path / "log.csv"
    csvio.append_rows(path, ("a", "b"), [["1", "=SUM(A1)"]])
    csvio.append_rows(path, ("a", "b"), [["2", "x"], ["3", "y"]])
    assert path.read_bytes() == b"a,b\r\n1,'=SUM(A1)\r\n2,x\r\n3,y\r\n"
    assert [row for _, row in csvio.read_table(path, ("a", "b"))] == [
        ["1", "=SUM(A1)"], ["2", "x"], ["3", "y"],
    ]  # fmt: skip
    assert (path.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize("ending", ["", "\r", "\n", "\r\n"], ids=["none", "CR", "LF", "CRLF"])
def test_append_rows_puts_the_new_row_on_its_own_line_whatever_the_file_ended_with(
    tmp_path, ending
):
    path = tmp_path / "log.csv"
    path.write_bytes(f"a,b\r\n1,x{ending}".encode())
    csvio.append_rows(path, ("a", "b"), [["2", "y"]])
    assert [row for _, row in csvio.read_table(path, ("a", "b"))] == [["1", "x"], ["2", "y"]]


def test_append_rows_adds_utf8_to_a_file_a_spreadsheet_saved_as_windows_1252(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes("a,b\r\n1,Siân".encode("cp1252"))
    csvio.append_rows(path, ("a", "b"), [["2", "Zoë"]])
    assert path.read_bytes() == "a,b\r\n1,Siân\r\n2,Zoë\r\n".encode()


def test_the_certificate_register_gets_its_next_row_on_its_own_line(ws):
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    register = ws / "cohorts" / "taster" / REGISTER_FILE
    issued = read_register(register)
    assert len(issued) == 2
    without_last_line_break(register)
    code = issued[0].code
    result = run("-w", str(ws), "certificates", "revoke", code, "--reason", "Issued in error")
    assert result.exit_code == 0, result.output
    entries = read_register(register)
    assert [(e.code, e.status) for e in entries] == [
        (issued[0].code, "issued"), (issued[1].code, "issued"), (code, "revoked"),
    ]  # fmt: skip
    lines = register.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(lines) == 4
    assert run("-w", str(ws), "verify", code).exit_code == 4  # revoked


def test_sent_csv_gets_its_next_row_on_its_own_line(tmp_path):
    log = tmp_path / "sent.csv"
    record_sent(log, ["certificate ABCD-EFGH", "p01", "2027-03-02T10:00:00+00:00", "<1@x>"])
    without_last_line_break(log)
    record_sent(log, ["followup 3m", "p02", "2027-06-02T10:00:00+00:00", "<2@x>"])
    assert read_sent(log) == {("certificate ABCD-EFGH", "p01"), ("followup 3m", "p02")}
    assert len(list(csvio.read_rows(log, SENT_COLUMNS))) == 2


def test_history_csv_gets_its_next_rows_on_their_own_lines(ws):
    history = ws / "cohorts" / "taster" / HISTORY_FILE
    before = len(list(csvio.read_rows(history, HISTORY_COLUMNS)))
    without_last_line_break(history)
    result = run("-w", str(ws), "attend", "taster", "1", "--absent", "Sam")
    assert result.exit_code == 0, result.output
    rows = [row for _, row in csvio.read_rows(history, HISTORY_COLUMNS)]
    assert len(rows) == before + 1
    assert (rows[-1]["action"], rows[-1]["participant"], rows[-1]["after"]) == (
        "marked", "p02", "absent",
    )  # fmt: skip
    # And the next change after that is refused by nothing.
    assert run("-w", str(ws), "attend", "taster", "1", "--present", "Sam").exit_code == 0
    assert len(list(csvio.read_rows(history, HISTORY_COLUMNS))) == before + 2


# --- every --out -----------------------------------------------------------------------------

#: Every command with ``--out``, with the name to give it: a file, or a folder (ending "/").
OUT_COMMANDS = {
    "register": (("register", "taster", "1", "--format", "html"), "sheets.html"),
    "agreements": (("agreements", "c1"), "agreements.pdf"),
    "calendar": (("calendar", "taster"), "taster.ics"),
    "report": (("report", "--format", "csv"), "report.csv"),
    "report pdf": (("report", "--format", "pdf"), "report.pdf"),
    "attendance": (("attendance", "taster", "--format", "xlsx"), "attendance.xlsx"),
    "roster list": (("roster", "taster", "list", "--format", "csv"), "roster.csv"),
    "ratings report": (("ratings", "report", "taster", "--format", "xlsx"), "ratings.xlsx"),
    "curricula schema": (("curricula", "schema"), "schema.json"),
    "followup report": (("followup", "report", "taster", "--format", "pdf"), "followup.pdf"),
    "build-workbook": (("build-workbook", "taster", "--format", "html"), "workbook.html"),
    "build-workbook --per-participant": (
        ("build-workbook", "taster", "--per-participant"), "workbooks/",
    ),  # fmt: skip
    "session-plans": (("session-plans", "taster", "--format", "html"), "plans/"),
    "certificates": (("certificates", "taster"), "certificates/"),
    "certificates publish": (("certificates", "publish"), "site/"),
    "handouts": (("handouts", "taster", "--format", "html"), "handouts.html"),
    "handouts --per-session": (("handouts", "taster", "--per-session"), "handouts/"),
}


def test_every_out_command_is_here():
    """A new command with --out must join the tests below."""
    import re

    source = Path(__file__).parents[1] / "src" / "ipskit" / "cli"
    found = sum(len(re.findall(r'"--out"', p.read_text()))
                for p in source.glob("*.py"))  # fmt: skip
    # report, build-workbook, certificates and handouts each have one --out used in two
    # ways; attendance, roster list and ratings report share one (ExportOutOption).
    assert found == len(OUT_COMMANDS) - 4 - 2


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes (lock files and caches aside)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def only_line(result, path: Path) -> str:
    """The one line a refused write gives: exit 1, naming the path, and nothing else."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in lines[0] and "internal error" not in lines[0]
    assert lines[0].startswith(f"{path}"), lines[0]
    return lines[0]


def disk_full_under(monkeypatch, under: Path) -> None:
    """Make every new file or folder under ``under`` fail as on a full disk."""
    real_open, real_mkdir = os.open, os.mkdir

    def inside(path) -> bool:
        return Path(os.fsdecode(path)).absolute().is_relative_to(under)

    def full(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fsdecode(path))

    def open_(path, flags, *args, **kwargs):
        if not isinstance(path, int) and inside(path) and flags & os.O_CREAT:
            full(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path) and not os.path.exists(path):
            full(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)


def prepared(ws: Path, command: str) -> None:
    """What a command needs before it has something to write."""
    if command == "certificates publish":
        assert run("-w", str(ws), "certificates", "taster").exit_code == 0


@pytest.mark.parametrize("command", list(OUT_COMMANDS))
def test_out_on_a_full_disk_is_one_line_naming_it(ws, tmp_path, monkeypatch, command):
    args, name = OUT_COMMANDS[command]
    prepared(ws, command)
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    target = elsewhere / name.rstrip("/")
    if name.endswith("/"):  # a folder of yours that is there already, as most are
        target.mkdir()
    before = files_in(ws)
    disk_full_under(monkeypatch, elsewhere)
    result = run("-w", str(ws), *args, "--out", str(target))
    monkeypatch.undo()
    line = only_line(result, target)
    assert "the disk is full" in line
    assert files_in(elsewhere) == {}
    assert files_in(ws) == before


@pytest.mark.parametrize("command", list(OUT_COMMANDS))
def test_out_under_a_file_is_one_line_naming_it(ws, tmp_path, command):
    args, name = OUT_COMMANDS[command]
    prepared(ws, command)
    blocker = tmp_path / "somefile"
    blocker.write_text("x")
    target = blocker / name.rstrip("/")
    before = files_in(ws)
    result = run("-w", str(ws), *args, "--out", str(target))
    line = only_line(result, target)
    if not name.endswith("/"):  # a file: written by the one write path
        assert line == (
            f"{target}: cannot write it: part of the path is a file, not a folder;"
            " it is unchanged"
        )
    assert blocker.read_text() == "x"
    assert files_in(ws) == before


@pytest.mark.parametrize(
    "error",
    [
        FileProblemsError(["a.yaml:3:1: first problem", "a.yaml:9:4: second problem"]),
        NotFoundError("no curriculum called ips-12-week"),
        IpskitError("one line", more=["and another"]),
    ],
)
def test_an_error_crosses_a_process_whole(error):
    # A worker's error is pickled on its way back to the command line.
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert back.lines == error.lines and str(back) == str(error)
