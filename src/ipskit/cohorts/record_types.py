"""A cohort's record files: their names and columns, and the rows they hold."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

ROSTER_FILE = "roster.csv"
ROSTER_COLUMNS = (
    "id", "name", "certificate_name", "email", "pronouns", "status", "added", "left",
    "name_lang",
)  # fmt: skip
#: The roster's columns as earlier versions wrote them: such a file is read as it is (the
#: columns added since are empty in it) and written with every column the next time.
EARLIER_ROSTER_COLUMNS = (ROSTER_COLUMNS[:8],)
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
EVALUATIONS_FILE = "evaluations.csv"
EVALUATION_COLUMNS = ("response", "question", "rating")
#: What evaluation imports have read, one digest a row (see ipskit.cohorts.evaluations).
EVALUATIONS_IMPORTED_FILE = "evaluations-imported.csv"
EVALUATIONS_IMPORTED_COLUMNS = ("row",)
HISTORY_FILE = "history.csv"
HISTORY_COLUMNS = ("when", "action", "session", "participant", "before", "after", "note")
#: The files a commit may replace (see :func:`commit`).
COMMITTED_FILES = frozenset({ROSTER_FILE, ATTENDANCE_FILE, ASSESSMENTS_FILE, FOLLOWUPS_FILE,
                        RATINGS_FILE, AGREEMENTS_FILE, EVALUATIONS_FILE,
                        EVALUATIONS_IMPORTED_FILE, HISTORY_FILE})  # fmt: skip

MARKS = ("present", "late", "absent", "excused")
PEOPLE = ("active", "withdrawn", "erased")
RESULTS = ("passed", "not-yet")
STAGES = ("before", "after")
COMPETENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
PARTICIPANT_ID = re.compile(r"^p[0-9]{2,}$")
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
    #: The language the name is written in, as a tag (``cy``), where the trainer gave one.
    name_lang: str = ""

    @property
    def active(self) -> bool:
        """Still on the course (not withdrawn or erased)."""
        return self.status == "active"

    @property
    def name_on_certificate(self) -> str:
        """The name the person chose for their certificate."""
        return self.certificate_name or self.name


#: The roster fields a correction may change, as a coordinator calls them.
FIELDS = {"name": "name", "certificate_name": "certificate name", "email": "email",
          "pronouns": "pronouns", "name_lang": "name language"}  # fmt: skip


class Edit(NamedTuple):
    """One field of a roster entry corrected: what it was, and what it is now."""

    field: str
    before: str
    after: str


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
