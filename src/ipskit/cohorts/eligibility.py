"""Who has completed a course, who still can, and why not.

Each of a person's sessions is *attended*, *missed*, *excused* (apologies, where the
rules leave those out of the count) or still *to come* (not yet marked). A person is:

- **complete** when the rules are met even if nothing more is attended;
- **cannot complete** when they are not met even if everything left is attended;
- **at risk** when they can still complete only by attending every session left, having
  already missed one;
- **on track** otherwise.

The rules are data (``cohort.yaml``'s ``completion``), read here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.cohort_file import Rules
from ipskit.cohorts.record_types import Mark, Participant
from ipskit.cohorts.records import Records
from ipskit.courses.meetings import Meeting

State = Literal["complete", "on track", "at risk", "cannot complete", "withdrawn"]
Outcome = Literal["attended", "missed", "excused", "to come"]


class Standing(NamedTuple):
    """Where one person stands against the completion rules."""

    participant: str
    state: State
    attended: int
    counted: int  # sessions marked so far that count (excused ones left out)
    outcomes: tuple[Outcome, ...]
    reasons: tuple[str, ...]  # why the person has not (yet) completed

    @property
    def percent(self) -> float | None:
        """Attendance so far, of the sessions that count."""
        return round(100 * self.attended / self.counted, 1) if self.counted else None


def outcome(rules: Rules, records: Records, session: Meeting, person: Participant) -> Outcome:
    """How one session counts for one person."""
    mark = records.mark(session, person.id)
    return "to come" if mark is None else outcome_of(rules, mark)


def outcome_of(rules: Rules, mark: Mark) -> Outcome:
    """How a recorded mark counts under the rules."""
    if mark.status == "present" or (mark.status == "late" and rules.late_counts_as == "attended"):
        return "attended"
    if mark.made_up and rules.make_up_counts:
        return "attended"
    if mark.status == "excused" and rules.apologies_count_as == "excused":
        return "excused"
    return "missed"


def shortfalls(
    rules: Rules,
    sessions: Sequence[Meeting],
    outcomes: Sequence[Outcome],
    passed: bool,
    *,
    at_best: bool = False,
) -> list[str]:
    """What keeps these outcomes from meeting the rules (nothing: they are met).

    ``at_best`` words the reasons for outcomes that assume every session left attended.
    """
    attended = outcomes.count("attended")
    counted = len(outcomes) - outcomes.count("excused")
    lead = "at best " if at_best else ""
    reasons = []
    if rules.min_attendance_percent is not None:
        needed = rules.min_attendance_percent
        if counted == 0 or attended * 100 < needed * counted:
            share = f" ({100 * attended / counted:.0f}%)" if counted else ""
            reasons.append(
                f"{lead}{attended} of {counted} sessions attended{share}; {needed}% needed"
            )
    if rules.min_sessions_attended is not None and attended < rules.min_sessions_attended:
        reasons.append(
            f"{lead}{attended} of {len(outcomes)} sessions attended;"
            f" {rules.min_sessions_attended} needed"
        )
    for session, result in zip(sessions, outcomes, strict=True):
        if session.id in rules.compulsory_sessions and result != "attended":
            reasons.append(f"missed session {session.number} ({session.id}), which is compulsory")
    if rules.max_missed_hours is not None:
        missed = sum(
            s.contact_minutes for s, r in zip(sessions, outcomes, strict=True) if r == "missed"
        )
        if missed > rules.max_missed_hours * 60:
            reasons.append(
                f"missed {missed / 60:g} hours; at most {rules.max_missed_hours:g} allowed"
            )
    if rules.assessment and not passed:
        reasons.append(f"the final assessment ({rules.assessment}) is not yet passed")
    return reasons


def standing(cohort: Cohort, records: Records, person: Participant) -> Standing:
    """Where one person stands."""
    rules, sessions = cohort.settings.rules, cohort.settings.sessions
    outcomes = tuple(outcome(rules, records, s, person) for s in sessions)
    attended = outcomes.count("attended")
    counted = sum(1 for o in outcomes if o in ("attended", "missed"))
    assessment = records.assessments.get(person.id)
    passed = assessment is not None and assessment.result == "passed"
    if not person.active:
        return Standing(person.id, "withdrawn", attended, counted, outcomes, (person.status,))

    def met(filled: Outcome, *, passes: bool, miss: int | None = None) -> list[str]:
        chosen = [
            ("missed" if i == miss else filled) if o == "to come" else o
            for i, o in enumerate(outcomes)
        ]
        best = filled == "attended" and bool(to_come)
        return shortfalls(rules, sessions, chosen, passes, at_best=best)

    to_come = [i for i, o in enumerate(outcomes) if o == "to come"]
    worst = met("missed", passes=passed)
    state: State
    if not worst:
        state, reasons = "complete", []
    elif met("attended", passes=True):
        state, reasons = "cannot complete", met("attended", passes=True)
    else:
        already_missed = "missed" in outcomes
        every_one_needed = all(met("attended", passes=True, miss=i) for i in to_come)
        state = "at risk" if to_come and already_missed and every_one_needed else "on track"
        reasons = worst
        if to_come:
            reasons = [f"{len(to_come)} session{'s' if len(to_come) > 1 else ''} still to come"]
            if rules.assessment and not passed:
                reasons.append(f"the final assessment ({rules.assessment}) is not yet passed")
    return Standing(person.id, state, attended, counted, outcomes, tuple(reasons))


def eligibility(cohort: Cohort, records: Records) -> list[Standing]:
    """Where everyone on the roster stands, in roster order (erased people left out)."""
    return [standing(cohort, records, p) for p in records.roster if p.status != "erased"]


def completers(cohort: Cohort, records: Records) -> set[str]:
    """The ids of everyone who has completed the course, erased people included.

    Erasing a person keeps their marks under an anonymous id, so that the counts a
    cohort reports (who completed, who was followed up) stay right afterwards.
    """
    done = set()
    for person in records.roster:
        if person.status == "erased":
            person = person._replace(status="active")
        if standing(cohort, records, person).state == "complete":
            done.add(person.id)
    return done
