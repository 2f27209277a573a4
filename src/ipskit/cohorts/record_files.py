"""Reading and writing a cohort's record files, each row checked and every mistake placed.

A key (a person's mark for a session, their roster entry, an answer...) may have more
than one row: two computers changed the same thing differently, and a merge kept both,
one after the other; or a row was copied by hand. The first row stands, for every
command; the others are the key's other *ways*, given to the caller in ``others`` (each
with its line) so that they are written back until someone settles the key. A row that
repeats one already read says nothing new and is passed over.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

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

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: A key's other ways, after the row that stands: each with the line it was read from.
Others = dict[K, list[tuple[int, V]]]


def _another_way(found: dict[K, V], others: Others[K, V] | None, key: K, line: int,
                 row: V) -> None:  # fmt: skip
    """A further row for a key already read: kept as another way, unless it repeats one."""
    if others is None or row == found[key]:
        return
    ways = others.setdefault(key, [])
    if all(row != way for _, way in ways):
        ways.append((line, row))


def roster_row(p: Participant) -> tuple[str, ...]:
    """A participant's row of ``roster.csv``."""
    return (
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


def roster_text(roster: list[Participant],
                others: Others[str, Participant] | None = None) -> str:  # fmt: skip
    """``roster.csv`` for these participants, each followed by any other ways of their row."""
    rows = []
    for p in roster:
        rows.append(roster_row(p))
        rows += [roster_row(way) for _, way in (others or {}).get(p.id, ())]
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


def read_roster(path: Path, others: Others[str, Participant] | None = None) -> list[Participant]:
    """``roster.csv``: everyone ever on the roster, in order.

    A roster written before the ``name_lang`` column was added is read as it is. Where
    an id has rows that differ, the first stands and the others go into ``others``;
    except that an erased row never stands while another way still has the name: the
    erasure was not finished there, and ``forget`` needs the name to finish it.
    """
    if not path.exists():
        return []
    found: dict[str, Participant] = {}
    lines: dict[str, int] = {}
    for line, row in csvio.read_rows(path, ROSTER_COLUMNS, earlier=EARLIER_ROSTER_COLUMNS):
        pid = row["id"].strip()
        if not PARTICIPANT_ID.match(pid):
            raise _problem(path, line, f"id '{pid}' is not a participant id such as p01")
        person = _participant(path, line, pid, row)
        if pid in found:
            _another_way(found, others, pid, line, person)
        else:
            found[pid], lines[pid] = person, line
    for pid, ways in (others or {}).items():
        if found[pid].status == "erased":
            at = next((i for i, (_, way) in enumerate(ways) if way.status != "erased"), None)
            if at is not None:
                named = ways.pop(at)[1]
                ways.insert(0, (lines[pid], found[pid]))
                found[pid] = named
    return list(found.values())


def _participant(path: Path, line: int, pid: str, row: dict[str, str]) -> Participant:
    """One row of ``roster.csv``, checked."""
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
    return Participant(
        id=pid,
        name=name,
        certificate_name=certificate,
        email=email,
        pronouns=row["pronouns"].strip(),
        status=status,
        added=_date(path, line, row["added"].strip(), "added"),
        left=_date(path, line, row["left"].strip(), "left") if row["left"].strip() else None,
        name_lang=name_lang,
    )


def read_marks(path: Path, ids: set[str], numbers: set[int],
               others: Others[tuple[int, str], Mark] | None = None,
               ) -> dict[tuple[int, str], Mark]:  # fmt: skip
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
        mark = Mark(number, pid, status, made_up == "yes", note)
        if key in marks:
            _another_way(marks, others, key, line, mark)
        else:
            marks[key] = mark
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


def read_assessments(path: Path, ids: set[str], others: Others[str, Assessment] | None = None,
                     ) -> dict[str, Assessment]:  # fmt: skip
    """``assessments.csv``: each participant's latest result."""
    found: dict[str, Assessment] = {}
    for line, pid, row in _rows(path, ASSESSMENT_COLUMNS, ids):
        result = row["result"].strip()
        if result not in RESULTS:
            raise _problem(path, line, f"result must be {' or '.join(RESULTS)}")
        assessment = Assessment(pid, result, _date(path, line, row["date"].strip(), "date"),
                                row["note"])  # fmt: skip
        if pid in found:
            _another_way(found, others, pid, line, assessment)
        else:
            found[pid] = assessment
    return found


def read_answers(path: Path, ids: set[str], points: set[str],
                 others: Others[tuple[str, str], Answer] | None = None,
                 ) -> dict[tuple[str, str], Answer]:  # fmt: skip
    """``followups.csv``: each answer by (follow-up point, participant)."""
    found: dict[tuple[str, str], Answer] = {}
    for line, pid, row in _rows(path, FOLLOWUP_COLUMNS, ids):
        point = row["point"].strip()
        if point not in points:
            raise _problem(path, line, f"'{point}' is not a follow-up point in cohort.yaml")
        using = row["using_skills"].strip()
        if using not in ("yes", "no"):
            raise _problem(path, line, "using_skills must be yes or no")
        trained = row["trained_others"].strip()
        if not trained.isdigit() or not trained.isascii():
            raise _problem(path, line, "trained_others must be a whole number, 0 or more")
        answer = Answer(
            point, pid, _date(path, line, row["answered"].strip(), "answered"),
            using == "yes", int(trained), row["note"],
        )  # fmt: skip
        if (point, pid) in found:
            _another_way(found, others, (point, pid), line, answer)
        else:
            found[(point, pid)] = answer
    return found


def read_ratings(path: Path, ids: set[str],
                 others: Others[tuple[str, str, str], Rating] | None = None,
                 ) -> dict[tuple[str, str, str], Rating]:  # fmt: skip
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
        key = (stage, pid, competency)
        rating = Rating(
            stage, pid, competency, int(value), _date(path, line, row["date"].strip(), "date")
        )
        if key in found:
            _another_way(found, others, key, line, rating)
        else:
            found[key] = rating
    return found


def read_signed(path: Path, ids: set[str],
                others: Others[str, date] | None = None) -> dict[str, date]:  # fmt: skip
    """``agreements.csv``: when each participant signed."""
    found: dict[str, date] = {}
    for line, pid, row in _rows(path, AGREEMENT_COLUMNS, ids):
        signed = _date(path, line, row["signed"].strip(), "signed")
        if pid in found:
            _another_way(found, others, pid, line, signed)
        else:
            found[pid] = signed
    return found


def read_evaluations(path: Path, others: Others[tuple[int, str], int] | None = None,
                     ) -> dict[int, dict[str, int]]:  # fmt: skip
    """``evaluations.csv``: each anonymous response's ratings by question, by its number.

    The other ways of a rating are in ``others`` by (response, question).
    """
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
            if others is not None and int(value) != answers[question]:
                ways = others.setdefault((int(number), question), [])
                if all(int(value) != way for _, way in ways):
                    ways.append((line, int(value)))
        else:
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
