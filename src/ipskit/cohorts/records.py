"""A cohort's records: participants, attendance, assessments, and the history of changes.

Every change happens inside :func:`changing`, which holds the cohort's lock, reads every
record file afresh (so a file broken by hand stops the change before anything is
written), lets the caller change the records, then writes the files that changed and
the rows it adds to ``history.csv`` together, in one commit (see :func:`commit`): a kill
at any moment leaves every file old or every file new, never a mark without its history
row. History rows name participants by id only; names live in ``roster.csv`` alone.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.cohort import Cohort, Meeting, check_writable
from ipskit.core import csvio, store
from ipskit.core.dates import parse_date
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError
from ipskit.core.names import check_name, fold, isolate

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
#: The files a commit may replace (see :func:`commit`).
_COMMITTED = frozenset({ROSTER_FILE, ATTENDANCE_FILE, ASSESSMENTS_FILE, FOLLOWUPS_FILE,
                        RATINGS_FILE, AGREEMENTS_FILE, HISTORY_FILE})  # fmt: skip

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


#: The roster fields a correction may change, as a coordinator calls them.
FIELDS = {"name": "name", "certificate_name": "certificate name", "email": "email",
          "pronouns": "pronouns"}  # fmt: skip


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


class NameFinder:
    """A person's name found in free text however it is written, to take it out.

    Text is compared as names are (:func:`ipskit.core.names.fold`: case, accents and
    apostrophes ignored), so "Sion", "SIÔN" and "siôn's" are all Siôn. What is found:
    each name whole, every run of two or more of its words ("Ap Tudwal"), and each word
    on its own ("Prydderch", "Jo"), except initials, two-letter words that are common
    words too ("An"), and particles such as "van" or "ap" after the first word; and the
    email address. Scripts written without spaces between words (Chinese, Japanese,
    Thai) are matched inside longer runs of text.
    """

    def __init__(self, names: Iterable[str], emails: Iterable[str] = ()) -> None:
        runs: set[tuple[str, ...]] = set()
        for name in names:
            words = fold(name).split()
            runs.update(tuple(words[i:j]) for i in range(len(words))
                        for j in range(i + 2, len(words) + 1))  # fmt: skip
            runs.update((w,) for k, w in enumerate(words) if _alone(w, first=k == 0))
            if words:
                runs.add(tuple(words))
        self.words = {run[0] for run in runs}
        # Longest first, so that the whole name is taken rather than its first word.
        ordered = sorted(runs, key=lambda run: (-sum(map(len, run)), run))
        self._pattern = re.compile("|".join(map(_run_pattern, ordered))) if runs else None
        addresses = [e for e in emails if e]
        self._emails = (
            re.compile("|".join(map(re.escape, addresses)), re.IGNORECASE) if addresses else None
        )

    def sub(self, text: str, replacement: str = "[erased]") -> str:
        """``text`` with every mention of the name replaced."""
        if not text:
            return text
        if self._emails is not None:
            text = self._emails.sub(replacement, text)
        if self._pattern is None:
            return text
        folded = fold(text)
        if not any(word in folded for word in self.words):
            return text  # the usual case, found cheaply
        stream, where = _folded_stream(text)
        pieces, end = [], 0
        for match in self._pattern.finditer(stream):
            first, last = where[match.start()], where[match.end() - 1] + 1
            while last < len(text) and unicodedata.combining(text[last]):
                last += 1
            if first < end:
                continue
            pieces += [text[end:first], replacement]
            end = last
        return "".join(pieces) + text[end:]

    def found_in(self, text: str) -> bool:
        """Whether ``text`` mentions the name."""
        return self.sub(text) != text


#: Words that join the parts of a name and are common words too: never matched alone.
_PARTICLES = frozenset(
    "van von der den del della des dos das bin ibn bint abu ben ap ab de da di du la le el al"
    " mc st".split()
)
#: Two-letter words too common to take out of a note on their own.
_COMMON = frozenset(
    "a an as at be by do go he hi if in is it me my no of oh ok on or so to up us we am".split()
)


def _alone(word: str, *, first: bool) -> bool:
    """Whether one word of a name is taken out of notes on its own."""
    if len(word) < 2 or (len(word) == 2 and word.isascii() and word in _COMMON):
        return False
    return first or word not in _PARTICLES


_APOSTROPHES = "’'`´"


def _unspaced(char: str) -> bool:
    """Whether ``char`` is of a script written without spaces between words."""
    code = ord(char)
    return (0x0E00 <= code <= 0x0FFF or 0x1000 <= code <= 0x109F or 0x1780 <= code <= 0x17FF
            or 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF)  # fmt: skip


def _run_pattern(run: tuple[str, ...]) -> str:
    """A regular expression for some words of a name in a folded stream (see below).

    Apostrophes may sit between any two letters ("o'brien" is "obrien"), and the words
    may be parted by any spaces or punctuation.
    """
    body = "[ ']+".join("'?".join(map(re.escape, word)) for word in run)
    before = "" if _unspaced(run[0][0]) else r"(?<!\w)"
    after = "" if _unspaced(run[-1][-1]) else r"(?!\w)"
    return before + body + after


def _folded_stream(text: str) -> tuple[str, list[int]]:
    """``text`` folded one character at a time, with where each folded character came from.

    As :func:`ipskit.core.names.fold`, except that apostrophes are kept (as ``'``) and other
    punctuation is a space, so that a match can be traced back to the original text.
    """
    chars, where = [], []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        chars.append(folded)
        where += [index] * len(folded)
    return "".join(chars), where


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    folded = fold(char)
    if folded:
        return folded
    return "" if unicodedata.combining(char) else " "


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
    erased: list[tuple[str | None, NameFinder]] = field(default_factory=list)
    _last_id: int | None = field(default=None, repr=False)

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, cohort: Cohort) -> Records:
        """Read the roster, attendance and assessments, checking every row.

        A commit that was stopped while its files were being renamed into place is read
        as committed, whole.
        """
        staged = _reading(cohort.folder)
        try:
            return cls._read(cohort, staged)
        except FileNotFoundError:
            if not staged:
                raise
            return cls._read(cohort, _reading(cohort.folder))  # renamed as we read

    @classmethod
    def _read(cls, cohort: Cohort, staged: dict[str, Path]) -> Records:
        def file(name: str) -> Path:
            return staged.get(name) or cohort.file(name)

        roster = _read_roster(file(ROSTER_FILE))
        ids = {p.id for p in roster}
        numbers = {m.number for m in cohort.everything}
        marks = _read_marks(file(ATTENDANCE_FILE), ids, numbers)
        assessments = _read_assessments(file(ASSESSMENTS_FILE), ids)
        points = {f.at for f in cohort.settings.followups}
        return cls(
            cohort, roster, marks, assessments,
            answers=_read_answers(file(FOLLOWUPS_FILE), ids, points),
            ratings=_read_ratings(file(RATINGS_FILE), ids),
            signed=_read_signed(file(AGREEMENTS_FILE), ids),
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
        listed = ", ".join(f"{p.id} ({isolate(p.name)})" for p in found)
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
        """Add someone with the next free id: never one that someone removed had."""
        if self._last_id is None:  # found once: an import adds thousands one by one
            self._last_id = max((int(pid[1:]) for pid in self._ids_ever()), default=0)
        self._last_id += 1
        person = Participant(
            id=f"p{self._last_id:02d}",
            added=date.today(),
            name=_checked("name", name),
            certificate_name=_checked("certificate_name", certificate_name),
            email=_checked("email", email),
            pronouns=_checked("pronouns", pronouns),
        )
        self.roster.append(person)
        self.changed.add(ROSTER_FILE)
        self.log("added", participant=person.id)
        return person

    def _ids_ever(self) -> Iterator[str]:
        """Every id the roster holds or has held: removed people's ids are in the history.

        An id names the same person for good (in history rows, exports, a trainer's
        notes), so the id of someone removed is never handed out again.
        """
        yield from (p.id for p in self.roster)
        path = self.cohort.file(HISTORY_FILE)
        rows = csvio.read_table(path, HISTORY_COLUMNS) if path.exists() else iter(())
        for row in [*(row for _, row in rows), *self.history]:
            if row[1] == "removed" and _PID.match(row[3]):
                yield row[3]

    def duplicate_of(self, name: str, email: str = "", *,
                     besides: Participant | None = None) -> Participant | None:  # fmt: skip
        """Someone already on the roster with this name (or email), if any.

        ``besides`` is left out: the person whose own entry is being corrected.
        """
        key, mail = fold(name), email.strip().casefold()
        for person in self.roster:
            if person.status == "erased" or (besides is not None and person.id == besides.id):
                continue
            if (name and fold(person.name) == key) or (mail and person.email.casefold() == mail):
                return person
        return None

    def edit(self, person: Participant, *, name: str | None = None,
             certificate_name: str | None = None, email: str | None = None,
             pronouns: str | None = None) -> tuple[Participant, list[Edit]]:  # fmt: skip
        """Correct someone's roster entry; the entry as it now is, and what changed.

        Each value is checked as :meth:`add` checks it; an empty certificate name, email
        or pronouns clears it. Each changed field gets a history row that says which
        field changed and whether it was set, never the text itself: history rows hold
        ids only, and a name there could not be erased by ``forget``.
        """
        given = {"name": name, "certificate_name": certificate_name, "email": email,
                 "pronouns": pronouns}  # fmt: skip
        new = {key: _checked(key, value) for key, value in given.items() if value is not None}
        edits = [Edit(key, getattr(person, key), value) for key, value in new.items()
                 if getattr(person, key) != value]  # fmt: skip
        if not edits:
            return person, []
        updated = person._replace(**{e.field: e.after for e in edits})
        self._put(updated)
        for e in edits:
            what = FIELDS[e.field]
            self.log("edited", participant=person.id,
                     before=what if e.before else f"no {what}",
                     after=f"new {what}" if e.after else f"no {what}")  # fmt: skip
        return updated, edits

    def held_for(self, person: Participant) -> list[str]:
        """What is recorded about someone beyond their roster entry, in words."""
        from ipskit.cohorts.certificate_register import REGISTER_FILE, read_register
        from ipskit.cohorts.sent_log import SENT_FILE, read_sent

        pid = person.id
        marks = sum(1 for m in self.marks.values() if m.participant == pid)
        found = [
            (marks, f"{marks} attendance mark" + ("s" if marks != 1 else "")),
            (pid in self.assessments, "an assessment result"),
            (any(a.participant == pid for a in self.answers.values()), "follow-up answers"),
            (any(r.participant == pid for r in self.ratings.values()), "self-ratings"),
            (pid in self.signed, "a signed agreement"),
            (any(e.participant == pid
                 for e in read_register(self.cohort.file(REGISTER_FILE))), "a certificate"),
            (any(who == pid for _, who in read_sent(self.cohort.file(SENT_FILE))),
             "emails sent to them"),
        ]  # fmt: skip
        return [words for held, words in found if held]

    def remove(self, person: Participant) -> None:
        """Take off the roster someone added by mistake, who has nothing recorded.

        Their id is not handed out again (see :meth:`add`). Anyone with a record of any
        kind is refused: they took part, so they are withdrawn instead, and counted.
        """
        held = self.held_for(person)
        if held:
            raise IpskitError(
                f"{person.id} {isolate(person.name)} has {_and(held)}, so cannot be removed:"
                f" use ipskit roster {self.cohort.id} withdraw {person.id} instead"
            )
        self.roster = [p for p in self.roster if p.id != person.id]
        self.changed.add(ROSTER_FILE)
        self.log("removed", participant=person.id, before=person.status)

    def withdraw(self, person: Participant, when: date) -> None:
        """Record that someone has left the course."""
        if person.status == "withdrawn":
            raise IpskitError(f"{person.id} {isolate(person.name)} has already withdrawn")
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

        Their roster entry is blanked; notes anywhere in the cohort that mention their
        name in any spelling (see :class:`NameFinder`) or their email are scrubbed, and
        notes on their own marks, assessment, answers and history are removed. This is the
        one change that rewrites the history rather than adding to it: erasure outranks an
        append-only log.
        """
        finder = NameFinder((person.name, person.certificate_name), (person.email,))
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
        self.scrub(finder, owner=person.id)
        self.log("erased", participant=person.id)

    def scrub(self, finder: NameFinder, *, owner: str | None = None) -> bool:
        """Take a name out of every note (and ``owner``'s own notes out entirely).

        Returns whether any note changed; the history is scrubbed when it is saved.
        """
        changed = False

        def clean(pid: str, note: str) -> str:
            nonlocal changed
            new = "" if pid == owner else finder.sub(note)
            changed = changed or new != note
            return new

        for key, mark in self.marks.items():
            if mark.note != (note := clean(mark.participant, mark.note)):
                self.marks[key] = mark._replace(note=note)
                self.changed.add(ATTENDANCE_FILE)
        for pid, result in self.assessments.items():
            if result.note != (note := clean(pid, result.note)):
                self.assessments[pid] = result._replace(note=note)
                self.changed.add(ASSESSMENTS_FILE)
        for key, answer in self.answers.items():
            if answer.note != (note := clean(answer.participant, answer.note)):
                self.answers[key] = answer._replace(note=note)
                self.changed.add(FOLLOWUPS_FILE)
        self.erased.append((owner, finder))
        return changed

    def _put(self, person: Participant) -> None:
        self.roster = [person if p.id == person.id else p for p in self.roster]
        self.changed.add(ROSTER_FILE)

    # --- writing --------------------------------------------------------------------------

    def save(self) -> None:
        """Write the files that changed and the history's new rows, all in one commit."""
        files: dict[str, str] = {}
        if ROSTER_FILE in self.changed:
            files[ROSTER_FILE] = roster_text(self.roster)
        if ATTENDANCE_FILE in self.changed:
            rows = [
                (str(m.session), m.participant, m.status, "yes" if m.made_up else "", m.note)
                for m in sorted(self.marks.values(), key=lambda m: (m.session, m.participant))
            ]
            files[ATTENDANCE_FILE] = csvio.to_text(ATTENDANCE_COLUMNS, rows)
        if ASSESSMENTS_FILE in self.changed:
            rows = [
                (a.participant, a.result, a.date.isoformat(), a.note)
                for a in sorted(self.assessments.values(), key=lambda a: a.participant)
            ]
            files[ASSESSMENTS_FILE] = csvio.to_text(ASSESSMENT_COLUMNS, rows)
        if FOLLOWUPS_FILE in self.changed:
            rows = [
                (a.point, a.participant, a.answered.isoformat(), "yes" if a.using_skills else "no",
                 str(a.trained_others), a.note)
                for a in sorted(self.answers.values(), key=lambda a: (a.point, a.participant))
            ]  # fmt: skip
            files[FOLLOWUPS_FILE] = csvio.to_text(FOLLOWUP_COLUMNS, rows)
        if RATINGS_FILE in self.changed:
            rows = [
                (r.stage, r.participant, r.competency, str(r.rating), r.date.isoformat())
                for r in sorted(self.ratings.values(),
                                key=lambda r: (STAGES.index(r.stage), r.participant))
            ]  # fmt: skip
            files[RATINGS_FILE] = csvio.to_text(RATING_COLUMNS, rows)
        if AGREEMENTS_FILE in self.changed:
            rows = [(pid, day.isoformat()) for pid, day in sorted(self.signed.items())]
            files[AGREEMENTS_FILE] = csvio.to_text(AGREEMENT_COLUMNS, rows)
        history = self._history_text()
        if history is not None:
            files[HISTORY_FILE] = history
        if files:
            commit(self.cohort.folder, files)
        self.history = []
        self.changed.clear()
        self.erased.clear()

    def _history_text(self) -> str | None:
        """``history.csv`` with the new rows added and erased names scrubbed; None if same."""
        path = self.cohort.file(HISTORY_FILE)
        old = csvio.read_text(path) if path.exists() else ""
        scrubbed = False
        if self.erased and old:
            rows = []
            for _, row in csvio.read_table(path, HISTORY_COLUMNS):
                note = row[-1]
                for owner, finder in self.erased:
                    note = "" if row[3] == owner else finder.sub(note)
                scrubbed = scrubbed or note != row[-1]
                rows.append([*row[:-1], note])
            if scrubbed:
                old = csvio.to_text(HISTORY_COLUMNS, rows)
        if not self.history and not scrubbed:
            return None
        return history_with(old, self.history)


def _checked(key: str, value: str) -> str:
    """A roster field's value as it is stored, or ValueError saying what is wrong."""
    if key == "name":
        return check_name(value)
    if key == "email":
        return check_email(value)
    if not value.strip():
        return ""
    if key == "certificate_name":
        return check_name(value, "the certificate name")
    return " ".join(check_name(value, "the pronouns field").split())[:40]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


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


def history_with(old: str, rows: list[list[str]]) -> str:
    """The text of ``history.csv`` (``old``, or nothing yet) with ``rows`` added at the end.

    The same text :func:`ipskit.core.csvio.append_rows` writes for every append-only file;
    here it is committed together with the record files it describes.
    """
    return csvio.appended(old, HISTORY_COLUMNS, rows)


@contextmanager
def changing(cohort: Cohort) -> Iterator[Records]:
    """Hold the cohort's lock while its records are read, changed and written.

    An archived cohort is refused here, in the one place every change passes (erasure
    does not pass here: a person may be forgotten whatever the cohort's state).
    """
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        check_writable(cohort)
        with changes(cohort) as records:
            yield records


@contextmanager
def changes(cohort: Cohort) -> Iterator[Records]:
    """Read, change and write a cohort's records, for a caller that holds its lock.

    A commit that a kill interrupted is finished first (see :func:`settle`).
    """
    settle(cohort.folder)
    records = load_whole(cohort)
    yield records
    records.save()
    from ipskit.cohorts.status import remember_overview  # it reads records: import here

    remember_overview(cohort, records)


def load_whole(cohort: Cohort) -> Records:
    """A cohort's records to change: a history broken by hand is refused as well."""
    history = cohort.file(HISTORY_FILE)
    if history.exists():
        for _ in csvio.read_table(history, HISTORY_COLUMNS):
            pass  # refuse to add to a history broken by hand
    return Records.load(cohort)


# --- committing several files together ------------------------------------------------------
#
# A change writes a record file and history.csv (and erasure up to six files). Each is
# first written in full beside its place, as ``.ipskit-commit-TOKEN-NAME``; then one small
# journal naming them is written atomically: that is the moment of commit. Then each file
# is renamed into place and the journal removed. A kill before the journal leaves the
# old files (the staged ones are removed by the next writer); a kill after it leaves a
# commit that the next writer finishes (and that readers already read through).

COMMIT_JOURNAL = ".ipskit-commit.json"
STAGED_PREFIX = ".ipskit-commit-"
_TOKEN = re.compile(r"[0-9a-f]{12}")


def commit(folder: Path, files: dict[str, str]) -> None:
    """Replace several files of ``folder`` together: after any crash, all or none.

    The caller holds the folder's lock (or owns a folder no one else can see yet).
    """
    import json

    token = os.urandom(6).hex()
    staged = {name: folder / f"{STAGED_PREFIX}{token}-{name}" for name in files}
    try:
        for name, text in files.items():
            _write_staged(staged[name], text.encode("utf-8"), folder / name)
        journal = json.dumps({"token": token, "files": list(files)})
        try:
            store.write_atomic(folder / COMMIT_JOURNAL, journal)
        except OSError as error:  # the journal is ipskit's own: name a file the trainer knows
            first = folder / next(iter(files))
            raise store.cannot(first, "write it", error, "it is unchanged") from None
    except BaseException:
        for path in staged.values():
            with suppress(FileNotFoundError):
                path.unlink()
        raise
    _install(folder, token, list(files))


def _write_staged(path: Path, data: bytes, target: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     store.PRIVATE_FILE)  # fmt: skip
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise store.cannot(target, "write it", error, "it is unchanged") from None


def _install(folder: Path, token: str, names: list[str]) -> None:
    """Rename a commit's staged files into place, then forget the journal."""
    for name in names:
        with suppress(FileNotFoundError):  # renamed before a kill
            os.replace(folder / f"{STAGED_PREFIX}{token}-{name}", folder / name)
    store.fsync_dir(folder)  # the renames are durable before the journal vouching for them goes
    (folder / COMMIT_JOURNAL).unlink()


def read_journal(folder: Path) -> tuple[str, list[str]] | None:
    """The commit a journal in ``folder`` names, if there is one."""
    import json

    try:
        saved = json.loads((folder / COMMIT_JOURNAL).read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        saved = None
    token = saved.get("token") if isinstance(saved, dict) else None
    names = saved.get("files") if isinstance(saved, dict) else None
    # Checked before any name is made from them: a token such as "/../" would reach out.
    if not (isinstance(token, str) and _TOKEN.fullmatch(token) and isinstance(names, list)
            and all(n in _COMMITTED for n in names)):  # fmt: skip
        message = "not a commit ipskit wrote (edited by hand?): delete it, and the change it"
        raise FileProblemsError([f"{folder / COMMIT_JOURNAL}:1: {message} was finishing with it"])
    return token, names


def settle(folder: Path) -> None:
    """Finish a commit a kill interrupted, and remove the files of one never committed.

    The caller holds the folder's lock.
    """
    found = read_journal(folder)
    if found is not None:
        _install(folder, *found)
    for leftover in folder.glob(STAGED_PREFIX + "*"):
        with suppress(FileNotFoundError):
            leftover.unlink()


def _reading(folder: Path) -> dict[str, Path]:
    """Record files to read from where a commit is still being renamed into place."""
    if not os.path.exists(folder / COMMIT_JOURNAL):
        return {}
    try:
        found = read_journal(folder)
    except IpskitError:
        return {}  # the next writer reports it
    if found is None:
        return {}
    token, names = found
    staged = {name: folder / f"{STAGED_PREFIX}{token}-{name}" for name in names}
    return {name: path for name, path in staged.items() if path.exists()}


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
