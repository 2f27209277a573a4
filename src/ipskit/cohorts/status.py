"""How a cohort is going: sessions held, attendance so far, who is at risk, what to check."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.cohort import Cohort, sha256_of
from ipskit.cohorts.eligibility import Standing, eligibility, outcome_of
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.courses.meetings import FollowUp, Meeting


class SessionLine(NamedTuple):
    """One session of the schedule, with its marks so far."""

    meeting: Meeting
    counts: dict[str, int]  # present, late, absent, excused, made_up, unmarked

    @property
    def held(self) -> bool:
        """Whether anyone has been marked for it."""
        return any(self.counts[k] for k in ("present", "late", "absent", "excused"))


class Overview(NamedTuple):
    """A line about a cohort for ``ipskit cohorts``."""

    cohort: Cohort
    participants: int
    rate: float | None
    next: Meeting | None


class SupportGroup(NamedTuple):
    """The meetings after the course (the cascade's monthly co-reflection group)."""

    held: int
    total: int
    next: Meeting | None


class Signatures(NamedTuple):
    """How many of the people on the course have signed its code of conduct."""

    signed: int
    of: int


class Status(NamedTuple):
    """Everything ``ipskit status`` shows."""

    overview: Overview
    withdrawn: int
    sessions: list[SessionLine]
    standings: list[tuple[Participant, Standing]]
    warnings: list[str]
    support_group: SupportGroup | None = None
    agreement: Signatures | None = None
    followups: tuple[tuple[FollowUp, int], ...] = ()  # each point, and how many answered

    @property
    def held(self) -> int:
        """Sessions of the course (not follow-on meetings) with any marks."""
        return sum(1 for line in self.sessions if line.held and not line.meeting.follow_on)


def attendance_rate(cohort: Cohort, records: Records) -> float | None:
    """Sessions attended out of sessions marked (that count), over everyone active."""
    rules = cohort.settings.rules
    active = {p.id for p in records.active}
    course = {s.number for s in cohort.settings.sessions}
    attended = counted = 0
    # Straight over the marks rather than person by session: `ipskit cohorts` does this
    # for every cohort of the workspace.
    for mark in records.marks.values():
        if mark.participant not in active or mark.session not in course:
            continue
        result = outcome_of(rules, mark)
        attended += result == "attended"
        counted += result != "excused"
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


OVERVIEW_CACHE = ".overview-cache.json"


def _overview_key(cohort: Cohort) -> str:
    import hashlib

    from ipskit.cohorts.cohort_file import SETTINGS_FILE
    from ipskit.cohorts.record_types import ATTENDANCE_FILE, ROSTER_FILE

    digest = hashlib.sha256()
    for name in (SETTINGS_FILE, ROSTER_FILE, ATTENDANCE_FILE):
        path = cohort.file(name)
        digest.update(path.read_bytes() if path.exists() else b"-")
        digest.update(b"\0")
    return digest.hexdigest()


def remember_overview(cohort: Cohort, records: Records) -> Overview:
    """Work out a cohort's summary and keep its counts for :func:`quick_overview`."""
    import json

    found = overview(cohort, records, date.today())
    with contextlib.suppress(OSError):
        store.write_atomic(
            cohort.file(OVERVIEW_CACHE),
            json.dumps(
                {"key": _overview_key(cohort), "participants": found.participants,
                 "rate": found.rate}
            ),
            durable=False,
        )  # fmt: skip
    return found


def quick_overview(cohort: Cohort, today: date) -> Overview:
    """The summary of a cohort, from a cache when its records have not changed.

    ``ipskit cohorts`` reads every cohort of the workspace; the counts it shows depend
    only on three files, so they are kept, counts only, under the SHA-256 of those
    files' bytes: any change to any of them, by hand or by ipskit, makes the cache miss.
    Every change ipskit makes refreshes them (see ``ipskit.cohorts.changing``).
    """
    import json

    try:
        saved = json.loads(cohort.file(OVERVIEW_CACHE).read_bytes())
        if saved["key"] == _overview_key(cohort):
            return Overview(cohort, saved["participants"], saved["rate"],
                            next_meeting(cohort, today))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = remember_overview(cohort, Records.load(cohort))
    return Overview(cohort, found.participants, found.rate, next_meeting(cohort, today))


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
        support_group=support_group(cohort, records, today),
        agreement=signatures(cohort, records),
        followups=tuple(
            (point, sum(1 for (at, _pid) in records.answers if at == point.at))
            for point in cohort.settings.followups
        ),
    )


def held_numbers(cohort: Cohort, records: Records, today: date) -> set[int]:
    """The sessions and meetings that have taken place, by number.

    Held means its day has come and someone is marked: a mark alone is not enough, since
    apologies can be recorded ahead of the day.
    """
    marked = {number for number, _pid in records.marks}
    return {m.number for m in cohort.everything if m.number in marked and m.date <= today}


def support_group(cohort: Cohort, records: Records, today: date) -> SupportGroup | None:
    """Follow-on meetings held so far and the next one, if the cohort has any."""
    meetings = cohort.settings.meetings
    if not meetings:
        return None
    held = held_numbers(cohort, records, today)
    return SupportGroup(
        held=sum(1 for m in meetings if m.number in held),
        total=len(meetings),
        next=next((m for m in meetings if m.date >= today), None),
    )


def signatures(cohort: Cohort, records: Records) -> Signatures | None:
    """Who has signed the code of conduct, if the cohort's course has one."""
    if not records.signed and not has_agreement(cohort):
        return None
    active = records.active
    return Signatures(sum(1 for p in active if p.id in records.signed), len(active))


def has_agreement(cohort: Cohort) -> bool:
    """Whether the cohort's copy of its curriculum has a code of conduct to sign.

    A scan of the text for a top-level ``agreement:`` key rather than loading the
    curriculum: ``status`` must stay quick, and loading it means pydantic and a full
    validation of a long file for one yes or no. The copy was validated when the cohort
    was made; a hand edit that breaks it is reported by the commands that load it.
    """
    from ipskit.cohorts.cohort import CURRICULUM_FILE

    try:
        text = cohort.file(CURRICULUM_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    for line in text.splitlines():
        if line.startswith(("agreement:", '"agreement":', "'agreement':")):
            value = line.split(":", 1)[1].split("#", 1)[0].strip()
            return value not in ("null", "~", "{}", "[]", "false")
    return False


def _warnings(cohort: Cohort, lines: list[SessionLine], today: date, root: Path) -> list[str]:
    warnings = []
    settings = cohort.settings
    if settings.curriculum_source == "built-in":
        from ipskit.core.resources import builtin_curricula_dir

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
