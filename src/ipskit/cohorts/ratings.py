"""Competency self-assessment: how people rate themselves before and after a course.

The curriculum lists the competencies (connection, worldview awareness, mutuality...),
and each person rates themselves on each from 1 to 5, once before the course and once
after. The summary shows the cohort's change in counts and averages only, and hides the
averages of any competency rated by fewer than :data:`MIN_PEOPLE` people, where an
average would be one person's answer.
"""

from __future__ import annotations

from typing import NamedTuple

from ipskit.cohorts.records import Records

MIN_PEOPLE = 3


class Change(NamedTuple):
    """The cohort's ratings of one competency, before and after."""

    competency: str
    name: str
    before: int  # how many rated it before
    after: int
    before_mean: float | None  # hidden (None) when too few rated it
    after_mean: float | None
    both: int  # people who rated it both times
    improved: int  # of those, how many rated themselves higher after
    mean_change: float | None  # the average change over people who rated it both times


def summary(records: Records, competencies: list[tuple[str, str]]) -> list[Change]:
    """For each competency (id, name), the cohort's before and after, anonymously."""
    rows = []
    for competency, name in competencies:
        before = {pid: r.rating for (stage, pid, c), r in records.ratings.items()
                  if stage == "before" and c == competency}  # fmt: skip
        after = {pid: r.rating for (stage, pid, c), r in records.ratings.items()
                 if stage == "after" and c == competency}  # fmt: skip
        both = sorted(set(before) & set(after))
        rows.append(
            Change(
                competency,
                name,
                len(before),
                len(after),
                _mean(list(before.values())),
                _mean(list(after.values())),
                len(both),
                sum(1 for pid in both if after[pid] > before[pid]),
                _mean([after[pid] - before[pid] for pid in both]),
            )  # fmt: skip
        )
    return rows


def _mean(values: list[int]) -> float | None:
    if len(values) < MIN_PEOPLE:
        return None
    return round(sum(values) / len(values), 2)


def parse_ratings(items: list[str], known: dict[str, str]) -> dict[str, int]:
    """``connection=4 mutuality=3`` checked against the curriculum's competencies."""
    from ipskit.core.errors import IpskitError

    found: dict[str, int] = {}
    for item in items:
        key, _, value = item.partition("=")
        key = key.strip().lower()
        if key not in known:
            raise IpskitError(
                f"'{key}' is not a competency of this course; it has: {', '.join(known)}"
            )
        if value.strip() not in ("1", "2", "3", "4", "5"):
            raise IpskitError(f"{item}: give a rating from 1 to 5, e.g. {key}=3")
        if key in found:
            raise IpskitError(f"{key} is rated twice")
        found[key] = int(value)
    if not found:
        raise IpskitError("give at least one rating, e.g. connection=3")
    return found
