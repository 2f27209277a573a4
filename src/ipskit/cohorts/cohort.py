"""A cohort: one run of a course, kept in its own private folder.

::

    cohorts/spring-2027/
      cohort.yaml       the dated schedule and completion rules (hand-editable)
      curriculum.yaml   the curriculum exactly as it was when the cohort began
      roster.csv        the participants
      attendance.csv    one row per person per session marked
      assessments.csv   final assessment results, where the course has one
      history.csv       every change, appended; participant ids only, never names

The schedule and the rules are copied into ``cohort.yaml`` when the cohort is created,
so that editing a curriculum never changes a course already running, and so that the
commands used every week can read a cohort without loading the curriculum.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.cohort_file import SETTINGS_FILE, Settings, read_settings, write_settings
from ipskit.core.errors import IpskitError, NotFoundError
from ipskit.courses.meetings import FollowUp, Meeting

if TYPE_CHECKING:
    pass

CURRICULUM_FILE = "curriculum.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def check_id(cohort_id: str) -> str:
    """A cohort id is a folder name: lower-case letters, digits and hyphens."""
    if not _ID.match(cohort_id):
        raise IpskitError(
            f"'{cohort_id}' cannot be a cohort id: use lower-case letters, digits and"
            " hyphens, e.g. spring-2027 (and no participant's name)"
        )
    return cohort_id


def check_new_id(cohort_id: str) -> str:
    """The id of a cohort about to be made: :func:`check_id`, and a folder Windows can open.

    Any such id will do, even one that is also a word of a command (``revoke``): the
    command line has a form that names any cohort. Names Windows keeps for a device are
    refused here rather than wherever a cohort is opened, so that a cohort made with one
    before stays usable (and can be copied to a new id).
    """
    from ipskit.core.store import windows_reserved

    check_id(cohort_id)
    if windows_reserved(cohort_id):
        raise IpskitError(
            f"'{cohort_id}' cannot be a cohort id: Windows keeps that name for a device,"
            " so the cohort's folder could not be opened there; choose another"
        )
    return cohort_id


class Cohort(NamedTuple):
    """A cohort's folder and its settings."""

    folder: Path
    settings: Settings

    @property
    def id(self) -> str:
        """The cohort's id (its folder's name)."""
        return self.settings.id

    @property
    def everything(self) -> tuple[Meeting, ...]:
        """The course's sessions, then any meetings after it."""
        return self.settings.sessions + self.settings.meetings

    def meeting(self, ref: str) -> Meeting:
        """A session or meeting by number (1, 2, ...) or id (week-3)."""
        for item in self.everything:
            if ref == str(item.number) or ref.lower() == item.id:
                return item
        last = len(self.everything)
        raise NotFoundError(
            f"cohort {self.id} has no session '{ref}': give a number from 1 to {last}"
            f" or an id such as {self.everything[0].id}"
        )

    def followup(self, at: str) -> FollowUp:
        """A follow-up point by its name (9w, 12m)."""
        for point in self.settings.followups:
            if point.at == at.strip().lower():
                return point
        known = ", ".join(p.at for p in self.settings.followups)
        raise NotFoundError(
            f"cohort {self.id} has no follow-up at '{at}'"
            + (f": it has {known}" if known else ": add one with 'ipskit followup plan'")
        )

    def file(self, name: str) -> Path:
        """A file in the cohort's folder."""
        return self.folder / name


def open_cohort(cohorts_dir: Path, cohort_id: str) -> Cohort:
    """The cohort with this id; a hand-edited settings file is checked as it is read."""
    check_id(cohort_id)
    folder = cohorts_dir / cohort_id
    if not (folder / SETTINGS_FILE).is_file():
        known = sorted(p.name for p in cohorts_dir.iterdir() if _is_cohort(p))
        hint = (
            f"; there are: {', '.join(known)}" if known else "; create one with 'ipskit new-cohort'"
        )
        raise NotFoundError(f"no cohort '{cohort_id}'{hint}")
    return Cohort(folder, read_settings(folder / SETTINGS_FILE))


def _is_cohort(folder: Path) -> bool:
    # A cohort being deleted is first renamed to a hidden leftover; no id starts with a dot.
    return not folder.name.startswith(".") and (folder / SETTINGS_FILE).is_file()


def cohort_ids(cohorts_dir: Path) -> list[str]:
    """The ids of the workspace's cohorts, without reading them (for Tab completion)."""
    if not cohorts_dir.is_dir():
        return []
    return [folder.name for folder in sorted(cohorts_dir.iterdir()) if _is_cohort(folder)]


def all_cohorts(cohorts_dir: Path) -> list[Cohort]:
    """Every cohort of the workspace, by id."""
    if not cohorts_dir.is_dir():
        return []
    found = []
    for folder in sorted(cohorts_dir.iterdir()):
        if _is_cohort(folder):
            found.append(Cohort(folder, read_settings(folder / SETTINGS_FILE)))
    return found


# --- archiving and deleting --------------------------------------------------------------
#
# A finished cohort is archived rather than deleted: its records stay, read-only, and it
# still counts in the funder report. Only a cohort that never issued anything (made by
# mistake, or as a test) may be deleted.


def archived_error(cohort_id: str) -> IpskitError:
    """What every command that would change an archived cohort says."""
    return IpskitError(
        f"cohort {cohort_id} is archived: ipskit cohorts unarchive {cohort_id} to change it"
    )


def check_writable(cohort: Cohort) -> None:
    """Refuse to change an archived cohort.

    Writers call this while they hold the cohort's lock: ``cohort.yaml`` is read again
    there (from its cache, so it costs next to nothing), since the cohort may have been
    archived since the caller opened it.
    """
    path = cohort.folder / SETTINGS_FILE
    if cohort.settings.archived or (path.is_file() and read_settings(path).archived):
        raise archived_error(cohort.id)


def set_archived(cohorts_dir: Path, cohort_id: str, archived: bool) -> Cohort:
    """Archive a cohort (kept, read-only) or bring it back; saying so if it already is."""
    from ipskit.core import store

    cohort = open_cohort(cohorts_dir, cohort_id)
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        cohort = open_cohort(cohorts_dir, cohort_id)
        if cohort.settings.archived == archived:
            raise IpskitError(
                f"cohort {cohort.id} is already archived" if archived
                else f"cohort {cohort.id} is not archived: there is nothing to undo"
            )  # fmt: skip
        settings = cohort.settings._replace(archived=archived)
        write_settings(cohort.folder, settings)
    return Cohort(cohort.folder, settings)


def remember_personal_workbooks(cohort: Cohort) -> Cohort:
    """Note in ``cohort.yaml`` that ``ipskit build`` makes the cohort's personal workbooks.

    Said once, with ``--per-participant``, it holds for every build after. An archived
    cohort is left as it is: it is read-only, and nothing is built for it.
    """
    from ipskit.core import store

    if cohort.settings.personal_workbooks or cohort.settings.archived:
        return cohort
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        settings = read_settings(cohort.folder / SETTINGS_FILE)
        if settings.personal_workbooks or settings.archived:
            return Cohort(cohort.folder, settings)
        settings = settings._replace(personal_workbooks=True)
        write_settings(cohort.folder, settings)
    return Cohort(cohort.folder, settings)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
