"""The storage promises: nothing lost, nothing torn, broken files refused, safe CSV."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import kill_after, make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.cohorts.cohort_file import read_settings
from ipskit.cohorts.record_types import HISTORY_COLUMNS
from ipskit.cohorts.records import Records
from ipskit.core import csvio


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def _mark_many(workspace: str, people: list[str], sessions: int) -> None:
    """In a child process: one locked change per mark, as `ipskit attend` makes them."""
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.marking import attend

    cohort = open_cohort(Path(workspace) / "cohorts", "big")
    for number in range(1, sessions + 1):
        for pid in people:
            attend(cohort, str(number), present=[pid])


@pytest.mark.slow
def test_two_processes_making_200_changes_each_lose_none(ws):
    people = [f"Person {n}" for n in range(1, 41)]
    start = date.today() - timedelta(days=200)
    make_cohort(ws, "big", "ips-10-week", start - timedelta(days=start.weekday()), tuple(people))
    ids = [f"p{n:02d}" for n in range(1, 41)]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_mark_many, args=(str(ws), ids[:20], 10)),
        context.Process(target=_mark_many, args=(str(ws), ids[20:], 10)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    cohort = open_cohort(ws / "cohorts", "big")
    records = Records.load(cohort)
    assert len(records.marks) == 400
    assert {m.status for m in records.marks.values()} == {"present"}
    history = list(csvio.read_rows(cohort.file("history.csv"), HISTORY_COLUMNS))
    assert sum(1 for _, row in history if row["action"] == "marked") == 400


@pytest.mark.slow
def test_attend_killed_at_random_moments_leaves_every_file_whole(ws):
    folder = make_cohort(ws, people=tuple(f"Person {n}" for n in range(1, 13)))
    rng = random.Random(20261123)
    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    statuses = ["--present", "--absent", "--late", "--excused"]
    for _ in range(50):
        args = [sys.executable, "-m", "ipskit", "attend", "spring", str(rng.randint(1, 10))]
        for n in rng.sample(range(1, 13), 6):
            args += [rng.choice(statuses), f"p{n:02d}"]
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        kill_after(process, rng.uniform(0.05, 0.6))
        # Every file parses, whole: old or new, never torn.
        cohort = open_cohort(ws / "cohorts", "spring")
        Records.load(cohort)
        list(csvio.read_rows(cohort.file("history.csv"), HISTORY_COLUMNS))
    # and the cohort still takes changes, sweeping what the kills left behind
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0
    assert not list(folder.glob(".ipskit-tmp-*"))


def test_a_second_writer_waits_then_gives_up_clearly(ws, monkeypatch):
    folder = make_cohort(ws)
    from filelock import FileLock

    from ipskit.core import store

    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.2)
    with FileLock(folder / ".ipskit.lock"):
        result = run("-w", str(ws), "attend", "spring", "1", "--all-present")
    assert result.exit_code == 1
    assert result.stderr == (
        "cohort spring is busy: another ipskit command is changing it. Try again in a moment.\n"
    )
    assert not (folder / "attendance.csv").exists()


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("roster.csv", lambda t: t.replace(",active,", ",gone,", 1), "{f}:2: status must be active, withdrawn, erased"),
        ("roster.csv", lambda t: t.replace("p02,", "p2,", 1), "{f}:3: id 'p2' is not a participant id such as p01"),
        ("roster.csv", lambda t: t.replace("certificate_name", "cert"), "{f}:1: the columns must be: id,name,certificate_name,email,pronouns,status,added,left,name_lang"),
        ("attendance.csv", lambda t: t.replace("present", "here", 1), "{f}:2: status must be present, late, absent, excused"),
        ("attendance.csv", lambda t: t + '1,p09,present,,\r\n', "{f}:6: participant 'p09' is not on the roster"),
        ("attendance.csv", lambda t: t + '1,"p01,present\r\n', '{f}:6: not valid CSV: unexpected end of data'),
        ("cohort.yaml", lambda t: t.replace("make_up_counts: true", "make_up_counts: yes"), "{f}:{at:make_up_counts: yes:+16}: completion.make_up_counts: expected true or false"),
        ("cohort.yaml", lambda t: t.replace('date: "20', 'date: "x', 1), "{f}:{at:\"x:+0}: sessions[1].date: expected a date written YYYY-MM-DD, e.g. 2027-03-04"),
        ("cohort.yaml", lambda t: t + "colour: red\n", "{f}:{at:colour:+0}: unknown key 'colour' (expected one of: id, curriculum, curriculum_title, curriculum_source, curriculum_sha256, created, venue, trainers, skipped, completion, sessions, meetings, followups, archived, personal_workbooks)"),
    ],
)  # fmt: skip
def test_a_hand_broken_file_is_reported_and_nothing_is_written(ws, file, edit, message):
    folder = make_cohort(ws)
    run("-w", str(ws), "attend", "spring", "1", "--all-present")
    path = folder / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    message = re.sub(
        r"\{at:(.*?):\+(\d+)\}", lambda m: _at(path.read_text(), m[1], int(m[2])), message
    )
    snapshot = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    for args in (["attend", "spring", "2", "--all-present"], ["roster", "spring", "add", "Zoë"],
                 ["attendance", "spring"], ["status", "spring"]):  # fmt: skip
        result = run("-w", str(ws), *args)
        assert result.exit_code == 1, args
        assert result.stderr == message.format(f=path) + "\n"
    assert snapshot == {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _at(text: str, needle: str, shift: int) -> str:
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index) + shift
    return f"{line}:{column}"


def test_hand_edits_that_keep_the_format_are_fine(ws):
    folder = make_cohort(ws)
    settings = folder / "cohort.yaml"
    settings.write_text(settings.read_text().replace("venue: null", 'venue: "Room 2, Hope Street"'))
    assert read_settings(settings).venue == "Room 2, Hope Street"
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0


def test_stale_temporary_files_are_swept(ws):
    folder = make_cohort(ws)
    (folder / ".ipskit-tmp-abc123").write_text("half a roster")
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0
    assert not (folder / ".ipskit-tmp-abc123").exists()


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "\"'\rx\""), ("\nx", "\"'\nx\""), ("＝1", "'＝1"),
        ("＋1", "'＋1"), ("－1", "'－1"), ("＠x", "'＠x"), ("'=1", "''=1"), ("''+1", "'" "''+1"),
        ("'quoted'", "'quoted'"), ("O'Brien", "O'Brien"), ("plain", "plain"), ("", ""),
    ],
)  # fmt: skip
def test_csv_cells_are_neutralised_and_restored(tmp_path, cell, written):
    text = csvio.to_text(["a", "b"], [[cell, "x"]])
    assert text.split("\r\n", 1)[1] == f"{written},x\r\n"
    path = tmp_path / "x.csv"
    path.write_text(text, newline="")
    assert [row["a"] for _, row in csvio.read_rows(path, ["a", "b"])] == [cell]


def test_caches_follow_hand_edits(ws):
    folder = make_cohort(ws)
    run("-w", str(ws), "attend", "spring", "1", "--all-present")
    listed = run("-w", str(ws), "cohorts", "--json").stdout
    assert '"attendance_percent": 100.0' in listed
    assert (folder / ".overview-cache.json").exists() and (folder / ".cohort-cache.json").exists()
    attendance = folder / "attendance.csv"
    attendance.write_text(attendance.read_text().replace("present", "absent", 2), newline="")
    settings = folder / "cohort.yaml"
    settings.write_text(settings.read_text().replace("venue: null", 'venue: "Hope Street"'))
    listed = run("-w", str(ws), "cohorts", "--json").stdout
    assert '"attendance_percent": 50.0' in listed
    assert "Venue: Hope Street" in run("-w", str(ws), "status", "spring").stdout
    (folder / ".cohort-cache.json").write_text("{not json")
    assert run("-w", str(ws), "status", "spring").exit_code == 0
