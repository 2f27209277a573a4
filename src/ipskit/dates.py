"""Dates and times as people write them in ipskit's files: 2027-03-04 and 18:30."""

from __future__ import annotations

import re
from datetime import date, time

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

#: Courses, follow-ups and certificates all fall well inside these years; outside them a
#: date is a typing mistake, and one near 9999 would overflow when a schedule is built.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD, or ValueError with what to write instead."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date written YYYY-MM-DD, e.g. 2027-03-04") from None
    return in_range(day)


class OutOfRange(ValueError):
    """A real date, but not one between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""


def in_range(day: date) -> date:
    """The date, or :class:`OutOfRange` if its year is not a plausible one."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(f"expected a date from the year {FIRST_YEAR} to {LAST_YEAR}")
    return day


def parse_clock(text: str) -> time:
    """A time written HH:MM on the 24-hour clock, or ValueError."""
    if not _CLOCK.match(text):
        raise ValueError('expected a time on the 24-hour clock, e.g. "18:30"')
    return time(int(text[:2]), int(text[3:]))
