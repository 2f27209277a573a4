"""Follow-up evaluation: whether people use what they learned, and pass it on.

A cohort has follow-up points (``9w``, ``12m``: weeks or months after its last session),
copied from its curriculum when it is created and dated in ``cohort.yaml``. At each
point everyone who completed the course is asked two things: are you using the skills,
and how many people have you trained since? Answers are counts and yes/no, kept in
``followups.csv`` by participant id; nothing about anyone's health is asked or kept.

The figures an evaluator publishes, for each point: how many completed the course (and
so were to be asked), how many were reached (answered), how many of those use the
skills, how many have trained others, and how many people they trained between them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.records import Records
from ipskit.courses.meetings import FollowUp, point_parts

if TYPE_CHECKING:
    pass


class Due(NamedTuple):
    """A follow-up point that has come, and who has still to answer."""

    cohort: Cohort
    point: FollowUp
    waiting: tuple[str, ...]  # participant ids, in roster order
    answered: int


def due(cohorts: Iterable[Cohort], today: date) -> list[Due]:
    """Every follow-up point on or before ``today`` with people still to answer.

    Those asked are the people who completed the course and are still on the roster
    (erased people are never contacted again).
    """
    from ipskit.cohorts.eligibility import completers

    found = []
    for cohort in cohorts:
        points = [p for p in cohort.settings.followups if p.due <= today]
        if not points:
            continue
        records = Records.load(cohort)
        done = completers(cohort, records)
        asked = [p.id for p in records.roster if p.id in done and p.status != "erased"]
        for point in points:
            waiting = tuple(pid for pid in asked if (point.at, pid) not in records.answers)
            answered = sum(1 for (at, _pid) in records.answers if at == point.at)
            if waiting:
                found.append(Due(cohort, point, waiting, answered))
    return sorted(found, key=lambda d: (d.point.due, d.cohort.id))


class PointFigures(NamedTuple):
    """The figures for one follow-up point, over one or more cohorts."""

    point: str
    cohorts: int
    completed: int  # people asked: everyone who completed the course
    reached: int  # people who answered
    using_skills: int
    trained_others: int  # people who have trained anyone
    people_trained: int  # how many they trained between them

    @property
    def using_percent(self) -> float | None:
        """Of those reached, the share using the skills."""
        return round(100 * self.using_skills / self.reached, 1) if self.reached else None


def _order(point: str) -> int:
    """Roughly how many days after the course a point comes, to put points in order."""
    count, unit = point_parts(point)
    return count * (7 if unit == "week" else 30)


def figures(cohorts: Iterable[Cohort], today: date) -> list[PointFigures]:
    """For each follow-up point that has come in any of the cohorts, its figures.

    A point counts for a cohort once it is due; the answers are counted whenever they
    came. People who answered but did not complete are counted as reached too (a trainer
    may follow up anyone on the roster), and as asked.
    """
    from ipskit.cohorts.eligibility import completers

    totals: dict[str, list[int]] = {}
    for cohort in cohorts:
        points = [p.at for p in cohort.settings.followups if p.due <= today]
        if not points:
            continue
        records = Records.load(cohort)
        done = completers(cohort, records)
        for at in points:
            answers = [a for (point, _pid), a in records.answers.items() if point == at]
            asked = done | {a.participant for a in answers}
            row = totals.setdefault(at, [0] * 6)
            row[0] += 1
            row[1] += len(asked)
            row[2] += len(answers)
            row[3] += sum(1 for a in answers if a.using_skills)
            row[4] += sum(1 for a in answers if a.trained_others > 0)
            row[5] += sum(a.trained_others for a in answers)
    return [PointFigures(at, *totals[at]) for at in sorted(totals, key=_order)]


def point_label(point: str) -> str:
    """``9w`` as "9 weeks after", ``12m`` as "12 months after"."""
    count, unit = point_parts(point)
    return f"{count} {unit}{'s' if count != 1 else ''} after"


class PlanChange(NamedTuple):
    """A cohort's follow-up plan after a change, and what the change did."""

    cohort: Cohort
    added: tuple[str, ...]
    removed: tuple[str, ...]  # by --remove, or dropped by --replace
    answers: dict[str, int]  # how many answers each point of the new plan has


def answer_counts(cohort: Cohort) -> dict[str, int]:
    """How many answers were recorded at each follow-up point."""
    counts: dict[str, int] = {}
    for at, _pid in Records.load(cohort).answers:
        counts[at] = counts.get(at, 0) + 1
    return counts


def change_plan(
    cohort: Cohort,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    replace: Iterable[str] | None = None,
) -> PlanChange:
    """Add or remove follow-up points, or (``replace``) set them all.

    Points are dated from the cohort's last session. A point with answers is never
    removed: the answers would no longer belong to any point.
    """
    from ipskit.cohorts.cohort import check_writable, open_cohort
    from ipskit.cohorts.cohort_file import write_settings
    from ipskit.core import store
    from ipskit.core.errors import IpskitError
    from ipskit.courses.schedule import followup_points

    adding, removing = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
    both = [at for at in adding if at in removing]
    if both:
        raise IpskitError(f"{both[0]} is both added and removed: give it once")
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        cohort = open_cohort(cohort.folder.parent, cohort.id)
        check_writable(cohort)
        before = [p.at for p in cohort.settings.followups]
        if replace is not None:
            after = list(dict.fromkeys(replace))
            adding = [at for at in after if at not in before]
            removing = [at for at in before if at not in after]
        else:
            for at in adding:
                if at in before:
                    raise IpskitError(f"cohort {cohort.id} already has a follow-up at {at}")
            for at in removing:
                cohort.followup(at)  # an unknown point says which there are
            after = [at for at in before if at not in removing] + adding
        counts = answer_counts(cohort)
        for at in removing:
            if counts.get(at):
                answers = f"{counts[at]} answer{'s' if counts[at] != 1 else ''}"
                raise IpskitError(
                    f"cohort {cohort.id} has {answers} recorded at {at}: keep that point"
                )
        settings = cohort.settings._replace(
            followups=followup_points(after, cohort.settings.sessions[-1].date)
        )
        if settings != cohort.settings:
            write_settings(cohort.folder, settings)
    kept = {p.at: counts.get(p.at, 0) for p in settings.followups}
    return PlanChange(Cohort(cohort.folder, settings), tuple(adding), tuple(removing), kept)
