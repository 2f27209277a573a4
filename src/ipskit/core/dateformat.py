"""Dates and hours as ipskit prints them: on paper, on the terminal, in emails.

Every function takes the workspace's locale (``locale:`` in ``ipskit.yaml``).

- ``en-GB``, the default, is ipskit's own house style, written here by hand: "Wednesday 3
  March 2027", "Wed 3 Mar 2027", "12 January to 16 March 2027", "18:30 to 20:30". The
  CLDR's British forms put commas in some of these ("Wednesday, 3 March 2027"), and the
  everyday commands print dates without having to load Babel.
- Any other locale is written by Babel from the CLDR: the same kind of date in that
  locale's form ("Mittwoch, 3. März 2027", "mar. 2 mars 2027", "6:30 PM").

Reading dates stays in :mod:`ipskit.core.dates`.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import TYPE_CHECKING

from ipskit.core.errors import IpskitError
from ipskit.core.locales import DEFAULT, SETTINGS_FILE, known_locale

if TYPE_CHECKING:
    from babel import Locale

# Babel takes a twentieth of a second to load: it is imported inside the functions, and
# only when a locale other than ipskit's own is printed.

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _month(day: date) -> str:
    return _MONTHS[day.month - 1]


def long_date(day: date, locale: str) -> str:
    """The date with its weekday, in full: 'Wednesday 3 March 2027'."""
    if locale == DEFAULT:
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_month(day)} {day.year}"
    from babel.dates import format_date

    return format_date(day, "full", locale=_cldr(locale))


def plain_date(day: date, locale: str) -> str:
    """The date without its weekday: '3 March 2027'."""
    if locale == DEFAULT:
        return f"{day.day} {_month(day)} {day.year}"
    from babel.dates import format_date

    return format_date(day, "long", locale=_cldr(locale))


def short_date(day: date, locale: str) -> str:
    """The date in a table or a line on the terminal: 'Wed 3 Mar 2027'."""
    if locale == DEFAULT:
        return f"{_WEEKDAYS[day.weekday()][:3]} {day.day} {_month(day)[:3]} {day.year}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMMEd", day, locale=_cldr(locale))


def day_and_month(day: date, locale: str, *, year: bool = True) -> str:
    """The date, short and without its weekday: '3 Mar 2027', or '3 Mar' without the year."""
    if locale == DEFAULT:
        return f"{day.day} {_month(day)[:3]}" + (f" {day.year}" if year else "")
    from babel.dates import format_skeleton

    return format_skeleton("yMMMd" if year else "MMMd", day, locale=_cldr(locale))


def date_span(first: date, last: date, locale: str) -> str:
    """The days a course ran: '12 January to 16 March 2027', '4 to 8 October 2027', or one day."""
    if locale != DEFAULT:
        if first == last:
            return plain_date(first, locale)
        from babel.dates import format_interval

        return format_interval(first, last, "yMMMMd", locale=_cldr(locale))
    if first == last:
        return plain_date(first, locale)
    if first.year != last.year:
        return f"{plain_date(first, locale)} to {plain_date(last, locale)}"
    if first.month != last.month:
        return f"{first.day} {_month(first)} to {plain_date(last, locale)}"
    return f"{first.day} to {plain_date(last, locale)}"


def long_date_span(first: date, last: date, locale: str) -> str:
    """Two dates with their weekdays: 'Wednesday 3 March 2027 to Wednesday 5 May 2027'."""
    between = " to " if locale == DEFAULT else " – "
    return f"{long_date(first, locale)}{between}{long_date(last, locale)}"


def clock(moment: time, locale: str) -> str:
    """A time of day: '18:30' (or '6:30 PM' where the locale says so)."""
    if locale == DEFAULT:
        return f"{moment:%H:%M}"
    from babel.dates import format_time

    return format_time(moment, "short", locale=_cldr(locale))


def clock_span(start: time, end: time, locale: str, *, words: bool = False) -> str:
    """From one time to another: '18:30–20:30', or '18:30 to 20:30' in running text."""
    if locale == DEFAULT:
        return f"{start:%H:%M}{' to ' if words else '–'}{end:%H:%M}"
    from babel.dates import format_interval, get_time_format

    where = _cldr(locale)
    # The locale's own clock: 24-hour (H) or 12-hour with AM and PM (h).
    hours = "hm" if "h" in get_time_format("short", locale=where).pattern else "Hm"
    return format_interval(start, end, hours, locale=where)


@lru_cache(maxsize=16)
def _cldr(locale: str) -> Locale:
    """Babel's locale for ``locale`` (``de-DE``), or the error a trainer reads."""
    from babel import Locale

    try:
        known_locale(locale)
    except ValueError as error:
        raise IpskitError(f"{SETTINGS_FILE}: locale: {error}") from None
    return Locale.parse(locale.replace("-", "_"))
