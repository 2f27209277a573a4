"""The curriculum: what a course teaches, session by session, and how it is completed.

A curriculum is a YAML file a trainer can read and edit. It is validated in two steps:
the shape (pydantic, unknown keys refused, no silent type coercion), then the sense
(:func:`check`): blocks that add up to each session's length, ids that are unique and
that exist where they are referred to, and completion rules someone could meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Discriminator, Field, Tag

from ipskit.core import yaml_errors, yamlio
from ipskit.core.errors import FileProblemsError
from ipskit.core.models import Model, Text
from ipskit.courses import references
from ipskit.courses.meetings import FOLLOWUP_POINT

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _id(value: str) -> str:
    from ipskit.core.store import windows_reserved

    if not _ID.match(value):
        raise ValueError("use lower-case letters, digits and hyphens only, e.g. week-1")
    if windows_reserved(value):  # ids become file names, and workspaces go to Windows too
        raise ValueError("Windows keeps this name for a device: choose another id")
    return value


def _clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError('use the 24-hour clock in quotes, e.g. "18:30"')
    return value


def _after(value: str) -> str:
    if not FOLLOWUP_POINT.match(value):
        raise ValueError(
            "write a follow-up point as weeks or months after the course, e.g. 9w or 12m"
        )
    return value


Id = Annotated[str, AfterValidator(_id)]
FollowUpPoint = Annotated[str, AfterValidator(_after)]
Clock = Annotated[str, AfterValidator(_clock)]
Minutes = Annotated[int, Field(gt=0, le=12 * 60)]

BlockKind = Literal[
    "welcome",
    "check-in",
    "teaching",
    "exercise",
    "role-play",
    "discussion",
    "break",
    "reflection",
    "assessment",
    "check-out",
]


#: Whom a printed thing or a material is counted for: each participant, each group of
#: three, the whole group (one), or each trainer.
Per = Literal["person", "three", "group", "trainer"]
Count = Annotated[int, Field(ge=1, le=100)]


class Material(Model):
    """Something to bring, counted for the cohort: e.g. pens, one per person."""

    item: Text
    per: Per = Field("group", description="person, three, group (one in all) or trainer.")
    count: Count = Field(1, description="How many for each person, three, group or trainer.")


def _material_kind(value: object) -> str:
    return "counted" if isinstance(value, dict | Material) else "line"


#: A material is a line of text (``"Flip chart and pens"``) or an item with a count; a
#: mapping is read as an item only, so a mistake in one is reported as that mistake.
MaterialEntry = Annotated[
    Annotated[Text, Tag("line")] | Annotated[Material, Tag("counted")],
    Discriminator(_material_kind),
]


class Role(Model):
    """One of the three people in a role play."""

    name: Text = Field(description="Who this person is in the scene, e.g. 'Peer supporter'.")
    brief: Text = Field(description="What the person playing this role needs to know.")


class RolePlay(Model):
    """A practice scene for a group of three, with a debrief afterwards."""

    scenario: Text = Field(description="The situation, as read out to the group.")
    roles: list[Role] = Field(min_length=3, max_length=3, description="Exactly three roles.")
    debrief: list[Text] = Field(min_length=2, description="Questions for the debrief.")


class Block(Model):
    """A timed part of a session."""

    id: Id | None = Field(
        None, description="Lets notes refer to its clock times: [start:ID] and [end:ID]."
    )
    kind: BlockKind
    title: Text
    minutes: Minutes
    method: Text | None = Field(None, description="How it is run, e.g. 'In threes'.")
    materials: list[MaterialEntry] = Field(default_factory=list)
    facilitator_notes: Text | None = Field(None, description="What to say and do.")
    participant_text: Text | None = Field(None, description="Text for the workbook.")
    role_play: RolePlay | None = Field(None, description="Required for kind: role-play.")


class TeamRole(Model):
    """What one member of the training team does in a session."""

    role: Text = Field(description="e.g. 'Lead trainer', 'Co-facilitator'.")
    does: Text = Field(description="What this person does, block by block.")
    optional: bool = Field(
        False, description="A role for an extra person, if the team has one: not required."
    )


class SessionBase(Model):
    """What a session and a follow-on meeting have in common."""

    title: Text
    length_minutes: Minutes = Field(description="Must equal the sum of the blocks' minutes.")
    aim: Text
    objectives: list[Text] = Field(min_length=1, description="By the end, participants can…")
    preparation: list[Text] = Field(
        default_factory=list, description="What to do before the session, in order."
    )
    room: Text | None = Field(None, description="How to set up the room.")
    team: list[TeamRole] = Field(
        default_factory=list, description="Who does what; the required roles need trainers."
    )
    online: Text | None = Field(None, description="How to run this session on a video call.")
    materials: list[MaterialEntry] = Field(default_factory=list)
    content_note: Text | None = Field(
        None, description="Advance notice of difficult content, read out at the start."
    )
    key_ideas: list[Text] = Field(default_factory=list, description="In plain words.")
    blocks: list[Block] = Field(min_length=1)
    reflection_prompts: list[Text] = Field(default_factory=list)
    homework: Text | None = None

    @property
    def contact_minutes(self) -> int:
        """Minutes of contact time: every block except breaks."""
        return sum(block.minutes for block in self.blocks if block.kind != "break")

    def role_plays(self) -> Iterator[tuple[Block, RolePlay]]:
        """The role-play blocks of this session, with their scenes."""
        for block in self.blocks:
            if block.role_play is not None:
                yield block, block.role_play


class Session(SessionBase):
    """One session of the course (an evening, a day)."""

    id: Id


class FollowOn(SessionBase):
    """Meetings after the course, e.g. a monthly co-reflection group for a year."""

    id: Id = Field(description="Prefix of the meetings' ids, e.g. 'support-group'.")
    every: Literal["week", "fortnight", "month"]
    count: Annotated[int, Field(ge=1, le=60)]
    first_after_days: Annotated[int, Field(ge=1, le=366)] = Field(
        description="Days from the last session to the first meeting."
    )
    start_time: Clock | None = Field(None, description="Defaults to the course's start time.")


class Weekly(Model):
    """One session a week, on the weekday of the start date."""

    pattern: Literal["weekly"]
    start_time: Clock


class Daily(Model):
    """Sessions on consecutive days."""

    pattern: Literal["daily"]
    start_time: Clock
    weekends: bool = Field(False, description="Whether sessions may fall on a weekend.")


class Offsets(Model):
    """Sessions a given number of days after the first, e.g. [0, 7]."""

    pattern: Literal["offsets"]
    start_time: Clock
    day_offsets: list[Annotated[int, Field(ge=0, le=366)]] = Field(min_length=1)


Schedule = Annotated[Weekly | Daily | Offsets, Field(discriminator="pattern")]


class Assessment(Model):
    """A final assessment that completion requires."""

    title: Text
    session: Id = Field(description="The session in which it takes place.")
    description: Text
    guide: list[Text] = Field(default_factory=list, description="Guidance for participants.")


class Completion(Model):
    """The rules for completing the course and earning its certificate."""

    min_attendance_percent: Annotated[int, Field(ge=0)] | None = None
    min_sessions_attended: Annotated[int, Field(ge=0)] | None = None
    compulsory_sessions: list[Id] = Field(default_factory=list)
    late_counts_as: Literal["attended", "missed"] = "attended"
    apologies_count_as: Literal["missed", "excused"] = Field(
        "missed",
        description="'excused' leaves a session with apologies out of the count altogether.",
    )
    make_up_counts: bool = Field(True, description="Whether a made-up session counts.")
    max_missed_hours: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    assessment: Assessment | None = None


class Certificate(Model):
    """The words on the certificate; names, hours and dates are added when issued."""

    heading: Text
    statement: Text = Field(
        description="Follows the participant's name, e.g. 'has completed a course based on the"
        " Intentional Peer Support approach'."
    )
    accredited_statement: Text | None = Field(
        None,
        description="Printed instead when the workspace says 'accredited: true', e.g. 'has"
        " completed the Intentional Peer Support course'.",
    )


class Term(Model):
    """A concept in the glossary."""

    term: Text
    meaning: Text


class Competency(Model):
    """A skill participants rate themselves on, 1 to 5, before and after."""

    id: Id
    name: Text
    statement: Text = Field(description="What a 5 looks like, in the first person.")


class Agreement(Model):
    """A code of conduct participants sign."""

    title: Text
    session: Id = Field(description="The session in which it is signed.")
    introduction: Text
    commitments: list[Text] = Field(min_length=1)


class Page(Model):
    """A workbook page of the course's own, which homework and notes can name: [page:ID]."""

    id: Id
    title: Text
    after: Id | None = Field(
        None, description="The session whose pages it follows; without it, at the back."
    )
    intro: Text | None = None
    prompts: list[Text] = Field(
        default_factory=list, description="Questions, each with room to write."
    )
    columns: list[Text] = Field(
        default_factory=list, max_length=6, description="A log: a table with these columns."
    )
    rows: Annotated[int, Field(ge=1, le=30)] = Field(8, description="The log's rows.")


HandoutKind = Literal["card", "slip", "sheet", "form"]


class Handout(Model):
    """Something printed for a session and cut or handed out: [handout:ID] names it.

    Cards and slips are small, several to an A4 page with cut marks; sheets and forms
    are A4. A card or slip with ``items`` is a set, one card for each item.
    """

    id: Id
    title: Text
    kind: HandoutKind
    per: Per = Field("person", description="person, three, group (one in all) or trainer.")
    count: Count = Field(1, description="Copies (or sets) for each person, three, group...")
    intro: Text | None = Field(None, description="Printed on every copy.")
    items: list[Text] = Field(default_factory=list, description="One card or line for each.")
    prompts: list[Text] = Field(
        default_factory=list, description="Questions, each with room to write."
    )


class Question(Model):
    """A statement of the end-of-course evaluation, rated 1 (not at all) to 5 (very much)."""

    id: Id
    text: Text


class Evaluation(Model):
    """The end-of-course evaluation form: ratings only, anonymous."""

    session: Id = Field(description="The session in which it is filled in.")
    questions: list[Question] = Field(min_length=1, max_length=20)


#: The workbook's own pages (a course's sessions and its ``pages`` come in between).
WorkbookPart = Literal[
    "course-map",
    "group-agreement",
    "wellbeing-plan",
    "role-plays",
    "self-assessment",
    "assessment",
    "glossary",
    "support",
]


class Curriculum(Model):
    """A whole course."""

    id: Id
    title: Text
    summary: Text
    audience: Text
    trainers: Annotated[int, Field(ge=1, le=10)] = 1
    max_participants: Annotated[int, Field(ge=1, le=500)] | None = None
    schedule: Schedule
    group_agreement: list[Text] = Field(min_length=1)
    sessions: list[Session] = Field(min_length=1)
    follow_on: FollowOn | None = None
    completion: Completion
    certificate: Certificate
    competencies: list[Competency] = Field(default_factory=list)
    followups: list[FollowUpPoint] = Field(
        default_factory=list,
        description="When to ask people how they are using the course, after its last session:"
        " weeks (9w) or months (12m).",
    )
    agreement: Agreement | None = None
    glossary: list[Term] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list, description="Workbook pages of its own.")
    handouts: list[Handout] = Field(
        default_factory=list, description="Cards, slips, sheets and forms to print."
    )
    evaluation: Evaluation | None = None
    workbook: list[WorkbookPart] | None = Field(
        None,
        description="The workbook's own pages this course's workbook has, in order (the"
        " support page always); without it, every one that applies.",
    )

    @property
    def contact_minutes(self) -> int:
        """Contact time of the course's sessions (follow-on meetings not included)."""
        return sum(session.contact_minutes for session in self.sessions)

    @property
    def contact_hours(self) -> float:
        """Contact time in hours."""
        return self.contact_minutes / 60

    def session(self, session_id: str) -> Session | None:
        """The session with this id, if there is one."""
        return next((s for s in self.sessions if s.id == session_id), None)

    def page_titles(self) -> dict[str, str]:
        """Every workbook page a text may name as [page:ID], by id, with its title."""
        titles = dict(references.BUILTIN_PAGES)
        if not any(True for session in self.sessions for _ in session.role_plays()):
            del titles["role-plays"]
        if not self.competencies:
            del titles["self-assessment"]
        if self.completion.assessment is not None:
            titles["assessment"] = self.completion.assessment.title
        if self.glossary:
            titles["glossary"] = "Glossary"
        if self.workbook is not None:  # a course's short workbook leaves some out
            titles = {key: title for key, title in titles.items() if key in self.workbook}
        titles.update((page.id, page.title) for page in self.pages)
        return titles

    def handout_titles(self) -> dict[str, str]:
        """Every handout a text may name as [handout:ID], by id, with its title."""
        titles = dict(references.BUILTIN_HANDOUTS)
        if self.evaluation is not None:
            titles["evaluation-form"] = "End-of-course evaluation"
        titles.update((handout.id, handout.title) for handout in self.handouts)
        return titles


def start_time(value: str) -> time:
    """A validated ``HH:MM`` as a time."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


Problem = tuple[yamlio.Loc, str]


def check(curriculum: Curriculum) -> list[Problem]:
    """Everything the shape cannot catch: sums, references, duplicates, impossible rules."""
    problems: list[Problem] = []
    problems += _check_ids(curriculum)
    problems += _check_sessions(curriculum)
    problems += _check_schedule(curriculum)
    problems += _check_completion(curriculum)
    problems += _check_parts(curriculum)
    problems += references.problems(curriculum, _texts(curriculum))
    problems += _duplicates(("followups",), list(curriculum.followups), None, "the follow-ups")
    problems += _duplicates(
        ("glossary",), [t.term.casefold() for t in curriculum.glossary], "term", "the glossary"
    )
    if curriculum.agreement and not curriculum.session(curriculum.agreement.session):
        problems.append(
            (("agreement", "session"), f"no session has id '{curriculum.agreement.session}'")
        )
    return problems


def _duplicates(
    where: yamlio.Loc, values: list[str], field: str | None, what: str
) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value in seen:
            loc = (*where, index, field) if field else (*where, index)
            problems.append((loc, f"'{value}' appears twice in {what}"))
        seen.add(value)
    return problems


def _check_ids(curriculum: Curriculum) -> list[Problem]:
    ids = [s.id for s in curriculum.sessions]
    problems = _duplicates(("sessions",), ids, "id", "the session ids")
    if curriculum.follow_on and curriculum.follow_on.id in ids:
        problems.append(
            (("follow_on", "id"), f"'{curriculum.follow_on.id}' is already a session's id")
        )
    problems += _duplicates(
        ("competencies",), [c.id for c in curriculum.competencies], "id", "the competency ids"
    )
    return problems


def _all_sessions(curriculum: Curriculum) -> Iterator[tuple[yamlio.Loc, SessionBase]]:
    for index, session in enumerate(curriculum.sessions):
        yield ("sessions", index), session
    if curriculum.follow_on:
        yield ("follow_on",), curriculum.follow_on


def _check_sessions(curriculum: Curriculum) -> list[Problem]:
    problems: list[Problem] = []
    for loc, session in _all_sessions(curriculum):
        total = sum(block.minutes for block in session.blocks)
        if total != session.length_minutes:
            problems.append(
                (
                    (*loc, "length_minutes"),
                    f"the blocks add up to {total} minutes, not {session.length_minutes}",
                )
            )
        for index, block in enumerate(session.blocks):
            if block.kind == "role-play" and block.role_play is None:
                problems.append(
                    ((*loc, "blocks", index, "kind"), "a role-play block needs a 'role_play'")
                )
            if block.kind != "role-play" and block.role_play is not None:
                problems.append(
                    (
                        (*loc, "blocks", index, "role_play"),
                        "only a block of kind 'role-play' can have a 'role_play'",
                    )
                )
    return problems


def _check_schedule(curriculum: Curriculum) -> list[Problem]:
    problems: list[Problem] = []
    schedule = curriculum.schedule
    if isinstance(schedule, Offsets):
        offsets, count = schedule.day_offsets, len(curriculum.sessions)
        if len(offsets) != count:
            problems.append(
                (
                    ("schedule", "day_offsets"),
                    f"gives {len(offsets)} day offsets for {count} sessions",
                )
            )
        if offsets and offsets[0] != 0:
            problems.append(
                (("schedule", "day_offsets", 0), "the first session's offset must be 0")
            )
        for index in range(1, len(offsets)):
            if offsets[index] <= offsets[index - 1]:
                problems.append(
                    (
                        ("schedule", "day_offsets", index),
                        "each offset must be later than the one before",
                    )
                )
    begin = start_time(schedule.start_time)
    for loc, session in _all_sessions(curriculum):
        own = getattr(session, "start_time", None)
        clock = start_time(own) if own else begin
        if clock.hour * 60 + clock.minute + session.length_minutes > 24 * 60:
            problems.append(((*loc, "length_minutes"), "the session would run past midnight"))
    return problems


def _check_completion(curriculum: Curriculum) -> list[Problem]:
    rules = curriculum.completion
    count = len(curriculum.sessions)
    problems: list[Problem] = []
    if rules.min_attendance_percent is not None and rules.min_sessions_attended is not None:
        problems.append(
            (
                ("completion", "min_sessions_attended"),
                "give either min_attendance_percent or min_sessions_attended, not both",
            )
        )
    if rules.min_attendance_percent is not None and rules.min_attendance_percent > 100:
        problems.append(
            (
                ("completion", "min_attendance_percent"),
                f"no one can attend {rules.min_attendance_percent}% of the sessions",
            )
        )
    if rules.min_sessions_attended is not None and rules.min_sessions_attended > count:
        problems.append(
            (
                ("completion", "min_sessions_attended"),
                f"no one can attend {rules.min_sessions_attended} sessions of a course of {count}",
            )
        )
    for index, session_id in enumerate(rules.compulsory_sessions):
        if not curriculum.session(session_id):
            problems.append(
                (("completion", "compulsory_sessions", index), f"no session has id '{session_id}'")
            )
    problems += _duplicates(
        ("completion", "compulsory_sessions"),
        list(rules.compulsory_sessions),
        None,
        "the compulsory sessions",
    )
    if rules.assessment and not curriculum.session(rules.assessment.session):
        problems.append(
            (
                ("completion", "assessment", "session"),
                f"no session has id '{rules.assessment.session}'",
            )
        )
    return problems


def _check_parts(curriculum: Curriculum) -> list[Problem]:
    """Block ids, pages, handouts, the evaluation and the team each session needs."""
    problems: list[Problem] = []
    for loc, session in _all_sessions(curriculum):
        ids = [b.id or "" for b in session.blocks]
        problems += [
            ((*loc, "blocks", index, "id"), f"'{block_id}' is already a block's id in this session")
            for index, block_id in enumerate(ids)
            if block_id and block_id in ids[:index]
        ]  # fmt: skip
        required = [index for index, role in enumerate(session.team) if not role.optional]
        if len(required) > curriculum.trainers:
            problems.append(
                (
                    (*loc, "team", required[curriculum.trainers]),
                    f"{len(required)} roles need a person, but the course has trainers:"
                    f" {curriculum.trainers}; make a role optional or raise trainers",
                )
            )
    builtin_pages, builtin_handouts = references.BUILTIN_PAGES, references.BUILTIN_HANDOUTS
    page_ids = [p.id for p in curriculum.pages]
    problems += _duplicates(("pages",), page_ids, "id", "the page ids")
    problems += [
        (("pages", index, "id"),
         f"'{page_id}' is one of the workbook's own pages: choose another id")
        for index, page_id in enumerate(page_ids)
        if page_id in builtin_pages or page_id in ("assessment", "glossary")
    ]  # fmt: skip
    problems += [
        (("pages", index, "after"), f"no session has id '{page.after}'")
        for index, page in enumerate(curriculum.pages)
        if page.after is not None and not curriculum.session(page.after)
    ]  # fmt: skip
    problems += [
        (("pages", index, "prompts"), "a page needs prompts, columns or both")
        for index, page in enumerate(curriculum.pages)
        if not page.prompts and not page.columns and not page.intro
    ]  # fmt: skip
    handout_ids = [h.id for h in curriculum.handouts]
    problems += _duplicates(("handouts",), handout_ids, "id", "the handout ids")
    problems += [
        (("handouts", index, "id"), f"'{handout_id}' is one ipskit makes itself: choose another id")
        for index, handout_id in enumerate(handout_ids)
        if handout_id in builtin_handouts or handout_id == "evaluation-form"
    ]  # fmt: skip
    problems += [
        (("handouts", index), "a handout needs an intro, items or prompts: something to print")
        for index, handout in enumerate(curriculum.handouts)
        if not handout.intro and not handout.items and not handout.prompts
    ]  # fmt: skip
    if curriculum.workbook is not None and "support" not in curriculum.workbook:
        problems.append(
            (("workbook",), "the workbook always has its support page: add 'support'")
        )
    if curriculum.workbook is not None:
        problems += _duplicates(("workbook",), list(curriculum.workbook), None, "the workbook")
    if curriculum.evaluation is not None:
        if not curriculum.session(curriculum.evaluation.session):
            problems.append(
                (
                    ("evaluation", "session"),
                    f"no session has id '{curriculum.evaluation.session}'",
                )
            )
        problems += _duplicates(
            ("evaluation", "questions"),
            [q.id for q in curriculum.evaluation.questions],
            "id",
            "the question ids",
        )
    return problems


#: Fields that hold ids, clocks or choices, not prose: their values are not read for references.
_NOT_PROSE = frozenset(
    {"id", "kind", "pattern", "start_time", "session", "after", "every", "per", "followups",
     "compulsory_sessions", "late_counts_as", "apologies_count_as"}
)  # fmt: skip


def _texts(
    curriculum: Curriculum,
) -> Iterator[tuple[yamlio.Loc, str, SessionBase | None]]:
    """Every piece of prose in the curriculum, where it is, and the session it is part of."""

    def walk(value: object, loc: yamlio.Loc, session: SessionBase | None
             ) -> Iterator[tuple[yamlio.Loc, str, SessionBase | None]]:  # fmt: skip
        if isinstance(value, str):
            yield loc, value, session
        elif isinstance(value, BaseModel):
            if isinstance(value, SessionBase):
                session = value
            for name in type(value).model_fields:
                if name not in _NOT_PROSE:
                    yield from walk(getattr(value, name), (*loc, name), session)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*loc, index), session)

    yield from walk(curriculum, (), None)


#: Curricula this process has read, by their text: every command reads the whole
#: catalogue, and a curriculum is the same whatever file it came from (its model is frozen).
_READ: dict[str, Curriculum] = {}
_KEEP = 16


def load(path: Path) -> Curriculum:
    """Read, validate and check a curriculum file; raise with every problem found."""
    text = yamlio.read_text(path)
    known = _READ.get(text)
    if known is not None:
        return known
    doc = yamlio.load_text(text, path)
    curriculum = yaml_errors.validate(doc, Curriculum)
    problems = check(curriculum)
    if problems:
        raise FileProblemsError(
            yaml_errors.in_file_order(
                path, (doc.problem(loc, message) for loc, message in problems)
            )
        )
    if len(_READ) >= _KEEP:
        del _READ[next(iter(_READ))]  # the first read: a process reads few curricula
    _READ[text] = curriculum
    return curriculum


def timetable(session: SessionBase, begin: time) -> list[tuple[time, time, Block]]:
    """Each block with its clock start and end, from a session's start time."""
    rows, minute = [], begin.hour * 60 + begin.minute
    for block in session.blocks:
        end = minute + block.minutes
        rows.append((_time_of(minute), _time_of(end), block))
        minute = end
    return rows


def _time_of(minute: int) -> time:
    minute = min(minute, 24 * 60 - 1)  # check() refuses sessions past midnight
    return time(minute // 60, minute % 60)
