"""Reading and writing a cohort's record files, each row checked and every mistake placed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ipskit.cohorts.record_types import (
    AGREEMENT_COLUMNS,
    ASSESSMENT_COLUMNS,
    ATTENDANCE_COLUMNS,
    COMPETENCY_ID,
    EARLIER_ROSTER_COLUMNS,
    EVALUATION_COLUMNS,
    EVALUATIONS_IMPORTED_COLUMNS,
    FOLLOWUP_COLUMNS,
    HISTORY_COLUMNS,
    MARKS,
    PARTICIPANT_ID,
    PEOPLE,
    RATING_COLUMNS,
    RESULTS,
    ROSTER_COLUMNS,
    STAGES,
    Answer,
    Assessment,
    Mark,
    Participant,
    Rating,
    check_email,
)
from ipskit.core import csvio
from ipskit.core.dates import parse_date
from ipskit.core.errors import FileProblemsError
from ipskit.core.names import LANGUAGE_TAG_WANTED, check_name, check_name_lang


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
            p.added.isoformat() if p.added else "",
            p.left.isoformat() if p.left else "",
            p.name_lang,
        )  # fmt: skip
        for p in roster
    ]
    return csvio.to_text(ROSTER_COLUMNS, rows)


def history_with(old: str, rows: list[list[str]]) -> str:
    """The text of ``history.csv`` (``old``, or nothing yet) with ``rows`` added at the end.

    The same text :func:`ipskit.core.csvio.append_rows` writes for every append-only file;
    here it is committed together with the record files it describes.
    """
    return csvio.appended(old, HISTORY_COLUMNS, rows)


def _problem(path: Path, line: int, message: str) -> FileProblemsError:
    return FileProblemsError([f"{path}:{line}: {message}"])


def _date(path: Path, line: int, text: str, column: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise _problem(path, line, f"{column}: {error}") from None


def read_roster(path: Path) -> list[Participant]:
    """``roster.csv``: everyone ever on the roster, in order.

    A roster written before the ``name_lang`` column was added is read as it is.
    """
    if not path.exists():
        return []
    roster: list[Participant] = []
    seen: set[str] = set()
    for line, row in csvio.read_rows(path, ROSTER_COLUMNS, earlier=EARLIER_ROSTER_COLUMNS):
        pid = row["id"].strip()
        if not PARTICIPANT_ID.match(pid):
            raise _problem(path, line, f"id '{pid}' is not a participant id such as p01")
        if pid in seen:
            raise _problem(path, line, f"id {pid} appears twice")
        seen.add(pid)
        status = row["status"].strip()
        if status not in PEOPLE:
            raise _problem(path, line, f"status must be {', '.join(PEOPLE)}")
        try:
            # Stored names keep the direction marks an older version let in: every
            # document and terminal line isolates them, so they reorder nothing.
            name = check_name(row["name"], stored=True) if status != "erased" else ""
            certificate = (
                check_name(row["certificate_name"], "the certificate name", stored=True)
                if row["certificate_name"].strip()
                else ""
            )
            email = check_email(row["email"])
        except ValueError as error:
            raise _problem(path, line, str(error)) from None
        try:
            name_lang = check_name_lang(row["name_lang"]) if status != "erased" else ""
        except ValueError:
            # The cell is not echoed: typed by hand, it may hold anything.
            raise _problem(path, line, f"name_lang: not {LANGUAGE_TAG_WANTED}: correct it,"
                                       " or leave the cell empty") from None  # fmt: skip
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
                name_lang=name_lang,
            )
        )
    return roster


def read_marks(path: Path, ids: set[str], numbers: set[int]) -> dict[tuple[int, str], Mark]:
    """``attendance.csv``: each mark by (session number, participant)."""
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


def read_assessments(path: Path, ids: set[str]) -> dict[str, Assessment]:
    """``assessments.csv``: each participant's latest result."""
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


def read_answers(path: Path, ids: set[str], points: set[str]) -> dict[tuple[str, str], Answer]:
    """``followups.csv``: each answer by (follow-up point, participant)."""
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


def read_ratings(path: Path, ids: set[str]) -> dict[tuple[str, str, str], Rating]:
    """``ratings.csv``: each self-rating by (stage, participant, competency)."""
    found: dict[tuple[str, str, str], Rating] = {}
    for line, pid, row in _rows(path, RATING_COLUMNS, ids):
        stage, competency, value = (row[k].strip() for k in ("stage", "competency", "rating"))
        if stage not in STAGES:
            raise _problem(path, line, "stage must be before or after")
        if not COMPETENCY_ID.match(competency):
            raise _problem(path, line, f"'{competency}' is not a competency id")
        if value not in ("1", "2", "3", "4", "5"):
            raise _problem(path, line, "rating must be a whole number from 1 to 5")
        if (stage, pid, competency) in found:
            raise _problem(path, line, f"{pid} rates {competency} twice {stage}: keep one")
        found[(stage, pid, competency)] = Rating(
            stage, pid, competency, int(value), _date(path, line, row["date"].strip(), "date")
        )
    return found


def read_signed(path: Path, ids: set[str]) -> dict[str, date]:
    """``agreements.csv``: when each participant signed."""
    found: dict[str, date] = {}
    for line, pid, row in _rows(path, AGREEMENT_COLUMNS, ids):
        if pid in found:
            raise _problem(path, line, f"{pid} appears twice: keep one")
        found[pid] = _date(path, line, row["signed"].strip(), "signed")
    return found


def read_evaluations(path: Path) -> dict[int, dict[str, int]]:
    """``evaluations.csv``: each anonymous response's ratings by question, by its number."""
    found: dict[int, dict[str, int]] = {}
    if not path.exists():
        return found
    for line, row in csvio.read_table(path, EVALUATION_COLUMNS):
        number, question, value = (cell.strip() for cell in row)
        if not (number.isascii() and number.isdigit() and number[0] != "0"):
            raise _problem(path, line, f"response '{number}' is not a response number such as 3")
        if not COMPETENCY_ID.match(question):
            raise _problem(path, line, f"'{question}' is not a question id")
        if value not in ("1", "2", "3", "4", "5"):
            raise _problem(path, line, "rating must be a whole number from 1 to 5")
        answers = found.setdefault(int(number), {})
        if question in answers:
            raise _problem(path, line, f"response {number} answers {question} twice: keep one")
        answers[question] = int(value)
    return found


def read_imported(path: Path) -> set[str]:
    """``evaluations-imported.csv``: the digest of every row evaluation imports have read."""
    found: set[str] = set()
    if not path.exists():
        return found
    for line, (digest,) in csvio.read_table(path, EVALUATIONS_IMPORTED_COLUMNS):
        digest = digest.strip()
        if not _DIGEST.fullmatch(digest):
            raise _problem(path, line, "not a row digest ipskit wrote (edited by hand?)")
        found.add(digest)
    return found


_DIGEST = re.compile(r"[0-9a-f]{32}")
