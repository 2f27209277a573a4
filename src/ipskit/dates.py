"""Dates and times as people write them in ipskit's files: 2027-03-04 and 18:30."""

from __future__ import annotations

import re
from datetime import date, time

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD, or ValueError with what to write instead."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date written YYYY-MM-DD, e.g. 2027-03-04") from None


def parse_clock(text: str) -> time:
    """A time written HH:MM on the 24-hour clock, or ValueError."""
    if not _CLOCK.match(text):
        raise ValueError('expected a time on the 24-hour clock, e.g. "18:30"')
    return time(int(text[:2]), int(text[3:]))
