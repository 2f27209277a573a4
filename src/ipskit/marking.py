"""Marking attendance by hand or from an online meeting's report, and assessments."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from ipskit.cohort import Cohort, Meeting
from ipskit.errors import IpskitError
from ipskit.names import fold
from ipskit.records import Participant, Records, changing, check_note

#: A report name must match a roster name at least this well to be marked.
CONFIDENT = 0.85
#: Default share of a session's contact time someone must be in an online meeting.
DEFAULT_SHARE = 0.75


class Marked(NamedTuple):
    """What one ``attend`` did."""

    meeting: Meeting
    changed: int
    counts: dict[str, int]


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
    and nothing changes.
    """
    meeting = cohort.meeting(session)
    today = today or date.today()
    if not (present or late or absent or excused or made_up or all_present):
        raise IpskitError(
            "say who was there: --present, --late, --absent, --excused, --made-up or --all-present"
        )
    if meeting.date > today and (present or late or absent or made_up or all_present):
        raise IpskitError(
            f"session {meeting.number} is on {meeting.date.isoformat()}, still to come:"
            " only apologies (--excused) can be recorded ahead"
        )
    try:
        text = check_note(note)
    except ValueError as error:
        raise IpskitError(f"--note: {error}") from None
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
        if all_present:
            for person in records.active:
                chosen.setdefault(person.id, (person, "present"))
        changed = 0
        for person, status in chosen.values():
            changed += records.set_mark(meeting, person, status, note=text)
        for person in makeups:
            if person.id in chosen and chosen[person.id][1] in ("present", "late"):
                raise IpskitError(f"{person.id} was there: there is nothing to make up")
            changed += records.set_mark(meeting, person, None, made_up=True, note=text)
        counts = session_counts(records, meeting)
    return Marked(meeting, changed, counts)


def session_counts(records: Records, meeting: Meeting) -> dict[str, int]:
    """How many of the active participants have each mark for a session."""
    counts = dict.fromkeys(("present", "late", "absent", "excused", "made_up", "unmarked"), 0)
    for person in records.active:
        mark = records.mark(meeting, person.id)
        counts[mark.status if mark else "unmarked"] += 1
        counts["made_up"] += bool(mark and mark.made_up)
    return counts


# --- online meeting reports --------------------------------------------------------------------


@dataclass
class ReportMarks:
    """What importing an online meeting's report did."""

    meeting: Meeting
    threshold: float
    marked: list[tuple[str, float, float]] = field(default_factory=list)  # id, minutes, match
    already: list[tuple[str, float]] = field(default_factory=list)  # id, minutes
    below: list[tuple[str, float]] = field(default_factory=list)  # id, minutes
    unmatched: list[tuple[str, float, int]] = field(default_factory=list)  # name, minutes, line


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _tokens(text: str) -> list[str]:
    return fold(_BRACKETS.sub(" ", text)).split()


def match(name: str, email: str, roster: Sequence[Participant]) -> tuple[Participant | None, float]:
    """The roster entry a meeting report's name (or email) belongs to, and how sure.

    An email or the whole name: certain. Every word of a roster name within the report's
    name (``Amara Okafor (she/her)``): nearly. Otherwise a spelling comparison, which
    must be both good and clearly better than the next best, so nobody is guessed.
    """
    mail = email.strip().casefold()
    if mail:
        for person in roster:
            if person.email and person.email.casefold() == mail:
                return person, 1.0
    words = _tokens(name)
    if not words:
        return None, 0.0
    scores = []
    for person in roster:
        best = 0.0
        for known in (person.name, person.certificate_name):
            theirs = _tokens(known)
            if not theirs:
                continue
            if theirs == words:
                score = 1.0
            elif set(theirs) <= set(words) or (len(words) > 1 and set(words) <= set(theirs)):
                score = 0.9
            else:
                score = difflib.SequenceMatcher(None, " ".join(words), " ".join(theirs)).ratio()
            best = max(best, score)
        scores.append((best, person))
    scores.sort(key=lambda pair: pair[0], reverse=True)
    top, person = scores[0] if scores else (0.0, None)
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if top >= CONFIDENT and top - runner_up >= 0.1:
        return person, round(top, 2)
    return None, round(top, 2)


#: The most minutes a threshold may ask for: a whole day.
MAX_MINUTES = 1440


def attend_from_report(
    cohort: Cohort,
    session: str,
    report: Path,
    *,
    min_minutes: float | None = None,
    today: date | None = None,
) -> ReportMarks:
    """Mark present everyone in a Zoom or Teams report who stayed long enough.

    Minutes are summed over rejoins (and over two devices matched to one person). Names
    that match no one with confidence are listed for the trainer, never guessed; people
    under the threshold are listed and left unmarked.
    """
    from ipskit.meeting_report import read_meeting_report

    if min_minutes is not None and not 0 <= min_minutes <= MAX_MINUTES:  # nan fails too
        raise IpskitError(f"{min_minutes:g} is not a number of minutes from 0 to {MAX_MINUTES}")
    meeting = cohort.meeting(session)
    if meeting.date > (today or date.today()):
        raise IpskitError(
            f"session {meeting.number} is on {meeting.date.isoformat()}, still to come"
        )
    read = read_meeting_report(report)
    threshold = (
        min_minutes if min_minutes is not None else round(meeting.contact_minutes * DEFAULT_SHARE)
    )
    with changing(cohort) as records:
        people = records.active
        totals: dict[str, float] = {}
        sureness: dict[str, float] = {}
        result = ReportMarks(meeting, threshold)
        for attendee in read.attendees:
            person, confidence = match(attendee.name, attendee.email, people)
            if person is None:
                result.unmatched.append((attendee.name, attendee.minutes, attendee.line))
                continue
            totals[person.id] = totals.get(person.id, 0.0) + attendee.minutes
            sureness[person.id] = min(sureness.get(person.id, 1.0), confidence)
        for person in people:
            if person.id not in totals:
                continue
            minutes = round(totals[person.id], 1)
            if minutes < threshold:
                result.below.append((person.id, minutes))
                continue
            mark = records.mark(meeting, person.id)
            if mark is not None and mark.status != "absent":
                result.already.append((person.id, minutes))
                continue
            records.set_mark(meeting, person, "present", note=f"online, {minutes:g} min")
            result.marked.append((person.id, minutes, sureness[person.id]))
    return result


def assess(
    cohort: Cohort, who: str, *, passed: bool, when: date | None = None, note: str = ""
) -> Participant:
    """Record a final assessment result."""
    if not cohort.settings.rules.assessment:
        raise IpskitError(
            f"cohort {cohort.id} ({cohort.settings.curriculum}) has no final assessment"
        )
    try:
        text = check_note(note)
    except ValueError as error:
        raise IpskitError(f"--note: {error}") from None
    with changing(cohort) as records:
        person = records.find(who)
        records.assess(person, "passed" if passed else "not-yet", when or date.today(), text)
    return person
