"""attend --import: Zoom and Teams reports marked so that a coordinator can check every call."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import make_cohort, run
from ipskit.cohorts.cohort import open_cohort

PEOPLE = (
    "Siân Hughes",
    "Gwenllïan Prydderch",
    "Tomasz Wiśniewski",
    "Amara Okafor",
    "Małgorzata Wójcik",
    "Sam Patel",
)


@pytest.fixture
def cohort(ws):
    return make_cohort(ws, "spring", "ips-10-week", None, PEOPLE, "--time", "18:00",
                       "--trainer", "Alex Morgan", "--trainer", "Jo Reid")  # fmt: skip


def cli(ws, *args):
    return run("-w", str(ws), *args)


def on(ws, session):
    """A session's date as Zoom writes it (month first)."""
    day = open_cohort(ws / "cohorts", "spring").meeting(session).date
    return f"{day:%m/%d/%Y}"


def zoom(ws, tmp_path, session="3"):
    d = on(ws, session)
    rows = [
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
        f"812 3456 7890,IPS week 3,{d} 05:55:10 PM,{d} 08:32:00 PM,office@riverside.example,157,10",
        "",
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,"
        "In Waiting Room",
        f"Riverside Office,office@riverside.example,{d} 05:55:10 PM,{d} 08:32:00 PM,157,No,No",
        f"Alex Morgan (Co-host),,{d} 05:56:00 PM,{d} 08:32:00 PM,156,Yes,No",
        f"Jo Reid,,{d} 05:58:00 PM,{d} 08:30:00 PM,152,Yes,No",
        f"Gwen’s iPad (Gwenllïan Prydderch),,{d} 05:59:30 PM,{d} 08:31:30 PM,152,Yes,No",
        f"Siân H (Siân Hughes),,{d} 06:16:00 PM,{d} 08:30:00 PM,134,Yes,No",
        f"Tomasz Wiśniewski,,{d} 06:00:00 PM,{d} 06:40:00 PM,40,Yes,No",
        f"Amara O.,,{d} 06:14:00 PM,{d} 08:30:00 PM,136,Yes,No",
        f"Małgorzata Wójcik,,{d} 06:02:00 PM,{d} 08:32:00 PM,150,Yes,No",
        f"Dad’s phone,,{d} 06:20:00 PM,{d} 08:28:00 PM,128,Yes,No",
    ]
    path = tmp_path / "participants_81234567890.csv"
    # Zoom writes UTF-8 with a byte order mark and Windows line ends.
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8-sig"))
    return path


def attendance_rows(cohort, session):
    text = (cohort / "attendance.csv").read_text(encoding="utf-8")
    return {r["participant"]: (r["status"], r["note"]) for r in csv.DictReader(io.StringIO(text))
            if r["session"] == session}  # fmt: skip


def test_a_zoom_report_every_decision_printed(ws, cohort, tmp_path):
    assert cli(ws, "attend", "spring", "3", "--excused", "p05").exit_code == 0
    history_before = (cohort / "history.csv").read_text(encoding="utf-8")
    report = zoom(ws, tmp_path)
    result = cli(ws, "attend", "spring", "3", "--import", str(report), "--min-minutes", "90")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "Late means joining more than 15 minutes after the start, 18:00 (--late-after to change)",
        "host: Riverside Office, 157 min",
        "host/trainer: Alex Morgan (Co-host), 156 min",
        "trainer: Jo Reid, 152 min",
        'p02 Gwenllïan Prydderch ← "Gwen’s iPad (Gwenllïan Prydderch)": 152 min, present'
        " (match 1.00)",
        'p01 Siân Hughes ← "Siân H (Siân Hughes)": 134 min, late, joined 18:16,'
        " 16 min after the start (match 1.00)",
        'p03 Tomasz Wiśniewski ← "Tomasz Wiśniewski": 40 min, absent, under the threshold'
        " (match 1.00)",
        'p05 Małgorzata Wójcik ← "Małgorzata Wójcik": 150 min, present (match 1.00);'
        " apologies recorded " + recorded_today() + ", kept"
        " (to change it: ipskit attend spring 3 --present p05)",
        "Not matched to anyone on the roster; if they are, mark them with:",
        '  line 11 "Amara O.": 136 min, present (perhaps p04 Amara Okafor, match 0.74):'
        " ipskit attend spring 3 --present p04",
        '  line 13 "Dad’s phone": 128 min, late, joined 18:20, 20 min after the start:'
        ' ipskit attend spring 3 --late "NAME"',
        "p04 Amara Okafor: not in the report, not marked",
        "p06 Sam Patel: not in the report, not marked",
        "Marked 1 present, 1 late, 1 absent; 1 kept as recorded; 2 not matched",
    ]
    assert result.stdout.splitlines()[0].endswith(
        ": present means at least 90 minutes (--min-minutes to change)"
    )
    assert attendance_rows(cohort, "3") == {
        "p01": ("late", "online, 134 min, joined 18:16"),
        "p02": ("present", "online, 152 min"),
        "p03": ("absent", "online, 40 min (under the threshold)"),
        "p05": ("excused", ""),
    }
    # The history names people by id only, never by the names in the report.
    history = (cohort / "history.csv").read_text(encoding="utf-8")
    added = history[len(history_before) :]
    assert added.count("\n") == 3
    for name in ("Gwen", "Siân", "Tomasz", "Dad", "Alex", "Riverside"):
        assert name not in added

    # The suggested command does what it says.
    result = cli(ws, "attend", "spring", "3", "--present", "p04")
    assert result.stdout.splitlines()[0] == "p04 Amara Okafor: present"


def recorded_today():
    from datetime import UTC, date, datetime

    day = datetime.now(UTC).date()
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != date.today().year else "")


def test_importing_again_changes_nothing_and_says_so(ws, cohort, tmp_path):
    report = zoom(ws, tmp_path)
    cli(ws, "attend", "spring", "3", "--import", str(report), "--min-minutes", "90")
    before = (cohort / "attendance.csv").read_bytes(), (cohort / "history.csv").read_bytes()
    result = cli(ws, "attend", "spring", "3", "--import", str(report), "--min-minutes", "90")
    assert result.exit_code == 0, result.output
    assert ('p01 Siân Hughes ← "Siân H (Siân Hughes)": 134 min, late, joined 18:16, 16 min'
            " after the start (match 1.00), already recorded\n") in result.stdout  # fmt: skip
    assert result.stdout.endswith("Marked 0 present, 0 late, 0 absent; 2 not matched\n")
    assert ((cohort / "attendance.csv").read_bytes(),
            (cohort / "history.csv").read_bytes()) == before  # fmt: skip


def test_a_longer_lateness_allowance_and_json_for_scripts(ws, cohort, tmp_path):
    report = zoom(ws, tmp_path)
    result = cli(ws, "attend", "spring", "3", "--import", str(report), "--min-minutes", "90",
                 "--late-after", "20", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["threshold_minutes"], data["late_after_minutes"]) == (90, 20)
    decisions = {d["line"]: d for d in data["decisions"]}
    assert decisions[9] == {
        "line": 9, "names": ["Siân H (Siân Hughes)"], "minutes": 134.0, "joined": "18:16:00",
        "id": "p01", "name": "Siân Hughes", "match": 1.0, "status": "present",
        "outcome": "marked", "late_by_minutes": None, "recorded_mark": None, "candidate": None,
    }  # fmt: skip
    assert [(d["line"], d["outcome"]) for d in data["decisions"] if d["id"] is None] == [
        (5, "host"), (6, "host/trainer"), (7, "trainer"), (11, "unmatched"), (13, "unmatched")
    ]  # fmt: skip
    assert decisions[11]["candidate"] == "p04"
    assert data["not_in_report"] == ["p04", "p06"]
    assert attendance_rows(cohort, "3")["p01"] == ("present", "online, 134 min")


def test_two_devices_of_one_person_are_added_up(ws, cohort, tmp_path):
    d = on(ws, "2")
    path = tmp_path / "zoom.csv"
    path.write_text(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"Gwenllïan Prydderch,,{d} 06:05:00 PM,{d} 07:00:00 PM,55,Yes\n"
        f"Gwen’s iPad (Gwenllïan Prydderch),,{d} 07:05:00 PM,{d} 08:30:00 PM,85,Yes\n",
        encoding="utf-8",
    )
    result = cli(ws, "attend", "spring", "2", "--import", str(path), "--min-minutes", "120")
    assert result.exit_code == 0, result.output
    assert ('p02 Gwenllïan Prydderch ← "Gwenllïan Prydderch" + "Gwen’s iPad (Gwenllïan'
            ' Prydderch)": 140 min, present (match 1.00)\n') in result.stdout  # fmt: skip


TEAMS = (
    "1. Summary\n"
    "Meeting title\tIPS week 5\n"
    "Attended participants\t5\n"
    "\n"
    "2. Participants\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Riverside Office\t{d}, 5:50:02 PM\t{d}, 8:31:00 PM\t2h 40m 58s\toffice@riverside.example"
    "\toffice@riverside.example\tOrganizer\n"
    "Jo Reid (External)\t{d}, 5:58:00 PM\t{d}, 8:30:00 PM\t2h 32m\t\t\tPresenter\n"
    "Sian Hughes\t{d}, 5:59:51 PM\t{d}, 8:30:02 PM\t2h 30m 11s\t\t\tAttendee\n"
    "Tomasz Wisniewski (Guest)\t{d}, 6:15:30 PM\t{d}, 8:30:00 PM\t2h 14m 30s\t\t\tAttendee\n"
    "Amara Okafor\t{d}, 6:00:00 PM\t{d}, 6:50:00 PM\t50m\t\t\tAttendee\n"
    "\n"
    "3. In-Meeting Activities\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    "Sian Hughes\t{d}, 5:59:51 PM\t{d}, 8:30:02 PM\t2h 30m 11s\t\tAttendee\n"
)


def test_a_teams_report(ws, cohort, tmp_path):
    day = open_cohort(ws / "cohorts", "spring").meeting("5").date
    path = tmp_path / "teams.csv"
    # Teams writes UTF-16, tab-separated; this account writes dates day first, short.
    path.write_bytes(TEAMS.format(d=f"{day.day}/{day.month}/{day:%y}").encode("utf-16"))
    result = cli(ws, "attend", "spring", "5", "--import", str(path), "--min-minutes", "100")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "host: Riverside Office, 161 min",
        "trainer: Jo Reid (External), 152 min",
        'p01 Siân Hughes ← "Sian Hughes": 150.2 min, present (match 1.00)',
        'p03 Tomasz Wiśniewski ← "Tomasz Wisniewski (Guest)": 134.5 min, late, joined 18:15,'
        " 15.5 min after the start (match 1.00)",
        'p04 Amara Okafor ← "Amara Okafor": 50 min, absent, under the threshold (match 1.00)',
        "p02 Gwenllïan Prydderch: not in the report, not marked",
        "p05 Małgorzata Wójcik: not in the report, not marked",
        "p06 Sam Patel: not in the report, not marked",
        "Marked 1 present, 1 late, 1 absent",
    ]
    assert attendance_rows(cohort, "5")["p04"] == ("absent", "online, 50 min (under the threshold)")


def test_a_report_without_join_times_marks_no_one_late(ws, cohort, tmp_path):
    path = tmp_path / "zoom.csv"
    path.write_text("Name (Original Name),Duration (Minutes)\nSiân Hughes,150\n", encoding="utf-8")
    result = cli(ws, "attend", "spring", "1", "--import", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "The report has no join times: no one is marked late from it"
    assert lines[2] == 'p01 Siân Hughes ← "Siân Hughes": 150 min, present (match 1.00)'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--late-after", "nan"],
         "Error: Invalid value for '--late-after': nan is not a number of minutes from 0 to 1440"),
        (["--late-after", "-1"],
         "Error: Invalid value for '--late-after': -1 is not a number of minutes from 0 to 1440"),
        (["--late-after", "1441"],
         "Error: Invalid value for '--late-after': 1441 is not a number of minutes from 0 to"
         " 1440"),
        (["--late-after", "soon"],
         "Error: Invalid value for '--late-after': 'soon' is not a valid float."),
        (["--present", "p01"],
         "Error: Invalid value for --import: mark people by hand or from a report, not both in"
         " one command"),
    ],
)  # fmt: skip
def test_bad_options_with_a_report_change_nothing(ws, cohort, tmp_path, args, message):
    report = zoom(ws, tmp_path)
    before = sorted((p.name, p.read_bytes()) for p in cohort.iterdir() if p.is_file())
    result = cli(ws, "attend", "spring", "3", "--import", str(report), *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message
    assert sorted((p.name, p.read_bytes()) for p in cohort.iterdir() if p.is_file()) == before


@pytest.mark.parametrize("option", ["--late-after", "--min-minutes"])
def test_report_options_without_a_report(ws, cohort, option):
    result = cli(ws, "attend", "spring", "3", "--all-present", option, "20")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for {option}: only with --import (a Zoom or Teams report)"
    )
    assert not (cohort / "attendance.csv").exists()


@pytest.mark.parametrize("minutes", [float("nan"), float("inf"), -1.0, 1441.0])
def test_the_library_refuses_a_lateness_allowance_that_is_no_number_of_minutes(
    ws, cohort, tmp_path, minutes
):
    from ipskit.cohorts.online_marking import attend_from_report
    from ipskit.core.errors import IpskitError

    with pytest.raises(IpskitError) as raised:
        attend_from_report(open_cohort(ws / "cohorts", "spring"), "3", zoom(ws, tmp_path),
                           late_after=minutes)  # fmt: skip
    assert str(raised.value) == (
        f"late_after: {minutes:g} is not a number of minutes from 0 to 1440"
    )
    assert not (cohort / "attendance.csv").exists()
