"""Erasure always finishes and leaves nothing; a change and its history row go together.

A workspace is made once (a taster whose graduate Siôn Prydderch trained a second
cohort, with notes, certificates, plans and a calendar) and copied for each case. Kills
are real: ``forget`` runs in a child process that stops dead (``os._exit``, as SIGKILL
would) just before its Nth rename or deletion, then forget is run again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import kill_after, make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.cohorts.name_finder import NameFinder
from ipskit.cohorts.record_files import history_with
from ipskit.cohorts.record_types import HISTORY_COLUMNS
from ipskit.cohorts.records import Records
from ipskit.core import csvio

TODAY = date.today()
NAME = "Siôn Prydderch"
#: The name in any case, with or without its accent, as a word.
TRACE = re.compile(r"(?<![a-z])(sion|prydderch)(?![a-z])")
ALREADY = "p01 was already erased from cohort origin: nothing of them is left.\n"


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def ok(ws: Path, *args: str) -> None:
    result = cli(ws, *args)
    assert result.exit_code == 0, (args, result.output)


def plain(text: str) -> str:
    """Accents dropped and case folded: 'SIÔN' is 'sion'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def traces(ws: Path) -> list[str]:
    """Every file of the workspace whose name or text holds the name, in any form."""
    found = []
    for path in sorted(ws.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".pdf" and text.startswith("%PDF"):
            text += " ".join(page.extract_text() for page in PdfReader(path).pages)
        if TRACE.search(plain(path.name)) or TRACE.search(plain(text)):
            found.append(str(path.relative_to(ws)))
    return found


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """origin: Siôn, Zofia and Ama; second: taught by Siôn (origin:p01) and Alex Morgan."""
    root = tmp_path_factory.mktemp("erasure")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # nothing a command writes lands in the folder the tests ran from
        return build_template(root)


def build_template(root: Path) -> Path:
    ws = make_workspace(root)
    make_cohort(ws, "origin", "ips-taster", TODAY - timedelta(days=300),
                (NAME, "Zofia Kęszycka", "Ama Mensah"), "--trainer", "Alex Morgan",
                "--followup", "2w")  # fmt: skip
    ok(ws, "attend", "origin", "1", "--all-present", "--note", "Sion Prydderch rang")
    ok(ws, "attend", "origin", "1", "--present", "p02", "--note", "SIÔN said she would come")
    ok(ws, "attend", "origin", "1", "--present", "p03", "--note", "lift from siôn")
    ok(ws, "followup", "record", "origin", "p02", "--at", "2w", "--using-skills", "yes",
       "--trained-others", "1", "--note", "co-runs a group with Siôn's friend")  # fmt: skip
    ok(ws, "certificates", "origin")
    # A reason typed for the register may name them too.
    ok(ws, "certificates", "revoke", _code(ws, "origin", "p02"), "--reason",
       "issued twice; Siôn Prydderch noticed")  # fmt: skip
    ok(ws, "register", "origin")
    make_cohort(ws, "second", "ips-taster", TODAY - timedelta(days=200),
                ("Dewi Lloyd", "Jo Reid"), "--trainer", "origin:p01",
                "--trainer", "Alex Morgan")  # fmt: skip
    ok(ws, "attend", "second", "1", "--all-present", "--note", "Prydderch led the role play")
    ok(ws, "certificates", "second")
    ok(ws, "session-plans", "second")
    ok(ws, "calendar", "second")
    planted = ws / "out" / "origin" / "certificates" / f".ipskit-tmp-{dead_pid()}-x.pdf"
    planted.write_text(f"a certificate for {NAME}, cut short by a kill")
    found = traces(ws)
    # The check can fail: the name is there, in every kind of file, before forget.
    for where in ("cohorts/origin/roster.csv", "cohorts/origin/history.csv",
                  "cohorts/origin/attendance.csv", "cohorts/origin/followups.csv",
                  "cohorts/origin/certificates.csv", "cohorts/second/attendance.csv",
                  "cohorts/second/history.csv", "out/origin/registers.pdf",
                  "out/second/second.ics", "out/second/session-plans/session-plans.pdf",
                  f"out/origin/certificates/{planted.name}"):  # fmt: skip
        assert where in found
    assert any(f.startswith("out/second/certificates/certificate-p01-") for f in found)
    return ws


@pytest.fixture
def ws(template, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(template, copy)
    return copy


def check_erased(ws: Path) -> None:
    """Nothing of Siôn is left, and forget says so; the counts still add up."""
    assert traces(ws) == []
    assert not list(ws.rglob(".ipskit-tmp-*")) and not list(ws.rglob(".ipskit-commit*"))
    assert not (ws / "cohorts" / "origin" / "forgetting.json").exists()
    records = Records.load(open_cohort(ws / "cohorts", "origin"))
    assert [(p.id, p.status) for p in records.roster] == [
        ("p01", "erased"), ("p02", "active"), ("p03", "active")
    ]  # fmt: skip
    assert len(records.marks) == 3
    notes = sorted(m.note for m in records.marks.values())
    assert notes == ["", "[erased] said she would come", "lift from [erased]"]
    result = cli(ws, "forget", "origin", "p01", "--yes")
    assert (result.exit_code, result.stdout) == (0, ALREADY)


def test_forget_leaves_nothing_anywhere_and_lists_the_trained_cohort_s_documents(ws):
    own = sorted((ws / "out" / "origin" / "certificates").glob("certificate*-p01-*.pdf"))
    batch = sorted(p.name for p in (ws / "out" / "origin" / "certificates").glob("certificates-*"))
    trained = sorted(p.name for p in (ws / "out" / "second" / "certificates").glob("*.pdf"))
    result = cli(ws, "forget", "origin", "Siôn", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Erased the personal data of p01 from cohort origin.",
        "Deleted 3 documents that printed their name:",
        *(f"  certificates/{p.name}" for p in own),
        "  registers.pdf",
        *(f"  certificates/{name}" for name in batch),
        "Make new sign-in sheets with: ipskit register origin",
        "Deleted 6 documents of cohort second, which they trained, that printed their name:",
        "  session-plans/session-01.pdf",
        "  session-plans/session-plans.pdf",
        "  second.ics",
        *(f"  certificates/{name}" for name in trained),
        "Make them again (naming them as a graduate of their course) with:",
        "  ipskit session-plans second",
        "  ipskit calendar second",
        "  ipskit certificates second --reissue --participant p01",
        "  ipskit certificates second --reissue --participant p02",
        "The certificates second's participants were given still verify: reissue one only"
        " for someone who wants a new copy.",
        "Copies kept elsewhere (printed, emailed, in other folders) are yours to remove.",
    ]
    check_erased(ws)
    notes = (ws / "cohorts" / "second" / "attendance.csv").read_text(encoding="utf-8")
    assert notes.count("[erased] led the role play") == 2
    # The register keeps codes and hashes: the trainees' certificates still verify.
    verdict = cli(ws, "verify", _code(ws, "second", "p01"))
    assert verdict.exit_code == 0, verdict.output
    ok(ws, "session-plans", "second")
    ok(ws, "calendar", "second")
    ok(ws, "certificates", "second", "--reissue", "--participant", "p01")
    assert traces(ws) == []  # made again, they name "a graduate of" the course


def test_a_trainer_of_the_same_name_written_as_a_name_is_pointed_out_not_changed(ws):
    make_cohort(ws, "third", "ips-taster", TODAY - timedelta(days=100), ("Kai Tanaka",),
                "--trainer", "S. PRYDDERCH")  # fmt: skip
    settings = (ws / "cohorts" / "third" / "cohort.yaml").read_bytes()
    result = cli(ws, "forget", "origin", "p01", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2] == (
        "Cohort third names a trainer with a name like theirs: if that is them, change it"
        " in cohort.yaml (ipskit cannot tell)."
    )
    assert (ws / "cohorts" / "third" / "cohort.yaml").read_bytes() == settings


def _code(ws: Path, cohort: str, pid: str) -> str:
    rows = csvio.read_rows(ws / "cohorts" / cohort / "certificates.csv", ["code", "participant",
                           "name_on_certificate", "course", "hours", "issued", "sha256",
                           "status", "date", "reason"])  # fmt: skip
    return next(row["code"] for _, row in rows if row["participant"] == pid)


CHILD = """
import os, sys
limit, count = int(sys.argv[1]), 0
real = {name: getattr(os, name) for name in ("replace", "unlink")}
def stop_at(name):
    def call(*args, **kwargs):
        global count
        count += 1
        if count == limit:
            os._exit(137)  # as a kill: no cleanup, no finally
        return real[name](*args, **kwargs)
    return call
for name in real:
    setattr(os, name, stop_at(name))
from ipskit.cli import main
sys.argv = ["ipskit", *sys.argv[2:]]
main()
"""


def killed(ws: Path, at: int, *args: str) -> int:
    """Run ipskit in a child that dies just before its ``at``-th rename or deletion."""
    env = {k: v for k, v in os.environ.items() if k != "IPSKIT_WORKSPACE"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(at), "-w", str(ws), *args],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    return done.returncode


#: How many renames and deletions one forget of Siôn makes (each is a place to kill it):
#: the last is the build record written without them.
STEPS = 26


@pytest.mark.hostile
@pytest.mark.parametrize("at", range(1, STEPS + 1))
def test_forget_killed_at_any_step_is_finished_by_running_it_again(ws, at):
    assert killed(ws, at, "forget", "origin", "p01", "--yes") == 137
    result = cli(ws, "forget", "origin", "p01", "--yes")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    if at == 1:  # stopped before its intent was written: nothing had changed
        assert first == "Erased the personal data of p01 from cohort origin."
    elif at < STEPS - 1:
        assert first == (
            "Erased the personal data of p01 from cohort origin, finishing an erasure that"
            " stopped part way."
        )
    else:  # stopped in the last sweep or taking them off the build record: done again
        assert result.stdout == ALREADY
        record = json.loads((ws / "out" / "origin" / ".build.json").read_text("utf-8"))
        assert not [e for e in record["files"].values() if "p01" in e.get("people", ())]
    check_erased(ws)


def test_forget_is_not_killed_past_its_last_step(ws):
    """STEPS is every step: one more and the child runs to the end."""
    assert killed(ws, STEPS + 1, "forget", "origin", "p01", "--yes") == 0
    check_erased(ws)


@pytest.mark.hostile
def test_a_second_run_by_name_after_the_roster_was_blanked_finishes_it(ws):
    for at in range(1, STEPS + 1):
        stopped = killed(ws, at, "forget", "origin", "p01", "--yes")
        roster = (ws / "cohorts" / "origin" / "roster.csv").read_text(encoding="utf-8")
        if stopped == 137 and "p01,,,,,erased," in roster:
            break
    else:
        raise AssertionError("no kill left the roster blanked and the erasure unfinished")
    result = cli(ws, "forget", "origin", "Siôn", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "'Siôn' matches no one on the roster of origin now.",
        "Erased the personal data of p01 from cohort origin, finishing an erasure that"
        " stopped part way.",
    ]
    check_erased(ws)


@pytest.mark.hostile
def test_a_killed_certificate_run_s_leftover_is_removed_by_forget(ws):
    leftovers = list((ws / "out" / "origin" / "certificates").glob(".ipskit-tmp-*"))
    assert len(leftovers) == 1 and NAME in leftovers[0].read_text()
    ok(ws, "forget", "origin", "p02", "--yes")
    assert not leftovers[0].exists()


@pytest.mark.hostile
@pytest.mark.parametrize(
    "note",
    ["Sion Prydderch rang", "SIÔN said", "siôn", "Siôn's lift", "PRYDDERCH-JONES called",
     "Sio\u0302n Prydderch", "prydderch", "sion@example.org wrote", "Siôn\u00a0Prydderch"],
)  # fmt: skip
def test_notes_are_scrubbed_in_any_spelling(note):
    finder = NameFinder([NAME], ["Sion@Example.org"])
    scrubbed = finder.sub(note)
    assert not TRACE.search(plain(scrubbed)) and "example.org" not in scrubbed
    assert "[erased]" in scrubbed


@pytest.mark.parametrize(
    ("names", "note", "scrubbed"),
    [
        ([NAME], "the session went well", "the session went well"),
        ([NAME], "Sionne came to a discussion", "Sionne came to a discussion"),
        ([NAME], "Siobhan rang", "Siobhan rang"),
        (["Mary-Jane van Dijk"], "Mary said the van was late", "[erased] said the van was late"),
        (["Mary-Jane van Dijk"], "mary jane VAN DIJK came", "[erased] came"),
        (["Jo Li"], "Jo rang; li too", "[erased] rang; [erased] too"),
        (["An Nguyen"], "an idea from Nguyen", "an idea from [erased]"),
        (["Bronwen Ap Tudwal"], "the ap is slow; ap tudwal ill", "the ap is slow; [erased] ill"),
        (["王芳"], "昨天王芳来了", "昨天[erased]来了"),
        (["Siân O’Brien"], "O'Brien's notes, obrien", "[erased]'s notes, [erased]"),
    ],
)  # fmt: skip
def test_notes_lose_the_name_and_keep_everything_else(names, note, scrubbed):
    assert NameFinder(names).sub(note) == scrubbed


def test_an_unknown_name_is_still_refused_when_nothing_is_pending(ws):
    result = cli(ws, "forget", "origin", "Nobody", "--yes")
    assert (result.exit_code, result.stderr) == (
        1, "no one on the roster of origin matches 'Nobody'\n"
    )  # fmt: skip


@pytest.mark.hostile
@pytest.mark.parametrize("at", [1, 2, 3, 6, 8, 10, 11])
def test_a_full_disk_stops_forget_with_one_line_and_a_second_run_finishes(ws, at, monkeypatch):
    replace, calls = os.replace, []

    def full(*args, **kwargs):
        calls.append(args)
        if len(calls) == at:
            raise OSError(28, "No space left on device", str(args[0]))
        return replace(*args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    result = cli(ws, "forget", "origin", "p01", "--yes")
    monkeypatch.setattr(os, "replace", replace)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and not TRACE.search(plain(result.stderr))
    folder = ws / "cohorts" / "origin"
    if at == 1:
        assert result.stderr == (
            f"{folder / 'forgetting.json'}: cannot write it: the disk is full; it is unchanged\n"
        )
    else:
        assert ": the disk is full" in result.stderr
        assert result.stderr.endswith(
            "; the erasure stopped part way: once that is fixed, run ipskit forget origin p01"
            " --yes again to finish it\n"
        )
    ok(ws, "forget", "origin", "p01", "--yes")
    check_erased(ws)


def snapshot(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("file", "line", "cells"),
    [("cohorts/origin/history.csv", 3, 7), ("cohorts/second/history.csv", 3, 7),
     ("cohorts/second/attendance.csv", 2, 5)],
)  # fmt: skip
def test_a_file_broken_by_hand_stops_forget_before_anything_changes(ws, file, line, cells):
    path = ws / file
    rows = path.read_bytes().decode("utf-8").split("\r\n")
    rows[line - 1] += ",one cell too many"
    path.write_text("\r\n".join(rows), encoding="utf-8", newline="")
    before = snapshot(ws)
    result = cli(ws, "forget", "origin", "p01", "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:{line}: expected {cells} cells, found {cells + 1}\n"
    assert "Siôn" not in result.stderr and "Prydderch" not in result.stderr
    assert snapshot(ws) == before


# --- a change and its history row, together -------------------------------------------------


def test_history_gains_a_line_break_that_a_hand_edit_dropped(ws):
    path = ws / "cohorts" / "second" / "history.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    ok(ws, "attend", "second", "1", "--late", "p02")
    rows = [row for _, row in csvio.read_rows(path, HISTORY_COLUMNS)]
    assert [(r["action"], r["participant"], r["after"]) for r in rows[-3:]] == [
        ("marked", "p01", "present"), ("marked", "p02", "present"), ("marked", "p02", "late"),
    ]  # fmt: skip
    assert history_with("a\r\nb", [["1", "2", "3", "4", "5", "6", "7"]]) == (
        "a\r\nb\r\n1,2,3,4,5,6,7\r\n"
    )


def together(ws: Path) -> dict[str, str]:
    """The marks of session 1 of second, checked against the history's last word on each.

    Each mark has the status its last history row gives it, and each history row's
    mark is there: neither is ever committed without the other.
    """
    folder = ws / "cohorts" / "second"
    marks = {row["participant"]: row["status"]
             for _, row in csvio.read_rows(folder / "attendance.csv",
                                           ("session", "participant", "status", "made_up",
                                            "note"))}  # fmt: skip
    said = {}
    for _, row in csvio.read_rows(folder / "history.csv", HISTORY_COLUMNS):
        if row["action"] == "marked":
            said[row["participant"]] = row["after"]
    assert marks == said
    assert not list(folder.glob(".ipskit-commit*"))
    return marks


BEFORE = {"p01": "present", "p02": "present"}
AFTER = {"p01": "late", "p02": "excused"}


@pytest.mark.hostile
@pytest.mark.parametrize("at", range(1, 6))
def test_attend_killed_at_any_step_leaves_mark_and_history_together(ws, at):
    assert killed(ws, at, "attend", "second", "1", "--late", "p01", "--excused", "p02") == 137
    seen = Records.load(open_cohort(ws / "cohorts", "second"))
    # Read before anyone settles it: a commit stopped half way reads as committed, whole.
    assert {m.participant: m.status for m in seen.marks.values()} in (BEFORE, AFTER)
    ok(ws, "roster", "second", "add", "Kai Tanaka")  # the next writer settles it on disk
    assert together(ws) == (BEFORE if at == 1 else AFTER)


def test_attend_is_not_killed_past_its_last_step(ws):
    assert killed(ws, 6, "attend", "second", "1", "--late", "p01", "--excused", "p02") == 0
    assert together(ws) == AFTER


@pytest.mark.hostile
@pytest.mark.slow
def test_a_long_writer_killed_at_random_never_keeps_a_mark_without_its_history(ws):
    import random

    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    rng = random.Random(20261202)
    statuses = ["--present", "--absent", "--late", "--excused"]
    for _ in range(10):
        args = [sys.executable, "-m", "ipskit", "attend", "second", "1"]
        for pid in ("p01", "p02"):
            args += [rng.choice(statuses), pid]
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        kill_after(process, rng.uniform(0.05, 0.5))
        seen = Records.load(open_cohort(ws / "cohorts", "second"))
        ok(ws, "roster", "second", "add", f"Person {rng.random()}", "--force")
        assert together(ws) == {m.participant: m.status for m in seen.marks.values()}


@pytest.mark.hostile
@pytest.mark.parametrize(
    "journal",
    ['{"token": "../../../x", "files": ["roster.csv"]}', "{not json",
     '{"token": "0123456789ab", "files": ["cohort.yaml"]}', '["roster.csv"]'],
)  # fmt: skip
def test_a_commit_journal_edited_by_hand_is_refused_and_nothing_changes(ws, journal):
    folder = ws / "cohorts" / "second"
    (folder / ".ipskit-commit.json").write_text(journal)
    before = snapshot(ws)
    result = cli(ws, "attend", "second", "1", "--late", "p01")
    assert (result.exit_code, result.stderr) == (1, (
        f"{folder / '.ipskit-commit.json'}:1: not a commit ipskit wrote (edited by hand?):"
        " delete it, and the change it was finishing with it\n"
    ))  # fmt: skip
    assert snapshot(ws) == before
    (folder / ".ipskit-commit.json").unlink()
    ok(ws, "attend", "second", "1", "--late", "p01")
    assert together(ws) == {"p01": "late", "p02": "present"}


@pytest.mark.hostile
@pytest.mark.parametrize("intent", ['{"erasing": ["*"]}', '{"erasing": ["p09"]}', "[", "{}"])
def test_a_note_of_intent_edited_by_hand_is_refused_and_nothing_changes(ws, intent):
    path = ws / "cohorts" / "origin" / "forgetting.json"
    path.write_text(intent)
    before = snapshot(ws)
    result = cli(ws, "forget", "origin", "p02", "--yes")
    assert (result.exit_code, result.stderr) == (1, (
        f"{path}:1: not the list of erasures ipskit wrote (edited by hand?): it reads"
        ' {"erasing": ["p01"]}, with the ids of the people whose erasure stopped part way\n'
    ))  # fmt: skip
    assert snapshot(ws) == before
