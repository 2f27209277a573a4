"""The figures a funder asks for: courses run, people, hours, certificates, follow-ups.

Counts only: nothing here holds a name or a participant id, so a report can be sent to
anyone. A course belongs to the period in which its **first session** falls, and
everything about it is counted with it, even what happened after the period ends (its
later sessions, certificates and follow-ups): a course is never split between two
reports, and two reports for adjoining periods add up.

A course whose first session is still to come is *planned*: it is counted as such and
nothing else about it is. A course that has started but not finished is counted with
what has happened so far.

A course is *run* once anyone has attended a session of it (marked present or late, or
a session made up). One with no attendance whose sessions are still to come is counted
as planned (its first evening may not be marked yet); one whose sessions are all over
with no one ever attending was never run (a cohort made by mistake or as a test, or a
course cancelled) and is not counted at all, only said to be left out. Archived cohorts
count like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ipskit.cohorts.cohort import Cohort, all_cohorts
from ipskit.cohorts.evaluations import QuestionFigures
from ipskit.cohorts.followups import PointFigures
from ipskit.cohorts.ratings import MIN_PEOPLE
from ipskit.cohorts.records import Records
from ipskit.cohorts.status import held_numbers
from ipskit.core.dateformat import plain_date
from ipskit.core.errors import IpskitError
from ipskit.core.locales import DEFAULT
from ipskit.workspace import Workspace


@dataclass
class Line:
    """The figures for one curriculum, or for all of them together."""

    curriculum: str
    title: str
    courses_run: int = 0
    courses_running: int = 0  # of those run, the ones whose last session is still to come
    courses_planned: int = 0
    booked: int = 0  # everyone on the roster of a course run
    started: int = 0  # of those, everyone who attended at least one session
    completed: int = 0
    withdrawn: int = 0  # of those who started, the ones who withdrew
    contact_minutes: int = 0
    participant_minutes: int = 0
    meetings_held: int = 0
    certified: int = 0  # people issued a certificate, however many times
    certified_valid: int = 0  # of those, people whose certificate is valid now
    certified_revoked: int = 0  # of those, people whose certificate was revoked
    reissues: int = 0  # certificates issued again in place of one (a corrected name)
    followups: list[PointFigures] = field(default_factory=list)

    @property
    def not_attended(self) -> int:
        """People booked on a course run who never attended a session of it."""
        return self.booked - self.started

    @property
    def completion_percent(self) -> float | None:
        """Of the people who started, the share who completed, to one decimal."""
        return round(100 * self.completed / self.started, 1) if self.started else None

    def add(self, other: Line) -> None:
        """Add another line's counts to this one (not its follow-ups)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTS = (
    "courses_run", "courses_running", "courses_planned", "booked", "started", "completed",
    "withdrawn", "contact_minutes", "participant_minutes", "meetings_held", "certified",
    "certified_valid", "certified_revoked", "reissues",
)  # fmt: skip


@dataclass
class EvaluationLine:
    """The end-of-course evaluations of one curriculum's courses, added together."""

    curriculum: str
    title: str
    courses: int  # the courses with any response
    responses: int
    questions: list[QuestionFigures]


@dataclass
class Report:
    """A report over the courses that started in a period."""

    organisation: str
    start: date | None  # None: from the first course
    end: date | None  # None: up to the last (planned courses included)
    today: date
    lines: list[Line]  # one per curriculum, by id
    total: Line
    followups: list[PointFigures]  # over every course run
    not_counted: int = 0  # courses in the period that are over with no one ever attending
    locale: str = DEFAULT  # the workspace's, for the dates the report prints
    #: One for each curriculum with evaluation responses in courses run, by id.
    evaluations: list[EvaluationLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """'Training delivered, 1 April 2026 to 31 March 2027'."""
        return self.heading_with(" ")

    def heading_with(self, space: str) -> str:
        """The heading, with ``space`` between the parts of each date."""

        def day(value: date) -> str:
            return plain_date(value, self.locale).replace(" ", space)

        if self.start and self.end:
            return f"Training delivered, {day(self.start)} to {day(self.end)}"
        if self.start:
            return f"Training delivered since {day(self.start)}"
        if self.end:
            return f"Training delivered up to {day(self.end)}"
        return "Training delivered, all courses"

    @property
    def period(self) -> str:
        """Which courses are counted: 'Courses that started from 1 April 2026 to ...'."""
        if self.start and self.end:
            return (
                f"Courses that started from {plain_date(self.start, self.locale)}"
                f" to {plain_date(self.end, self.locale)}"
            )
        if self.start:
            return f"Courses that started from {plain_date(self.start, self.locale)}"
        if self.end:
            return f"Courses that started up to {plain_date(self.end, self.locale)}"
        return "Courses that started at any time"

    @property
    def counted_on(self) -> str:
        """The day the figures were counted: '2 December 2026'."""
        return plain_date(self.today, self.locale)


def in_period(cohort: Cohort, start: date | None, end: date | None) -> bool:
    """Whether a course's first session falls in the period (both ends included)."""
    first = cohort.settings.sessions[0].date
    return (start is None or first >= start) and (end is None or first <= end)


def build_report(
    workspace: Workspace, *, start: date | None = None, end: date | None = None, today: date
) -> Report:
    """Count every course of the workspace that started in the period, by curriculum."""
    from ipskit.cohorts.followups import figures

    if start and end and start > end:
        raise IpskitError(f"the period ends ({end}) before it starts ({start})")
    cohorts = all_cohorts(workspace.cohorts_dir)
    if not cohorts:
        raise IpskitError(
            "no cohorts in this workspace yet, so nothing to report:"
            " start one with 'ipskit new-cohort'"
        )
    chosen = [c for c in cohorts if in_period(c, start, end)]
    groups: dict[str, list[Cohort]] = {}
    for cohort in sorted(chosen, key=lambda c: (c.settings.sessions[0].date, c.id)):
        groups.setdefault(cohort.settings.curriculum, []).append(cohort)
    total = Line("total", "All courses")
    lines = []
    run: list[Cohort] = []
    evaluations = []
    not_counted = 0
    for curriculum in sorted(groups):
        members = groups[curriculum]
        # The newest course's title: a curriculum retitled since still reads as it is now.
        line = Line(curriculum, members[-1].settings.curriculum_title)
        begun = []
        answered: list[tuple[Cohort, list[dict[str, int]]]] = []
        for cohort in members:
            if cohort.settings.sessions[0].date > today:
                line.courses_planned += 1
                continue
            records = Records.load(cohort)
            if anyone_attended(records):
                begun.append(cohort)
                line.add(course_line(cohort, today, records))
                if records.responses:
                    answered.append((cohort, list(records.responses.values())))
            elif cohort.settings.sessions[-1].date >= today:
                line.courses_planned += 1
            else:
                not_counted += 1
        line.followups = figures(begun, today)
        if answered:
            evaluations.append(evaluation_line(line, answered))
        run += begun
        if begun or line.courses_planned:
            total.add(line)
            lines.append(line)
    followups = figures(run, today)
    total.followups = followups
    return Report(workspace.settings.organisation.name, start, end, today, lines, total,
                  followups, not_counted, workspace.settings.locale, evaluations)  # fmt: skip


def evaluation_line(
    line: Line, answered: list[tuple[Cohort, list[dict[str, int]]]]
) -> EvaluationLine:
    """One curriculum's evaluation responses added together, question by question.

    The questions are those of each course's own copy of the curriculum, in the newest
    course's words and order (with any an older course asked and it does not after).
    Small numbers are hidden in the sum, as in each course's own figures.
    """
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.cohorts.evaluations import questions_of, summary

    questions: dict[str, str] = {}
    read: dict[bytes, dict[str, str]] = {}  # courses of a curriculum mostly share its words
    for cohort, _ in reversed(answered):  # newest first: its words win
        copy = cohort.file(CURRICULUM_FILE).read_bytes()
        if copy not in read:
            read[copy] = questions_of(cohort)
        for question, text in read[copy].items():
            questions.setdefault(question, text)
    responses = [answers for _, kept in answered for answers in kept]
    return EvaluationLine(line.curriculum, line.title, len(answered), len(responses),
                          summary(responses, list(questions.items())))  # fmt: skip


def anyone_attended(records: Records) -> bool:
    """Whether anyone was ever marked present or late, or made a session up."""
    return any(m.status in ("present", "late") or m.made_up for m in records.marks.values())


def course_line(cohort: Cohort, today: date, records: Records | None = None) -> Line:
    """The counts of one course that has started."""
    from ipskit.cohorts.certificate_register import REGISTER_FILE, current, read_register
    from ipskit.cohorts.eligibility import completers, outcome_of

    settings = cohort.settings
    records = records or Records.load(cohort)
    line = Line(settings.curriculum, settings.curriculum_title, courses_run=1)
    line.courses_running = int(settings.sessions[-1].date > today)
    sessions = {s.number for s in settings.sessions}
    came = {m.participant for m in records.marks.values()
            if m.session in sessions and (m.status in ("present", "late") or m.made_up)}
    # Someone who completed came, whatever the marks say (rules that ask for no session).
    completed = completers(cohort, records)
    started = [p for p in records.roster if p.id in came or p.id in completed]
    line.booked = len(records.roster)
    line.started = len(started)
    line.completed = len(completed)
    line.withdrawn = sum(1 for p in started if p.status == "withdrawn")
    held = held_numbers(cohort, records, today)
    minutes = {s.number: s.contact_minutes for s in settings.sessions}
    line.contact_minutes = sum(m for number, m in minutes.items() if number in held)
    line.participant_minutes = sum(
        minutes[mark.session]
        for mark in records.marks.values()
        if mark.session in minutes and outcome_of(settings.rules, mark) == "attended"
    )
    line.meetings_held = sum(1 for m in settings.meetings if m.number in held)
    entries = read_register(cohort.file(REGISTER_FILE))
    issued = {e.code: e.participant for e in entries if e.status == "issued"}
    people = set(issued.values())
    valid = {e.participant for e in current(entries).values() if e.status == "issued"}
    line.certified = len(people)
    line.certified_valid = len(valid)
    line.certified_revoked = len(people - valid)
    line.reissues = len(issued) - len(people)
    return line


# --- for scripts and spreadsheets --------------------------------------------------------


def hours(minutes: int) -> float:
    """Minutes as hours, to two decimals: 1350 → 22.5."""
    return round(minutes / 60, 2)


def line_figures(line: Line) -> dict[str, Any]:
    """A line's counts by name, the same names in JSON and CSV."""
    return {
        "courses_run": line.courses_run,
        "courses_running": line.courses_running,
        "courses_planned": line.courses_planned,
        "booked": line.booked,
        "started": line.started,
        "booked_did_not_attend": line.not_attended,
        "completed": line.completed,
        "completion_percent": line.completion_percent,
        "withdrawn": line.withdrawn,
        "contact_hours": hours(line.contact_minutes),
        "participant_hours": hours(line.participant_minutes),
        "support_group_meetings_held": line.meetings_held,
        "people_certified": line.certified,
        "certified_valid_now": line.certified_valid,
        "certified_revoked": line.certified_revoked,
        "certificates_reissued": line.reissues,
    }


FOLLOWUP_FIELDS = ("asked", "reached", "using_skills", "trained_others", "people_trained")


def point_figures(point: PointFigures) -> dict[str, Any]:
    """One follow-up point's figures by name."""
    from ipskit.cohorts.followups import point_label

    return {
        "point": point.point,
        "label": point_label(point.point),
        "courses": point.cohorts,
        "asked": point.completed,
        "reached": point.reached,
        "using_skills": point.using_skills,
        "using_skills_percent": point.using_percent,
        "trained_others": point.trained_others,
        "people_trained": point.people_trained,
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain data: a structure scripts can rely on."""
    evaluated = {e.curriculum: e for e in report.evaluations}
    return {
        "organisation": report.organisation,
        "period": {
            "from": report.start.isoformat() if report.start else None,
            "to": report.end.isoformat() if report.end else None,
            "description": report.period,
            "rule": "a course counts in the period when its first session falls in it",
        },
        "generated": report.today.isoformat(),
        "courses": [
            {
                "curriculum": line.curriculum,
                "title": line.title,
                **line_figures(line),
                "followups": [point_figures(p) for p in line.followups],
                "evaluation": evaluation_json(evaluated.get(line.curriculum)),
            }
            for line in report.lines
        ],  # fmt: skip
        "totals": line_figures(report.total),
        "followups": [point_figures(p) for p in report.followups],
        "not_counted": report.not_counted,
    }


def evaluation_json(line: EvaluationLine | None) -> dict[str, Any] | None:
    """One curriculum's evaluation figures by name; None where no one has answered."""
    from ipskit.cohorts.evaluations import figures_json

    if line is None:
        return None
    return {"courses": line.courses, "responses": line.responses,
            "questions": [figures_json(q) for q in line.questions]}  # fmt: skip


def csv_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """One row per curriculum and a ``total`` row, follow-ups as columns per point.

    One rectangular table sorts, filters and charts in a spreadsheet; two tables in one
    file do not. A point a curriculum never reached leaves its cells empty.
    """
    points = [p.point for p in report.followups]
    names = list(line_figures(report.total))
    header = ["curriculum", "title", *names,
              *(f"followup_{p}_{name}" for p in points for name in FOLLOWUP_FIELDS)]  # fmt: skip
    evaluated = {e.curriculum: e for e in report.evaluations}
    questions = list(dict.fromkeys(q.question for e in report.evaluations for q in e.questions))
    if evaluated:
        header += ["evaluation_responses",
                   *(f"evaluation_{q}_{name}" for q in questions for name in EVALUATION_FIELDS)]
    rows = []
    for line in [*report.lines, report.total]:
        figures = line_figures(line)
        cells = [line.curriculum, line.title, *(_cell(figures[n]) for n in names)]
        by_point = {p.point: point_figures(p) for p in line.followups}
        for point in points:
            found = by_point.get(point)
            cells += [_cell(found[name]) if found else "" for name in FOLLOWUP_FIELDS]
        if evaluated:
            cells += _evaluation_cells(report, evaluated.get(line.curriculum), line, questions)
        rows.append(cells)
    return header, rows


#: The columns of each evaluation question in the CSV export.
EVALUATION_FIELDS = ("answers", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "average")


def _evaluation_cells(report: Report, found: EvaluationLine | None, line: Line,
                      questions: list[str]) -> list[str]:  # fmt: skip
    """A row's evaluation cells; the total row has only the number of responses.

    Each curriculum has its own form, so question figures are not added across them.
    """
    if line is report.total:
        responses = sum(e.responses for e in report.evaluations)
        return [str(responses), *([""] * len(questions) * len(EVALUATION_FIELDS))]
    if found is None:
        return [""] * (1 + len(questions) * len(EVALUATION_FIELDS))
    cells = [str(found.responses)]
    by_id = {q.question: q for q in found.questions}
    for question in questions:
        row = by_id.get(question)
        if row is None:
            cells += [""] * len(EVALUATION_FIELDS)
            continue
        counts = [str(n) for n in row.counts] if row.counts else [""] * 5
        cells += [str(row.answers), *counts, _cell(row.average)]
    return cells


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def notes(report: Report) -> list[str]:
    """How the figures were counted, in plain words, for the foot of the report."""
    total = report.total
    found = [
        "Counts only: this report holds no names or other details about anyone.",
        "A course counts in the period when its first session falls in it; everything about"
        " that course (its people, hours, certificates and follow-ups) is counted with it,"
        " even where it happened after the period.",
        "Booked: everyone on the roster of a course run, including people whose details"
        " were erased on request. Started: of those, everyone who attended at least one"
        " session; the others are counted as booked, did not attend. Completed: people"
        " who met the course's completion rules; the completion rate is completed out of"
        " started. Withdrew: people who started and then left the course.",
        "Contact hours: the contact time of each course session held. Participant hours:"
        " the contact time of each session, for each person who attended it."
        " Support-group meetings are counted, not timed.",
        "Certificates count people: those certified, however many times; of those, how"
        " many hold a valid certificate now and how many had theirs revoked. Reissued:"
        " certificates issued again in place of one (after a corrected name, for example),"
        " not counted as more people.",
        "Follow-ups: people who completed a course are asked, at each point after it,"
        " whether they use the skills and how many people they have trained since.",
    ]
    if total.courses_running:
        verb = "is" if total.courses_running == 1 else "are"
        found.append(
            f"{total.courses_running} of these courses {verb} still running: their completion"
            " figures are not final."
        )
    if total.courses_planned:
        found.append(
            f"Planned: {total.courses_planned} course{'s' if total.courses_planned != 1 else ''}"
            " in the period still to start, or started with no attendance marked yet,"
            " counted as planned only."
        )
    if report.not_counted:
        found.append(not_counted_note(report.not_counted))
    if report.evaluations:
        found.append(EVALUATION_NOTE)
    return found


#: How the evaluation figures were counted, for the foot of a report that has any.
EVALUATION_NOTE = (
    "Evaluations: at the end of a course, people rate each statement of an anonymous form"
    " from 1 (not at all) to 5 (very much); the figures add up the forms of every course"
    f" of a curriculum. Where fewer than {MIN_PEOPLE} people answered a statement, neither"
    " the counts of each rating nor the average is shown (–), so that no one's own answer"
    " can be read from them."
)


def not_counted_note(count: int) -> str:
    """Why some cohorts of the period are left out of the figures."""
    courses = f"{count} course{'s' if count != 1 else ''}"
    return (
        f"Not counted: {courses} in the period whose sessions are over with no one marked"
        " as attending (made by mistake, as a test, or cancelled)."
    )


def default_name(start: date | None, end: date | None) -> str:
    """``report-2026-04-01-2027-03-31.pdf``; ``report.pdf`` for all time."""
    parts = []
    if start:
        parts.append(start.isoformat() if end else f"from-{start.isoformat()}")
    if end:
        parts.append(end.isoformat() if start else f"to-{end.isoformat()}")
    return "-".join(["report", *parts]) + ".pdf"
