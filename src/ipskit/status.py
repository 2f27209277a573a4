"""How a cohort is going: sessions held, attendance so far, who is at risk, what to check."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ipskit import store
from ipskit.cohort import Cohort, Meeting, sha256_of
from ipskit.eligibility import Standing, eligibility, outcome
from ipskit.records import Participant, Records


@dataclass(frozen=True)
class SessionLine:
    """One session of the schedule, with its marks so far."""

    meeting: Meeting
    counts: dict[str, int]  # present, late, absent, excused, made_up, unmarked

    @property
    def held(self) -> bool:
        """Whether anyone has been marked for it."""
        return any(self.counts[k] for k in ("present", "late", "absent", "excused"))


@dataclass(frozen=True)
class Overview:
    """A line about a cohort for ``ipskit cohorts``."""

    cohort: Cohort
    participants: int
    rate: float | None
    next: Meeting | None


@dataclass(frozen=True)
class Status:
    """Everything ``ipskit status`` shows."""

    overview: Overview
    withdrawn: int
    sessions: list[SessionLine]
    standings: list[tuple[Participant, Standing]]
    warnings: list[str]

    @property
    def held(self) -> int:
        """Sessions of the course (not follow-on meetings) with any marks."""
        return sum(1 for line in self.sessions if line.held and not line.meeting.follow_on)


def attendance_rate(cohort: Cohort, records: Records) -> float | None:
    """Sessions attended out of sessions marked (that count), over everyone active."""
    rules = cohort.settings.rules
    attended = counted = 0
    for person in records.active:
        for session in cohort.settings.sessions:
            result = outcome(rules, records, session, person)
            attended += result == "attended"
            counted += result in ("attended", "missed")
    return round(100 * attended / counted, 1) if counted else None


def next_meeting(cohort: Cohort, today: date) -> Meeting | None:
    """The first session or meeting on or after today."""
    return next((m for m in cohort.everything if m.date >= today), None)


def overview(cohort: Cohort, records: Records, today: date) -> Overview:
    """The one-line summary of a cohort."""
    return Overview(
        cohort=cohort,
        participants=len(records.active),
        rate=attendance_rate(cohort, records),
        next=next_meeting(cohort, today),
    )


def status(cohort: Cohort, records: Records, today: date, workspace_root: Path) -> Status:
    """The full picture of one cohort."""
    lines = []
    active = {p.id for p in records.active}
    for meeting in cohort.everything:
        counts: Counter[str] = Counter()
        for pid in active:
            mark = records.mark(meeting, pid)
            counts[mark.status if mark else "unmarked"] += 1
            if mark and mark.made_up:
                counts["made_up"] += 1
        lines.append(
            SessionLine(
                meeting,
                {k: counts[k] for k in ("present", "late", "absent", "excused", "made_up",
                                        "unmarked")},
            )
        )  # fmt: skip
    people = {p.id: p for p in records.roster}
    standings = [(people[s.participant], s) for s in eligibility(cohort, records)]
    return Status(
        overview=overview(cohort, records, today),
        withdrawn=sum(1 for p in records.roster if p.status == "withdrawn"),
        sessions=lines,
        standings=standings,
        warnings=_warnings(cohort, lines, today, workspace_root),
    )


def _warnings(cohort: Cohort, lines: list[SessionLine], today: date, root: Path) -> list[str]:
    warnings = []
    settings = cohort.settings
    if settings.curriculum_source == "built-in":
        from ipskit.resources import builtin_curricula_dir

        source = builtin_curricula_dir() / f"{settings.curriculum}.yaml"
    else:
        source = root / settings.curriculum_source
    if not source.is_file():
        warnings.append(
            f"the curriculum's source ({settings.curriculum_source}) is gone;"
            " this cohort keeps its own copy in curriculum.yaml"
        )
    elif sha256_of(source) != settings.curriculum_sha256:
        warnings.append(
            f"curriculum {settings.curriculum} has changed since this cohort began;"
            " the cohort still follows its own copy (curriculum.yaml)"
        )
    unmarked = [
        line.meeting for line in lines
        if line.meeting.date < today and not line.held and not line.meeting.follow_on
    ]  # fmt: skip
    if unmarked and any(line.held for line in lines):
        numbers = ", ".join(str(m.number) for m in unmarked)
        warnings.append(f"past sessions with no attendance marked: {numbers}")
    for path in store.readable_by_others(cohort.folder):
        warnings.append(f"{path} can be read by other users: run chmod go-rwx on it")
    return warnings
