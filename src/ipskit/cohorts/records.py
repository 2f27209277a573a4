"""A cohort's records: participants, attendance, assessments, and the history of changes.

Every change happens inside :func:`ipskit.cohorts.changing.changing`, which holds the
cohort's lock, reads every record file afresh (so a file broken by hand stops the change
before anything is written), lets the caller change the records, then writes the files
that changed and the rows it adds to ``history.csv`` together, in one commit (see
:mod:`ipskit.cohorts.commit`): a kill at any moment leaves every file old or every file
new, never a mark without its history row. History rows name participants by id only;
names live in ``roster.csv`` alone.

A key may have been recorded more than one way (two computers changed the same mark,
name or answer differently, and a merge kept both rows; see
:mod:`ipskit.cohorts.record_files`): the first way stands for every command, and the
others are kept in :attr:`Records.others` and written back after it. A change that sets
such a key, even to the value that stands, settles it: one row is written, the other
ways are dropped, and the history says so (a ``settled`` row).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.commit import commit, paths_to_read
from ipskit.cohorts.name_finder import NameFinder
from ipskit.cohorts.record_files import (
    Others,
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

#: The record files whose rows are kept by a key, which a merge may leave recorded two ways.
KEYED_FILES = (ROSTER_FILE, ATTENDANCE_FILE, ASSESSMENTS_FILE, FOLLOWUPS_FILE, RATINGS_FILE,
               AGREEMENTS_FILE, EVALUATIONS_FILE)  # fmt: skip


class Settled(NamedTuple):
    """A key recorded more than one way that a change settled."""

    file: str
    key: Any
    #: Every way it was recorded, the one that stood first: a mark, a participant...
    ways: tuple[Any, ...]
    #: What it is now; None when the change took it away.
    kept: Any


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
    #: Each keyed file's keys recorded more than one way: the other ways, after the one
    #: that stands, each with the line it was read from.
    others: dict[str, Others[Any, Any]] = field(default_factory=dict)
    #: What this change settled.
    settled: list[Settled] = field(default_factory=list)
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

        others: dict[str, Others[Any, Any]] = {name: {} for name in KEYED_FILES}
        roster = read_roster(file(ROSTER_FILE), others[ROSTER_FILE])
        ids = {p.id for p in roster}
        numbers = {m.number for m in cohort.everything}
        marks = read_marks(file(ATTENDANCE_FILE), ids, numbers, others[ATTENDANCE_FILE])
        assessments = read_assessments(file(ASSESSMENTS_FILE), ids, others[ASSESSMENTS_FILE])
        points = {f.at for f in cohort.settings.followups}
        return cls(
            cohort, roster, marks, assessments,
            answers=read_answers(file(FOLLOWUPS_FILE), ids, points, others[FOLLOWUPS_FILE]),
            ratings=read_ratings(file(RATINGS_FILE), ids, others[RATINGS_FILE]),
            signed=read_signed(file(AGREEMENTS_FILE), ids, others[AGREEMENTS_FILE]),
            responses=read_evaluations(file(EVALUATIONS_FILE), others[EVALUATIONS_FILE]),
            imported=read_imported(file(EVALUATIONS_IMPORTED_FILE)),
            others=others,
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

    def other_ways(self, file: str, key: Hashable) -> list[Any]:
        """The ways a key of a record file was recorded besides the one that stands."""
        return [row for _, row in self.others.get(file, {}).get(key, ())]

    # --- changing -------------------------------------------------------------------------

    def log(self, action: str, *, session: str = "", participant: str = "",
            before: str = "", after: str = "", note: str = "") -> None:  # fmt: skip
        """Note a change for ``history.csv``."""
        when = datetime.now(UTC).isoformat(timespec="seconds")
        self.history.append([when, action, session, participant, before, after, note])

    def _settle(self, file: str, key: Hashable, standing: Any, kept: Any,
                words: Callable[[Any], str], *, session: str = "",
                participant: str = "") -> bool:  # fmt: skip
        """Drop a key's other ways, as this change sets it; whether it had any.

        The history says how it was recorded and what it is now, in ``words``: never a
        name (a roster entry is worded by :func:`_roster_ways`).
        """
        found = self.others.get(file, {}).pop(key, None)
        if not found:
            return False
        ways = (standing, *(row for _, row in found))
        self.settled.append(Settled(file, key, ways, kept))
        self.changed.add(file)
        if file == ROSTER_FILE:
            before, after = _roster_ways(ways, kept)
        else:
            before = " or ".join(words(way) for way in ways)
            after = words(kept) if kept is not None else "taken out"
        self.log("settled", session=session, participant=participant, before=before,
                 after=after)  # fmt: skip
        return True

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
            if self.other_ways(ROSTER_FILE, person.id):
                self._put(person)  # given again as it stands: it settles the entry
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
        self._settle(ROSTER_FILE, person.id, person, None, str, participant=person.id)
        self.log("removed", participant=person.id, before=person.status)

    def withdraw(self, person: Participant, when: date) -> None:
        """Record that someone has left the course.

        Said again of someone recorded two ways, it settles their entry as withdrawn.
        """
        if person.status == "withdrawn" and not self.other_ways(ROSTER_FILE, person.id):
            raise IpskitError(f"{person.id} {isolate(person.name)} has already withdrawn")
        self._put(person._replace(status="withdrawn", left=when))
        if person.status != "withdrawn":
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
        key = (meeting.number, person.id)
        settled = self._settle(ATTENDANCE_FILE, key, old, new, _describe, session=meeting.id,
                               participant=person.id)  # fmt: skip
        if old == new:
            return settled
        self.marks[key] = new
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
        new = Assessment(person.id, result, when, check_note(note))
        self._settle(ASSESSMENTS_FILE, person.id, old, new, _describe_result,
                     participant=person.id)  # fmt: skip
        self.assessments[person.id] = new
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
        self._settle(FOLLOWUPS_FILE, (point, person.id), old, new, _describe_answer,
                     session=point, participant=person.id)  # fmt: skip
        self.answers[(point, person.id)] = new
        self.changed.add(FOLLOWUPS_FILE)
        self.log("followed up", session=point, participant=person.id,
                 before=_describe_answer(old), after=_describe_answer(new))  # fmt: skip

    def rate(self, person: Participant, stage: str, ratings: dict[str, int], when: date) -> None:
        """Record self-ratings, 1 to 5, of some competencies, before or after the course."""
        for competency, value in ratings.items():
            key = (stage, person.id, competency)
            old = self.ratings.get(key)
            new = Rating(stage, person.id, competency, value, when)
            self._settle(RATINGS_FILE, key, old, new, _describe_rating, session=stage,
                         participant=person.id)  # fmt: skip
            self.ratings[key] = new
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
        for question, rating in answers.items():
            self._settle(EVALUATIONS_FILE, (number, question), rating, None,
                         f"{question}={{}}".format, session=f"response {number}")  # fmt: skip
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
        settled = self._settle(AGREEMENTS_FILE, person.id, old, when, _describe_signed,
                               participant=person.id)  # fmt: skip
        if old == when:
            return settled
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
        # Every way their entry was recorded: another computer may have had another spelling.
        ways = [person, *self.other_ways(ROSTER_FILE, person.id)]
        finder = NameFinder([n for way in ways for n in (way.name, way.certificate_name)],
                            [way.email for way in ways])  # fmt: skip
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
        # The other ways of a key are written back, so their notes are scrubbed too.
        for file in (ATTENDANCE_FILE, ASSESSMENTS_FILE, FOLLOWUPS_FILE):
            for ways in self.others.get(file, {}).values():
                for index, (line, way) in enumerate(ways):
                    if way.note != (note := clean(way.participant, way.note)):
                        ways[index] = (line, way._replace(note=note))
                        self.changed.add(file)
        self.erased.append((owner, finder))
        return changed

    def _put(self, person: Participant) -> None:
        old = self.participant(person.id)
        self._settle(ROSTER_FILE, person.id, old, person, str, participant=person.id)
        self.roster = [person if p.id == person.id else p for p in self.roster]
        self.changed.add(ROSTER_FILE)

    # --- writing --------------------------------------------------------------------------

    def save(self) -> None:
        """Write the files that changed and the history's new rows, all in one commit.

        A key recorded more than one way, and not settled by this change, is written as
        it was read: the row that stands, then its other ways.
        """
        files: dict[str, str] = {}
        if ROSTER_FILE in self.changed:
            files[ROSTER_FILE] = roster_text(self.roster, self.others.get(ROSTER_FILE))
        if ATTENDANCE_FILE in self.changed:
            files[ATTENDANCE_FILE] = self._text(
                ATTENDANCE_FILE, ATTENDANCE_COLUMNS, _mark_row,
                sorted(self.marks.items(), key=lambda item: item[0]),
            )  # fmt: skip
        if ASSESSMENTS_FILE in self.changed:
            files[ASSESSMENTS_FILE] = self._text(
                ASSESSMENTS_FILE, ASSESSMENT_COLUMNS, _assessment_row,
                sorted(self.assessments.items()),
            )  # fmt: skip
        if FOLLOWUPS_FILE in self.changed:
            files[FOLLOWUPS_FILE] = self._text(
                FOLLOWUPS_FILE, FOLLOWUP_COLUMNS, _answer_row, sorted(self.answers.items())
            )
        if RATINGS_FILE in self.changed:
            ratings = sorted(self.ratings.items(),
                             key=lambda item: (STAGES.index(item[0][0]), item[0][1]))  # fmt: skip
            files[RATINGS_FILE] = self._text(RATINGS_FILE, RATING_COLUMNS, _rating_row, ratings)
        if AGREEMENTS_FILE in self.changed:
            files[AGREEMENTS_FILE] = self._text(
                AGREEMENTS_FILE, AGREEMENT_COLUMNS, lambda pid, day: (pid, day.isoformat()),
                sorted(self.signed.items()),
            )  # fmt: skip
        if EVALUATIONS_FILE in self.changed:
            files[EVALUATIONS_FILE] = self._text(
                EVALUATIONS_FILE, EVALUATION_COLUMNS,
                lambda key, rating: (str(key[0]), key[1], str(rating)),
                [((number, question), rating) for number, answers in sorted(self.responses.items())
                 for question, rating in answers.items()],
            )  # fmt: skip
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

    def _text(self, file: str, columns: tuple[str, ...],
              row: Callable[[Any, Any], tuple[str, ...]],
              items: list[tuple[Any, Any]]) -> str:  # fmt: skip
        """A keyed file's text: each key's row, followed by its other ways, if it has any."""
        others = self.others.get(file) or {}
        rows = []
        for key, value in items:
            rows.append(row(key, value))
            rows += [row(key, way) for _, way in others.get(key, ())]
        return csvio.to_text(columns, rows)

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


def settled_words(ways: list[str], kept: str) -> str:
    """What settling a record made two ways did, in words: "present, kept (the other...)".

    ``ways`` are how it was recorded, the one that stood first; ``kept`` is what it is now.
    """
    if kept not in ways:
        return f"{' or '.join(dict.fromkeys(ways))} (recorded on two computers) → {kept}"
    dropped = list(dict.fromkeys(way for way in ways if way != kept))
    if not dropped:
        return f"{kept}, kept (it was recorded twice; now once)"
    if len(dropped) == 1:
        return f"{kept}, kept (the other computer's {dropped[0]} is dropped)"
    return f"{kept}, kept (the other ways, {', '.join(dropped)}, are dropped)"


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


def _mark_row(_key: object, m: Mark) -> tuple[str, ...]:
    return (str(m.session), m.participant, m.status, "yes" if m.made_up else "", m.note)


def _assessment_row(_key: object, a: Assessment) -> tuple[str, ...]:
    return (a.participant, a.result, a.date.isoformat(), a.note)


def _answer_row(_key: object, a: Answer) -> tuple[str, ...]:
    return (a.point, a.participant, a.answered.isoformat(), "yes" if a.using_skills else "no",
            str(a.trained_others), a.note)  # fmt: skip


def _rating_row(_key: object, r: Rating) -> tuple[str, ...]:
    return (r.stage, r.participant, r.competency, str(r.rating), r.date.isoformat())


def _roster_ways(ways: tuple[Any, ...], kept: Participant | None) -> tuple[str, str]:
    """A roster entry's ways and what it is now, for the history: which fields, no text."""
    fields = [what for key, what in {**FIELDS, "status": "status", "added": "added",
                                     "left": "left"}.items()
              if len({getattr(way, key) for way in ways}) > 1]  # fmt: skip
    before = f"{len(ways)} ways" + (f" ({', '.join(fields)})" if fields else "")
    if kept is None:
        return before, "taken out"
    at = next((n for n, way in enumerate(ways) if way == kept), None)
    return before, (f"way {at + 1} kept" if at is not None else "changed")


def _describe_result(result: Assessment | None) -> str:
    return f"{result.result} {result.date.isoformat()}" if result else ""


def _describe_rating(rating: Rating | None) -> str:
    return f"{rating.competency} {rating.rating}" if rating else ""


def _describe_signed(day: date | None) -> str:
    return f"signed {day}" if day else "not signed"


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
