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


def import_people(records: Records, path: Path) -> ImportResult:
    """Add everyone in a CSV file who is not on the roster already."""
    from ipskit.roster_import import read_roster_csv

    read = read_roster_csv(path)
    result = ImportResult(skipped=[(s.line, s.reason) for s in read.skipped])
    for person in read.people:
        existing = records.duplicate_of(person.name, person.email)
        if existing is not None:
            result.duplicates.append((person.line, existing.id))
            continue
        try:
            result.added.append(
                records.add(
                    person.name,
                    certificate_name=person.certificate_name,
                    email=person.email,
                    pronouns=person.pronouns,
                )
            )
        except ValueError as error:
            result.skipped.append((person.line, str(error)))
    return result


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
    from ipskit.schedule import check_point, followup_points, plan

    check_id(cohort_id)
    if cohort_id in ("revoke", "publish"):  # words of `ipskit certificates`
        raise IpskitError(f"'{cohort_id}' is a word ipskit uses: choose another cohort id")
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
    store.make_private_dir(building)
    try:
        write_settings(building, settings)
        store.write_atomic(building / CURRICULUM_FILE, entry.path.read_bytes())
        cohort = Cohort(building, settings)
        records = Records(cohort, [], {}, {})
        records.log("created")
        result = import_people(records, roster) if roster is not None else None
        records.save()
        building.rename(folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Cohort(folder, settings), result
