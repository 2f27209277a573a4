"""new-cohort, cohorts and status: dated schedules, pinned curricula, the overview."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta

import pytest

from helpers import MINI, make_cohort, make_workspace, run, weekday_on_or_after
from ipskit.cohorts.cohort_file import read_settings


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def schedule(ws, cohort="spring"):
    settings = read_settings(ws / "cohorts" / cohort / "cohort.yaml")
    return [(m.number, m.id, m.date.isoformat(), f"{m.start:%H:%M}") for m in
            settings.sessions + settings.meetings]  # fmt: skip


def test_weekly_course_steps_over_skipped_dates(ws):
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-10-week",
                 "--start", "2027-03-03", "--skip", "2027-03-31", "--skip", "07/04/2027")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Created cohort spring (ips-10-week): 10 sessions from Wed 3 Mar 2027 to Wed 19 May 2027\n"
    )
    dates = [d for _, _, d, _ in schedule(ws)]
    assert dates == [
        "2027-03-03", "2027-03-10", "2027-03-17", "2027-03-24", "2027-04-14",
        "2027-04-21", "2027-04-28", "2027-05-05", "2027-05-12", "2027-05-19",
    ]  # fmt: skip
    assert {t for *_, t in schedule(ws)} == {"18:30"}


def test_daily_course_skips_weekends_and_holidays(ws):
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-5-day",
                 "--start", "2027-05-27", "--skip", "2027-05-31", "--time", "9:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert schedule(ws) == [
        (1, "day-1", "2027-05-27", "09:00"),
        (2, "day-2", "2027-05-28", "09:00"),
        (3, "day-3", "2027-06-01", "09:00"),
        (4, "day-4", "2027-06-02", "09:00"),
        (5, "day-5", "2027-06-03", "09:00"),
    ]


def test_daily_course_cannot_start_at_a_weekend(ws):
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-5-day",
                 "--start", "2027-05-29")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "the start date 2027-05-29 is a Saturday, and this course does not run at weekends:"
        " choose a weekday\n"
    )
    assert not (ws / "cohorts" / "spring").exists()


def test_cascade_offsets_and_twelve_monthly_meetings(ws):
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-2-day-cascade",
                 "--start", "2027-01-30")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = schedule(ws)
    assert rows[:2] == [(1, "day-1", "2027-01-30", "09:30"), (2, "day-2", "2027-02-06", "09:30")]
    meetings = rows[2:]
    assert len(meetings) == 12
    assert meetings[0] == (3, "support-group-1", "2027-03-06", "18:00")
    # The first Saturday of each month, like the first (6 March 2027).
    assert [d for _, _, d, _ in meetings][:3] == ["2027-03-06", "2027-04-03", "2027-05-01"]
    assert meetings[-1][1:3] == ("support-group-12", "2028-02-05")
    assert {date.fromisoformat(d).weekday() for _, _, d, _ in meetings} == {5}


def test_offsets_move_on_a_week_past_a_skipped_date(ws):
    run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-2-day-cascade",
        "--start", "2027-01-30", "--skip", "2027-02-06")  # fmt: skip
    assert schedule(ws)[:2] == [
        (1, "day-1", "2027-01-30", "09:30"), (2, "day-2", "2027-02-13", "09:30"),
    ]  # fmt: skip


def test_cohort_folder_is_private_and_pins_its_curriculum(ws):
    folder = make_cohort(ws)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        if path.name != ".ipskit.lock":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    from ipskit.core.resources import builtin_curricula_dir

    pinned = (folder / "curriculum.yaml").read_bytes()
    assert pinned == (builtin_curricula_dir() / "ips-10-week.yaml").read_bytes()


def test_status_says_when_the_curriculum_has_changed(ws):
    (ws / "curricula" / "mini.yaml").write_text(MINI)
    make_cohort(ws, curriculum="mini")
    result = run("-w", str(ws), "status", "spring")
    assert result.exit_code == 0
    assert result.stderr == ""
    (ws / "curricula" / "mini.yaml").write_text(MINI.replace("Two short", "Three short"))
    result = run("-w", str(ws), "status", "spring")
    assert result.stderr == (
        "warning: curriculum mini has changed since this cohort began;"
        " the cohort still follows its own copy (curriculum.yaml)\n"
    )


def test_status_warns_when_files_are_readable_by_others(ws):
    folder = make_cohort(ws)
    (folder / "roster.csv").chmod(0o644)
    result = run("-w", str(ws), "status", "spring")
    assert f"warning: {folder / 'roster.csv'} can be read by other users" in result.stderr


def test_existing_cohort_and_bad_ids_change_nothing(ws):
    make_cohort(ws)
    before = sorted(p.name for p in (ws / "cohorts").iterdir())
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-taster",
                 "--start", "2027-01-01")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == "cohort 'spring' already exists; choose another id\n"
    result = run("-w", str(ws), "new-cohort", "Sam's group", "--curriculum", "ips-taster",
                 "--start", "2027-01-01")  # fmt: skip
    assert result.stderr == (
        "'Sam's group' cannot be a cohort id: use lower-case letters, digits and hyphens,"
        " e.g. spring-2027 (and no participant's name)\n"
    )
    assert sorted(p.name for p in (ws / "cohorts").iterdir()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--start", "3rd March"],
            "'3rd March' is not a date: write it as 2027-03-04 or 04/03/2027",
        ),
        (
            ["--start", "2027-02-30"],
            "'2027-02-30' is not a date: write it as 2027-03-04 or 04/03/2027",
        ),
        (["--start", "2027-03-03", "--time", "6pm"], "'6pm' is not a time: write it as 18:30"),
    ],
)
def test_bad_dates_and_times(ws, args, message):
    result = run("-w", str(ws), "new-cohort", "x", "--curriculum", "ips-taster", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (ws / "cohorts" / "x").exists()


def test_unknown_curriculum(ws):
    result = run("-w", str(ws), "new-cohort", "x", "--curriculum", "ips-3-day",
                 "--start", "2027-01-01")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("no curriculum 'ips-3-day'; there are: ")
    assert sorted(p.name for p in (ws / "cohorts").iterdir()) == []


def test_a_bad_roster_file_leaves_no_half_made_cohort(ws, tmp_path):
    (tmp_path / "people.csv").write_text("Phone\n0123\n")
    result = run("-w", str(ws), "new-cohort", "x", "--curriculum", "ips-taster",
                 "--start", "2027-01-01", "--roster", str(tmp_path / "people.csv"))  # fmt: skip
    assert result.exit_code == 1
    assert "no column with people's names" in result.stderr
    assert list((ws / "cohorts").iterdir()) == []


def test_new_cohort_with_roster(ws, tmp_path):
    (tmp_path / "people.csv").write_text(
        "Timestamp,Full name,Email address\n"
        "2027/01/01 10:00:00,Siân Hughes,sian@example.org\n"
        "2027/01/01 10:05:00,Tomasz Wiśniewski,\n"
        "2027/01/01 10:09:00,siân hughes,\n"
        "2027/01/01 10:11:00,,nobody@example.org\n"
        "2027/01/01 10:12:00,Ma?gorzata Wójcik,\n"
    )
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-taster",
                 "--start", "2027-01-01", "--roster", str(tmp_path / "people.csv"))  # fmt: skip
    assert result.exit_code == 0, result.output
    # The same import as `roster import`: names beside ids on the coordinator's terminal,
    # and a garbled name flagged with the command that corrects it.
    assert result.stdout.split("Added ", 1)[1].split("Folder: ")[0] == (
        "3 participants:\n"
        "  p01 Siân Hughes\n"
        "  p02 Tomasz Wiśniewski\n"
        "  p03 Ma?gorzata Wójcik\n"
        "  line 4: already on the roster as p01 Siân Hughes; not added again\n"
        "  line 5: skipped: no name\n"
        '  line 6: "Ma?gorzata Wójcik" looks garbled (a "?" where a letter was): check the'
        ' name, then fix it with ipskit roster spring edit p03 --name "..."\n'
    )
    history = (ws / "cohorts" / "spring" / "history.csv").read_text(encoding="utf-8")
    assert "Siân" not in history and "Tomasz" not in history


def test_cohorts_lists_each_with_its_next_session(ws):
    past = make_cohort(ws, "autumn")
    start = weekday_on_or_after(date.today() + timedelta(days=1), 2)
    make_cohort(ws, "spring", start=start, people=("Zoë",))
    run("-w", str(ws), "attend", "autumn", "1", "--all-present", "--absent", "p04")
    assert past.is_dir()
    result = run("-w", str(ws), "cohorts", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [c["id"] for c in listed] == ["autumn", "spring"]
    assert listed[0]["attendance_percent"] == 75.0
    assert listed[0]["participants"] == 4
    assert listed[1]["next_session"]["number"] == 1
    assert listed[1]["next_session"]["date"] == start.isoformat()
    table = run("-w", str(ws), "cohorts").stdout.splitlines()
    assert table[0].split() == ["Cohort", "Curriculum", "Dates", "People", "Attendance", "Next"]
    assert table[1].split()[:2] == ["autumn", "ips-10-week"]
    assert "75%" in table[1]


def test_no_cohorts_yet(ws):
    assert run("-w", str(ws), "cohorts").stdout == (
        "No cohorts yet: start one with 'ipskit new-cohort'.\n"
    )


def test_status_of_a_running_course(ws):
    start = weekday_on_or_after(date.today() - timedelta(days=22), 2)  # 4 sessions past
    make_cohort(ws, start=start, people=("Siân Hughes", "Sam Patel", "Zoë Adams"))
    for session in ("1", "2", "3"):
        run("-w", str(ws), "attend", "spring", session, "--all-present", "--absent", "sam")
    run("-w", str(ws), "attend", "spring", "1", "--absent", "zoë")
    run("-w", str(ws), "attend", "spring", "2", "--excused", "zoë")
    result = run("-w", str(ws), "status", "spring", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sessions_held"] == 3
    states = {p["id"]: (p["state"], p["reasons"]) for p in data["participants"]}
    assert states["p01"] == (
        "on track",
        [
            "7 sessions still to come",
            "the final assessment (Four Tasks presentation) is not yet passed",
        ],
    )
    assert states["p02"][0] == "cannot complete"
    assert states["p02"][1] == ["at best 7 of 10 sessions attended (70%); 80% needed"]
    assert states["p03"][0] == "at risk"
    assert data["sessions"][1]["marks"] == {
        "present": 1, "late": 0, "absent": 1, "excused": 1, "made_up": 0, "unmarked": 0,
    }  # fmt: skip
    text = run("-w", str(ws), "status", "spring").stdout
    assert "3 participants · 3 of 10 sessions held · attendance so far 44.4%" in text
    assert "At risk (can complete only by attending every session left):\n  p03 Zoë Adams" in text
    assert "Cannot complete:\n  p02 Sam Patel: at best 7 of 10" in text


def test_unknown_cohort(ws):
    make_cohort(ws)
    result = run("-w", str(ws), "status", "autumn")
    assert result.exit_code == 1
    assert result.stderr == "no cohort 'autumn'; there are: spring\n"
