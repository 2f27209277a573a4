"""The course a document or a command is for: a curriculum, and the cohort running it.

A course is either a cohort's (dated, from the copy of the curriculum the cohort keeps)
or a curriculum's alone (undated, e.g. to prepare a course).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort, open_cohort
from ipskit.core.errors import IpskitError, argument
from ipskit.courses.curriculum import Curriculum
from ipskit.courses.meetings import Meeting
from ipskit.courses.quantities import DEFAULT_GROUP, Group
from ipskit.workspace import Workspace


@dataclass(frozen=True)
class Course:
    """A curriculum, and the cohort running it when there is one."""

    curriculum: Curriculum
    cohort: Cohort | None

    @property
    def name(self) -> str:
        """What output files are named after: the cohort's id, or the curriculum's."""
        return self.cohort.id if self.cohort else self.curriculum.id

    def meeting(self, session_id: str) -> Meeting | None:
        """The dated session with this id, for a cohort."""
        if self.cohort is None:
            return None
        return next((m for m in self.cohort.everything if m.id == session_id), None)


    def group(self) -> Group:
        """Whom printing and materials are counted for.

        A cohort's active participants (or, before anyone has joined, the course's
        maximum), and its trainers as named (at least the number the course needs); a
        curriculum alone is counted for its maximum group, or :data:`DEFAULT_GROUP`.
        """
        planned = self.curriculum.max_participants or DEFAULT_GROUP
        trainers = self.curriculum.trainers
        if self.cohort is None:
            return Group(planned, trainers)
        from ipskit.cohorts.records import Records

        people = len(Records.load(self.cohort).active) or planned
        return Group(people, max(trainers, len(self.cohort.settings.trainers)))


def course_for(workspace: Workspace, cohort_id: str | None, curriculum_id: str | None) -> Course:
    """The course a document command names: a cohort, or ``--curriculum CID``."""
    from ipskit.courses.catalogue import catalogue
    from ipskit.courses.curriculum import load

    if (cohort_id is None) == (curriculum_id is None):
        raise IpskitError(
            f"name a cohort, or a curriculum with {argument('curriculum_id')} (not both)"
        )
    if curriculum_id is not None:
        return Course(catalogue(workspace).get(curriculum_id).curriculum, None)
    assert cohort_id is not None
    cohort = open_cohort(workspace.cohorts_dir, cohort_id)
    return Course(load(cohort.file(CURRICULUM_FILE)), cohort)
