"""ipskit demo: a whole invented workspace, built once for the run and read back."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from helpers import run
from ipskit.core.errors import IpskitError, NotFoundError
from ipskit.demo.build import build_demo, check_folder, demo_cohorts
from ipskit.demo.people import rosters


@pytest.fixture(scope="module")
def demo(demo_build):
    """The demo, made as a trainer makes it (see demo_build in conftest.py), only read here."""
    return demo_build


def cli(root, *args):
    return run("-w", str(root), *args)


def listed(result) -> list[tuple[str, str]]:
    lines = result.stdout.splitlines()
    rows = [line[2:].split("  ", 1) for line in lines[1:-1]]
    return [(path, what.strip()) for path, what in rows]


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_mode)
        for p in sorted(root.rglob("*"))
    }


def test_the_demo_says_what_it_made_and_where(demo):
    root, result = demo
    lines = result.stdout.splitlines()
    assert lines[0] == f"Made a demo workspace in {root}. Every person and place in it is invented."
    assert (
        lines[-1] == f"Try: cd {root}, then ipskit cohorts, ipskit status first-cascade,"
        " ipskit attendance ten-week, ipskit followup report, ipskit cascade tree, ipskit report"
    )
    assert [path for path, _ in listed(result)] == [
        "ipskit.yaml",
        "cohorts/ten-week/",
        "cohorts/intensive/",
        "cohorts/first-cascade/",
        "cohorts/cascade/",
        "out/ten-week/session-plans/",
        "out/ten-week/workbook.pdf",
        "out/ten-week/workbooks/",
        "out/ten-week/registers.pdf",
        "out/ten-week/ten-week.ics",
        "out/ten-week/certificates/",
        "cohorts/ten-week/certificates.csv",
        "out/intensive/session-plans/",
        "out/intensive/workbook.pdf",
        "out/intensive/registers.pdf",
        "out/intensive/intensive.ics",
        "out/intensive/certificates/",
        "cohorts/intensive/certificates.csv",
        "out/first-cascade/session-plans/",
        "out/first-cascade/workbook.pdf",
        "out/first-cascade/registers.pdf",
        "out/first-cascade/agreements.pdf",
        "out/first-cascade/first-cascade.ics",
        "out/first-cascade/certificates/",
        "cohorts/first-cascade/certificates.csv",
        "out/cascade/session-plans/",
        "out/cascade/workbook.pdf",
        "out/cascade/registers.pdf",
        "out/cascade/agreements.pdf",
        "out/cascade/cascade.ics",
        "out/followup-report-all.pdf",
        "out/report.pdf",
    ]
    rows = dict(listed(result))
    assert rows["cohorts/ten-week/"].endswith(": 12 people, 10 completed")
    assert rows["cohorts/intensive/"].endswith(": 14 people, 13 completed")
    assert rows["cohorts/cascade/"].startswith("starts ")
    assert rows["out/ten-week/workbooks/"] == "11 personal copies, each name on its cover"
    assert rows["out/ten-week/certificates/"] == "10 certificates, and all in one to print"
    assert rows["out/cascade/registers.pdf"] == "sign-in sheets for 2 sessions and 12 meetings"
    assert rows["out/first-cascade/agreements.pdf"] == "code of conduct to sign: 9 forms, 8 signed"
    assert rows["cohorts/first-cascade/"].endswith(": 9 people, 8 completed")
    assert rows["out/ten-week/ten-week.ics"] == "calendar of the 10 sessions, to import"
    assert result.stderr == ""  # no font warnings: every name prints


def test_everything_listed_exists_and_is_private(demo):
    from ipskit.core.store import readable_by_others

    root, result = demo
    for path, _ in listed(result):
        assert (root / path).exists(), path
        assert (root / path).is_dir() == path.endswith("/"), path
    assert readable_by_others(root) == []


def test_every_pdf_opens_and_has_pages(demo):
    root, _ = demo
    pdfs = sorted(root.rglob("*.pdf"))
    assert len(list((root / "out" / "ten-week" / "workbooks").glob("workbook-p*.pdf"))) == 11
    assert len(list((root / "out" / "ten-week" / "session-plans").glob("session-??.pdf"))) == 10
    for path in pdfs:  # opened as a PDF viewer opens it (PDFium's, Chrome's)
        document = pypdfium2.PdfDocument(path)
        try:
            assert len(document) > 0, path
        finally:
            document.close()


def test_the_ten_week_cohort_has_two_who_did_not_complete(demo):
    root, _ = demo
    roster = json.loads(cli(root, "roster", "ten-week", "list", "--json").stdout)
    assert len(roster) == 12
    grid = json.loads(cli(root, "attendance", "ten-week", "--json").stdout)
    states = {p["id"]: p["state"] for p in grid["participants"]}
    assert len(states) == 12
    assert {pid: s for pid, s in states.items() if s != "complete"} == {
        "p05": "withdrawn", "p09": "cannot complete",
    }  # fmt: skip
    people = {p["id"]: p for p in grid["participants"]}
    assert people["p09"]["reasons"] == ["7 of 10 sessions attended (70%); 80% needed"]
    assert people["p06"]["marks"]["5"] == "absent (made up)"
    assert people["p05"]["marks"]["4"] is None


def test_the_other_cohorts_one_finished_one_to_come(demo):
    root, _ = demo
    grid = json.loads(cli(root, "attendance", "intensive", "--json").stdout)
    states = [p["state"] for p in grid["participants"]]
    assert (len(states), states.count("complete")) == (14, 13)
    status = json.loads(cli(root, "status", "cascade", "--json").stdout)
    assert status["next_session"]["number"] == 1
    assert status["sessions_held"] == 0
    assert date.fromisoformat(status["next_session"]["date"]) > date.today()
    assert status["trainers"] == ["first-cascade:p01", "first-cascade:p04"]


def test_calendars_hold_every_session(demo):
    import icalendar

    root, _ = demo
    for cohort, events in (("ten-week", 10), ("intensive", 5), ("first-cascade", 14),
                           ("cascade", 14)):  # fmt: skip
        text = (root / "out" / cohort / f"{cohort}.ics").read_bytes()
        calendar = icalendar.Calendar.from_ical(text)
        assert len(calendar.walk("VEVENT")) == events


def test_certificates_for_everyone_who_completed(demo):
    root, result = demo
    rows = dict(listed(result))
    assert rows["cohorts/ten-week/certificates.csv"] == "certificate register: every one issued"
    for cohort, expected, left_out in (("ten-week", 10, {"p05", "p09"}),
                                       ("intensive", 13, {"p09"}),
                                       ("first-cascade", 8, {"p06"})):  # fmt: skip
        path = root / "cohorts" / cohort / "certificates.csv"
        register = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        holders = {row["participant"] for row in register if row["status"] == "issued"}
        assert len(register) == len(holders) == expected
        assert not left_out & holders
        assert (
            len(list((root / "out" / cohort / "certificates").glob("certificate-p*.pdf")))
            == expected
        )
    assert not (root / "cohorts" / "cascade" / "certificates.csv").exists()
    greek = next((root / "out" / "ten-week").rglob("certificate-p03-*.pdf"))
    assert "Ελένη Μαρκάκη" in PdfReader(greek).pages[0].extract_text()


def test_a_failed_demo_leaves_nothing_behind(tmp_path, monkeypatch):
    import os

    import ipskit.documents.session_plans

    def full(*args, **kwargs):
        raise IpskitError("the disk is full")

    monkeypatch.setattr(ipskit.documents.session_plans, "make_plans", full)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # all in this process, where it fails
    with pytest.raises(IpskitError, match="the disk is full"):
        build_demo(tmp_path / "new")
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(IpskitError, match="the disk is full"):
        build_demo(tmp_path / "empty")
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_second_run_into_the_same_folder_changes_nothing(demo):
    root, _ = demo
    before = snapshot(root)
    result = run("demo", str(root))
    assert result.exit_code == 1
    assert result.stderr == f"{root} already holds files: give a new folder for the demo\n"
    assert result.stdout == ""
    assert snapshot(root) == before


def test_the_demo_needs_a_new_or_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    check_folder(tmp_path / "empty")
    check_folder(tmp_path / "new")
    (tmp_path / "file").write_text("x")
    with pytest.raises(IpskitError, match="file: exists and is not a folder"):
        check_folder(tmp_path / "file")
    result = run("demo", str(tmp_path / "file"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"{tmp_path / 'file'}: exists and is not a folder\n",
    )


def test_dates_keep_finished_courses_past_and_the_cascade_to_come():
    from ipskit.courses.catalogue import catalogue
    from ipskit.courses.schedule import date_sessions

    courses = catalogue()
    for offset in range(0, 366, 3):
        today = date(2027, 1, 1) + timedelta(days=offset)
        for cohort in demo_cohorts(today):
            course = courses.get(cohort.curriculum).curriculum
            dates = [m.date for m in date_sessions(course, cohort.start, skip=cohort.skip)
                     if not m.follow_on]  # fmt: skip
            if cohort.id == "cascade":
                assert dates[0] > today
            else:
                assert dates[-1] < today - timedelta(days=7), (today, cohort.id)


def test_names_are_in_scripts_every_system_draws():
    from ipskit.documents.fonts import undrawable

    people = [person for roster in rosters().values() for person in roster]
    names = [n for p in people for n in (p.name, p.certificate_name) if n]
    assert len(set(names)) == len(names)
    for name in names:
        scripts = {unicodedata.name(ch).split()[0] for ch in name if ch.isalpha()}
        assert scripts <= {"LATIN", "GREEK", "CYRILLIC"}, name
        assert undrawable(name) == [], name


def _count_followups(root: Path) -> list[dict[str, int | str]]:
    """The follow-up figures, counted straight from the files, not through ipskit."""
    import re

    totals: dict[str, dict[str, int | str]] = {}
    for folder in sorted((root / "cohorts").iterdir()):
        settings = (folder / "cohort.yaml").read_text(encoding="utf-8")
        due = re.findall(r'- \{at: (\w+), due: "([\d-]+)"\}', settings)
        register = folder / "certificates.csv"
        completed = set()
        if register.exists():  # in the demo, everyone who completed holds a certificate
            rows = csv.DictReader(io.StringIO(register.read_text(encoding="utf-8-sig")))
            completed = {row["participant"] for row in rows}
        answers = []
        if (folder / "followups.csv").exists():
            text = (folder / "followups.csv").read_text(encoding="utf-8-sig")
            answers = list(csv.DictReader(io.StringIO(text)))
        for at, day in due:
            if date.fromisoformat(day) > date.today():
                continue
            mine = [a for a in answers if a["point"] == at]
            row = totals.setdefault(at, dict.fromkeys(
                ("cohorts", "asked", "reached", "using_skills", "trained_others",
                 "people_trained"), 0))  # fmt: skip
            row["cohorts"] += 1
            row["asked"] += len(completed | {a["participant"] for a in mine})
            row["reached"] += len(mine)
            row["using_skills"] += sum(a["using_skills"] == "yes" for a in mine)
            row["trained_others"] += sum(int(a["trained_others"]) > 0 for a in mine)
            row["people_trained"] += sum(int(a["trained_others"]) for a in mine)
    return [{"point": at, **row} for at, row in totals.items()]


def test_the_followup_report_matches_a_count_made_from_the_files(demo):
    root, _ = demo
    result = cli(root, "followup", "report", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)["points"]
    counted = _count_followups(root)
    assert sorted(reported, key=lambda r: r["point"]) == sorted(counted, key=lambda r: r["point"])
    assert {r["point"] for r in reported} == {"9w", "12m", "6m"}
    assert all(r["reached"] > 0 for r in reported)


def test_the_demo_holds_a_two_generation_cascade_and_a_support_group(demo):
    root, _ = demo
    report = json.loads(cli(root, "cascade", "report", "--json").stdout)
    assert [(r["original"], [g["cohorts"] for g in r["generations"]]) for r in report] == [
        ("intensive", [["first-cascade"], ["cascade"]]),
    ]
    status = json.loads(cli(root, "status", "first-cascade", "--json").stdout)
    held = [s for s in status["sessions"] if s["after_the_course"] and s["held"]]
    assert 6 <= len(held) < 12
    assert status["trainers"] == ["intensive:p02", "intensive:p03"]


def _count_courses(root: Path) -> dict[str, dict[str, float]]:
    """The funder report's course figures, counted straight from the files."""
    import re

    today = date.today()
    totals: dict[str, dict[str, float]] = {}
    for folder in sorted((root / "cohorts").iterdir()):
        settings = (folder / "cohort.yaml").read_text(encoding="utf-8")
        curriculum = re.search(r"^curriculum: (\S+)$", settings, re.M)[1]
        late = re.search(r"late_counts_as: (\w+)", settings)[1]
        made_up_counts = re.search(r"make_up_counts: (\w+)", settings)[1] == "true"
        dated = {int(n): (date.fromisoformat(d), int(m), kind)
                 for kind, block in (("session", settings.split("meetings:")[0]),
                                     ("meeting", settings.split("meetings:")[1]))
                 for n, d, m in re.findall(r'number: (\d+), id: \S+, date: "([\d-]+)", start:'
                                           r' "[\d:]+", end: "[\d:]+", contact_minutes: (\d+)',
                                           block)}  # fmt: skip
        row = totals.setdefault(curriculum, dict.fromkeys(
            ("courses_run", "courses_planned", "started", "withdrawn", "completed", "contact",
             "participant", "meetings", "certificates"), 0))  # fmt: skip
        first = min(d for d, _, kind in dated.values() if kind == "session")
        if first > today:
            row["courses_planned"] += 1
            continue
        row["courses_run"] += 1
        roster = list(csv.DictReader(io.StringIO((folder / "roster.csv").read_text("utf-8-sig"))))
        marks = list(csv.DictReader(io.StringIO(
            (folder / "attendance.csv").read_text("utf-8-sig"))))  # fmt: skip
        came = {m["participant"] for m in marks if dated[int(m["session"])][2] == "session"
                and (m["status"] in ("present", "late") or m["made_up"] == "yes")}  # fmt: skip
        row["started"] += len(came)
        row["withdrawn"] += sum(p["status"] == "withdrawn" and p["id"] in came for p in roster)
        held = {int(m["session"]) for m in marks if dated[int(m["session"])][0] <= today}
        row["contact"] += sum(dated[n][1] for n in held if dated[n][2] == "session")
        row["meetings"] += sum(1 for n in held if dated[n][2] == "meeting")
        row["participant"] += sum(
            dated[int(m["session"])][1] for m in marks
            if dated[int(m["session"])][2] == "session"
            and (m["status"] == "present" or (m["status"] == "late" and late == "attended")
                 or (m["made_up"] == "yes" and made_up_counts))
        )  # fmt: skip
        register = folder / "certificates.csv"
        if register.exists():  # in the demo, everyone who completed holds a certificate
            issued = list(csv.DictReader(io.StringIO(register.read_text("utf-8-sig"))))
            row["completed"] += len({r["participant"] for r in issued})
            row["certificates"] += len({r["participant"] for r in issued})
    return totals


def test_the_funder_report_matches_a_count_made_from_the_files(demo):
    root, _ = demo
    result = cli(root, "report", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    counted = _count_courses(root)
    reported = {
        line["curriculum"]: {
            "courses_run": line["courses_run"], "courses_planned": line["courses_planned"],
            "started": line["started"], "withdrawn": line["withdrawn"],
            "completed": line["completed"], "contact": round(line["contact_hours"] * 60),
            "participant": round(line["participant_hours"] * 60),
            "meetings": line["support_group_meetings_held"],
            "certificates": line["people_certified"],
        }
        for line in report["courses"]
    }  # fmt: skip
    assert reported == counted
    assert report["totals"]["started"] == sum(c["started"] for c in counted.values()) == 35
    by_point = {f["point"]: f for f in report["followups"]}
    for counted_point in _count_followups(root):
        mine = by_point[counted_point["point"]]
        assert (mine["asked"], mine["reached"], mine["using_skills"], mine["trained_others"],
                mine["people_trained"]) == (
            counted_point["asked"], counted_point["reached"], counted_point["using_skills"],
            counted_point["trained_others"], counted_point["people_trained"])  # fmt: skip


def test_check_finds_nothing_in_the_demo(demo):
    root, _ = demo
    before = snapshot(root)
    result = cli(root, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"No problems found in {root.resolve()}\n"
    assert snapshot(root) == before


def test_the_people_file_gives_every_cohort_its_roster():
    cohorts = demo_cohorts(date(2027, 1, 1))
    assert list(rosters()) == [cohort.id for cohort in cohorts]
    assert [len(cohort.people) for cohort in cohorts] == [12, 14, 9, 10]
    answered = {cohort.id: sorted({at for p in cohort.people for at in p.followups})
                for cohort in cohorts}  # fmt: skip
    assert answered == {"ten-week": [], "intensive": ["12m", "9w"], "first-cascade": ["6m"],
                        "cascade": []}  # fmt: skip


def test_a_mistake_in_the_people_file_is_reported_by_its_line(tmp_path, monkeypatch):
    import ipskit.demo.people as people

    broken = tmp_path / "people.yaml"
    broken.write_text("ten-week:\n  - name: Ann Example\n    marks: PPX\n", encoding="utf-8")
    monkeypatch.setattr(people, "PEOPLE_FILE", broken)
    people.rosters.cache_clear()
    try:
        with pytest.raises(IpskitError) as caught:
            people.rosters()
    finally:
        people.rosters.cache_clear()
    assert caught.value.lines[0].startswith(f"{broken}:3:12: ten-week[1].marks: ")


def test_what_goes_wrong_in_the_second_process_comes_back_whole(tmp_path):
    """A cohort's documents fail in the worker: the trainer reads the same message."""
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.documents.pack import make_documents
    from ipskit.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws", "Wrenmoor Peer Support Network")
    create_cohort(workspace, "taster", "ips-taster", date.today() + timedelta(days=7),
                  trainers=("Alys Morgan-Rees",))  # fmt: skip
    root = str(workspace.root)
    with pytest.raises(NotFoundError) as caught:  # the one between is made in the worker
        make_documents([(root, "taster", ("calendar",)), (root, "gone", ("calendar",)),
                        (root, "taster", ("calendar",))])  # fmt: skip
    assert caught.value.lines == ("no cohort 'gone'; there are: taster",)


def test_a_fault_in_the_worker_says_where_but_not_what(monkeypatch):
    import ipskit.documents.pack as documents

    def fault(*piece):
        raise KeyError("Róisín Ní Bhriain")

    monkeypatch.setattr(documents, "make_piece", fault)
    with pytest.raises(RuntimeError) as caught:
        documents.piece_in_worker(("root", "ten-week", "certificates", None))
    assert str(caught.value).startswith("KeyError at test_demo.py:")  # where, never who


def test_the_invented_answers_vary_as_real_ones_do(demo):
    """People rate themselves differently, and so the averages are not whole numbers."""
    root, _ = demo
    ratings = list(csv.DictReader(io.StringIO(
        (root / "cohorts" / "intensive" / "ratings.csv").read_text("utf-8"))))  # fmt: skip
    before: dict[str, list[str]] = {}
    for row in ratings:
        if row["stage"] == "before":
            before.setdefault(row["participant"], []).append(row["rating"])
    assert len(before) == 14
    assert len({tuple(r) for r in before.values()}) == 14  # no two people alike
    result = cli(root, "ratings", "report", "intensive", "--format", "json")
    figures = json.loads(result.stdout)["competencies"]
    means = [f[k] for f in figures for k in ("before_mean", "after_mean")]
    assert sum(m != int(m) for m in means) >= len(means) - 2
    assert all(f["mean_change"] > 0 for f in figures)  # and they grow over the course
    forms: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(
            (root / "cohorts" / "ten-week" / "evaluations.csv").read_text("utf-8"))):  # fmt: skip
        forms.setdefault(row["response"], []).append(row["rating"])
    assert len({tuple(form) for form in forms.values()}) == len(forms) == 11
