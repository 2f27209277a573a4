"""roster, attend, attendance and assessment through the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from helpers import as_excel_reads, make_cohort, make_workspace, run, weekday_on_or_after


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


@pytest.fixture
def cohort(ws):
    return make_cohort(ws)


def cli(ws, *args):
    return run("-w", str(ws), *args)


def grid(ws, cohort_id="spring"):
    return json.loads(cli(ws, "attendance", cohort_id, "--json").stdout)


def marks_of(ws, pid, cohort_id="spring"):
    person = next(p for p in grid(ws, cohort_id)["participants"] if p["id"] == pid)
    return {k: v for k, v in person["marks"].items() if v}


# --- roster -------------------------------------------------------------------------------


def test_roster_add_and_list(ws, cohort):
    result = cli(ws, "roster", "spring", "add", "Łukasz Nowak", "--certificate-name",
                 "Łukasz J. Nowak", "--email", "lukasz@example.org", "--pronouns", "he/him")  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == "Added p05 Łukasz Nowak\n"
    listed = json.loads(cli(ws, "roster", "spring", "list", "--json").stdout)
    assert listed[-1] == {
        "id": "p05", "name": "Łukasz Nowak", "certificate_name": "Łukasz J. Nowak",
        "email": "lukasz@example.org", "pronouns": "he/him", "status": "active",
        "added": date.today().isoformat(), "left": None, "name_lang": "",
    }  # fmt: skip
    table = cli(ws, "roster", "spring", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "Name", "On", "certificate", "Email", "Pronouns"]
    assert table[5].startswith("p05  Łukasz Nowak")


def test_roster_add_refuses_a_duplicate_unless_forced(ws, cohort):
    result = cli(ws, "roster", "spring", "add", "sian hughes")
    assert result.exit_code == 1
    assert result.stderr == (
        "p01 Siân Hughes on the roster has that name or email already;"
        " use --force to add a second person\n"
    )
    result = cli(ws, "roster", "spring", "add", "sian hughes", "--force")
    assert result.stdout == "Added p05 sian hughes\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["  "], "a name is empty\n"),
        (["x" * 201], "a name is longer than 200 characters\n"),
        (["Ann", "--email", "not-an-email"], "the email address is not valid\n"),
    ],
)
def test_roster_add_refuses_bad_values(ws, cohort, args, message):
    before = (cohort / "roster.csv").read_bytes()
    result = cli(ws, "roster", "spring", "add", *args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert (cohort / "roster.csv").read_bytes() == before


def test_roster_import_dry_run_changes_nothing(ws, cohort, tmp_path):
    (tmp_path / "more.csv").write_text("First name,Last name\nZoë,Adams\nSam,Patel\n")
    before = (cohort / "roster.csv").read_bytes()
    result = cli(ws, "roster", "spring", "import", str(tmp_path / "more.csv"), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == (
        "Would add 1 participant:\n"
        "  p05 Zoë Adams\n"
        "  line 3: already on the roster as p04 Sam Patel; not added again\n"
    )
    assert (cohort / "roster.csv").read_bytes() == before
    result = cli(ws, "roster", "spring", "import", str(tmp_path / "more.csv"))
    assert result.stdout.startswith("Added 1 participant:\n  p05 Zoë Adams\n")


def test_withdraw(ws, cohort):
    result = cli(ws, "roster", "spring", "withdraw", "tomasz", "--date", "2027-01-02")
    assert result.stdout == "p02 Tomasz Wiśniewski has withdrawn (2027-01-02)\n"
    listed = {p["id"]: p for p in json.loads(cli(ws, "roster", "spring", "list", "--json").stdout)}
    assert (listed["p02"]["status"], listed["p02"]["left"]) == ("withdrawn", "2027-01-02")
    assert cli(ws, "roster", "spring", "withdraw", "p02").stderr == (
        "p02 Tomasz Wiśniewski has already withdrawn\n"
    )
    assert cli(ws, "roster", "spring", "withdraw", "tomasz").stderr == (
        "no one on the roster of spring matches 'tomasz'\n"
    )
    states = {p["id"]: p["state"] for p in grid(ws)["participants"]}
    assert states["p02"] == "withdrawn"
    result = cli(ws, "attend", "spring", "1", "--all-present")
    assert "3 present" in result.stdout


# --- attend -------------------------------------------------------------------------------


def test_attend_all_present_with_exceptions(ws, cohort):
    result = cli(ws, "attend", "spring", "1", "--all-present", "--late", "tomasz",
                 "--absent", "p03", "--excused", "Sam")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        ": 1 present, 1 late, 1 absent, 1 apologies\n4 changes recorded.\n"
    )
    assert marks_of(ws, "p01") == {"1": "present"}
    assert marks_of(ws, "p02") == {"1": "late"}
    assert marks_of(ws, "p03") == {"1": "absent"}
    assert marks_of(ws, "p04") == {"1": "excused"}


def test_attend_by_session_id_with_commas_and_accents(ws, cohort):
    result = cli(ws, "attend", "spring", "week-2", "--present", "SIAN,p02", "--absent", "okafor")
    assert result.exit_code == 0, result.output
    assert "2 present, 0 late, 1 absent, 0 apologies; 1 not marked" in result.stdout
    assert marks_of(ws, "p01") == {"2": "present"}


def test_re_marking_changes_the_record_and_keeps_the_history(ws, cohort):
    cli(ws, "attend", "spring", "1", "--absent", "p01")
    result = cli(ws, "attend", "spring", "1", "--present", "p01", "--note", "arrived after all")
    assert result.stdout.endswith("1 change recorded.\n")
    assert cli(ws, "attend", "spring", "1", "--present", "p01").stdout.endswith(
        "0 changes recorded.\n"
    )
    assert marks_of(ws, "p01") == {"1": "present"}
    rows = list(csv.DictReader(io.StringIO((cohort / "history.csv").read_text())))
    marked = [r for r in rows if r["action"] == "marked"]
    assert [(r["participant"], r["before"], r["after"], r["note"]) for r in marked] == [
        ("p01", "", "absent", ""),
        ("p01", "absent", "present", "arrived after all"),
    ]
    assert all(r["when"].endswith("+00:00") for r in rows)
    assert "Siân" not in (cohort / "history.csv").read_text()


def test_made_up_session(ws, cohort):
    cli(ws, "attend", "spring", "3", "--absent", "sam")
    cli(ws, "attend", "spring", "3", "--made-up", "sam")
    assert marks_of(ws, "p04") == {"3": "absent (made up)"}
    result = cli(ws, "attendance", "spring")
    assert "A+" in result.stdout
    result = cli(ws, "attend", "spring", "3", "--present", "sam", "--made-up", "sam")
    assert result.exit_code == 1
    assert result.stderr == "p04 was there: there is nothing to make up\n"


def test_ambiguous_and_unknown_names_change_nothing(ws, cohort):
    cli(ws, "roster", "spring", "add", "Samira Khan")
    before = (cohort / "roster.csv").read_bytes(), (cohort / "history.csv").read_bytes()
    result = cli(ws, "attend", "spring", "1", "--present", "p01", "--present", "sa")
    assert result.exit_code == 1
    assert result.stderr == "'sa' could be p04 (Sam Patel), p05 (Samira Khan): use the id\n"
    assert cli(ws, "attend", "spring", "1", "--present", "sam").exit_code == 0  # a whole word
    result = cli(ws, "attend", "spring", "2", "--present", "p01", "--absent", "Nobody")
    assert result.stderr == "no one on the roster of spring matches 'Nobody'\n"
    assert not (cohort / "attendance.csv").read_text().count("\n2,")
    assert before[0] == (cohort / "roster.csv").read_bytes()


def test_same_person_twice(ws, cohort):
    result = cli(ws, "attend", "spring", "1", "--present", "sian", "--absent", "p01")
    assert result.exit_code == 1
    assert result.stderr == "p01 is given as both present and absent\n"


def test_future_sessions_take_apologies_only(ws):
    start = weekday_on_or_after(date.today() + timedelta(days=1), 2)
    make_cohort(ws, "later", start=start, people=("Zoë",))
    result = cli(ws, "attend", "later", "1", "--present", "zoë")
    assert result.exit_code == 1
    assert result.stderr == (
        f"session 1 is on {start.isoformat()}, still to come:"
        " only apologies (--excused) can be recorded ahead\n"
    )
    assert cli(ws, "attend", "later", "1", "--excused", "zoë").exit_code == 0


def test_attend_needs_someone_and_a_real_session(ws, cohort):
    assert cli(ws, "attend", "spring", "1").stderr == (
        "say who was there: --present, --late, --absent, --excused, --made-up or --all-present\n"
    )
    assert cli(ws, "attend", "spring", "11", "--all-present").stderr == (
        "cohort spring has no session '11': give a number from 1 to 10 or an id such as week-1\n"
    )


# --- attendance ------------------------------------------------------------------------------


def test_attendance_grid_table_csv_and_json(ws, cohort):
    for session in range(1, 11):
        cli(ws, "attend", "spring", str(session), "--all-present", "--absent", "p04")
    cli(ws, "attend", "spring", "2", "--late", "p02")
    table = cli(ws, "attendance", "spring").stdout.splitlines()
    assert table[0].split() == ["ID", "Name", *map(str, range(1, 11)), "Attended", "%", "State"]
    assert table[2].split()[3:] == ["P", "L", "P", "P", "P", "P", "P", "P", "P", "P", "10/10",
                                    "100", "on", "track"]  # fmt: skip
    assert table[-1] == "P present · L late · A absent · E apologies · + made up · . not marked"
    exported = as_excel_reads(cli(ws, "attendance", "spring", "--format", "csv").stdout)
    rows = list(csv.reader(io.StringIO(exported)))
    sessions = json.loads(cli(ws, "attendance", "spring", "--json").stdout)["sessions"]
    assert rows[0] == ["ID", "Name", *(f"Session {s['number']} ({s['date']})" for s in sessions),
                       "Attended", "Counted", "Attendance %", "State"]  # fmt: skip
    assert rows[4][:3] == ["p04", "Sam Patel", "absent"]
    assert rows[4][-4:] == ["0", "10", "0", "cannot complete"]
    assert rows[2][-4:] == ["10", "10", "100", "on track"]
    data = grid(ws)
    assert data["participants"][1]["marks"]["2"] == "late"
    assert data["participants"][0]["reasons"] == [
        "the final assessment (Four Tasks presentation) is not yet passed"
    ]


# --- assessment ----------------------------------------------------------------------------


def test_assessment_completes_the_ten_week_course(ws, cohort):
    for session in range(1, 11):
        cli(ws, "attend", "spring", str(session), "--all-present")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    result = cli(ws, "assessment", "spring", "amara", "--passed", "--date", yesterday)
    assert result.stdout == "p03 Amara Okafor: Four Tasks presentation passed\n"
    cli(ws, "assessment", "spring", "p01", "--not-yet", "--note", "will present next week")
    states = {p["id"]: p["state"] for p in grid(ws)["participants"]}
    assert states == {"p01": "on track", "p02": "on track", "p03": "complete", "p04": "on track"}


def test_assessment_where_the_course_has_none(ws):
    make_cohort(ws, "intensive", curriculum="ips-5-day", people=("Zoë",),
                start=weekday_on_or_after(date.today() - timedelta(days=60), 0))  # fmt: skip
    result = cli(ws, "assessment", "intensive", "zoë", "--passed")
    assert result.exit_code == 1
    assert result.stderr == "cohort intensive (ips-5-day) has no final assessment\n"


def test_assessment_needs_one_result(ws, cohort):
    result = cli(ws, "assessment", "spring", "p01")
    assert result.exit_code == 2
    assert "give either --passed or --not-yet" in result.stderr
