"""ipskit demo: a whole invented workspace, built once for the module and read back."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import run
from ipskit.demo import CASCADE, FIVE_DAY, TEN_WEEK, build_demo, check_folder, demo_cohorts
from ipskit.errors import IpskitError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "demo"
    result = run("demo", str(root))
    assert result.exit_code == 0, result.output
    return root, result


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
        lines[-1]
        == f"Try: cd {root}, then ipskit cohorts, ipskit status cascade, ipskit attendance ten-week"
    )
    assert [path for path, _ in listed(result)] == [
        "ipskit.yaml",
        "cohorts/ten-week/",
        "cohorts/intensive/",
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
        "out/cascade/session-plans/",
        "out/cascade/workbook.pdf",
        "out/cascade/registers.pdf",
        "out/cascade/cascade.ics",
    ]
    rows = dict(listed(result))
    assert rows["cohorts/ten-week/"].endswith(": 12 people, 10 completed")
    assert rows["cohorts/intensive/"].endswith(": 14 people, 13 completed")
    assert rows["cohorts/cascade/"].startswith("starts ")
    assert rows["out/ten-week/workbooks/"] == "11 personal copies, each name on its cover"
    assert rows["out/ten-week/certificates/"] == "10 certificates, and all in one to print"
    assert rows["out/cascade/registers.pdf"] == "sign-in sheets for 2 sessions and 12 meetings"
    assert rows["out/ten-week/ten-week.ics"] == "calendar of the 10 sessions, to import"
    assert result.stderr == ""  # no font warnings: every name prints


def test_everything_listed_exists_and_is_private(demo):
    from ipskit.store import readable_by_others

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
    for path in pdfs:
        assert len(PdfReader(path).pages) > 0, path


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
    assert status["trainers"] == ["Adaeze Okonkwo", "Lian Chow"]


def test_calendars_hold_every_session(demo):
    import icalendar

    root, _ = demo
    for cohort, events in (("ten-week", 10), ("intensive", 5), ("cascade", 14)):
        text = (root / "out" / cohort / f"{cohort}.ics").read_bytes()
        calendar = icalendar.Calendar.from_ical(text)
        assert len(calendar.walk("VEVENT")) == events


def test_certificates_for_everyone_who_completed(demo):
    root, result = demo
    rows = dict(listed(result))
    assert rows["cohorts/ten-week/certificates.csv"] == "certificate register: every one issued"
    for cohort, expected, left_out in (("ten-week", 10, {"p05", "p09"}),
                                       ("intensive", 13, {"p09"})):  # fmt: skip
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

    import ipskit.plans

    def full(*args, **kwargs):
        raise IpskitError("the disk is full")

    monkeypatch.setattr(ipskit.plans, "make_plans", full)
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
    from ipskit.catalogue import catalogue
    from ipskit.schedule import plan

    courses = catalogue()
    for offset in range(0, 366, 3):
        today = date(2027, 1, 1) + timedelta(days=offset)
        for cohort in demo_cohorts(today):
            course = courses.get(cohort.curriculum).curriculum
            dates = [m.date for m in plan(course, cohort.start, skip=cohort.skip)
                     if not m.follow_on]  # fmt: skip
            if cohort.id == "cascade":
                assert dates[0] > today
            else:
                assert dates[-1] < today - timedelta(days=7), (today, cohort.id)


def test_names_are_in_scripts_every_system_draws():
    from ipskit.fonts import undrawable

    names = [n for p in (*TEN_WEEK, *FIVE_DAY, *CASCADE) for n in (p.name, p.certificate_name) if n]
    assert len(set(names)) == len(names)
    for name in names:
        scripts = {unicodedata.name(ch).split()[0] for ch in name if ch.isalpha()}
        assert scripts <= {"LATIN", "GREEK", "CYRILLIC"}, name
        assert undrawable(name) == [], name
