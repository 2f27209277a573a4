"""Marking a session from an online meeting's attendance report (Zoom, Teams).

Each attendee is matched to the roster by name and email; who stayed long enough is
present, who joined after the threshold is late, and trainers and hosts are left out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.cohorts.changing import changing
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.marking import recorded_on
from ipskit.cohorts.record_types import Mark, Participant
from ipskit.core.errors import IpskitError, argument
from ipskit.core.names import fold
from ipskit.courses.meetings import Meeting

if TYPE_CHECKING:
    from ipskit.cohorts.meeting_exports import ReportAttendee

#: A report name must match a roster name at least this well to be marked.
CONFIDENT = 0.85
#: Default share of a session's contact time someone must be in an online meeting.
DEFAULT_SHARE = 0.75



#: Minutes after a session's start by which someone must have joined not to be late. The
#: curricula say nothing of lateness, so this is a default; ``late_after`` changes it.
LATE_AFTER = 15


@dataclass(frozen=True)
class Decision:
    """What importing a report decided for one person on the roster, or one name in it."""

    names: tuple[str, ...]  # as the report writes them
    line: int  # where the first of them is in the report
    minutes: float
    joined: time | None
    person: Participant | None  # None for the host, a trainer, or a name matching no one
    confidence: float
    status: str  # what the report says: present, late or absent ("" for no one's)
    outcome: str  # marked, same, kept, host, trainer, host/trainer or unmatched
    late_by: float | None = None  # minutes after the session's start, where they joined late
    before: Mark | None = None  # the mark already recorded, if any
    recorded: date | None = None  # when ``before`` was recorded, where the history says
    candidate: Participant | None = None  # whom a name matching no one may be


@dataclass
class ReportMarks:
    """What importing an online meeting's report did."""

    meeting: Meeting
    threshold: float
    late_after: float
    decisions: list[Decision] = field(default_factory=list)
    missing: list[Participant] = field(default_factory=list)  # on the roster, not in the report
    joins_known: bool = True  # whether the report gave join times (else no one is late)

    def of(self, outcome: str) -> list[Decision]:
        """The decisions with this outcome, in report order."""
        return [d for d in self.decisions if d.outcome == outcome]


_BRACKETS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")


def _tokens(text: str) -> list[str]:
    return fold(_BRACKETS.sub(" ", text)).split()


def _forms(name: str) -> list[list[str]]:
    """The names a report's name may be: the name outside brackets, and each inside them.

    Zoom writes "Name (Original Name)" for someone renamed or on a device: "Gwen’s iPad
    (Gwenllïan Prydderch)". Brackets may also hold pronouns, which match no one.
    """
    forms = [_tokens(name)]
    for found in _BRACKETS.finditer(name):
        forms.append(fold(found.group(1) or found.group(2) or "").split())
    return [form for form in forms if form]


def _score(forms: list[list[str]], known: Sequence[str]) -> float:
    best = 0.0
    for words in forms:
        for name in known:
            theirs = _tokens(name)
            if not theirs:
                continue
            if theirs == words:
                score = 1.0
            elif set(theirs) <= set(words) or (len(words) > 1 and set(words) <= set(theirs)):
                score = 0.9
            else:
                score = difflib.SequenceMatcher(None, " ".join(words), " ".join(theirs)).ratio()
            best = max(best, score)
    return best


def _scores(name: str, roster: Sequence[Participant]) -> list[tuple[float, Participant]]:
    forms = _forms(name)
    scores = [(_score(forms, (p.name, p.certificate_name)), p) for p in roster] if forms else []
    return sorted(scores, key=lambda pair: pair[0], reverse=True)


def match(name: str, email: str, roster: Sequence[Participant]) -> tuple[Participant | None, float]:
    """The roster entry a meeting report's name (or email) belongs to, and how sure.

    An email or the whole name (outside brackets, or the original name inside them):
    certain. Every word of a roster name within the report's name (``Amara Okafor
    (she/her)``): nearly. Otherwise a spelling comparison, which must be both good and
    clearly better than the next best, so nobody is guessed.
    """
    mail = email.strip().casefold()
    if mail:
        for person in roster:
            if person.email and person.email.casefold() == mail:
                return person, 1.0
    scores = _scores(name, roster)
    top, likeliest = scores[0] if scores else (0.0, None)
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if top >= CONFIDENT and top - runner_up >= 0.1:
        return likeliest, round(top, 2)
    return None, round(top, 2)


def suggest(name: str, roster: Sequence[Participant]) -> Participant | None:
    """Whom a name that matched no one with confidence may be, to offer, never to mark.

    The one best fit, if it fits at least half well, or if a word of the name begins a
    word of theirs ("Tom" for Tomasz).
    """
    forms = _forms(name)
    words = {w for form in forms for w in form if len(w) >= 3}
    scored = []
    for score, person in _scores(name, roster):
        theirs = {w for n in (person.name, person.certificate_name) for w in _tokens(n)}
        if any(t.startswith(w) for w in words for t in theirs):
            score = max(score, 0.6)
        scored.append((score, person))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < 0.5:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


#: The most minutes a threshold may ask for: a whole day.
MAX_MINUTES = 1440


def _check_minutes(value: float | None, what: str = "") -> None:
    if value is not None and not 0 <= value <= MAX_MINUTES:  # nan fails too
        raise IpskitError(f"{what}{value:g} is not a number of minutes from 0 to {MAX_MINUTES}")


class _Seen:
    """One roster person's rows in a report, added up."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.line = 0
        self.minutes = 0.0
        self.joined: time | None = None
        self.confidence = 1.0


def attend_from_report(
    cohort: Cohort,
    session: str,
    report: Path,
    *,
    min_minutes: float | None = None,
    late_after: float | None = None,
    today: date | None = None,
) -> ReportMarks:
    """Mark from a Zoom or Teams report: present, late, or absent under the threshold.

    Minutes are summed over rejoins (and over two devices matched to one person); whoever
    first joined more than ``late_after`` minutes after the start is late. A mark already
    recorded is kept. The host and the cohort's trainers are recognised; names that
    match no one with confidence are listed for the trainer, never guessed.
    """
    from ipskit.cohorts.meeting_exports import read_meeting_report

    _check_minutes(min_minutes)
    _check_minutes(late_after, f"{argument('late_after')}: ")
    meeting = cohort.meeting(session)
    if meeting.date > (today or date.today()):
        raise IpskitError(
            f"session {meeting.number} is on {meeting.date.isoformat()}, still to come"
        )
    read = read_meeting_report(report)
    threshold = (
        min_minutes if min_minutes is not None else round(meeting.contact_minutes * DEFAULT_SHARE)
    )
    allowance = LATE_AFTER if late_after is None else late_after
    trainers = _trainers(cohort)
    with changing(cohort) as records:
        people = records.active
        result = ReportMarks(meeting, threshold, allowance)
        result.joins_known = any(a.joined is not None for a in read.attendees)
        seen: dict[str, _Seen] = {}
        for attendee in read.attendees:
            person, confidence = match(attendee.name, attendee.email, people)
            trainer, as_trainer = match(attendee.name, "", trainers)
            if trainer is not None and (person is None or as_trainer >= confidence):
                role = "host/trainer" if attendee.host else "trainer"
                result.decisions.append(_other(attendee, role, as_trainer))
                continue
            if person is None:
                if attendee.host:
                    result.decisions.append(_other(attendee, "host", 0.0))
                else:
                    status, late_by = _status(attendee.minutes, attendee.joined, meeting,
                                              threshold, allowance)  # fmt: skip
                    result.decisions.append(
                        replace(_other(attendee, "unmatched", confidence), status=status,
                                late_by=late_by, candidate=suggest(attendee.name, people))
                    )  # fmt: skip
                continue
            tally = seen.setdefault(person.id, _Seen())
            tally.names.append(attendee.name)
            tally.line = tally.line or attendee.line
            tally.minutes += attendee.minutes
            tally.confidence = min(tally.confidence, confidence)
            if attendee.joined is not None:
                tally.joined = min(tally.joined or attendee.joined, attendee.joined)
        kept = [p.id for p in people if p.id in seen and records.mark(meeting, p.id)]
        when = recorded_on(cohort, meeting, kept) if kept else {}
        for person in people:
            if person.id not in seen:
                result.missing.append(person)
                continue
            decision = _decide(seen[person.id], person, meeting, threshold, allowance)
            before = records.mark(meeting, person.id)
            if before is not None:
                outcome = "same" if before.status == decision.status else "kept"
                decision = replace(decision, outcome=outcome, before=before,
                                    recorded=when.get(person.id))  # fmt: skip
            else:
                records.set_mark(meeting, person, decision.status, note=_note(decision))
            result.decisions.append(decision)
    result.decisions.sort(key=lambda d: d.line)
    return result


def _other(attendee: ReportAttendee, outcome: str, confidence: float) -> Decision:
    return Decision((attendee.name,), attendee.line, attendee.minutes, attendee.joined, None,
                    round(confidence, 2), "", outcome)  # fmt: skip


def _status(minutes: float, joined: time | None, meeting: Meeting, threshold: float,
            allowance: float) -> tuple[str, float | None]:  # fmt: skip
    """What a stay says: absent under the threshold, else late or present; how late."""
    if minutes < threshold:
        return "absent", None
    if joined is not None:
        start = meeting.start.hour * 60 + meeting.start.minute
        late_by = joined.hour * 60 + joined.minute + joined.second / 60 - start
        if late_by > allowance:
            return "late", round(late_by, 1)
    return "present", None


def _decide(seen: _Seen, person: Participant, meeting: Meeting, threshold: float,
            allowance: float) -> Decision:  # fmt: skip
    minutes = round(seen.minutes, 1)
    status, late_by = _status(minutes, seen.joined, meeting, threshold, allowance)
    return Decision(tuple(seen.names), seen.line, minutes, seen.joined, person,
                    round(seen.confidence, 2), status, "marked", late_by)  # fmt: skip


def _note(decision: Decision) -> str:
    """The note kept with a mark from a report: what it rests on, in minutes."""
    note = f"online, {decision.minutes:g} min"
    if decision.status == "absent":
        return note + " (under the threshold)"
    if decision.status == "late" and decision.joined is not None:
        return note + f", joined {decision.joined:%H:%M}"
    return note


def _trainers(cohort: Cohort) -> list[Participant]:
    """The cohort's trainers as roster-like entries, to tell them apart from participants."""
    from ipskit.cohorts.cascade import trainer_names

    names = [n for n in trainer_names(cohort) if not n.startswith("a graduate of ")]
    return [Participant(id=f"t{n}", name=name) for n, name in enumerate(names, start=1)]
