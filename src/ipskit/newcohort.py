"""Starting a cohort: dating its sessions, pinning its curriculum, taking its roster."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from ipskit import store
from ipskit.cohort import (
    CURRICULUM_FILE,
    Cohort,
    Rules,
    Settings,
    check_id,
    meetings_from,
    sha256_of,
    write_settings,
)
from ipskit.errors import IpskitError
from ipskit.records import Participant, Records
from ipskit.workspace import Workspace


@dataclass
class ImportResult:
    """What an import added, and what it left out and why (by line, never by name)."""

    added: list[Participant] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, existing id)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


#: The most people one import may bring when the curriculum sets no ``max_participants``:
#: more than any room or online session holds, so a bigger file is the wrong one (a whole
#: mailing list), and it is refused before it costs anything.
MAX_IMPORT = 5000


def import_people(records: Records, path: Path) -> ImportResult:
    """Add everyone in a CSV file who is not on the roster already.

    No more people than the course is for (its curriculum's ``max_participants``, or
    :data:`MAX_IMPORT`): a longer file is refused as soon as that many rows have been
    read, and an import that would take the roster past it is refused whole.
    """
    from ipskit.names import fold
    from ipskit.roster_import import read_roster_csv

    limit, course = _most_people(records)
    read = read_roster_csv(path, max_people=limit, course=course)
    result = ImportResult(skipped=[(s.line, s.reason) for s in read.skipped])
    # Each row is looked up in an index of the roster, not compared with everyone on it:
    # 3,000 rows against each other would be 4.5 million comparisons.
    by_name: dict[str, int] = {}  # folded name, or email: the first place on the roster
    by_email: dict[str, int] = {}
    for place, person in enumerate(records.roster):
        if person.status != "erased":
            _index(by_name, by_email, place, person)
    active = sum(p.active for p in records.roster)
    for row in read.people:
        mail = row.email.strip().casefold()
        same = [by_name.get(fold(row.name)), by_email.get(mail) if mail else None]
        if same != [None, None]:
            first = min(place for place in same if place is not None)
            result.duplicates.append((row.line, records.roster[first].id))
            continue
        if active + len(result.added) == limit:
            raise IpskitError(
                f"{path}: the roster would hold more than the {limit} people {course};"
                " nothing was changed"
            )
        try:
            added = records.add(
                row.name,
                certificate_name=row.certificate_name,
                email=row.email,
                pronouns=row.pronouns,
            )
        except ValueError as error:
            result.skipped.append((row.line, str(error)))
            continue
        result.added.append(added)
        _index(by_name, by_email, len(records.roster) - 1, added)
    return result


def _index(by_name: dict[str, int], by_email: dict[str, int], place: int,
           person: Participant) -> None:  # fmt: skip
    from ipskit.names import fold

    by_name.setdefault(fold(person.name), place)
    if person.email:
        by_email.setdefault(person.email.casefold(), place)


def _most_people(records: Records) -> tuple[int, str]:
    """The most people the cohort's course is for, and how to name the course."""
    from ipskit.catalogue import load_curriculum

    pinned = load_curriculum(records.cohort.file(CURRICULUM_FILE))
    if pinned.max_participants is None:
        return MAX_IMPORT, "an import allows"
    return pinned.max_participants, f"the course {pinned.id} is for"


def create_cohort(
    workspace: Workspace,
    cohort_id: str,
    curriculum_id: str,
    start: date,
    *,
    start_time: time | None = None,
    venue: str | None = None,
    trainers: Iterable[str] = (),
    skip: Iterable[date] = (),
    roster: Path | None = None,
    followups: Iterable[str] | None = None,
) -> tuple[Cohort, ImportResult | None]:
    """Create a cohort folder, complete or not at all."""
    from ipskit.catalogue import catalogue
    from ipskit.dates import in_range
    from ipskit.schedule import check_point, followup_points, plan

    check_id(cohort_id)
    try:
        in_range(start)  # a start near the year 9999 would overflow as the dates are laid out
    except ValueError as error:
        raise IpskitError(f"the start date {start.isoformat()}: {error}") from None
    if cohort_id in ("revoke", "publish"):  # words of `ipskit certificates`
        raise IpskitError(f"'{cohort_id}' is a word ipskit uses: choose another cohort id")
    # Refused here rather than wherever a cohort is opened, so that a cohort made with
    # such a name before stays usable (and can be copied to a new id).
    if store.windows_reserved(cohort_id):
        raise IpskitError(
            f"'{cohort_id}' cannot be a cohort id: Windows keeps that name for a device,"
            " so the cohort's folder could not be opened there; choose another"
        )
    folder = workspace.cohorts_dir / cohort_id
    if folder.exists():
        raise IpskitError(f"cohort '{cohort_id}' already exists; choose another id")
    entry = catalogue(workspace).get(curriculum_id)
    curriculum = entry.curriculum
    skipped = tuple(sorted(set(skip)))
    sessions, meetings = meetings_from(plan(curriculum, start, start_time=start_time, skip=skipped))
    points = curriculum.followups if followups is None else [check_point(f) for f in followups]
    from ipskit.cascade import trainer_entry

    names = [trainer_entry(workspace.cohorts_dir, t, cohort_id, start) for t in trainers]
    if venue is not None and (not venue.strip() or "\n" in venue):
        raise IpskitError("--venue must be one line of text")
    rules = curriculum.completion
    source = (
        "built-in"
        if entry.source == "built-in"
        else entry.path.relative_to(workspace.root).as_posix()
    )
    settings = Settings(
        id=cohort_id,
        curriculum=curriculum.id,
        curriculum_title=curriculum.title,
        curriculum_source=source,
        curriculum_sha256=sha256_of(entry.path),
        created=date.today(),
        venue=venue.strip() if venue else None,
        trainers=tuple(names),
        skipped=skipped,
        rules=Rules(
            min_attendance_percent=rules.min_attendance_percent,
            min_sessions_attended=rules.min_sessions_attended,
            compulsory_sessions=tuple(rules.compulsory_sessions),
            late_counts_as=rules.late_counts_as,
            apologies_count_as=rules.apologies_count_as,
            make_up_counts=rules.make_up_counts,
            max_missed_hours=rules.max_missed_hours,
            assessment=rules.assessment.title if rules.assessment else None,
        ),
        sessions=sessions,
        meetings=meetings,
        followups=followup_points(dict.fromkeys(points), sessions[-1].date),
    )
    store.make_private_dir(workspace.cohorts_dir)
    # Build the cohort beside its final place, then rename it in: a cohort is there
    # whole or not at all, whatever happens midway (a bad roster file, a crash).
    building = workspace.cohorts_dir / f"{store.temp_prefix()}{cohort_id}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        store.make_private_dir(building)
        write_settings(building, settings)
        store.write_atomic(building / CURRICULUM_FILE, entry.path.read_bytes())
        cohort = Cohort(building, settings)
        records = Records(cohort, [], {}, {})
        records.log("created")
        result = import_people(records, roster) if roster is not None else None
        records.save()
        building.rename(folder)
    except BaseException as error:
        shutil.rmtree(building, ignore_errors=True)
        if isinstance(error, OSError):  # named by the cohort, not the folder it was built in
            raise IpskitError(
                f"{folder}: cannot make the cohort: {store.reason(error)}; nothing was changed"
            ) from None
        raise
    return Cohort(folder, settings), result
