"""ipskit check: one problem of each kind planted in a workspace, each found with its fix."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run

ROSTER_DATE = "expected a date written YYYY-MM-DD or DD/MM/YYYY, e.g. 2027-03-04 or 04/03/2027"
COPY = ("a synced folder made when two computers changed it at once: put any change it holds"
        " into {0} with ipskit, then delete the copy")  # fmt: skip


@pytest.fixture
def ws(tmp_path):
    root = make_workspace(tmp_path).resolve()
    make_cohort(root)
    assert run("-w", str(root), "attend", "spring", "1", "--all-present").exit_code == 0
    return root


def check(ws, *args):
    return run("-w", str(ws), "check", *args)


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    return {
        p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes(), p.stat().st_mode)
        for p in sorted(root.rglob("*"))
    }


def found(ws, *lines: str) -> None:
    """check lists exactly these problems, exits 1, and changes nothing."""
    before = snapshot(ws)
    result = check(ws)
    assert result.stdout == "".join(f"{line}\n" for line in lines) + (
        f"{len(lines)} problem{'' if len(lines) == 1 else 's'} found in {ws}\n"
    )
    assert result.exit_code == 1
    assert snapshot(ws) == before


def plant(path: Path, data: str | bytes) -> Path:
    """A file put there by hand or by another program, private as ipskit's are."""
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    path.chmod(0o600)
    return path


def test_a_clean_workspace(ws):
    result = check(ws)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"No problems found in {ws}\n"
    result = check(ws, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"workspace": str(ws), "problems": []}


def test_a_fresh_workspace_is_clean(tmp_path):
    root = make_workspace(tmp_path).resolve()
    assert check(root).stdout == f"No problems found in {root}\n"


def test_unreadable_rows_in_every_cohort_are_found(ws):
    make_cohort(ws, "autumn")
    spring, autumn = ws / "cohorts" / "spring", ws / "cohorts" / "autumn"
    roster = spring / "roster.csv"
    lines = roster.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b",active,", b",active,next week")
    lines[2] = lines[2][: lines[2].rindex(b"next week") + 9] + b",,"  # left, name_lang
    roster.write_bytes(b"\r\n".join(lines))
    plant(autumn / "attendance.csv", "session,participant,status,made_up,note\r\n1,p09,present,,\r\n")
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("locale: en-GB", "locale: xx_YY"))
    found(
        ws,
        f"{autumn / 'attendance.csv'}:2: participant 'p09' is not on the roster",
        f"{roster}:3: added: {ROSTER_DATE}",
        f"{settings}:12:9: locale: is not in the expected form",
    )


def test_json_lists_each_problem_with_its_kind(ws):
    path = ws / "cohorts" / "spring" / "roster.csv"
    path.chmod(0o644)
    result = check(ws, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "workspace": str(ws),
        "problems": [{"kind": "permissions", "path": str(path), "line": None, "column": None,
                      "message": "can be read by other users: run chmod go-rwx on it"}],
    }  # fmt: skip


def test_files_and_folders_others_can_read(ws):
    cohort = ws / "cohorts" / "spring"
    (cohort / "roster.csv").chmod(0o644)
    (ws / "templates").chmod(0o755)
    plant(ws / "templates" / "certificate.html", "<p>{{ name }}</p>").chmod(0o644)
    found(
        ws,
        f"{cohort / 'roster.csv'}: can be read by other users: run chmod go-rwx on it",
        f"{ws / 'templates'}: can be read by other users: run chmod -R go-rwx on it",
    )


def test_a_curriculum_copy_broken_by_hand(ws):
    copy = ws / "cohorts" / "spring" / "curriculum.yaml"
    text = copy.read_text(encoding="utf-8")
    line = text[: text.index("\nsessions:")].count("\n") + 2
    copy.write_text(text.replace("\nsessions:", "\nsesions:", 1), encoding="utf-8")
    found(
        ws,
        f"{copy}:1:1: missing key 'sessions'",
        f"{copy}:{line}:1: unknown key 'sesions' (did you mean 'sessions'?)",
    )


def test_a_file_open_in_a_spreadsheet_and_a_lock_held_now(ws):
    cohort = ws / "cohorts" / "spring"
    plant(cohort / ".~lock.roster.csv#", ",Alex,laptop,02.12.2026 10:00,Alex;\n")
    plant(cohort / "~$attendance.csv", b"Alex")
    import fcntl

    fd = os.open(cohort / ".ipskit.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        found(
            ws,
            f"{cohort / '.ipskit.lock'}: cohort spring is being changed by an ipskit command"
            " running now: run ipskit check again when it has finished",
            f"{cohort / '.~lock.roster.csv#'}: roster.csv is open in a spreadsheet, or was when"
            " it stopped: close it there before running ipskit (saving it later would undo"
            " ipskit's changes); if it is closed, delete this lock",
            f"{cohort / '~$attendance.csv'}: attendance.csv is open in a spreadsheet, or was"
            " when it stopped: close it there before running ipskit (saving it later would"
            " undo ipskit's changes); if it is closed, delete this lock",
        )
    finally:
        os.close(fd)
    (cohort / ".~lock.roster.csv#").unlink()
    (cohort / "~$attendance.csv").unlink()
    assert check(ws).exit_code == 0  # an idle lock file is normal


def test_leftovers_of_writes_and_erasures_stopped_part_way(ws):
    cohort = ws / "cohorts" / "spring"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    tmp = plant(cohort / f".ipskit-tmp-{ended.pid}-abc123", "half a roster")
    staged = plant(cohort / ".ipskit-commit-0123456789ab-roster.csv", "never committed")
    plant(cohort / "forgetting.json", '{"erasing": ["p02"]}\n')
    found(
        ws,
        f"{staged}: left by a change that was stopped before it was saved (the files beside it"
        " are as they were): delete it",
        f"{tmp}: left by a write that was stopped part way (it may hold personal data):"
        " delete it",
        f"{cohort / 'forgetting.json'}: the erasure of p02 was stopped part way: run ipskit"
        " forget spring p02 --yes to finish it",
    )


def test_a_change_stopped_part_way_is_finished_by_the_next(ws):
    cohort = ws / "cohorts" / "spring"
    plant(cohort / ".ipskit-commit-0123456789ab-roster.csv", (cohort / "roster.csv").read_bytes())
    plant(cohort / ".ipskit-commit.json", '{"token": "0123456789ab", "files": ["roster.csv"]}')
    found(
        ws,
        f"{cohort / '.ipskit-commit.json'}: a change to cohort spring was stopped part way:"
        " the next command that changes the cohort finishes it",
    )
    assert run("-w", str(ws), "attend", "spring", "2", "--present", "p01").exit_code == 0
    assert check(ws).exit_code == 0


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        ("roster (Alex's conflicted copy).csv", "roster.csv"),
        ("roster (conflicted copy 2027-01-12).csv", "roster.csv"),
        ("roster-DESKTOP-1A2B.csv", "roster.csv"),
        ("roster (1).csv", "roster.csv"),
        ("attendance.sync-conflict-20270112-101500-ABCDEFG.csv", "attendance.csv"),
        ("cohort (Case Conflict).yaml", "cohort.yaml"),
    ],
)
def test_conflict_copies_from_a_synced_folder(ws, copy, original):
    cohort = ws / "cohorts" / "spring"
    plant(cohort / copy, (cohort / original).read_bytes())
    found(ws, f"{cohort / copy}: a copy of {original} that {COPY.format(original)}")


def test_a_file_named_like_a_record_is_not_a_conflict_copy(ws):
    plant(ws / "cohorts" / "spring" / "roster-import.csv", "name\r\nAlex\r\n")
    assert check(ws).exit_code == 0


def test_what_git_could_not_merge(ws):
    cohort = ws / "cohorts" / "spring"
    roster = cohort / "roster.csv"
    text = roster.read_bytes().decode("utf-8")
    first, *rest = text.split("\r\n", 2)
    merged = (f"{first}\r\n<<<<<<< HEAD\r\n{rest[0]}\r\n=======\r\n{rest[0]}x\r\n"
              f">>>>>>> theirs\r\n{rest[1]}")  # fmt: skip
    roster.write_bytes(merged.encode("utf-8"))
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text() + "<<<<<<< HEAD\nlocale: en-US\n=======\n>>>>>>> b\n")
    line = settings.read_text().count("\n") - 3
    fix = ("git could not merge two changes here: keep the lines you want between <<<<<<< and"
           " >>>>>>>, delete the marker lines, then run ipskit check again")  # fmt: skip
    found(ws, f"{roster}:2: {fix}", f"{settings}:{line}: {fix}")


def test_names_a_spreadsheet_could_not_save(ws):
    """Excel's plain CSV is Windows-1252: a letter it cannot hold is saved as "?"."""
    assert run("-w", str(ws), "roster", "spring", "add", "Małgorzata Wójcik").exit_code == 0
    roster = ws / "cohorts" / "spring" / "roster.csv"
    rows = list(csv.reader(io.StringIO(roster.read_bytes().decode("utf-8"), newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    roster.write_bytes(out.getvalue().encode("cp1252", errors="replace"))
    listed = json.loads(run("-w", str(ws), "roster", "spring", "list", "--json").stdout)
    assert listed[-1]["name"] == "Ma?gorzata Wójcik"
    fix = ("name: a spreadsheet lost letters of it (a ? or odd characters where a letter"
           " was): write it again with ipskit roster spring edit {} --name 'NAME'")  # fmt: skip
    found(ws, f"{roster}:3: {fix.format('p02')}", f"{roster}:6: {fix.format('p05')}")


def test_a_folder_in_cohorts_that_is_not_a_cohort(ws):
    (ws / "cohorts" / "notes").mkdir(mode=0o700)
    found(
        ws,
        f"{ws / 'cohorts' / 'notes'}: a folder in cohorts with no cohort.yaml: restore it from"
        " a backup, or move the folder out of cohorts if it is not a cohort",
    )


def test_bad_input(ws, tmp_path):
    result = check(ws, "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json'." in (
        result.stderr
    )
    result = run("-w", str(tmp_path / "nowhere"), "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path / 'nowhere'}: not an ipskit workspace (no ipskit.yaml);"
        " create one with 'ipskit init'\n"
    )


def test_check_imports_no_pdf_engine(ws):
    code = ("import sys; from ipskit.cli import main; sys.argv = ['ipskit', 'check'];\n"
            "try: main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pypdf')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ws, capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert done.stdout.splitlines()[0] == f"No problems found in {ws}"


# --- init's .gitignore -------------------------------------------------------------------------


def test_init_writes_a_private_gitignore_for_sharing_through_git(tmp_path):
    root = make_workspace(tmp_path)
    path = root / ".gitignore"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    patterns = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert patterns == ["out/", ".cohort-cache.json", ".overview-cache.json",
                        ".publish-keys.json", ".ipskit.lock", ".build.lock", ".ipskit-tmp-*",
                        ".ipskit-commit*", ".~lock.*#", "~$*"]  # fmt: skip
    make_cohort(root)
    assert run("-w", str(root), "calendar", "spring").exit_code == 0
    assert run("-w", str(root), "register", "spring").exit_code == 0  # the documents' lock
    assert (root / "cohorts" / "spring" / ".build.lock").exists()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    done = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "-uall"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    shared = sorted(line[3:] for line in done.stdout.splitlines())
    assert shared == [".gitattributes", ".gitignore", "cohorts/spring/cohort.yaml", "cohorts/spring/curriculum.yaml",
                      "cohorts/spring/history.csv", "cohorts/spring/roster.csv", "ipskit.yaml"]  # fmt: skip


def test_init_adds_to_a_gitignore_already_there(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    plant(folder / ".gitignore", "*.bak\nout/\n")
    assert run("init", str(folder), "--org", "Riverside Peer Network").exit_code == 0
    assert (folder / ".gitignore").read_text() == (
        "*.bak\nout/\n\n# Added by ipskit init:\n.cohort-cache.json\n.overview-cache.json\n"
        ".publish-keys.json\n.ipskit.lock\n.build.lock\n.ipskit-tmp-*\n.ipskit-commit*\n.~lock.*#\n"
        "~$*\n"
    )


def test_a_numbered_file_with_no_original_is_not_a_conflict_copy(ws):
    plant(ws / "templates" / "logo (1).png", b"\x89PNG")
    (ws / "out").mkdir(mode=0o700)
    plant(ws / "out" / "spring (1).ics", "BEGIN:VCALENDAR")
    plant(ws / "out" / "spring.ics", "BEGIN:VCALENDAR")
    assert check(ws).exit_code == 0


def test_a_git_folder_others_can_read_is_one_problem(ws):
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    (ws / ".git").chmod(0o755)
    found(ws, f"{ws / '.git'}: can be read by other users: run chmod -R go-rwx on it, and git"
              " config core.sharedRepository 0600 to keep it so")  # fmt: skip
    subprocess.run(["chmod", "-R", "go-rwx", str(ws / ".git")], check=True)
    assert check(ws).exit_code == 0


def test_a_hand_edited_cohort_yaml_is_checked_without_writing_its_cache(ws):
    settings = ws / "cohorts" / "spring" / "cohort.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("\nvenue: ", "\nvenue: 'Room 2' #", 1), encoding="utf-8")
    before = snapshot(ws)
    assert check(ws).stdout == f"No problems found in {ws}\n"
    assert snapshot(ws) == before
    line = text[: text.index("\nvenue:")].count("\n") + 2
    settings.write_text(text.replace("\nvenue:", "\nvenu:", 1), encoding="utf-8")
    problems = check(ws).stdout.splitlines()
    assert problems[0].startswith(f"{settings}:{line}:1: ")
    found(ws, *problems[:-1])


def test_a_lock_that_is_not_a_file_and_a_journal_edited_by_hand(ws):
    cohort = ws / "cohorts" / "spring"
    (cohort / ".ipskit.lock").unlink()
    (cohort / ".ipskit.lock").mkdir(mode=0o700)
    plant(cohort / ".ipskit-commit.json", '{"token": "../../x", "files": ["roster.csv"]}')
    found(
        ws,
        f"{cohort / '.ipskit-commit.json'}:1: not a commit ipskit wrote (edited by hand?):"
        " delete it, and the change it was finishing with it",
        f"{cohort / '.ipskit.lock'}: not a lock file ipskit can use (it is a folder or a link):"
        " delete it",
    )
