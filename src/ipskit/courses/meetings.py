"""The dated meetings of a cohort, and the points after a course when people are asked back.

Dating a course (:mod:`ipskit.courses.schedule`) makes them; a cohort keeps them in its
``cohort.yaml``.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import NamedTuple


class Meeting(NamedTuple):
    """A dated session of a cohort, or a meeting after the course."""

    number: int
    id: str
    title: str
    date: date
    start: time
    end: time
    contact_minutes: int
    follow_on: bool = False

    @property
    def length_minutes(self) -> int:
        """From start to end."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


#: A follow-up point: weeks or months after a course's last session, 9w or 12m.
FOLLOWUP_POINT = re.compile(r"^[1-9][0-9]?[wm]$")


def point_parts(at: str) -> tuple[int, str]:
    """``9w`` as (9, "week"), ``12m`` as (12, "month")."""
    return int(at[:-1]), "week" if at[-1] == "w" else "month"


class FollowUp(NamedTuple):
    """A point after the course at which people are asked how they are using it."""

    at: str  # weeks or months after the last session: 9w, 12m
    due: date
