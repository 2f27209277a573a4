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


# --- dates a spreadsheet wrote -----------------------------------------------------------
#
# A record file opened and saved in Excel comes back with its dates in the short form of
# the computer's region: 03/02/2027 in the UK, 2/3/2027 in the US, 03.02.2027 in Germany,
# sometimes with a time after them. Which number is the day depends on the region, so
# the workspace's locale decides; ISO dates are always accepted.

_ISO_AND_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SHORT = re.compile(
    r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\.?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?$"
)
#: Regions whose short dates put the month first (Excel's m/d/yyyy).
MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "GU", "PR", "AS", "VI", "UM"})


def month_first(locale: str) -> bool:
    """Whether a locale such as ``en-US`` writes short dates month first."""
    return locale.rpartition("-")[2] in MONTH_FIRST_REGIONS


def short_form(locale: str) -> tuple[str, str]:
    """How a locale writes a short date: the pattern and 2027-03-04 written so."""
    return ("MM/DD/YYYY", "03/04/2027") if month_first(locale) else ("DD/MM/YYYY", "04/03/2027")


def written_date(text: str, locale: str = "en-GB") -> date:
    """A date as ipskit writes it (YYYY-MM-DD) or as a spreadsheet in ``locale`` does.

    ``03/02/2027`` is 3 February in en-GB and 2 March in en-US; ``3/2/27``,
    ``03.02.2027`` and a time after the date (``03/02/2027 18:30``) are read too.
    ValueError says what to write instead.
    """
    text = text.strip()
    iso = _ISO_AND_TIME.match(text)
    if iso:
        return parse_date(iso.group(1))
    found = _SHORT.match(text)
    if found:
        first, second, year = int(found.group(1)), int(found.group(3)), int(found.group(4))
        day, month = (second, first) if month_first(locale) else (first, second)
        if len(found.group(4)) == 2:
            year += 2000  # a spreadsheet's two-digit year; courses are this century
        try:
            return in_range(date(year, month, day))
        except OutOfRange:
            raise
        except ValueError:
            pass
    pattern, example = short_form(locale)
    raise ValueError(
        f"expected a date written YYYY-MM-DD or {pattern}, e.g. 2027-03-04 or {example}"
    )
