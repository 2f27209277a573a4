"""Completion rules applied to marks: every rule, and the four states."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.cohort_file import Rules, Settings
from ipskit.cohorts.eligibility import standing
from ipskit.cohorts.record_types import Assessment, Mark, Participant
from ipskit.cohorts.records import Records
from ipskit.courses.meetings import Meeting

RULES = Rules(
    min_attendance_percent=80, min_sessions_attended=None, compulsory_sessions=(),
    late_counts_as="attended", apologies_count_as="missed", make_up_counts=True,
    max_missed_hours=None, assessment=None,
)  # fmt: skip


def cohort(rules: Rules = RULES, sessions: int = 10, minutes: int = 135) -> Cohort:
    meetings = tuple(
        Meeting(n, f"s{n}", f"Session {n}", date(2027, 1, n), time(18, 30), time(21, 0), minutes)
        for n in range(1, sessions + 1)
    )
    settings = Settings(
        id="c", curriculum="x", curriculum_title="X", curriculum_source="built-in",
        curriculum_sha256="0", created=date(2027, 1, 1), venue=None, trainers=(),
        skipped=(), rules=rules, sessions=meetings, meetings=(),
    )  # fmt: skip
    return Cohort(Path("."), settings)


def state_of(c: Cohort, marks: str, *, passed: bool | None = None) -> tuple[str, tuple[str, ...]]:
    """marks: one letter a session: P present, L late, A absent, E apologies, M made up, . to come."""
    person = Participant("p01", "Zoë")
    codes = {"P": "present", "L": "late", "A": "absent", "E": "excused", "M": "absent"}
    records = Records(c, [person], {}, {})
    for number, code in enumerate(marks, start=1):
        if code != ".":
            records.marks[(number, "p01")] = Mark(number, "p01", codes[code], code == "M")
    if passed is not None:
        result = "passed" if passed else "not-yet"
        records.assessments["p01"] = Assessment("p01", result, date(2027, 2, 1))
    found = standing(c, records, person)
    return found.state, found.reasons


def test_eighty_percent():
    assert state_of(cohort(), "PPPPPPPPAA") == ("complete", ())
    assert state_of(cohort(), "PPPPPPPAAA")[0] == "cannot complete"
    assert state_of(cohort(), "PPPPPPPAAA")[1] == ("7 of 10 sessions attended (70%); 80% needed",)


def test_states_while_the_course_runs():
    assert state_of(cohort(), "PP........") == ("on track", ("8 sessions still to come",))
    assert state_of(cohort(), "PA........")[0] == "on track"  # one more may still be missed
    assert state_of(cohort(), "PAA.......")[0] == "at risk"  # every one left is needed
    assert state_of(cohort(), "PAAA......") == (
        "cannot complete", ("at best 7 of 10 sessions attended (70%); 80% needed",),
    )  # fmt: skip
    assert state_of(cohort(), "PPPPPPPP..") == ("complete", ())  # secured already


def test_late_can_count_as_missed():
    late_missed = RULES._replace(late_counts_as="missed")
    assert state_of(cohort(), "LLLPPPPPPP")[0] == "complete"
    assert state_of(cohort(late_missed), "LLLPPPPPPP")[0] == "cannot complete"


def test_apologies_can_be_left_out_of_the_count():
    excused = RULES._replace(apologies_count_as="excused")
    assert state_of(cohort(), "EEEPPPPPPP")[0] == "cannot complete"
    assert state_of(cohort(excused), "EEEPPPPPPP") == ("complete", ())


def test_make_up_counts_only_if_the_rules_say_so():
    no_make_up = RULES._replace(make_up_counts=False)
    assert state_of(cohort(), "MMMPPPPPPP")[0] == "complete"
    assert state_of(cohort(no_make_up), "MMMPPPPPPP")[0] == "cannot complete"


def test_minimum_number_of_sessions():
    all_five = RULES._replace(min_attendance_percent=None, min_sessions_attended=5)
    assert state_of(cohort(all_five, sessions=5), "PPPPP") == ("complete", ())
    assert state_of(cohort(all_five, sessions=5), "PPPPA") == (
        "cannot complete", ("4 of 5 sessions attended; 5 needed",),
    )  # fmt: skip
    assert state_of(cohort(all_five, sessions=5), "PP...")[0] == "on track"


def test_compulsory_sessions():
    first_two = RULES._replace(min_attendance_percent=50, compulsory_sessions=("s1", "s2"))
    assert state_of(cohort(first_two), "PPAAAAAPPP")[0] == "complete"
    assert state_of(cohort(first_two), "APPPPPPPPP") == (
        "cannot complete", ("missed session 1 (s1), which is compulsory",),
    )  # fmt: skip


def test_maximum_hours_missed():
    five_hours = RULES._replace(min_attendance_percent=None, max_missed_hours=5)
    assert state_of(cohort(five_hours, minutes=120), "AAPPPPPPPP")[0] == "complete"  # 4 h
    assert state_of(cohort(five_hours, minutes=120), "AAAPPPPPPP") == (
        "cannot complete", ("missed 6 hours; at most 5 allowed",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("passed", "expected"),
    [
        (True, ("complete", ())),
        (False, ("on track", ("the final assessment (Presentation) is not yet passed",))),
        (None, ("on track", ("the final assessment (Presentation) is not yet passed",))),
    ],
)
def test_final_assessment(passed, expected):
    presented = RULES._replace(assessment="Presentation")
    assert state_of(cohort(presented), "PPPPPPPPPP", passed=passed) == expected


def test_withdrawn():
    c = cohort()
    person = Participant("p01", "Zoë", status="withdrawn")
    assert standing(c, Records(c, [person], {}, {}), person).state == "withdrawn"
