"""Marking attendance by hand, and recording assessments; online reports are online_marking.py."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.changing import changing
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import (
    ASSESSMENTS_FILE,
    ATTENDANCE_FILE,
    HISTORY_COLUMNS,
    HISTORY_FILE,
    Assessment,
    Mark,
    Participant,
    check_note,
)
from ipskit.cohorts.records import Records
from ipskit.core.errors import IpskitError, argument
from ipskit.courses.meetings import Meeting

if TYPE_CHECKING:
    pass

#: A report name must match a roster name at least this well to be marked.
CONFIDENT = 0.85
#: Default share of a session's contact time someone must be in an online meeting.
DEFAULT_SHARE = 0.75


class Outcome(NamedTuple):
    """What one ``attend`` did for one person it named or left alone."""

    person: Participant
    before: Mark | None
    after: Mark | None
    #: "new", "changed", "same" (named with the mark they had), "kept" (left alone), or
    #: "settled" (it was recorded more than one way, and is now ``after`` alone)
    kind: str
    recorded: date | None = None  # when ``before`` was recorded, where the history says
    #: Where it was recorded more than one way, the ways besides ``before``.
    others: tuple[Mark, ...] = ()


class Marked(NamedTuple):
    """What one ``attend`` did."""

    meeting: Meeting
    changed: int
    counts: dict[str, int]
    outcomes: tuple[Outcome, ...] = ()


def attend(
    cohort: Cohort,
    session: str,
    *,
    present: Sequence[str] = (),
    late: Sequence[str] = (),
    absent: Sequence[str] = (),
    excused: Sequence[str] = (),
    made_up: Sequence[str] = (),
    all_present: bool = False,
    note: str = "",
    today: date | None = None,
) -> Marked:
    """Mark who was present, late, absent or sent apologies, and who made a session up.

    Every name is resolved before anything is written: one unknown or ambiguous name
    and nothing changes. ``all_present`` fills only people with no mark yet: a mark
    already recorded (apologies given ahead, say) is changed only by naming the person.
    """
    meeting = cohort.meeting(session)
    today = today or date.today()
    if not (present or late or absent or excused or made_up or all_present):
        statuses = ("present", "late", "absent", "excused", "made_up")
        raise IpskitError(f"say who was there: {', '.join(map(argument, statuses))}"
                          f" or {argument('all_present=True')}")  # fmt: skip
    if meeting.date > today and (present or late or absent or made_up or all_present):
        raise IpskitError(
            f"session {meeting.number} is on {meeting.date.isoformat()}, still to come:"
            f" only apologies ({argument('excused')}) can be recorded ahead"
        )
    try:
        text = check_note(note)
    except ValueError as error:
        raise IpskitError(f"{argument('note')}: {error}") from None
    with changing(cohort) as records:
        chosen: dict[str, tuple[Participant, str]] = {}
        for status, people in (("present", present), ("late", late), ("absent", absent),
                               ("excused", excused)):  # fmt: skip
            for who in people:
                person = records.find(who)
                if person.id in chosen and chosen[person.id][1] != status:
                    raise IpskitError(
                        f"{person.id} is given as both {chosen[person.id][1]} and {status}"
                    )
                chosen[person.id] = (person, status)
        makeups = [records.find(who) for who in made_up]
        for person in makeups:
            if person.id in chosen and chosen[person.id][1] in ("present", "late"):
                raise IpskitError(f"{person.id} was there: there is nothing to make up")
        named = set(chosen) | {p.id for p in makeups}
        kept = []
        if all_present:
            for person in records.active:
                if person.id in named:
                    continue
                if records.mark(meeting, person.id) is None:
                    chosen[person.id] = (person, "present")
                else:
                    kept.append(person)
        befores = {pid: records.mark(meeting, pid) for pid in named}
        others = {pid: tuple(records.other_ways(ATTENDANCE_FILE, (meeting.number, pid)))
                  for pid in named}  # fmt: skip
        changed = 0
        for person, status in chosen.values():
            changed += records.set_mark(meeting, person, status, note=text)
        for person in makeups:
            changed += records.set_mark(meeting, person, None, made_up=True, note=text)
        outcomes = []
        for pid in named:
            before, after = befores[pid], records.mark(meeting, pid)
            kind = ("settled" if others[pid] else "new" if before is None
                    else "same" if _same(before, after) else "changed")  # fmt: skip
            outcomes.append(Outcome(records.participant(pid), before, after, kind,
                                    others=others[pid]))  # fmt: skip
        when = recorded_on(cohort, meeting, [p.id for p in kept]) if kept else {}
        for person in kept:
            mark = records.mark(meeting, person.id)
            outcomes.append(Outcome(person, mark, mark, "kept", when.get(person.id)))
        counts = session_counts(records, meeting)
    order = {p.id: n for n, p in enumerate(records.roster)}
    outcomes.sort(key=lambda o: order[o.person.id])
    return Marked(meeting, changed, counts, tuple(outcomes))


def _same(before: Mark | None, after: Mark | None) -> bool:
    """Whether a mark is the one it was, apart from its note."""
    return (
        before is not None
        and after is not None
        and (before.status, before.made_up) == (after.status, after.made_up)
    )


def recorded_on(cohort: Cohort, meeting: Meeting, participants: Sequence[str]) -> dict[str, date]:
    """When each of these people's mark for a session was last recorded, from the history.

    A mark recorded two ways and then settled was recorded when it was settled.

    A mark written by hand into ``attendance.csv`` has no row there: it has no date.
    """
    from ipskit.core import csvio

    path = cohort.file(HISTORY_FILE)
    wanted = set(participants)
    found: dict[str, date] = {}
    if not path.exists():
        return found
    for _, row in csvio.read_table(path, HISTORY_COLUMNS):
        when, action, session, pid = row[:4]
        if action in ("marked", "settled") and session == meeting.id and pid in wanted:
            with suppress(ValueError):
                found[pid] = datetime.fromisoformat(when).date()
    return found


def session_counts(records: Records, meeting: Meeting) -> dict[str, int]:
    """How many of the active participants have each mark for a session."""
    counts = dict.fromkeys(("present", "late", "absent", "excused", "made_up", "unmarked"), 0)
    for person in records.active:
        mark = records.mark(meeting, person.id)
        counts[mark.status if mark else "unmarked"] += 1
        counts["made_up"] += bool(mark and mark.made_up)
    return counts


class Assessed(NamedTuple):
    """One person's assessment result as recorded, with the one it replaced."""

    person: Participant
    before: str | None  # passed, not-yet, or None for a first result
    #: Where the result was recorded more than one way: every way, the one that stood first.
    ways: tuple[Assessment, ...] = ()
    #: The result as it is now.
    after: Assessment | None = None


def assess(
    cohort: Cohort,
    who: str | Sequence[str],
    *,
    passed: bool,
    when: date | None = None,
    note: str = "",
    today: date | None = None,
) -> list[Assessed]:
    """Record a final assessment result for one person or several, on a day not to come.

    Every name is resolved before anything is written: one unknown name and nothing
    changes.
    """
    if not cohort.settings.rules.assessment:
        raise IpskitError(
            f"cohort {cohort.id} ({cohort.settings.curriculum}) has no final assessment"
        )
    today = today or date.today()
    when = when or today
    if when > today:
        raise IpskitError(
            f"the assessment date {when.isoformat()} is later than today"
            f" ({today.isoformat()}): give the day it took place"
        )
    try:
        text = check_note(note)
    except ValueError as error:
        raise IpskitError(f"{argument('note')}: {error}") from None
    names = [who] if isinstance(who, str) else list(who)
    if not names:
        raise IpskitError("say whose assessment this is: an id such as p01, or a name")
    with changing(cohort) as records:
        found: dict[str, Participant] = {}
        for name in names:
            person = records.find(name)
            found.setdefault(person.id, person)
        done = []
        for person in found.values():
            old = records.assessments.get(person.id)
            others = records.other_ways(ASSESSMENTS_FILE, person.id)
            records.assess(person, "passed" if passed else "not-yet", when, text)
            ways = (old, *others) if old is not None and others else ()
            done.append(Assessed(person, old.result if old else None, ways,
                                 records.assessments[person.id]))  # fmt: skip
    return done
