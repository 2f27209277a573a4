"""Dating a course: when each session and follow-on meeting of a cohort takes place."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from ipskit.cohort import Meeting
from ipskit.curriculum import Curriculum, Daily, Offsets, SessionBase, Weekly
from ipskit.errors import IpskitError


def _end(start: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)
    if moment.date() != date(2000, 1, 1):
        raise IpskitError(f"a session starting at {start:%H:%M} would run past midnight")
    return moment.time()


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    """The dates of the meetings after the course; a skipped date moves one a week on."""
    follow = curriculum.follow_on
    if follow is None:
        return []
    skipped = set(skip)
    first = last + timedelta(days=follow.first_after_days)
    dates = []
    for index in range(follow.count):
        if follow.every == "month":
            day = _add_months(first, index)
        else:
            day = first + timedelta(weeks=index * (1 if follow.every == "week" else 2))
        while day in skipped:
            day += timedelta(weeks=1)
        dates.append(day)
    return dates


def plan(
    curriculum: Curriculum,
    start: date,
    *,
    start_time: time | None = None,
    skip: Iterable[date] = (),
) -> list[Meeting]:
    """Every session and follow-on meeting of a new cohort, numbered from 1."""
    from ipskit.curriculum import start_time as clock

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
