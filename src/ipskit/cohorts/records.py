"""A cohort's records: participants, attendance, assessments, and the history of changes.

Every change happens inside :func:`ipskit.cohorts.changing.changing`, which holds the
cohort's lock, reads every record file afresh (so a file broken by hand stops the change
before anything is written), lets the caller change the records, then writes the files
that changed and the rows it adds to ``history.csv`` together, in one commit (see
:mod:`ipskit.cohorts.commit`): a kill at any moment leaves every file old or every file
new, never a mark without its history row. History rows name participants by id only;
names live in ``roster.csv`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.commit import commit, paths_to_read
from ipskit.cohorts.name_finder import NameFinder
from ipskit.cohorts.record_files import (
    history_with,
    read_answers,
    read_assessments,
    read_evaluations,
    read_imported,
    read_marks,
    read_ratings,
    read_roster,
    read_signed,
    roster_text,
)
from ipskit.cohorts.record_types import (
    AGREEMENT_COLUMNS,
    AGREEMENTS_FILE,
    ASSESSMENT_COLUMNS,
    ASSESSMENTS_FILE,
    ATTENDANCE_COLUMNS,
    ATTENDANCE_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    EVALUATIONS_IMPORTED_COLUMNS,
    EVALUATIONS_IMPORTED_FILE,
    FIELDS,
    FOLLOWUP_COLUMNS,
    FOLLOWUPS_FILE,
    HISTORY_COLUMNS,
    HISTORY_FILE,
    PARTICIPANT_ID,
    RATING_COLUMNS,
    RATINGS_FILE,
    ROSTER_FILE,
    STAGES,
    Answer,
    Assessment,
    Edit,
    Mark,
    Participant,
    Rating,
    check_email,
    check_note,
)
from ipskit.core import csvio
from ipskit.core.errors import IpskitError, NotFoundError, argument
from ipskit.core.names import check_name, check_name_lang, fold, isolate
from ipskit.courses.meetings import Meeting


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
    #: Anonymous evaluation responses: each one's ratings by question, by its number.
    responses: dict[int, dict[str, int]] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)  # digests of rows imported
    history: list[list[str]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    erased: list[tuple[str | None, NameFinder]] = field(default_factory=list)
    _last_id: int | None = field(default=None, repr=False)
    _last_response: int | None = field(default=None, repr=False)

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, cohort: Cohort) -> Records:
        """Read the roster, attendance and assessments, checking every row.

        A commit that was stopped while its files were being renamed into place is read
        as committed, whole.
        """
        staged = paths_to_read(cohort.folder)
        try:
            return cls._read(cohort, staged)
        except FileNotFoundError:
            if not staged:
                raise
            return cls._read(cohort, paths_to_read(cohort.folder))  # renamed as we read

    @classmethod
    def _read(cls, cohort: Cohort, staged: dict[str, Path]) -> Records:
        def file(name: str) -> Path:
            return staged.get(name) or cohort.file(name)

        roster = read_roster(file(ROSTER_FILE))
        ids = {p.id for p in roster}
        numbers = {m.number for m in cohort.everything}
        marks = read_marks(file(ATTENDANCE_FILE), ids, numbers)
        assessments = read_assessments(file(ASSESSMENTS_FILE), ids)
        points = {f.at for f in cohort.settings.followups}
        return cls(
            cohort, roster, marks, assessments,
            answers=read_answers(file(FOLLOWUPS_FILE), ids, points),
            ratings=read_ratings(file(RATINGS_FILE), ids),
            signed=read_signed(file(AGREEMENTS_FILE), ids),
            responses=read_evaluations(file(EVALUATIONS_FILE)),
            imported=read_imported(file(EVALUATIONS_IMPORTED_FILE)),
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
            pronouns: str = "", name_lang: str = "") -> Participant:  # fmt: skip
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
            name_lang=_checked("name_lang", name_lang),
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
            if row[1] == "removed" and PARTICIPANT_ID.match(row[3]):
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
             pronouns: str | None = None,
             name_lang: str | None = None) -> tuple[Participant, list[Edit]]:  # fmt: skip
        """Correct someone's roster entry; the entry as it now is, and what changed.

        Each value is checked as :meth:`add` checks it; an empty certificate name, email,
        pronouns or name language clears it. Each changed field gets a history row that
        says which field changed and whether it was set, never the text itself: history
        rows hold ids only, and a name there could not be erased by ``forget``.
        """
        given = {"name": name, "certificate_name": certificate_name, "email": email,
                 "pronouns": pronouns, "name_lang": name_lang}  # fmt: skip
        new = {key: _checked(key, value) for key, value in given.items() if value is not None}
        edits = [Edit(key, getattr(person, key), value) for key, value in new.items()
                 if getattr(person, key) != value]  # fmt: skip
        if not edits:
            return person, []
        after = {e.field: e.after for e in edits}
        updated = person._replace(
            name=after.get("name", person.name),
            certificate_name=after.get("certificate_name", person.certificate_name),
            email=after.get("email", person.email),
            pronouns=after.get("pronouns", person.pronouns),
            name_lang=after.get("name_lang", person.name_lang),
        )
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
            raise IpskitError(f"{argument('trained_others')} is a count of people, from 0")
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

    def add_response(self, answers: dict[str, int], *, digest: str = "",
                     note: str = "") -> int:  # fmt: skip
        """Record one evaluation form's ratings, anonymously; return the response's number.

        A number is never given twice, even once its response is removed. ``digest``
        marks a row of an imported file, kept apart from the responses (in no order that
        ties it to one), so that importing the row again adds nothing.
        """
        if self._last_response is None:
            self._last_response = max(self._responses_ever(), default=0)
        self._last_response += 1
        number = self._last_response
        self.responses[number] = dict(answers)
        self.changed.add(EVALUATIONS_FILE)
        if digest:
            self.imported.add(digest)
            self.changed.add(EVALUATIONS_IMPORTED_FILE)
        self.log("evaluation imported" if digest else "evaluation added",
                 after=f"response {number}: {_describe_response(answers)}",
                 note=check_note(note))  # fmt: skip
        return number

    def remove_response(self, number: int) -> dict[str, int]:
        """Take out an evaluation response recorded by mistake; return its ratings."""
        answers = self.responses.pop(number, None)
        if answers is None:
            raise NotFoundError(f"cohort {self.cohort.id} has no evaluation response {number}")
        self.changed.add(EVALUATIONS_FILE)
        self.log("evaluation removed", before=f"response {number}: {_describe_response(answers)}")
        return answers

    def _responses_ever(self) -> Iterator[int]:
        """Every response number given: removed ones are in the history."""
        yield from self.responses
        path = self.cohort.file(HISTORY_FILE)
        rows = csvio.read_table(path, HISTORY_COLUMNS) if path.exists() else iter(())
        for row in [*(row for _, row in rows), *self.history]:
            if row[1].startswith("evaluation "):
                found = _RESPONSE.match(row[4] or row[5])
                if found:
                    yield int(found[1])

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
                name_lang="",
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

        for mark_key, mark in self.marks.items():
            if mark.note != (note := clean(mark.participant, mark.note)):
                self.marks[mark_key] = mark._replace(note=note)
                self.changed.add(ATTENDANCE_FILE)
        for pid, result in self.assessments.items():
            if result.note != (note := clean(pid, result.note)):
                self.assessments[pid] = result._replace(note=note)
                self.changed.add(ASSESSMENTS_FILE)
        for answer_key, answer in self.answers.items():
            if answer.note != (note := clean(answer.participant, answer.note)):
                self.answers[answer_key] = answer._replace(note=note)
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
        rows: list[tuple[str, ...]]
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
        if EVALUATIONS_FILE in self.changed:
            rows = [(str(number), question, str(rating))
                    for number, answers in sorted(self.responses.items())
                    for question, rating in answers.items()]  # fmt: skip
            files[EVALUATIONS_FILE] = csvio.to_text(EVALUATION_COLUMNS, rows)
        if EVALUATIONS_IMPORTED_FILE in self.changed:
            files[EVALUATIONS_IMPORTED_FILE] = csvio.to_text(
                EVALUATIONS_IMPORTED_COLUMNS, [(digest,) for digest in sorted(self.imported)]
            )
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
    if key == "name_lang":
        return check_name_lang(value)
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


_RESPONSE = re.compile(r"^response ([0-9]+):")


def _describe_response(answers: dict[str, int]) -> str:
    """``safe=5 learned=4``: as ``ipskit evaluations COHORT add`` takes them."""
    return " ".join(f"{question}={rating}" for question, rating in answers.items())


def _describe_answer(answer: Answer | None) -> str:
    if answer is None:
        return ""
    using = "using the skills" if answer.using_skills else "not using the skills"
    return f"{using}; trained {answer.trained_others}"
