"""Marking attendance by hand or from an online meeting's report, and assessments."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.changing import changing
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import HISTORY_COLUMNS, HISTORY_FILE, Mark, Participant, check_note
from ipskit.cohorts.records import Records
from ipskit.core.errors import IpskitError, argument
from ipskit.core.names import fold
from ipskit.courses.meetings import Meeting

if TYPE_CHECKING:
    from ipskit.cohorts.meeting_exports import ReportAttendee

#: A report name must match a roster name at least this well to be marked.
CONFIDENT = 0.85
#: Default share of a session's contact time someone must be in an online meeting.
DEFAULT_SHARE = 0.75


class Outcome(NamedTuple):
    """What one ``attend`` did for one person it named or left alone."""

    person: Participant
    before: Mark | None
    after: Mark | None
    kind: str  # "new", "changed", "same" (named with the mark they had), "kept" (left alone)
    recorded: date | None = None  # when ``before`` was recorded, where the history says


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
        changed = 0
        for person, status in chosen.values():
            changed += records.set_mark(meeting, person, status, note=text)
        for person in makeups:
            changed += records.set_mark(meeting, person, None, made_up=True, note=text)
        outcomes = []
        for pid in named:
            before, after = befores[pid], records.mark(meeting, pid)
            kind = "new" if before is None else "same" if _same(before, after) else "changed"
            outcomes.append(Outcome(records.participant(pid), before, after, kind))
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
        if action == "marked" and session == meeting.id and pid in wanted:
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


# --- online meeting reports --------------------------------------------------------------------

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


class Assessed(NamedTuple):
    """One person's assessment result as recorded, with the one it replaced."""

    person: Participant
    before: str | None  # passed, not-yet, or None for a first result


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
            records.assess(person, "passed" if passed else "not-yet", when, text)
            done.append(Assessed(person, old.result if old else None))
    return done
