"""The code of conduct participants sign: the forms to print, and who has signed.

A curriculum may have an ``agreement``, signed in one of its sessions (the cascade
course's on day two). Signatures are recorded in the cohort's ``agreements.csv`` by
date only; the signed paper stays with the organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ipskit.cohorts.changing import changing
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.course import Course
from ipskit.cohorts.record_types import AGREEMENTS_FILE, Participant
from ipskit.cohorts.records import Records
from ipskit.core.errors import IpskitError, NotFoundError, argument
from ipskit.courses.curriculum import Agreement
from ipskit.courses.meetings import Meeting


def agreement_of(course: Course) -> Agreement:
    """The course's code of conduct, or an error saying the curriculum has none."""
    if course.curriculum.agreement is None:
        where = f"cohort {course.cohort.id}" if course.cohort else course.curriculum.id
        raise IpskitError(f"the curriculum of {where} has no code of conduct to sign")
    return course.curriculum.agreement


def signing_meeting(course: Course) -> Meeting | None:
    """The dated session in which the code is signed (None if the schedule lacks it)."""
    return course.meeting(agreement_of(course).session)


def default_day(meeting: Meeting | None, today: date) -> date:
    """When a signature recorded without ``--date`` was made.

    The day of the session in which the code is signed, once it has come: trainers
    usually record the forms after that session, often days later, and the form is
    dated that day. Before it (or if the schedule lacks it), today.
    """
    if meeting is not None and meeting.date <= today:
        return meeting.date
    return today


def signed_count(records: Records) -> tuple[int, int]:
    """How many of the people still on the course have signed, and of how many."""
    active = records.active
    return sum(1 for p in active if p.id in records.signed), len(active)


# --- recording ---------------------------------------------------------------------------------


class Change(NamedTuple):
    """What recording did for one person."""

    person: Participant
    before: date | None
    after: date | None
    #: Where the signature was recorded more than one way: every way, the one that stood first.
    ways: tuple[date, ...] = ()


@dataclass
class Recorded:
    """What one ``agreements --signed/--not-signed`` did."""

    day: date | None
    changes: list[Change] = field(default_factory=list)
    signed: int = 0
    of: int = 0


def _resolve(records: Records, who: str, *, signing: bool) -> Participant:
    """The person WHO names; someone who has left the course cannot sign."""
    try:
        person = records.find(who)
    except NotFoundError:
        # Name a withdrawn person plainly rather than saying no one matches.
        person = records.find(who, include_withdrawn=True)
    if signing and not person.active:
        raise IpskitError(
            f"{person.id} has withdrawn from the course: only people still on it can sign"
        )
    return person


def record(
    course: Course,
    *,
    signed: Sequence[str] = (),
    not_signed: Sequence[str] = (),
    when: date | None = None,
    today: date | None = None,
) -> Recorded:
    """Record who signed (on ``when``, or :func:`default_day`), and undo mistakes.

    Every name is resolved before anything is written: one unknown or ambiguous name,
    or one person given both ways, and nothing changes.
    """
    agreement_of(course)
    assert course.cohort is not None
    today = today or date.today()
    if not signed and not not_signed:
        raise IpskitError(f"say who signed with {argument('signed')}, or undo a mistake"
                          f" with {argument('not_signed')}")  # fmt: skip
    if when is not None and when > today:
        raise IpskitError(
            f"{argument('when', 'the date')} {when.isoformat()} is still to come:"
            " record a signature once it is made"
        )
    day = when or default_day(signing_meeting(course), today)
    with changing(course.cohort) as records:
        chosen: dict[str, tuple[Participant, date | None]] = {}
        for people, value in ((signed, day), (not_signed, None)):
            for who in people:
                person = _resolve(records, who, signing=value is not None)
                if person.id in chosen and chosen[person.id][1] != value:
                    raise IpskitError(f"{person.id} is given as both signed and not signed")
                chosen[person.id] = (person, value)
        result = Recorded(day if signed else None)
        for person, value in chosen.values():
            before = records.signed.get(person.id)
            others = records.other_ways(AGREEMENTS_FILE, person.id)
            records.sign(person, value)
            ways = (before, *others) if before is not None and others else ()
            result.changes.append(Change(person, before, value, ways))
        result.signed, result.of = signed_count(records)
    return result


def who_signed(cohort: Cohort) -> tuple[list[tuple[Participant, date | None]], int]:
    """Everyone still on the course with the date they signed (or None), and how many did."""
    records = Records.load(cohort)
    rows = [(p, records.signed.get(p.id)) for p in records.active]
    return rows, sum(1 for _, day in rows if day is not None)


# --- the forms ---------------------------------------------------------------------------------
