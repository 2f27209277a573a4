"""When the machine refuses: a full disk, a read-only one, a folder one may not write in.

Tests run as root (here and in CI), and root writes through any chmod, so the refusals
are injected where ipskit meets the operating system: creating a file or folder, opening
one for writing, renaming one into place. Each command must end with one line naming
the path, exit 1, and leave the workspace's files exactly as they were. A reader that
goes away (``| head -1``) must end the command quietly.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.core.store import LOCK_FILE, PRIVATE_FILE

hostile = pytest.mark.hostile

#: Each fault, the errno behind it, and the words ipskit uses for it.
FAULTS = {
    "full": (errno.ENOSPC, "the disk is full"),
    "read-only": (errno.EROFS, "the disk is read-only"),
    "denied": (errno.EACCES, "permission denied"),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes (an empty lock file aside)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK_FILE
    }


def refuse(monkeypatch, fault: str, under: Path) -> None:
    """Make the machine refuse writes under ``under`` as a full or read-only disk would.

    A full disk refuses new files and folders; a read-only disk (or a folder one may not
    write in) also refuses opening an existing file for writing and renaming.
    """
    code, _ = FAULTS[fault]
    real_open, real_mkdir, real_replace, real_rename = os.open, os.mkdir, os.replace, os.rename

    def inside(path) -> bool:
        return Path(os.fsdecode(path)).absolute().is_relative_to(under)

    def fail(path):
        raise OSError(code, os.strerror(code), os.fsdecode(path))

    def open_(path, flags, *args, **kwargs):
        if inside(path) and not isinstance(path, int):
            creates = flags & os.O_CREAT and not os.path.exists(path)
            writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if creates or (writes and fault != "full"):
                fail(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path):
            if os.path.exists(path):  # as the kernel says, before it looks at the disk
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
            fail(path)
        return real_mkdir(path, *args, **kwargs)

    def move(real):
        def moved(source, target, *args, **kwargs):
            if inside(target) and fault != "full":
                fail(target)
            return real(source, target, *args, **kwargs)

        return moved

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "replace", move(real_replace))
    monkeypatch.setattr(os, "rename", move(real_rename))


@pytest.fixture
def ws(tmp_path):
    workspace = make_workspace(tmp_path)
    make_cohort(workspace)
    return workspace


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in lines[0]
    return lines[0]


# --- commands that change a cohort's records ------------------------------------------------

RECORD_COMMANDS = {
    "attend": ("attend", "spring", "1", "--present", "p01"),
    "roster add": ("roster", "spring", "add", "Kai Jones"),
    "forget": ("forget", "spring", "p01", "--yes"),
}


@hostile
@pytest.mark.parametrize("fault", ["read-only", "denied"])
@pytest.mark.parametrize("command", list(RECORD_COMMANDS))
def test_a_record_change_on_a_disk_that_refuses_writes_is_one_line(ws, monkeypatch, fault, command):
    before = snapshot(ws)
    refuse(monkeypatch, fault, ws)
    result = run("-w", str(ws), *RECORD_COMMANDS[command])
    monkeypatch.undo()
    lock = ws / "cohorts" / "spring" / LOCK_FILE
    assert one_line(result) == (
        f"{lock}: cannot open the lock file: {FAULTS[fault][1]}; nothing was changed"
    )
    assert snapshot(ws) == before


@hostile
@pytest.mark.parametrize("command", list(RECORD_COMMANDS))
def test_a_record_change_on_a_full_disk_is_one_line(ws, monkeypatch, command):
    before = snapshot(ws)
    refuse(monkeypatch, "full", ws)
    result = run("-w", str(ws), *RECORD_COMMANDS[command])
    monkeypatch.undo()
    line = one_line(result)
    # The first new file the change needed is named: a record file, its history or the
    # erasure's note of intent, staged or written beside its place.
    cohort = re.escape(str(ws / "cohorts" / "spring"))
    assert re.fullmatch(rf"{cohort}/[\w.-]+: cannot write it(: the disk is full; it is"
                        r" unchanged| \(No space left on device\))", line), line  # fmt: skip
    assert snapshot(ws) == before


# --- commands that make files and folders ---------------------------------------------------


@hostile
@pytest.mark.parametrize("fault", list(FAULTS))
def test_new_cohort_on_a_disk_that_refuses_writes_leaves_no_cohort(ws, monkeypatch, fault):
    before = snapshot(ws)
    refuse(monkeypatch, fault, ws)
    result = run("-w", str(ws), "new-cohort", "autumn", "--curriculum", "ips-taster",
                 "--start", "2027-01-06")  # fmt: skip
    monkeypatch.undo()
    assert one_line(result) == (
        f"{ws / 'cohorts' / 'autumn'}: cannot make the cohort: {FAULTS[fault][1]};"
        " nothing was changed"
    )
    assert snapshot(ws) == before
    assert sorted(p.name for p in (ws / "cohorts").iterdir()) == ["spring"]


@hostile
@pytest.mark.parametrize("fault", list(FAULTS))
def test_curricula_export_on_a_disk_that_refuses_writes_is_one_line(ws, monkeypatch, fault):
    before = snapshot(ws)
    refuse(monkeypatch, fault, ws)
    result = run("-w", str(ws), "curricula", "export", "ips-taster")
    monkeypatch.undo()
    # The schema is written first, beside the curriculum, so that editors find it.
    assert one_line(result) == (
        f"{ws / 'curricula' / 'curriculum.schema.json'}: cannot write it:"
        f" {FAULTS[fault][1]}; it is unchanged"
    )
    assert snapshot(ws) == before


@hostile
@pytest.mark.parametrize("fault", list(FAULTS))
def test_calendar_on_a_disk_that_refuses_writes_is_one_line(ws, monkeypatch, fault):
    assert run("-w", str(ws), "calendar", "spring").exit_code == 0
    before = snapshot(ws)
    refuse(monkeypatch, fault, ws)
    result = run("-w", str(ws), "calendar", "spring")
    monkeypatch.undo()
    assert one_line(result) == (
        f"{ws / 'out' / 'spring' / 'spring.ics'}: cannot write it: {FAULTS[fault][1]};"
        " it is unchanged"
    )
    assert snapshot(ws) == before


@hostile
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize(
    "command",
    [("calendar", "spring", "--out"), ("curricula", "schema", "--out")],
    ids=["calendar --out", "curricula schema --out"],
)
def test_out_to_a_folder_that_cannot_be_written_is_one_line(
    ws, tmp_path, monkeypatch, fault, command
):
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    target = elsewhere / "file.out"
    before = snapshot(ws)
    refuse(monkeypatch, fault, elsewhere)
    result = run("-w", str(ws), *command, str(target))
    monkeypatch.undo()
    assert one_line(result) == f"{target}: cannot write it: {FAULTS[fault][1]}; it is unchanged"
    assert list(elsewhere.iterdir()) == []
    assert snapshot(ws) == before


@hostile
@pytest.mark.parametrize(
    "command",
    [("calendar", "spring", "--out"), ("curricula", "schema", "--out")],
    ids=["calendar --out", "curricula schema --out"],
)
def test_out_into_a_folder_that_does_not_exist_is_one_line(ws, tmp_path, command):
    target = tmp_path / "no" / "such" / "folder.out"
    if command[0] == "calendar":  # it makes the folder, privately
        assert run("-w", str(ws), *command, str(target)).exit_code == 0
        assert (target.parent.stat().st_mode & 0o777) == 0o700
        return
    result = run("-w", str(ws), *command, str(target))
    assert one_line(result) == f"{target}: cannot write it: no such file or folder; it is unchanged"


@pytest.mark.parametrize(
    "command",
    [("calendar", "spring", "--out"), ("curricula", "schema", "--out")],
    ids=["calendar --out", "curricula schema --out"],
)
def test_every_out_file_is_private(ws, tmp_path, command):
    target = tmp_path / "file.out"
    assert run("-w", str(ws), *command, str(target)).exit_code == 0
    assert (target.stat().st_mode & 0o777) == PRIVATE_FILE


@hostile
@pytest.mark.parametrize("named", [True, False], ids=["with a file", "without"])
def test_a_fault_elsewhere_is_one_line_naming_the_file(ws, monkeypatch, named):
    """An OSError from anywhere, not only the writers in store, is one line."""
    import ipskit.cohorts.marking

    folder = ws / "cohorts" / "spring"

    def broken(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), *([str(folder)] if named else []))

    monkeypatch.setattr(ipskit.cohorts.marking, "attend", broken)
    result = run("-w", str(ws), "attend", "spring", "1", "--present", "p01")
    where = f"{folder}: " if named else "stopped: "
    assert one_line(result) == f"{where}the disk reported an error"


# --- leftovers of interrupted writes --------------------------------------------------------


def ended_pid() -> str:
    """The id of a process that has ended."""
    return subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip


@hostile
def test_writing_commands_sweep_leftovers_of_ended_processes(ws):
    out = ws / "out" / "spring" / "certificates"
    out.mkdir(parents=True)
    leftover = out / f".ipskit-tmp-{ended_pid()}-abc"
    leftover.write_bytes(b"%PDF- a whole certificate with a name")
    running = out / f".ipskit-tmp-{os.getppid()}-in-progress"  # a process still running
    running.write_bytes(b"")
    assert run("-w", str(ws), "status", "spring").exit_code == 0  # reads: leaves them
    assert leftover.exists()
    assert run("-w", str(ws), "calendar", "spring").exit_code == 0
    assert not leftover.exists()
    assert running.exists()


@hostile
def test_a_leftover_that_cannot_be_removed_does_not_stop_a_command(ws, monkeypatch):
    leftover = ws / "out" / f".ipskit-tmp-{ended_pid()}-abc"
    leftover.parent.mkdir()
    leftover.write_bytes(b"")

    def unlink(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))

    monkeypatch.setattr(os, "unlink", unlink)
    result = run("-w", str(ws), "calendar", "spring")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert leftover.exists()


# --- a reader that goes away ----------------------------------------------------------------


def ipskit_command() -> list[str]:
    installed = Path(sys.executable).parent / "ipskit"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "ipskit"]


def as_a_trainer_runs_it() -> dict[str, str]:
    """The environment without PYTHONUNBUFFERED, which some CI runners set: unbuffered,
    Python drops what a closed pipe refuses without telling anyone."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@hostile
@pytest.mark.parametrize(
    "args",
    [("curricula", "show", "ips-10-week"), ("curricula", "show", "ips-10-week", "--json"),
     ("curricula", "schema")],
    ids=["show", "show --json", "schema"],
)  # fmt: skip
def test_output_into_head_ends_quietly(tmp_path, args):
    if shutil.which("head") is None:
        pytest.skip("no head here")
    writer = subprocess.Popen([*ipskit_command(), *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=tmp_path,
                              env=as_a_trainer_runs_it())  # fmt: skip
    head = subprocess.run(["head", "-1"], stdin=writer.stdout, capture_output=True, check=True)
    writer.stdout.close()
    _, errors = writer.communicate(timeout=60)
    assert head.stdout.count(b"\n") == 1
    assert errors == b""
    # 0 if everything fitted in the pipe before head left, 141 if not.
    assert writer.returncode in (0, 141)


@hostile
def test_a_reader_that_leaves_after_one_line_ends_the_command_quietly(tmp_path):
    """186 KB of JSON cannot fit in a pipe: the writer meets the closed pipe for certain."""
    writer = subprocess.Popen(
        [*ipskit_command(), "curricula", "show", "ips-10-week", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=as_a_trainer_runs_it(),
    )  # fmt: skip
    assert writer.stdout.readline() == b"{\n"
    writer.stdout.close()
    _, errors = writer.communicate(timeout=60)
    assert errors == b""
    assert writer.returncode == 141
