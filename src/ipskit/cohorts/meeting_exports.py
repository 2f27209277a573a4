"""Attendance reports downloaded from Zoom or Microsoft Teams: who was there, and how long.

Three kinds of report are read:

- Zoom's participants report (CSV), with or without the meeting summary before it;
  a person who left and rejoined has one row per visit, and rows for the waiting room
  do not count.
- Teams' attendance report, sections "1. Summary", "2. Participants" and
  "3. In-Meeting Activities"; section 2 already holds each person's total, otherwise
  the visits in section 3 are added up.
- Teams' older attendance list: one "Joined" or "Left" row per event, with a timestamp.

A person's rows are grouped by email where the report has one, otherwise by name
(ignoring case and spacing), with the clock time of their first join where the report
gives one, and whether they hosted the meeting: Zoom's "(Host)" or "(Co-host)" after a
name or the host's email in the meeting summary, Teams' "Organizer" role. Matching
people to the course roster happens elsewhere.
Only the standard library is used: this runs on the command line's quick path.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Literal

from ipskit.core.csvio import restore
from ipskit.core.errors import FileProblemsError, NotFoundError


@dataclass(frozen=True)
class ReportAttendee:
    """One person in an attendance report, with their time summed over every visit."""

    name: str
    email: str
    minutes: float
    line: int
    joined: time | None = None  # the clock time of the first join, where the report has it
    host: bool = False


@dataclass(frozen=True)
class MeetingReport:
    """The people in an attendance report, in order of first appearance."""

    source: Literal["zoom", "teams"]
    attendees: tuple[ReportAttendee, ...]


def read_meeting_report(path: Path) -> MeetingReport:
    """The attendees of a Zoom or Teams attendance report, or an error naming file and line.

    Raises :class:`NotFoundError` if there is no such file and :class:`FileProblemsError`
    for a file that cannot be read as an attendance report.
    """
    path = Path(path)
    text = _decode(path, _read(path))
    if not text.strip():
        raise _problem(path, 1, "the file is empty")
    delimiter = _delimiter(text)
    tables = _tables(_rows(path, text, delimiter)) if delimiter else []
    if not delimiter or not tables:
        raise _problem(path, 1, _NOT_A_REPORT)
    # Teams' per-person totals beat its list of visits, which beats the event log.
    columns, body = min(tables, key=lambda table: _PRIORITY[table[0].kind])
    tally = _Tally(*_zoom_host(_rows(path, text, delimiter)))
    if columns.kind == "log":
        _add_events(path, columns, body, tally)
    else:
        _add_durations(path, columns, body, tally)
    return MeetingReport(
        source="zoom" if columns.kind == "zoom" else "teams", attendees=tally.attendees()
    )


_NOT_A_REPORT = "not a Zoom or Teams attendance report (no column with names and durations)"

_Kind = Literal["zoom", "total", "visits", "log"]
_PRIORITY: dict[_Kind, int] = {"total": 0, "visits": 1, "log": 2, "zoom": 3}

_NAME_LABELS = ("name (original name)", "participant", "name", "full name")
_EMAIL_LABELS = ("user email", "email")
_ZOOM_DURATION_LABELS = ("duration (minutes)", "total duration (minutes)")

# Lines that open a section of a Teams report rather than holding a person.
_HEADING = re.compile(
    r"^\d+\.\s+\S|^(?:meeting summary|summary|participants|in-meeting activities)$",
    re.IGNORECASE,
)

# Digits are bounded so that a duration is a finite number a meeting could last: a
# thousand digits would read as infinity, or be refused by int() with an internal error.
_ZOOM_MINUTES = re.compile(r"^\d{1,6}(?:[.,]\d{1,6})?$")
_HMS_UNITS = re.compile(
    r"^(?:(\d{1,4})\s*h)?\s*(?:(\d{1,6})\s*m(?:in)?)?\s*(?:(\d{1,7}(?:\.\d{1,6})?)\s*s)?$",
    re.IGNORECASE,
)
_HMS_CLOCK = re.compile(r"^(\d{1,4}):(\d{2}):(\d{2})$")
_STAMP = re.compile(
    r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:,\s*|\s+|T)"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?$"
)

# C0 controls other than tab and line ends never occur in a text report.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"

_Row = tuple[int, list[str]]


@dataclass(frozen=True)
class _Columns:
    kind: _Kind
    width: int
    name: int
    email: int | None = None
    duration: int = -1
    waiting: int | None = None
    action: int = -1
    stamp: int = -1
    joined: int | None = None
    role: int | None = None


@dataclass(eq=False)
class _Person:
    name: str
    email: str
    line: int
    seconds: float = 0.0
    joined: time | None = None
    host: bool = False

    def join(self, when: time | None) -> None:
        if when is not None and (self.joined is None or when < self.joined):
            self.joined = when


class _Tally:
    def __init__(self, host_email: str = "", host_name: str = "") -> None:
        self._people: dict[str, _Person] = {}
        self._host_email = host_email.casefold()
        self._host_name = _key(host_name) if host_name else ""

    def person(self, line: int, name: str, email: str) -> _Person:
        key = "email:" + email.casefold() if email else "name:" + _key(name)
        if key not in self._people:
            self._people[key] = _Person(name, email, line)
        person = self._people[key]
        if (email and email.casefold() == self._host_email) or _key(name) == self._host_name:
            person.host = True
        elif _HOST_SUFFIX.search(name):
            person.host = True
        return person

    def attendees(self) -> tuple[ReportAttendee, ...]:
        return tuple(
            ReportAttendee(p.name, p.email, round(p.seconds / 60, 1), p.line, p.joined, p.host)
            for p in self._people.values()
        )


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


# Zoom writes the host's and co-hosts' role after their name in some exports.
_HOST_SUFFIX = re.compile(r"\((?:co-?\s?)?host\)\s*$", re.IGNORECASE)
# The clock time at the end of a join stamp, whatever form the date before it takes.
_CLOCK = re.compile(r"(?:^|[\sT,])(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?$")


def _clock(value: str) -> time | None:
    """The clock time a join stamp ends with; None where there is none to read.

    Only the time of day is wanted (to see who joined late), so a date written day or
    month first, or with the month's name, does not matter.
    """
    found = _CLOCK.search(value.strip())
    if found is None:
        return None
    hour, minute, second, half = found.groups()
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half in "Pp" else 0)
    if hours > 23 or int(minute) > 59 or int(second or 0) > 59:
        return None
    return time(hours, int(minute), int(second or 0))


def _zoom_host(rows: list[_Row]) -> tuple[str, str]:
    """The host's email and name from a Zoom report's meeting summary, where it has one.

    Older summaries give the host's email as "User Email"; newer ones a "Host" column.
    """
    for (_, header), (_, values) in zip(rows, rows[1:], strict=False):
        labels = [_label(cell) for cell in header]
        if "topic" not in labels or _columns(header) is not None:
            continue
        found = dict(zip(labels, values, strict=False))
        email = found.get("user email") or found.get("host email") or ""
        name = found.get("host") or found.get("host name") or ""
        return email, name
    return "", ""


def _problem(path: Path, line: int, what: str) -> FileProblemsError:
    return FileProblemsError([f"{path}:{line}: {what}"])


def _shown(value: str) -> str:
    """A cell quoted in a message: short, so a shifted row cannot spill a whole line."""
    return value if len(value) <= 30 else value[:29] + "…"


#: A report of a thousand people's visits is well under a megabyte.
MAX_BYTES = 20 * 1024 * 1024


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FileProblemsError(
                [f"{path}: the file is over {MAX_BYTES // 2**20} MB, too big for a meeting report"]
            )
        return data
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileProblemsError([f"{path}: a folder, not a report file"]) from None
    except PermissionError:
        raise FileProblemsError([f"{path}: not allowed to read this file"]) from None
    except OSError as error:
        raise FileProblemsError([f"{path}: cannot be read ({error.strerror})"]) from None


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((_ZIP, _OLE)):
        raise _problem(path, 1, "a spreadsheet or other binary file: download the report as CSV")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            line = data[: error.start].decode("utf-16", "replace").count("\n") + 1
            raise _problem(path, line, "not valid UTF-16 text (is the file cut short?)") from None
    elif data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start + len(codecs.BOM_UTF8)].count(b"\n") + 1
            raise _problem(path, line, "not valid UTF-8 text") from None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Reports opened and re-saved in Excel on Windows come out in Windows-1252.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                line = data[: error.start].count(b"\n") + 1
                raise _problem(
                    path, line, "not text in UTF-8, UTF-16 or Windows-1252: save it as CSV UTF-8"
                ) from None
    if _BINARY.search(text):
        raise _problem(path, 1, "not a text file: download the report as CSV")
    return text


def _clean(cell: str) -> str:
    return restore(cell.strip()).strip()


def _label(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).casefold()


def _columns(cells: Sequence[str]) -> _Columns | None:
    """What a header row says about the rows below it, or None if it is not a header."""
    labels = [_label(cell) for cell in cells]

    def find(*wanted: str) -> int | None:
        return next((i for i, label in enumerate(labels) if label in wanted), None)

    name = find(*_NAME_LABELS)
    if name is None:
        return None
    width = max(i for i, label in enumerate(labels) if label) + 1
    email = find(*_EMAIL_LABELS)
    role = find("role")
    if (duration := find(*_ZOOM_DURATION_LABELS)) is not None:
        waiting = find("in waiting room")
        return _Columns("zoom", width, name, email, duration=duration, waiting=waiting,
                        joined=find("join time"))  # fmt: skip
    if (duration := find("in-meeting duration")) is not None:
        return _Columns("total", width, name, email, duration=duration,
                        joined=find("first join"), role=role)  # fmt: skip
    if (duration := find("duration")) is not None:
        return _Columns("visits", width, name, email, duration=duration,
                        joined=find("join time"), role=role)  # fmt: skip
    action, stamp = find("user action"), find("timestamp")
    if action is not None and stamp is not None:
        return _Columns("log", width, name, email, action=action, stamp=stamp)
    return None


def _delimiter(text: str) -> str | None:
    """The separator that makes some line a header we know, or None if none does."""
    for line in text.splitlines():
        for delimiter in ("\t", ";", ","):
            if delimiter not in line:
                continue
            try:
                cells = next(csv.reader([line], delimiter=delimiter))
            except csv.Error:
                continue
            if _columns([_clean(cell) for cell in cells]) is not None:
                return delimiter
    return None


def _rows(path: Path, text: str, delimiter: str) -> list[_Row]:
    """Every row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[_Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [_clean(cell) for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise _problem(path, start, f"not valid CSV: {error}") from None
    return rows


def _tables(rows: list[_Row]) -> list[tuple[_Columns, list[_Row]]]:
    """Each header we know with the non-blank rows under it, up to the next section."""
    tables: list[tuple[_Columns, list[_Row]]] = []
    body: list[_Row] | None = None
    for line, cells in rows:
        columns = _columns(cells)
        if columns is not None:
            body = []
            tables.append((columns, body))
        elif _HEADING.match(cells[0] if cells else "") and not any(cells[1:]):
            body = None
        elif body is not None and any(cells):
            body.append((line, cells))
    return tables


def _check_width(path: Path, line: int, cells: list[str], width: int) -> None:
    found = len(cells)
    # Some exports end every line with a separator: empty trailing cells are harmless.
    while found > width and not cells[found - 1]:
        found -= 1
    if found > width:
        raise _problem(path, line, f"expected {width} cells, found {found}")
    # Others leave empty cells off the end of a line: pad, and let a missing value that
    # matters (a duration, say) be reported as missing.
    cells.extend([""] * (width - len(cells)))


def _name(path: Path, line: int, cells: list[str], columns: _Columns) -> str:
    name = cells[columns.name]
    if not name:
        raise _problem(path, line, "the name is empty")
    return name


def _add_durations(path: Path, columns: _Columns, body: list[_Row], tally: _Tally) -> None:
    for line, cells in body:
        _check_width(path, line, cells, columns.width)
        if columns.waiting is not None and cells[columns.waiting].casefold() == "yes":
            continue
        name = _name(path, line, cells, columns)
        email = cells[columns.email] if columns.email is not None else ""
        value = cells[columns.duration]
        if columns.kind == "zoom":
            seconds = _zoom_seconds(path, line, value)
        else:
            seconds = _teams_seconds(path, line, value)
        person = tally.person(line, name, email)
        person.seconds += seconds
        if columns.joined is not None:
            person.join(_clock(cells[columns.joined]))
        if columns.role is not None and cells[columns.role].casefold() == "organizer":
            person.host = True


def _zoom_seconds(path: Path, line: int, value: str) -> float:
    if not _ZOOM_MINUTES.match(value):
        raise _bad_duration(path, line, value)
    return float(value.replace(",", ".")) * 60


def _teams_seconds(path: Path, line: int, value: str) -> float:
    match = _HMS_UNITS.match(value) or _HMS_CLOCK.match(value)
    if not value or match is None:
        raise _bad_duration(path, line, value)
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def _bad_duration(path: Path, line: int, value: str) -> FileProblemsError:
    if not value:
        return _problem(path, line, "the duration is empty")
    return _problem(path, line, f"duration '{_shown(value)}' is not a length of time")


def _add_events(path: Path, columns: _Columns, body: list[_Row], tally: _Tally) -> None:
    """Pair each Joined with the same person's next Left; time still open runs to the end."""
    events: list[tuple[int, _Person, bool, re.Match[str], str]] = []
    for line, cells in body:
        _check_width(path, line, cells, columns.width)
        name = _name(path, line, cells, columns)
        action = cells[columns.action]
        if action.casefold() in ("joined", "joined before"):
            joined = True
        elif action.casefold() == "left":
            joined = False
        else:
            raise _problem(path, line, f"user action '{_shown(action)}' is not Joined or Left")
        stamp = cells[columns.stamp]
        match = _STAMP.match(stamp)
        if match is None:
            raise _bad_stamp(path, line, stamp)
        events.append((line, tally.person(line, name, ""), joined, match, stamp))
    if not events:
        return
    day_first = _day_first([match for _, _, _, match, _ in events])
    times = [_when(path, line, match, stamp, day_first) for line, _, _, match, stamp in events]
    end = max(times)
    opened: dict[_Person, datetime] = {}
    for (line, person, joined, _, _), when in zip(events, times, strict=True):
        if joined:
            person.join(when.time())
            # A second Joined while still in the meeting adds nothing: keep the earlier one.
            opened.setdefault(person, when)
        elif person in opened:
            start = opened.pop(person)
            if when < start:
                raise _problem(path, line, "left before joining: are the rows out of order?")
            person.seconds += (when - start).total_seconds()
    for person, start in opened.items():
        person.seconds += (end - start).total_seconds()


def _day_first(matches: list[re.Match[str]]) -> bool:
    """Whether dates are day/month: the report's own dates decide, day first if they can't."""
    numeric = [m for m in matches if len(m.group(1)) <= 2]
    if any(int(m.group(1)) > 12 for m in numeric):
        return True
    return not any(int(m.group(2)) > 12 for m in numeric)


def _when(path: Path, line: int, match: re.Match[str], stamp: str, day_first: bool) -> datetime:
    first, second, third, hour, minute, sec, half = match.groups()
    if len(first) == 4:
        year, month, day = int(first), int(second), int(third)
    elif len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        day, month = (int(first), int(second)) if day_first else (int(second), int(first))
    else:
        raise _bad_stamp(path, line, stamp)
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            raise _bad_stamp(path, line, stamp)
        hours = hours % 12 + (12 if half in "Pp" else 0)
    try:
        return datetime(year, month, day, hours, int(minute), int(sec or 0))
    except ValueError:
        raise _bad_stamp(path, line, stamp) from None


def _bad_stamp(path: Path, line: int, stamp: str) -> FileProblemsError:
    return _problem(path, line, f"timestamp '{_shown(stamp)}' is not a date and time")
