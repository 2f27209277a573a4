"""A mark already recorded is never overwritten by --all-present: only by naming the person."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from helpers import make_cohort, run
from ipskit.cohorts.cohort import open_cohort

PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Małgorzata Wójcik")


@pytest.fixture
def cohort(ws):
    return make_cohort(ws, people=PEOPLE)


def cli(ws, *args):
    return run("-w", str(ws), *args)


def session_line(ws, number):
    """The first words of a session's summary line, as attend prints them."""
    day = open_cohort(ws / "cohorts", "spring").meeting(str(number)).date
    return f"Session {number} (week-{number}, {day:%a} {day.day} {day:%b %Y}): "


def recorded_today():
    """How attend says a mark recorded today (history times are UTC)."""
    day = datetime.now(UTC).date()
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != date.today().year else "")


def history(cohort):
    rows = csv.DictReader(io.StringIO((cohort / "history.csv").read_text(encoding="utf-8")))
    return [(r["session"], r["participant"], r["before"], r["after"]) for r in rows
            if r["action"] == "marked"]  # fmt: skip


def marks(ws, session):
    grid = json.loads(cli(ws, "attendance", "spring", "--json").stdout)
    return {p["id"]: p["marks"][str(session)] for p in grid["participants"]}


def test_apologies_in_advance_survive_all_present(ws, cohort):
    result = cli(ws, "attend", "spring", "4", "--excused", "malgorzata")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("p04 Małgorzata Wójcik: apologies\n")

    result = cli(ws, "attend", "spring", "4", "--all-present")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"p04 Małgorzata Wójcik: apologies recorded {recorded_today()}, kept\n"
        "To change a kept mark, name the person: ipskit attend spring 4 --present p04\n"
        + session_line(ws, 4)
        + "3 present, 0 late, 0 absent, 1 apologies\n"
        "3 changes recorded.\n"
    )
    assert marks(ws, 4) == {"p01": "present", "p02": "present", "p03": "present",
                            "p04": "excused"}  # fmt: skip
    # Again: everyone has a mark now, so nothing changes and each is listed as kept.
    result = cli(ws, "attend", "spring", "4", "--all-present")
    assert result.stdout.count(", kept\n") == 4
    assert result.stdout.endswith("0 changes recorded.\n")
    assert len(history(cohort)) == 4


def test_all_present_keeps_late_and_absent_and_names_override(ws, cohort):
    cli(ws, "attend", "spring", "2", "--late", "p01", "--absent", "p02")
    before = history(cohort)
    result = cli(ws, "attend", "spring", "2", "--all-present", "--excused", "p03")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"p01 Siân Hughes: late recorded {recorded_today()}, kept",
        f"p02 Tomasz Wiśniewski: absent recorded {recorded_today()}, kept",
        "p03 Amara Okafor: apologies",
    ]
    assert marks(ws, 2) == {"p01": "late", "p02": "absent", "p03": "excused", "p04": "present"}
    assert history(cohort) == before + [("week-2", "p03", "", "excused"),
                                        ("week-2", "p04", "", "present")]  # fmt: skip


def test_an_explicit_change_is_said_and_kept_in_the_history(ws, cohort):
    cli(ws, "attend", "spring", "4", "--excused", "p04")
    result = cli(ws, "attend", "spring", "4", "--present", "p04")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "p04 Małgorzata Wójcik: apologies → present"
    assert lines[-1] == "1 change recorded."
    assert history(cohort) == [("week-4", "p04", "", "excused"),
                               ("week-4", "p04", "excused", "present")]  # fmt: skip

    # Named with the mark they already have: no change, no history row.
    result = cli(ws, "attend", "spring", "4", "--present", "Małgorzata")
    assert result.stdout.splitlines()[0] == "p04 Małgorzata Wójcik: already present"
    assert result.stdout.endswith("0 changes recorded.\n")
    assert len(history(cohort)) == 2


def test_a_mark_written_by_hand_is_kept_without_a_date(ws, cohort):
    cli(ws, "attend", "spring", "1", "--present", "p01")
    path = cohort / "attendance.csv"
    path.write_bytes(path.read_bytes() + b"1,p02,excused,,rang the office\r\n")
    result = cli(ws, "attend", "spring", "1", "--all-present")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"p01 Siân Hughes: present recorded {recorded_today()}, kept",
        "p02 Tomasz Wiśniewski: apologies, kept",
    ]


def test_json_says_what_happened_to_each_person_named_or_kept(ws, cohort):
    cli(ws, "attend", "spring", "3", "--absent", "p02")
    result = cli(ws, "attend", "spring", "3", "--all-present", "--late", "p01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"] == {"present": 2, "late": 1, "absent": 1, "excused": 0,
                              "made_up": 0, "unmarked": 0}  # fmt: skip
    assert data["changes"] == 3
    assert [(p["id"], p["outcome"], p["after"]["status"]) for p in data["people"]] == [
        ("p01", "new", "late"),
        ("p02", "kept", "absent"),
    ]
    assert data["people"][1]["recorded"] == datetime.now(UTC).date().isoformat()
