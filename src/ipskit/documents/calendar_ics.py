"""A cohort's sessions as an iCalendar file (RFC 5545) that calendar applications import.

The file is a pure function of the cohort's settings, the workspace's time zone and the
organisation's name: exporting twice gives the same bytes, and each session keeps its
UID, so importing the file again updates the events rather than adding copies. Only
``cohort.yaml`` is read: the roster never is, so no participant's name can reach a
calendar that others may see.

Times are local wall-clock times in the workspace's time zone (``timezone`` in
``ipskit.yaml``), written as ``DTSTART;TZID=Europe/London:20270303T183000`` with a
``VTIMEZONE`` built from Python's own time-zone data, so that every application, even
one that does not know the zone's name, places the sessions at the right moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from ipskit.cohorts.cohort_file import SETTINGS_FILE

if TYPE_CHECKING:
    from ipskit.cohorts.cohort import Cohort
    from ipskit.courses.meetings import Meeting

PRODID = "-//ipskit//ipskit calendar export//EN"
MAX_OCTETS = 75  # a content line's length, CRLF not counted (RFC 5545 §3.1)


def cohort_calendar(cohort: Cohort, timezone: str, organisation: str) -> str:
    """The cohort's sessions and follow-on meetings as the text of an ``.ics`` file."""
    settings = cohort.settings
    zone = ZoneInfo(timezone)
    everything = cohort.everything
    # Not "now", which would change every export: the day the cohort was created.
    stamp = f"{settings.created:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(f'{settings.curriculum_title} ({cohort.id})')}",
        f"X-WR-TIMEZONE:{escape(timezone)}",
    ]
    first = min(m.date for m in everything)
    last = max(m.date for m in everything)
    lines += timezone_lines(timezone, zone, first.year, last.year)
    org_tag = hashlib.sha256(organisation.encode("utf-8")).hexdigest()[:8]
    edited = datetime.fromtimestamp(int(cohort.file(SETTINGS_FILE).stat().st_mtime), UTC).replace(
        tzinfo=None
    )
    created = datetime.combine(settings.created, time(0, 0))
    sequence = max(0, int((edited - created).total_seconds()))
    from ipskit.cohorts.cascade import trainer_names

    trainers = trainer_names(cohort)
    for meeting in everything:
        lines += _event_lines(
            cohort, meeting, timezone, organisation, org_tag, stamp, edited, sequence, trainers
        )
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _event_lines(
    cohort: Cohort,
    meeting: Meeting,
    timezone: str,
    organisation: str,
    org_tag: str,
    stamp: str,
    edited: datetime,
    sequence: int,
    trainers: list[str],
) -> list[str]:
    settings = cohort.settings
    if meeting.follow_on:
        summary = meeting.title
        what = f"{meeting.title}, after the course {settings.curriculum_title}"
    else:
        summary = f"{settings.curriculum_title}: session {meeting.number}, {meeting.title}"
        what = f"Session {meeting.number} of {settings.curriculum_title}: {meeting.title}"
    about = [what, f"Run by {organisation}"]
    if trainers:  # staff, listed in cohort.yaml; participants never appear
        about.append(f"Trainers: {', '.join(trainers)}")
    about.append(f"Cohort: {cohort.id}")
    tzid = param(timezone)
    start = datetime.combine(meeting.date, meeting.start)
    end = datetime.combine(meeting.date, meeting.end)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{cohort.id}.{meeting.id}.{org_tag}@ipskit",
        f"DTSTAMP:{stamp}",
        # Calendar applications take a copy with a higher SEQUENCE as a newer version of
        # an event they hold. It must stay the same on every export (no counter, no clock)
        # and rise whenever the schedule is edited: so it counts the seconds from the
        # cohort's creation to the last change of cohort.yaml, which LAST-MODIFIED gives.
        f"LAST-MODIFIED:{edited:%Y%m%dT%H%M%SZ}",
        f"SEQUENCE:{sequence}",
        f"DTSTART;TZID={tzid}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={tzid}:{end:%Y%m%dT%H%M%S}",
        f"SUMMARY:{escape(summary)}",
    ]
    if settings.venue:
        lines.append(f"LOCATION:{escape(settings.venue)}")
    lines += [
        f"DESCRIPTION:{escape(chr(10).join(about))}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


# --- VTIMEZONE -------------------------------------------------------------------------------


class _State(NamedTuple):
    offset: timedelta
    dst: timedelta
    name: str


def _state(zone: ZoneInfo, instant: datetime) -> _State:
    local = instant.astimezone(zone)
    return _State(local.utcoffset() or timedelta(0), local.dst() or timedelta(0),
                  local.tzname() or "")  # fmt: skip


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every UTC instant in [start, end) at which the zone's offset, DST or name changes.

    zoneinfo does not list its transitions, so they are found by stepping through the
    period six hours at a time and bisecting to the second wherever the state differs.
    """
    step = timedelta(hours=6)
    here = start
    while here < end:
        before = _state(zone, here)
        ahead = min(here + step, end)
        if _state(zone, ahead) == before:
            here = ahead
            continue
        low, high = 0, int((ahead - here).total_seconds())  # seconds after here
        while high - low > 1:  # the state is before's at low, not at high
            middle = (low + high) // 2
            if _state(zone, here + timedelta(seconds=middle)) == before:
                low = middle
            else:
                high = middle
        change = here + timedelta(seconds=high)
        if change < end:
            yield change
        here = change


def timezone_lines(name: str, zone: ZoneInfo, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for the zone from 1 January of first_year to the end of last_year.

    It opens with the observance in force at the start of that period, then has one
    sub-component per transition within it, each with its own DTSTART (the local time
    just before the change, as RFC 5545 asks) rather than a rule, so that it says
    exactly what Python's time-zone data says. A zone without daylight saving gets a
    single STANDARD.
    """
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    opening = _state(zone, start)
    changes = [(at, _state(zone, at - timedelta(seconds=1)), _state(zone, at))
               for at in transitions(zone, start, end)]  # fmt: skip
    states = [opening, *(after for _, _, after in changes)]
    # Where the zone's data uses negative daylight saving (Europe/Dublin's winter GMT),
    # call the lower offset standard, as calendar applications expect.
    negative = any(s.dst < timedelta(0) for s in states)
    lowest = min(s.offset for s in states)

    def kind(state: _State) -> str:
        daylight = state.offset > lowest if negative else state.dst > timedelta(0)
        return "DAYLIGHT" if daylight else "STANDARD"

    def observance(local: datetime, before: _State, after: _State) -> list[str]:
        return [
            f"BEGIN:{kind(after)}",
            f"DTSTART:{local:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(before.offset)}",
            f"TZOFFSETTO:{_offset(after.offset)}",
            *([f"TZNAME:{escape(after.name)}"] if after.name else []),
            f"END:{kind(after)}",
        ]

    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    begin = (start + opening.offset).replace(tzinfo=None)
    lines += observance(begin, opening, opening)
    for at, before, after in changes:
        lines += observance((at + before.offset).replace(tzinfo=None), before, after)
    lines.append("END:VTIMEZONE")
    return lines


def _offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


# --- Content lines ----------------------------------------------------------------------------


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped; controls dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch if ch in "\n\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F) else " "
                   for ch in text)  # fmt: skip
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param(value: str) -> str:
    """A parameter value, quoted where it holds a colon, semicolon or comma."""
    value = value.replace('"', "")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def fold(line: str) -> str:
    """A content line folded so that no physical line exceeds 75 octets (RFC 5545 §3.1).

    Breaks fall between characters, never inside one's UTF-8 bytes, nor (to be kind to
    simple readers) between a backslash and the character it escapes; each continuation
    starts with a space, which counts towards its 75.
    """
    units: list[str] = []  # characters, with each escape sequence kept whole
    escaped = False
    for ch in line:
        if escaped:
            units[-1] += ch
            escaped = False
        else:
            units.append(ch)
            escaped = ch == "\\"
    pieces: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for unit in units:
        octets = len(unit.encode("utf-8"))
        if size + octets > limit:
            pieces.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += unit
        size += octets
    pieces.append(current)
    return "\r\n ".join(pieces)
