"""A cohort's records: participants, attendance, assessments, and the history of changes.

Every change happens inside :func:`changing`, which holds the cohort's lock, reads every
record file afresh (so a file broken by hand stops the change before anything is
written), lets the caller change the records, then writes the files that changed, each
atomically, and appends what changed to ``history.csv``. History rows name participants
by id only; names live in ``roster.csv`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from ipskit import csvio, store
from ipskit.cohort import Cohort, Meeting
from ipskit.dates import parse_date
from ipskit.errors import FileProblemsError, IpskitError, NotFoundError
from ipskit.names import check_name, fold

ROSTER_FILE = "roster.csv"
ROSTER_COLUMNS = (
    "id", "name", "certificate_name", "email", "pronouns", "status", "added", "left",
)  # fmt: skip
ATTENDANCE_FILE = "attendance.csv"
ATTENDANCE_COLUMNS = ("session", "participant", "status", "made_up", "note")
ASSESSMENTS_FILE = "assessments.csv"
ASSESSMENT_COLUMNS = ("participant", "result", "date", "note")
FOLLOWUPS_FILE = "followups.csv"
FOLLOWUP_COLUMNS = ("point", "participant", "answered", "using_skills", "trained_others", "note")
RATINGS_FILE = "ratings.csv"
RATING_COLUMNS = ("stage", "participant", "competency", "rating", "date")
AGREEMENTS_FILE = "agreements.csv"
AGREEMENT_COLUMNS = ("participant", "signed")
HISTORY_FILE = "history.csv"
HISTORY_COLUMNS = ("when", "action", "session", "participant", "before", "after", "note")

MARKS = ("present", "late", "absent", "excused")
PEOPLE = ("active", "withdrawn", "erased")
RESULTS = ("passed", "not-yet")
STAGES = ("before", "after")
_COMPETENCY = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_PID = re.compile(r"^p[0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NOTE = 500


class Participant(NamedTuple):
    """Someone on the roster. Only ``name`` is required, and it may be a pseudonym."""

    id: str
    name: str
    certificate_name: str = ""
    email: str = ""
    pronouns: str = ""
    status: str = "active"
    added: date | None = None
    left: date | None = None

    @property
    def active(self) -> bool:
        """Still on the course (not withdrawn or erased)."""
        return self.status == "active"

    @property
    def name_on_certificate(self) -> str:
        """The name the person chose for their certificate."""
        return self.certificate_name or self.name


class Mark(NamedTuple):
    """One person's attendance at one session."""

    session: int
    participant: str
    status: str
    made_up: bool = False
    note: str = ""


class Assessment(NamedTuple):
    """A final assessment result."""

    participant: str
    result: str
    date: date
    note: str = ""


class Answer(NamedTuple):
    """What someone said at a follow-up: counts and yes/no, no health information."""

    point: str  # 9w, 12m
    participant: str
    answered: date
    using_skills: bool
    trained_others: int
    note: str = ""


class Rating(NamedTuple):
    """A self-rating of one competency, 1 to 5, before or after the course."""

    stage: str
    participant: str
    competency: str
    rating: int
    date: date


def check_email(text: str) -> str:
    """An email address, trimmed, or ValueError."""
    email = text.strip()
    if email and not _EMAIL.match(email):
        raise ValueError("the email address is not valid")
    return email


def check_note(text: str) -> str:
    """A short note on one line, or ValueError."""
    note = " ".join(text.split())
    if len(note) > MAX_NOTE:
        raise ValueError(f"a note can be at most {MAX_NOTE} characters")
    return note


@dataclass
class Records:
    """Everything recorded about a cohort's participants."""

    cohort: Cohort
    roster: list[Participant]
    marks: dict[tuple[int, str], Mark]
    assessments: dict[str, Assessment]
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    ratings: dict[tuple[str, str, str], Rating] = field(default_factory=dict)
    signed: dict[str, date] = field(default_factory=dict)
    history: list[list[str]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    erased: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, cohort: Cohort) -> Records:
        """Read the roster, attendance and assessments, checking every row."""
        roster = _read_roster(cohort.file(ROSTER_FILE))
        ids = {p.id for p in roster}
        numbers = {m.number for m in cohort.everything}
        marks = _read_marks(cohort.file(ATTENDANCE_FILE), ids, numbers)
        assessments = _read_assessments(cohort.file(ASSESSMENTS_FILE), ids)
        points = {f.at for f in cohort.settings.followups}
        return cls(
            cohort, roster, marks, assessments,
            answers=_read_answers(cohort.file(FOLLOWUPS_FILE), ids, points),
            ratings=_read_ratings(cohort.file(RATINGS_FILE), ids),
            signed=_read_signed(cohort.file(AGREEMENTS_FILE), ids),
        )  # fmt: skip

    def participant(self, participant_id: str) -> Participant:
        """The participant with this id."""
        for person in self.roster:
            if person.id == participant_id:
                return person
        raise NotFoundError(f"cohort {self.cohort.id} has no participant {participant_id}")

    @property
    def active(self) -> list[Participant]:
        """Participants still on the course, in roster order."""
        return [p for p in self.roster if p.active]

    def find(self, who: str, *, include_withdrawn: bool = False) -> Participant:
        """The one participant ``who`` names: an id, or part of a name.

        Matching ignores case and accents. A text that fits more than one person equally
        well is an error listing them, so nothing is guessed.
        """
        text = who.strip()
        for person in self.roster:
            if person.id == text.lower() and person.status != "erased":
                return person
        key = fold(text)
        if not key:
            raise IpskitError(f"'{who}' does not name anyone: give an id such as p01 or a name")
        people = [
            p for p in self.roster if p.active or (include_withdrawn and p.status == "withdrawn")
        ]
        names = {p.id: {fold(p.name), fold(p.certificate_name)} - {""} for p in people}
        # The closest kind of match wins: the whole name, then whole words of it ("sam"
        # is Sam Patel rather than Samira), then any part of it.
        found = (
            [p for p in people if key in names[p.id]]
            or [p for p in people if any(f" {key} " in f" {n} " for n in names[p.id])]
            or [p for p in people if any(key in n for n in names[p.id])]
        )
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError(f"no one on the roster of {self.cohort.id} matches '{who}'")
        listed = ", ".join(f"{p.id} ({p.name})" for p in found)
        raise IpskitError(f"'{who}' could be {listed}: use the id")

    def mark(self, meeting: Meeting, participant_id: str) -> Mark | None:
        """The mark one person has for a session, if recorded."""
        return self.marks.get((meeting.number, participant_id))

    # --- changing -------------------------------------------------------------------------

    def log(self, action: str, *, session: str = "", participant: str = "",
            before: str = "", after: str = "", note: str = "") -> None:  # fmt: skip
        """Note a change for ``history.csv``."""
        when = datetime.now(UTC).isoformat(timespec="seconds")
        self.history.append([when, action, session, participant, before, after, note])

    def add(self, name: str, *, certificate_name: str = "", email: str = "",
            pronouns: str = "") -> Participant:  # fmt: skip
        """Add someone with the next free id."""
        taken = [int(p.id[1:]) for p in self.roster]
        person = Participant(
            id=f"p{max(taken, default=0) + 1:02d}",
            added=date.today(),
            name=check_name(name),
            certificate_name=check_name(certificate_name, "the certificate name")
            if certificate_name.strip()
            else "",
            email=check_email(email),
            pronouns=" ".join(pronouns.split())[:40],
        )
        self.roster.append(person)
        self.changed.add(ROSTER_FILE)
        self.log("added", participant=person.id)
        return person

    def duplicate_of(self, name: str, email: str = "") -> Participant | None:
        """Someone already on the roster with this name (or email), if any."""
        key, mail = fold(name), email.strip().casefold()
        for person in self.roster:
            if person.status == "erased":
                continue
            if fold(person.name) == key or (mail and person.email.casefold() == mail):
                return person
        return None

    def withdraw(self, person: Participant, when: date) -> None:
        """Record that someone has left the course."""
        if person.status == "withdrawn":
            raise IpskitError(f"{person.id} has already withdrawn")
        self._put(person._replace(status="withdrawn", left=when))
        self.log("withdrawn", participant=person.id, before="active", after="withdrawn")

    def set_mark(self, meeting: Meeting, person: Participant, status: str | None,
                 *, made_up: bool = False, note: str = "") -> bool:  # fmt: skip
        """Record a status (and/or a make-up); return whether anything changed."""
        old = self.marks.get((meeting.number, person.id))
        new_status = status or (old.status if old else "absent")
        new = Mark(
            session=meeting.number,
            participant=person.id,
            status=new_status,
            # attended after all: then there is nothing to make up
            made_up=((old.made_up if old else False) or made_up)
            and status not in ("present", "late"),
            note=note or (old.note if old else ""),
        )
        if old == new:
            return False
        self.marks[(meeting.number, person.id)] = new
        self.changed.add(ATTENDANCE_FILE)
        before = _describe(old)
        self.log(
            "marked", session=meeting.id, participant=person.id,
            before=before, after=_describe(new), note=note,
        )  # fmt: skip
        return True

    def assess(self, person: Participant, result: str, when: date, note: str = "") -> None:
        """Record a final assessment result (replacing an earlier one)."""
        old = self.assessments.get(person.id)
        self.assessments[person.id] = Assessment(person.id, result, when, check_note(note))
        self.changed.add(ASSESSMENTS_FILE)
        self.log(
            "assessed", participant=person.id,
            before=old.result if old else "", after=result, note=check_note(note),
        )  # fmt: skip

    def answer(self, person: Participant, point: str, *, using_skills: bool,
               trained_others: int, when: date, note: str = "") -> None:  # fmt: skip
        """Record someone's answer at a follow-up point (replacing an earlier one)."""
        if not 0 <= trained_others <= 10_000:
            raise IpskitError("--trained-others is a count of people, from 0")
        old = self.answers.get((point, person.id))
        new = Answer(point, person.id, when, using_skills, trained_others, check_note(note))
        self.answers[(point, person.id)] = new
        self.changed.add(FOLLOWUPS_FILE)
        self.log("followed up", session=point, participant=person.id,
                 before=_describe_answer(old), after=_describe_answer(new))  # fmt: skip

    def rate(self, person: Participant, stage: str, ratings: dict[str, int], when: date) -> None:
        """Record self-ratings, 1 to 5, of some competencies, before or after the course."""
        for competency, value in ratings.items():
            old = self.ratings.get((stage, person.id, competency))
            self.ratings[(stage, person.id, competency)] = Rating(
                stage, person.id, competency, value, when
            )
            self.log("rated", session=stage, participant=person.id,
                     before=f"{competency} {old.rating}" if old else "",
                     after=f"{competency} {value}")  # fmt: skip
        self.changed.add(RATINGS_FILE)

    def sign(self, person: Participant, when: date | None) -> bool:
        """Record that someone signed the code of conduct (or, with None, that they have not)."""
        old = self.signed.get(person.id)
        if old == when:
            return False
        if when is None:
            del self.signed[person.id]
        else:
            self.signed[person.id] = when
        self.changed.add(AGREEMENTS_FILE)
        self.log("agreement", participant=person.id,
                 before=f"signed {old}" if old else "not signed",
                 after=f"signed {when}" if when else "not signed")  # fmt: skip
        return True

    def erase(self, person: Participant) -> None:
        """Remove everything that could identify a person, keeping their id for counts.

        Their roster entry is blanked; notes anywhere in the cohort that mention any
        part of their name or their email are scrubbed, and notes on their own marks,
        assessment and history are removed. This is the one change that rewrites the
        history rather than adding to it: erasure outranks an append-only log.
        """
        words = {person.name, person.certificate_name, person.email}
        for name in (person.name, person.certificate_name):
            words.update(part for part in re.split(r"[\s\-]+", name) if len(part) >= 2)
        words.discard("")
        pattern = re.compile(
            "|".join(
                rf"(?<!\w){re.escape(word)}(?!\w)" for word in sorted(words, key=len, reverse=True)
            ),
            re.IGNORECASE,
        )
        self._put(
            person._replace(
                name="",
                certificate_name="",
                email="",
                pronouns="",
                status="erased",
                left=date.today(),
            )  # fmt: skip
        )
        for key, mark in self.marks.items():
            note = "" if mark.participant == person.id else pattern.sub("[erased]", mark.note)
            self.marks[key] = mark._replace(note=note)
        for pid, result in self.assessments.items():
            note = "" if pid == person.id else pattern.sub("[erased]", result.note)
            self.assessments[pid] = result._replace(note=note)
        for key, answer in self.answers.items():
            note = "" if answer.participant == person.id else pattern.sub("[erased]", answer.note)
            self.answers[key] = answer._replace(note=note)
        self.changed.update({ATTENDANCE_FILE, ASSESSMENTS_FILE})
        if self.answers:
            self.changed.add(FOLLOWUPS_FILE)
        self.erased.append((person.id, pattern))
        self.log("erased", participant=person.id)

    def _put(self, person: Participant) -> None:
        self.roster = [person if p.id == person.id else p for p in self.roster]
        self.changed.add(ROSTER_FILE)

    # --- writing --------------------------------------------------------------------------

    def save(self) -> None:
        """Write the files that changed, then append to the history."""
        if ROSTER_FILE in self.changed:
            store.write_atomic(self.cohort.file(ROSTER_FILE), roster_text(self.roster))
        if ATTENDANCE_FILE in self.changed:
            rows = [
                (str(m.session), m.participant, m.status, "yes" if m.made_up else "", m.note)
                for m in sorted(self.marks.values(), key=lambda m: (m.session, m.participant))
            ]
            store.write_atomic(
                self.cohort.file(ATTENDANCE_FILE), csvio.to_text(ATTENDANCE_COLUMNS, rows)
            )
        if ASSESSMENTS_FILE in self.changed:
            rows = [
                (a.participant, a.result, a.date.isoformat(), a.note)
                for a in sorted(self.assessments.values(), key=lambda a: a.participant)
            ]
            store.write_atomic(
                self.cohort.file(ASSESSMENTS_FILE), csvio.to_text(ASSESSMENT_COLUMNS, rows)
            )
        if FOLLOWUPS_FILE in self.changed:
            rows = [
                (a.point, a.participant, a.answered.isoformat(), "yes" if a.using_skills else "no",
                 str(a.trained_others), a.note)
                for a in sorted(self.answers.values(), key=lambda a: (a.point, a.participant))
            ]  # fmt: skip
            store.write_atomic(
                self.cohort.file(FOLLOWUPS_FILE), csvio.to_text(FOLLOWUP_COLUMNS, rows)
            )
        if RATINGS_FILE in self.changed:
            rows = [
                (r.stage, r.participant, r.competency, str(r.rating), r.date.isoformat())
                for r in sorted(self.ratings.values(),
                                key=lambda r: (STAGES.index(r.stage), r.participant))
            ]  # fmt: skip
            store.write_atomic(self.cohort.file(RATINGS_FILE), csvio.to_text(RATING_COLUMNS, rows))
        if AGREEMENTS_FILE in self.changed:
            rows = [(pid, day.isoformat()) for pid, day in sorted(self.signed.items())]
            store.write_atomic(
                self.cohort.file(AGREEMENTS_FILE), csvio.to_text(AGREEMENT_COLUMNS, rows)
            )
        path = self.cohort.file(HISTORY_FILE)
        for pid, pattern in self.erased:
            _scrub_history(path, pid, pattern)
        if self.history:
            append_history(path, self.history)
            self.history = []
        self.changed.clear()
        self.erased.clear()


def _describe(mark: Mark | None) -> str:
    if mark is None:
        return ""
    return mark.status + (" (made up)" if mark.made_up else "")


def _describe_answer(answer: Answer | None) -> str:
    if answer is None:
        return ""
    using = "using the skills" if answer.using_skills else "not using the skills"
    return f"{using}; trained {answer.trained_others}"


def roster_text(roster: list[Participant]) -> str:
    """``roster.csv`` for these participants."""
    rows = [
        (
            p.id,
            p.name,
            p.certificate_name,
            p.email,
            p.pronouns,
            p.status,
            p.added.isoformat(),
            p.left.isoformat() if p.left else "",
        )  # fmt: skip
        for p in roster
    ]
    return csvio.to_text(ROSTER_COLUMNS, rows)


def append_history(path: Path, rows: list[list[str]]) -> None:
    """Add rows to the history, rewriting it whole so that it is never half-written.

    The file was checked when the change began (see :func:`changing`): a broken history
    stops a change before anything is written.
    """
    if path.exists():
        old = path.read_bytes().decode("utf-8-sig")
        text = old + csvio.to_text(HISTORY_COLUMNS, rows).split("\r\n", 1)[1]
    else:
        text = csvio.to_text(HISTORY_COLUMNS, rows)
    store.write_atomic(path, text)


def _scrub_history(path: Path, participant: str, pattern: re.Pattern[str]) -> None:
    if not path.exists():
        return
    rows = []
    for _, row in csvio.read_rows(path, HISTORY_COLUMNS):
        note = "" if row["participant"] == participant else pattern.sub("[erased]", row["note"])
        rows.append([*(row[c] for c in HISTORY_COLUMNS[:-1]), note])
    store.write_atomic(path, csvio.to_text(HISTORY_COLUMNS, rows))


@contextmanager
def changing(cohort: Cohort) -> Iterator[Records]:
    """Hold the cohort's lock while its records are read, changed and written."""
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        history = cohort.file(HISTORY_FILE)
        if history.exists():
            for _ in csvio.read_table(history, HISTORY_COLUMNS):
                pass  # refuse to add to a history broken by hand
        records = Records.load(cohort)
        yield records
        records.save()
        from ipskit.status import remember_overview  # it reads records: import here

        remember_overview(cohort, records)


# --- reading the files ------------------------------------------------------------------------


def _problem(path: Path, line: int, message: str) -> FileProblemsError:
    return FileProblemsError([f"{path}:{line}: {message}"])


def _date(path: Path, line: int, text: str, column: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise _problem(path, line, f"{column}: {error}") from None


def _read_roster(path: Path) -> list[Participant]:
    if not path.exists():
        return []
    roster: list[Participant] = []
    seen: set[str] = set()
    for line, row in csvio.read_rows(path, ROSTER_COLUMNS):
        pid = row["id"].strip()
        if not _PID.match(pid):
            raise _problem(path, line, f"id '{pid}' is not a participant id such as p01")
        if pid in seen:
            raise _problem(path, line, f"id {pid} appears twice")
        seen.add(pid)
        status = row["status"].strip()
        if status not in PEOPLE:
            raise _problem(path, line, f"status must be {', '.join(PEOPLE)}")
        try:
            name = check_name(row["name"]) if status != "erased" else ""
            certificate = (
                check_name(row["certificate_name"], "the certificate name")
                if row["certificate_name"].strip()
                else ""
            )
            email = check_email(row["email"])
        except ValueError as error:
            raise _problem(path, line, str(error)) from None
        roster.append(
            Participant(
                id=pid,
                name=name,
                certificate_name=certificate,
                email=email,
                pronouns=row["pronouns"].strip(),
                status=status,
                added=_date(path, line, row["added"].strip(), "added"),
                left=_date(path, line, row["left"].strip(), "left")
                if row["left"].strip()
                else None,
            )
        )
    return roster


def _read_marks(path: Path, ids: set[str], numbers: set[int]) -> dict[tuple[int, str], Mark]:
    marks: dict[tuple[int, str], Mark] = {}
    if not path.exists():
        return marks
    # Read on every command and for every cohort by `ipskit cohorts`: the common case
    # (a row ipskit wrote) is checked in one line; the detailed checks run only on a miss.
    sessions = {str(n): n for n in numbers}
    for line, row in csvio.read_table(path, ATTENDANCE_COLUMNS):
        session, pid, status, made_up, note = row
        number = sessions.get(session)
        if number is None or pid not in ids or status not in _MARK_SET or made_up not in _MADE_UP:
            session, pid, status, made_up = (c.strip() for c in row[:4])
            number = _check_mark(path, line, sessions, ids, session, pid, status, made_up)
        key = (number, pid)
        if key in marks:
            raise _problem(path, line, f"{pid} is marked twice for session {session}")
        marks[key] = Mark(number, pid, status, made_up == "yes", note)
    return marks


_MARK_SET = frozenset(MARKS)
_MADE_UP = ("", "yes")


def _check_mark(path: Path, line: int, sessions: dict[str, int], ids: set[str],
                session: str, pid: str, status: str, made_up: str) -> int:  # fmt: skip
    if session not in sessions:
        raise _problem(path, line, f"session '{session}' is not a session of this cohort")
    if pid not in ids:
        raise _problem(path, line, f"participant '{pid}' is not on the roster")
    if status not in MARKS:
        raise _problem(path, line, f"status must be {', '.join(MARKS)}")
    if made_up not in _MADE_UP:
        raise _problem(path, line, "made_up must be 'yes' or empty")
    return sessions[session]


def _rows(
    path: Path, columns: tuple[str, ...], ids: set[str]
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Each row of a record file, with its participant, who must be on the roster.

    A file not made yet has no rows.
    """
    if not path.exists():
        return
    for line, row in csvio.read_rows(path, columns):
        pid = row["participant"].strip()
        if pid not in ids:
            raise _problem(path, line, f"participant '{pid}' is not on the roster")
        yield line, pid, row


def _read_assessments(path: Path, ids: set[str]) -> dict[str, Assessment]:
    found: dict[str, Assessment] = {}
    for line, pid, row in _rows(path, ASSESSMENT_COLUMNS, ids):
        if pid in found:
            raise _problem(path, line, f"{pid} has two results: keep one")
        result = row["result"].strip()
        if result not in RESULTS:
            raise _problem(path, line, f"result must be {' or '.join(RESULTS)}")
        found[pid] = Assessment(pid, result, _date(path, line, row["date"].strip(), "date"),
                                row["note"])  # fmt: skip
    return found


def _read_answers(path: Path, ids: set[str], points: set[str]) -> dict[tuple[str, str], Answer]:
    found: dict[tuple[str, str], Answer] = {}
    for line, pid, row in _rows(path, FOLLOWUP_COLUMNS, ids):
        point = row["point"].strip()
        if point not in points:
            raise _problem(path, line, f"'{point}' is not a follow-up point in cohort.yaml")
        if (point, pid) in found:
            raise _problem(path, line, f"{pid} has two answers at {point}: keep one")
        using = row["using_skills"].strip()
        if using not in ("yes", "no"):
            raise _problem(path, line, "using_skills must be yes or no")
        trained = row["trained_others"].strip()
        if not trained.isdigit() or not trained.isascii():
            raise _problem(path, line, "trained_others must be a whole number, 0 or more")
        found[(point, pid)] = Answer(
            point, pid, _date(path, line, row["answered"].strip(), "answered"),
            using == "yes", int(trained), row["note"],
        )  # fmt: skip
    return found


def _read_ratings(path: Path, ids: set[str]) -> dict[tuple[str, str, str], Rating]:
    found: dict[tuple[str, str, str], Rating] = {}
    for line, pid, row in _rows(path, RATING_COLUMNS, ids):
        stage, competency, value = (row[k].strip() for k in ("stage", "competency", "rating"))
        if stage not in STAGES:
            raise _problem(path, line, "stage must be before or after")
        if not _COMPETENCY.match(competency):
            raise _problem(path, line, f"'{competency}' is not a competency id")
        if value not in ("1", "2", "3", "4", "5"):
            raise _problem(path, line, "rating must be a whole number from 1 to 5")
        if (stage, pid, competency) in found:
            raise _problem(path, line, f"{pid} rates {competency} twice {stage}: keep one")
        found[(stage, pid, competency)] = Rating(
            stage, pid, competency, int(value), _date(path, line, row["date"].strip(), "date")
        )
    return found


def _read_signed(path: Path, ids: set[str]) -> dict[str, date]:
    found: dict[str, date] = {}
    for line, pid, row in _rows(path, AGREEMENT_COLUMNS, ids):
        if pid in found:
            raise _problem(path, line, f"{pid} appears twice: keep one")
        found[pid] = _date(path, line, row["signed"].strip(), "signed")
    return found
