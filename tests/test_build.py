"""``ipskit build``: a cohort's whole pack in one command, and a rebuild redoes only what changed.

The cohort is a two-day cascade course, which has every kind of document: session plans
and preparation sheets, the workbook and a copy for each person, handouts, sign-in
sheets, code-of-conduct forms and a calendar. It is built once for the module; each test
that changes something works on its own copy, and reads what each command says it did
and the bytes on disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import clean_environment, kill_after, make_cohort, make_workspace, run

CASCADE = "ips-2-day-cascade"
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel")
#: Every document of the cohort, as `build` lists them (the session plans are one).
DOCUMENTS = [
    "out/spring/session-plans/",
    "out/spring/session-plans/preparation.pdf",
    "out/spring/workbook.pdf",
    *(f"out/spring/workbooks/workbook-p0{n}.pdf" for n in range(1, 5)),
    "out/spring/handouts.pdf",
    "out/spring/registers.pdf",
    "out/spring/agreements.pdf",
    "out/spring/spring.ics",
]
#: What counts the people on the course (cards, copies to print, chairs), not names them.
COUNTED = ("out/spring/session-plans/", "out/spring/session-plans/preparation.pdf",
           "out/spring/handouts.pdf")  # fmt: skip
#: The separate commands that make the same documents one kind at a time.
SEPARATE = [
    ["session-plans", "spring"],
    ["session-plans", "spring", "--prep"],
    ["build-workbook", "spring"],
    ["build-workbook", "spring", "--per-participant"],
    ["handouts", "spring"],
    ["register", "spring"],
    ["agreements", "spring"],
    ["calendar", "spring"],
]


def ipskit(ws: Path, *args: str) -> tuple[int, str, str]:
    result = run("-w", str(ws), *args)
    return result.exit_code, result.stdout, result.stderr


def build(ws: Path, *args: str) -> dict[str, str]:
    """Run ``ipskit build``; what it said of each document (its path: made, unchanged...)."""
    code, out, err = ipskit(ws, "build", *(args or ("spring",)))
    assert code == 0, out + err
    lines = out.splitlines()
    said = dict(reversed(line.split(None, 1)) for line in lines[:-1])
    assert all(what in ("made", "unchanged", "removed") for what in said.values()), out
    return said


def files(ws: Path) -> dict[str, bytes]:
    """Every document in the cohort's out folder, by path: not the record or its parts."""
    out = ws / "out" / "spring"
    return {
        path.relative_to(ws).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.relative_to(out).as_posix().startswith((".build", ".ipskit"))
    }


def made(said: dict[str, str]) -> set[str]:
    return {path for path, what in said.items() if what == "made"}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The cohort with nothing built yet."""
    ws = make_workspace(tmp_path_factory.mktemp("build"))
    make_cohort(ws, "spring", CASCADE, None, PEOPLE)
    return ws


@pytest.fixture(scope="module")
def built(fresh, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The cohort built once, with personal workbooks, and what build said."""
    ws = tmp_path_factory.mktemp("built") / "ws"
    shutil.copytree(fresh, ws)
    return ws, build(ws, "spring", "--per-participant")


@pytest.fixture
def ws(built, tmp_path) -> Path:
    """A copy of the built workspace, for a test to change."""
    copy = tmp_path / "ws"
    shutil.copytree(built[0], copy)
    return copy


def test_a_cold_build_makes_every_document_and_says_so(built):
    ws, said = built
    assert said == {path: "made" for path in DOCUMENTS}
    code, out, _ = ipskit(ws, "build", "spring")
    assert out.splitlines()[-1] == "Built spring: 11 documents (11 unchanged)"
    assert not (ws / "out" / "spring" / "certificates").exists()  # issuing is its own act


def test_build_makes_what_the_separate_commands_make_byte_for_byte(built, fresh, tmp_path):
    separate = tmp_path / "separate"
    shutil.copytree(fresh, separate)
    for args in SEPARATE:
        code, out, err = ipskit(separate, *args)
        assert code == 0, out + err
    made_by_build = files(built[0])
    assert set(made_by_build) == set(files(separate))
    for path, data in files(separate).items():
        if path.endswith(".ics"):  # it says when cohort.yaml last changed, and so which
            # version of the events it is: remembering --per-participant changed it
            # before build made it, and after build-workbook.
            data, made_by_build[path] = (_undated(data), _undated(made_by_build[path]))
        assert made_by_build[path] == data, path


def _undated(calendar: bytes) -> bytes:
    return re.sub(rb"(?m)^(LAST-MODIFIED|SEQUENCE):.*$", b"", calendar)


def test_nothing_changed_nothing_made(ws):
    before = {p: p.stat().st_mtime_ns for p in (ws / "out").rglob("*") if p.is_file()}
    said = build(ws)
    assert set(said) == set(DOCUMENTS)
    assert made(said) == set()
    after = {p: p.stat().st_mtime_ns for p in (ws / "out").rglob("*") if p.is_file()}
    assert after == before  # not even the record is written again


def test_a_name_changed_remakes_their_copy_and_what_prints_every_name(ws):
    code, out, err = ipskit(ws, "roster", "spring", "edit", "p02", "--name", "Tomasz Wisniewski")
    assert code == 0, out + err
    before = files(ws)
    said = build(ws)
    assert made(said) == {
        "out/spring/workbooks/workbook-p02.pdf",
        "out/spring/registers.pdf",
        "out/spring/agreements.pdf",  # the forms to sign print every name too
    }
    after = files(ws)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == made(said)
    assert b"Wisniewski" not in after["out/spring/workbooks/workbook-p01.pdf"]


def test_a_template_changed_remakes_what_uses_it(ws):
    from ipskit.core.resources import builtin_templates_dir

    templates = ws / "templates"
    templates.mkdir(exist_ok=True)
    register = (builtin_templates_dir() / "register.html").read_text(encoding="utf-8")
    (templates / "register.html").write_text(register + "\n<!-- ours -->\n", encoding="utf-8")
    assert made(build(ws)) == {"out/spring/registers.pdf"}
    # A stylesheet the workbook reads: the workbook and every copy (their shared body).
    css = (builtin_templates_dir() / "workbook.css").read_text(encoding="utf-8")
    (templates / "workbook.css").write_text(css + "\nh1 { letter-spacing: 0.01em; }\n")
    assert made(build(ws)) == {
        "out/spring/workbook.pdf",
        *(f"out/spring/workbooks/workbook-p0{n}.pdf" for n in range(1, 5)),
    }
    assert made(build(ws)) == set()


def test_the_curriculum_changed_remakes_what_prints_it(ws):
    curriculum = ws / "cohorts" / "spring" / "curriculum.yaml"
    text = curriculum.read_text(encoding="utf-8")
    said = "Peer support is a relationship, not a treatment"  # facilitator notes of day 2
    assert text.count(said) == 1
    curriculum.write_text(text.replace(said, said.replace("relationship", "bond")), "utf-8")
    assert made(build(ws)) == {"out/spring/session-plans/"}
    # The glossary is at the back of the workbook: the workbook and each copy.
    meaning = "meaning: Support between people who share some experience"
    assert text.count(meaning) == 1
    curriculum.write_text(curriculum.read_text("utf-8").replace(meaning, meaning + " or more"),
                          "utf-8")  # fmt: skip
    remade = made(build(ws))
    assert {"out/spring/workbook.pdf", "out/spring/workbooks/workbook-p01.pdf"} <= remade
    assert not remade & {"out/spring/registers.pdf", "out/spring/agreements.pdf",
                         "out/spring/spring.ics"}  # fmt: skip


def test_a_deleted_record_or_output_is_made_again(ws):
    before = files(ws)
    (ws / "out" / "spring" / "registers.pdf").unlink()
    assert made(build(ws)) == {"out/spring/registers.pdf"}
    (ws / "out" / "spring" / "workbook.pdf").write_bytes(b"edited by hand")
    assert made(build(ws)) == {"out/spring/workbook.pdf"}
    (ws / "out" / "spring" / ".build.json").unlink()
    assert made(build(ws)) == set(DOCUMENTS)
    assert files(ws) == before  # the same bytes, made again
    (ws / "out" / "spring" / ".build.json").write_text("{not json")
    assert made(build(ws)) == set(DOCUMENTS)
    # Entries edited by hand into other shapes: those documents are made again.
    record_file = ws / "out" / "spring" / ".build.json"
    record = json.loads(record_file.read_text())
    record["files"]["registers.pdf"]["reads"] = "base.css"
    record["files"]["agreements.pdf"]["people"] = 7
    record["files"]["workbook.pdf"]["key"] = None
    record_file.write_text(json.dumps(record))
    assert made(build(ws)) == {"out/spring/registers.pdf", "out/spring/agreements.pdf",
                               "out/spring/workbook.pdf"}  # fmt: skip


def test_a_withdrawn_persons_copy_is_removed(ws):
    code, out, err = ipskit(ws, "roster", "spring", "withdraw", "p03")
    assert code == 0, out + err
    said = build(ws)
    assert said["out/spring/workbooks/workbook-p03.pdf"] == "removed"
    assert not (ws / "out" / "spring" / "workbooks" / "workbook-p03.pdf").exists()
    # The sheets and forms print every name; the plans and handouts count people.
    assert made(said) == {"out/spring/registers.pdf", "out/spring/agreements.pdf", *COUNTED}
    record = json.loads((ws / "out" / "spring" / ".build.json").read_text())
    assert "workbooks/workbook-p03.pdf" not in record["files"]


def test_forget_removes_every_file_the_record_says_names_them(ws):
    record = json.loads((ws / "out" / "spring" / ".build.json").read_text())
    naming = {name for name, entry in record["files"].items() if "p04" in entry.get("people", ())}
    assert naming == {"workbooks/workbook-p04.pdf", "registers.pdf", "agreements.pdf"}
    # A document forget knows nothing of by name, that the record says prints theirs.
    (ws / "out" / "spring" / "extra.pdf").write_bytes(b"%PDF- Sam Patel")
    record["files"]["extra.pdf"] = {"key": "k", "sha256": "s", "people": ["p04"]}
    (ws / "out" / "spring" / ".build.json").write_text(json.dumps(record))
    code, out, err = ipskit(ws, "forget", "spring", "p04", "--yes")
    assert code == 0, out + err
    assert "  extra.pdf\n" in out
    for name in naming | {"extra.pdf"}:
        assert not (ws / "out" / "spring" / name).exists(), name
    record = json.loads((ws / "out" / "spring" / ".build.json").read_text())
    assert not [name for name, entry in record["files"].items() if "p04" in entry.get("people", ())]
    said = build(ws)
    assert "out/spring/workbooks/workbook-p04.pdf" not in said
    assert made(said) == {"out/spring/registers.pdf", "out/spring/agreements.pdf", *COUNTED}
    for data in files(ws).values():
        assert b"Sam Patel" not in data


def test_the_record_is_private_and_names_no_one(built):
    ws, _ = built
    record = ws / "out" / "spring" / ".build.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    text = record.read_text(encoding="utf-8")
    for person in PEOPLE:
        assert person not in text and person.split()[1] not in text
    body = ws / "out" / "spring" / ".build" / "workbook-body.pdf"
    assert stat.S_IMODE(body.stat().st_mode) == 0o600
    for person in PEOPLE:  # the copies' shared body has a blank line for the name
        assert person.split()[0].encode() not in body.read_bytes()


def test_the_separate_commands_share_the_record(ws):
    code, out, _ = ipskit(ws, "build-workbook", "spring")
    assert (code, out) == (0, f"Up to date: {ws / 'out/spring/workbook.pdf'}"
                              " (nothing it is made from has changed)\n")  # fmt: skip
    code, out, _ = ipskit(ws, "build-workbook", "spring", "--per-participant")
    assert (code, out) == (0, f"Up to date: {ws / 'out/spring/workbooks'} (4 copies up to date)\n")
    code, out, _ = ipskit(ws, "register", "spring")
    assert out.startswith("Up to date: ")
    code, out, _ = ipskit(ws, "session-plans", "spring")
    assert out.startswith("Up to date: ")
    # Made by a separate command, then found unchanged by build.
    ipskit(ws, "roster", "spring", "add", "Nia Evans")
    code, out, _ = ipskit(ws, "register", "spring")
    assert out.startswith("Wrote 14 sign-in sheets")
    said = build(ws)
    assert said["out/spring/registers.pdf"] == "unchanged"
    assert said["out/spring/workbooks/workbook-p05.pdf"] == "made"
    assert said["out/spring/workbooks/workbook-p01.pdf"] == "unchanged"
    assert said["out/spring/agreements.pdf"] == "made"  # a form for Nia too


def test_per_participant_is_remembered(fresh, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(fresh, ws)
    said = build(ws)
    assert not any("/workbooks/" in path for path in said)
    code, out, err = ipskit(ws, "build-workbook", "spring", "--per-participant")
    assert code == 0, out + err
    settings = (ws / "cohorts" / "spring" / "cohort.yaml").read_text(encoding="utf-8")
    assert "personal_workbooks: true" in settings
    said = build(ws)
    assert {p for p in said if "/workbooks/" in p} == {
        f"out/spring/workbooks/workbook-p0{n}.pdf" for n in range(1, 5)
    }
    # The copies made by build-workbook are kept. The calendar tells calendar programs
    # which version of the events it is by when cohort.yaml last changed: made again.
    assert made(said) == {"out/spring/spring.ics"}


def test_two_builds_at_once_spoil_nothing(fresh, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(fresh, ws)
    command = [sys.executable, "-m", "ipskit", "-w", str(ws), "build", "spring"]
    env = clean_environment()
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]  # fmt: skip
    ended = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in both]
    for p in both:
        p.stdout.close()
        p.stderr.close()
    busy = ("the documents folder of cohort spring is busy: another ipskit command is"
            " changing it. Try again in a moment.\n")  # fmt: skip
    for code, out, err in ended:
        assert (code == 0 and err == "") or (code == 1 and err == busy), out + err
    assert any(code == 0 for code, _, _ in ended)
    said = build(ws)
    assert made(said) == set()
    for path, data in files(ws).items():
        if path.endswith(".pdf"):
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path


def test_build_all_builds_every_cohort_but_the_archived(fresh, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(fresh, ws)
    make_cohort(ws, "old", "ips-taster", None, ("Ffion Price",))
    code, out, err = ipskit(ws, "cohorts", "archive", "old")
    assert code == 0, out + err
    code, out, err = ipskit(ws, "build", "--all")
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("Built spring: ")
    assert "old" not in out and not (ws / "out" / "old").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the cohort to build, or give --all for every cohort\n"),
        (("spring", "--all"), "name one cohort or give --all, not both\n"),
        (("autumn",), "no cohort 'autumn'; there are: spring\n"),
    ],
)
def test_a_build_asked_wrongly_says_how_and_changes_nothing(fresh, tmp_path, args, message):
    ws = tmp_path / "ws"
    shutil.copytree(fresh, ws)
    before = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    code, out, err = ipskit(ws, "build", *args)
    assert (code, out, err) == (1, "", message)
    assert sorted(p.relative_to(ws) for p in ws.rglob("*")) == before


def test_every_file_built_is_whole_and_private(built):
    ws, _ = built
    for path in (ws / "out" / "spring").rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    digests = {hashlib.sha256(data).hexdigest() for data in files(ws).values()}
    assert len(digests) == len(files(ws))  # each copy is its own


def test_a_build_killed_half_way_is_finished_by_running_it_again(built, fresh, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(fresh, ws)
    command = [sys.executable, "-m", "ipskit", "-w", str(ws), "build", "spring",
               "--per-participant"]  # fmt: skip
    process = subprocess.Popen(command, env=clean_environment(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(4)
    workers = _children(process.pid)  # the second process laying out documents
    kill_after(process, 0)
    assert process.returncode == -9  # killed while it worked (a build takes longer)
    assert workers
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]  # no orphan left working for ever
    said = build(ws)  # finishes the job: what was whole is kept, the rest made
    assert set(said) == set(DOCUMENTS)
    assert made(build(ws)) == set()
    made_here, made_there = files(ws), files(built[0])
    assert set(made_here) == set(made_there)
    for path, data in made_here.items():
        if path.endswith(".ics"):
            data, made_there[path] = _undated(data), _undated(made_there[path])
        assert data == made_there[path], path
    leftovers = [p for p in (ws / "out").rglob("*") if p.name.startswith(".ipskit-")]
    assert leftovers == []


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux's /proc)."""
    tasks = Path(f"/proc/{pid}/task")
    return [int(child) for task in tasks.iterdir()
            for child in (task / "children").read_text().split()]  # fmt: skip


def _alive(pid: int) -> bool:
    """Whether a process is still there and not merely waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")
