"""Starting a cohort: dating its sessions, pinning its curriculum, taking its roster."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort, check_new_id, sha256_of
from ipskit.cohorts.cohort_file import Rules, Settings, meetings_from, write_settings
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.errors import IpskitError, argument
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.cohorts.roster_import import ImportResult


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
    from ipskit.core.dates import in_range
    from ipskit.courses.catalogue import catalogue
    from ipskit.courses.schedule import check_point, date_sessions, followup_points

    check_new_id(cohort_id)
    try:
        in_range(start)  # a start near the year 9999 would overflow as the dates are laid out
    except ValueError as error:
        raise IpskitError(f"the start date {start.isoformat()}: {error}") from None
    folder = workspace.cohorts_dir / cohort_id
    if folder.exists():
        raise IpskitError(f"cohort '{cohort_id}' already exists; choose another id")
    entry = catalogue(workspace).get(curriculum_id)
    curriculum = entry.curriculum
    skipped = tuple(sorted(set(skip)))
    dated = date_sessions(curriculum, start, start_time=start_time, skip=skipped)
    sessions, meetings = meetings_from(dated)
    points = curriculum.followups if followups is None else [check_point(f) for f in followups]
    from ipskit.cohorts.cascade import trainer_entry

    names = [trainer_entry(workspace.cohorts_dir, t, cohort_id, start) for t in trainers]
    if venue is not None and (not venue.strip() or "\n" in venue):
        raise IpskitError(f"{argument('venue')} must be one line of text")
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
        # The same import as `ipskit roster COHORT import`: garbled names are flagged.
        from ipskit.cohorts.roster_import import import_people

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
