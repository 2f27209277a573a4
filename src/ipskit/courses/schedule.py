"""Dating a course: when each session and follow-on meeting of a cohort takes place."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from ipskit.core.errors import IpskitError
from ipskit.courses.curriculum import Curriculum, Daily, Offsets, SessionBase, Weekly
from ipskit.courses.meetings import FollowUp, Meeting, point_parts


def _end(start: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)
    if moment.date() != date(2000, 1, 1):
        raise IpskitError(f"a session starting at {start:%H:%M} would run past midnight")
    return moment.time()


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followup_points(points: Iterable[str], last_session: date) -> tuple[FollowUp, ...]:
    """Each follow-up point (9w, 12m) dated from the course's last session, in date order."""
    dated = []
    for at in points:
        count, unit = point_parts(at)
        due = (last_session + timedelta(weeks=count) if unit == "week"
               else _add_months(last_session, count))  # fmt: skip
        dated.append(FollowUp(at, due))
    return tuple(sorted(dated, key=lambda f: f.due))


def check_point(text: str) -> str:
    """A follow-up point as typed (9w, 12m, '9 weeks'), or a one-line error."""
    import re

    match = re.fullmatch(r"\s*([1-9][0-9]?)\s*(w|weeks?|m|months?)\s*", text.lower())
    if not match:
        raise IpskitError(
            f"'{text}' is not a follow-up point: give weeks or months after the course,"
            " e.g. 9w or 12m"
        )
    return f"{match[1]}{match[2][0]}"


def _same_weekday(first: date, month: date) -> date:
    """The day in ``month`` that is the same weekday and week of the month as ``first``."""
    week = (first.day - 1) // 7  # 0 for the first Tuesday, 1 for the second...
    day = month + timedelta(days=(first.weekday() - month.weekday()) % 7 + 7 * week)
    while day.month != month.month:  # no fifth Tuesday this month: the last one
        day -= timedelta(weeks=1)
    return day


def course_dates(curriculum: Curriculum, start: date, skip: Iterable[date]) -> list[date]:
    """The date of each session.

    Weekly sessions step over skipped dates (the rest move on a week); daily sessions
    step over skipped dates and, unless the curriculum allows them, weekends; sessions
    at set day offsets keep their spacing, and a skipped date moves that session and
    every later one on by a week.
    """
    skipped = set(skip)
    count = len(curriculum.sessions)
    schedule = curriculum.schedule
    if start in skipped:
        raise IpskitError(f"the start date {start} is also a date to skip")
    dates: list[date] = []
    if isinstance(schedule, Weekly):
        day = start
        while len(dates) < count:
            if day not in skipped:
                dates.append(day)
            day += timedelta(weeks=1)
    elif isinstance(schedule, Daily):
        if not schedule.weekends and start.weekday() >= 5:
            raise IpskitError(
                f"the start date {start} is a {start:%A}, and this course does not run at"
                " weekends: choose a weekday"
            )
        day = start
        while len(dates) < count:
            if day not in skipped and (schedule.weekends or day.weekday() < 5):
                dates.append(day)
            day += timedelta(days=1)
    else:
        assert isinstance(schedule, Offsets)
        shift = timedelta(0)
        for offset in schedule.day_offsets:
            day = start + timedelta(days=offset) + shift
            while day in skipped:
                shift += timedelta(weeks=1)
                day += timedelta(weeks=1)
            dates.append(day)
    return dates


def follow_on_dates(curriculum: Curriculum, last: date, skip: Iterable[date]) -> list[date]:
    """The dates of the meetings after the course; a skipped date moves one a week on.

    Monthly meetings keep to the weekday of the first, as groups do: "the second
    Tuesday of each month" (or the last, where the first fell in a month's fifth week).
    """
    follow = curriculum.follow_on
    if follow is None:
        return []
    skipped = set(skip)
    first = last + timedelta(days=follow.first_after_days)
    dates = []
    for index in range(follow.count):
        if follow.every == "month":
            day = _same_weekday(first, _add_months(first.replace(day=1), index))
        else:
            day = first + timedelta(weeks=index * (1 if follow.every == "week" else 2))
        while day in skipped:
            day += timedelta(weeks=1)
        dates.append(day)
    return dates


def date_sessions(
    curriculum: Curriculum,
    start: date,
    *,
    start_time: time | None = None,
    skip: Iterable[date] = (),
) -> list[Meeting]:
    """Every session and follow-on meeting of a new cohort, numbered from 1."""
    from ipskit.courses.curriculum import start_time as clock

    skipped = list(skip)
    begin = start_time or clock(curriculum.schedule.start_time)
    meetings = []
    dates = course_dates(curriculum, start, skipped)
    for number, (session, day) in enumerate(zip(curriculum.sessions, dates, strict=True), 1):
        meetings.append(_meeting(number, session.id, session, day, begin, follow_on=False))
    follow = curriculum.follow_on
    if follow is not None:
        follow_begin = clock(follow.start_time) if follow.start_time else begin
        for index, day in enumerate(follow_on_dates(curriculum, dates[-1], skipped), 1):
            meetings.append(
                _meeting(
                    len(meetings) + 1,
                    f"{follow.id}-{index}",
                    follow,
                    day,
                    follow_begin,
                    follow_on=True,
                    title=f"{follow.title} {index}",
                )
            )
    return meetings


def _meeting(
    number: int,
    meeting_id: str,
    session: SessionBase,
    day: date,
    begin: time,
    *,
    follow_on: bool,
    title: str | None = None,
) -> Meeting:
    return Meeting(
        number=number,
        id=meeting_id,
        title=title or session.title,
        date=day,
        start=begin,
        end=_end(begin, session.length_minutes),
        contact_minutes=session.contact_minutes,
        follow_on=follow_on,
    )
