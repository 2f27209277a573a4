"""The participant workbook: the course in plain words, with room to write.

One workbook for a course (dated for a cohort, undated for a curriculum), or one copy
per participant with their name on the cover, put together from one shared body (see
:mod:`ipskit.documents.workbook_copies`). The cover is page 1 either way, so every page
number, and the contents page, is the same in every copy.

The contents page lists the template's own headings, so a template in another language
gets a contents page in that language: the template is rendered once to find them, and
again with the contents filled in (see :mod:`ipskit.documents.contents`).

The curriculum chooses the workbook's own pages (its ``workbook`` list), and adds pages
of its own, each after the session it goes with. Every reference in its text is written
out: a page's title, a handout's, or a clock time for this course. No role play's brief
is printed: it belongs to the person playing the role, on their role card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from ipskit.cohorts.course import Course
from ipskit.core.dateformat import clock, long_date, long_date_span
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.courses.curriculum import Page, SessionBase, WorkbookPart, start_time
from ipskit.courses.references import References, page_titles
from ipskit.documents.contents import contents_of
from ipskit.documents.context import organisation, paragraphs
from ipskit.documents.render import Renderer, write_output
from ipskit.documents.workbook_copies import assemble, covers_aside, finish_covers, pdf_bytes
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "workbook.html"
#: Ruled writing lines: a prompt gets more the longer it is, within these bounds.
PROMPT_LINES = (5, 10)
HOMEWORK_LINES = (8, 16)
#: The parts before the sessions when they are chosen; the others come after them.
FRONT = ("course-map", "group-agreement", "wellbeing-plan")
#: A contents page is worth its paper from this many lines: a short workbook has none.
CONTENTS_FROM = 4


@dataclass(frozen=True)
class Owner:
    """Whose copy a workbook is: named on the cover, and their file named by id."""

    id: str
    name: str
    name_lang: str = ""  # the language the trainer chose for the name, if any

    @property
    def cover(self) -> dict[str, str]:
        """What the template prints on their cover."""
        return {"name": self.name, "name_lang": self.name_lang}


def prompt_lines(text: str) -> int:
    """Writing lines for a reflection prompt: 5 for a short one, up to 10 for a long one."""
    low, high = PROMPT_LINES
    return max(low, min(high, low + len(text) // 30))


def homework_lines(text: str) -> int:
    """Writing lines for a homework task: 8 to 16, more for a longer task."""
    low, high = HOMEWORK_LINES
    return max(low, min(high, low + len(text) // 60))


def log_lines(rows: int) -> int:
    """Writing lines in each row of a log: as many as let its rows fill about a page."""
    return 4 if rows <= 5 else 3 if rows <= 8 else 2


def column_widths(columns: Sequence[str]) -> list[float]:
    """Each column's share of a log's width, in per cent: a short heading, a narrow column.

    A "Date" column needs room for a date, not for a sentence; "What I will try" does.
    """
    weights = [max(8, min(24, len(heading))) for heading in columns]
    return [round(100 * weight / sum(weights), 2) for weight in weights]


@dataclass(frozen=True)
class Words:
    """A curriculum's text as a workbook prints it: every reference written out.

    Clock times are the session's for this course (the cohort's own start, when it has
    one); outside a session there are none to write.
    """

    references: References
    session: SessionBase | None = None
    begin: time | None = None

    def text(self, value: str) -> str:
        """One piece of text, written out."""
        return self.references.text(value, self.session, self.begin) or ""

    def paragraphs(self, value: str | None) -> list[str]:
        """Text written out and split where its author left a blank line."""
        return paragraphs(self.text(value)) if value else []

    def each(self, values: Iterable[str]) -> list[str]:
        """Several pieces of text, each written out."""
        return [self.text(value) for value in values]


def _session(course: Course, number: int, session_id: str, session: SessionBase,
             title: str, locale: str, words: Words) -> dict[str, Any]:  # fmt: skip
    meeting = course.meeting(session_id)
    homework = words.text(session.homework) if session.homework else None
    return {
        "anchor": f"session-{session_id}",
        "number": number,  # 0 for the meetings after the course
        "title": title,
        "date": long_date(meeting.date, locale) if meeting else None,
        "aim": words.text(session.aim),
        "content_note": words.text(session.content_note) if session.content_note else None,
        "key_ideas": words.each(session.key_ideas),
        "texts": [
            {"title": block.title, "paragraphs": words.paragraphs(block.participant_text)}
            for block in session.blocks
            if block.participant_text
        ],
        "prompts": [
            {"text": prompt, "lines": prompt_lines(prompt)}
            for prompt in words.each(session.reflection_prompts)
        ],
        "homework": {"paragraphs": paragraphs(homework), "lines": homework_lines(homework)}
        if homework
        else None,
        "meetings": [],
        "every": None,
        "notes": [],
    }


#: Writing lines a page of the course's own shares among its prompts when it has no log.
PAGE_LINES = 22


def _page(page: Page, words: Words, plan: dict[str, Any] | None) -> dict[str, Any]:
    columns = words.each(page.columns)
    # Prompts alone on their page share it out; beside a log they take what a prompt takes.
    share = 0
    if page.prompts and not columns:
        share = min(14, (PAGE_LINES - len(page.intro or "") // 120) // len(page.prompts) - 1)
    return {
        "anchor": f"page-{page.id}",
        "title": page.title,
        "session": None if plan is None else {"number": plan["number"], "title": plan["title"]},
        "intro": words.paragraphs(page.intro),
        "prompts": [
            {"text": prompt, "lines": max(share, prompt_lines(prompt))}
            for prompt in words.each(page.prompts)
        ],
        "log": {
            "columns": [
                {"heading": heading, "width": width}
                for heading, width in zip(columns, column_widths(columns), strict=True)
            ],
            "rows": page.rows,
            "lines": log_lines(page.rows),
        }
        if columns
        else None,
    }


#: Writing lines on an observation sheet's debrief page: for the questions, then notes.
DEBRIEF_PAGE_LINES = 26
#: A question longer than this, in characters, takes two lines.
WRAPS = 80


def _observations(
    sessions: Sequence[tuple[dict[str, Any], SessionBase, Words]],
) -> list[dict[str, Any]]:
    """An observation sheet for each role play: the scene, who is in it, and a grid.

    Each role's brief is for the person playing it alone (it is on their role card), so
    no sheet prints one: the observer records what they see, by task and principle.
    """
    sheets: list[dict[str, Any]] = []
    for plan, session, words in sessions:
        for block, scene in session.role_plays():
            each = 4 if len(scene.debrief) <= 4 else 3
            # What the questions take of the debrief's page (a long one wraps onto two lines).
            taken = sum(each + 1 + (len(q) > WRAPS) for q in scene.debrief)
            sheets.append(
                {
                    "anchor": f"role-play-{len(sheets) + 1}",
                    "title": block.title,
                    "session": plan["number"],
                    "session_title": plan["title"],
                    "scenario": words.paragraphs(scene.scenario),
                    # The name alone: a template asking for a brief gets an error, not a leak.
                    "roles": [{"name": role.name} for role in scene.roles],
                    "debrief": [{"text": q, "lines": each} for q in words.each(scene.debrief)],
                    "notes": max(3, DEBRIEF_PAGE_LINES - taken),
                }
            )
    return sheets


def _dates(course: Course, locale: str) -> str | None:
    if course.cohort is None or not course.cohort.settings.sessions:
        return None
    sessions = course.cohort.settings.sessions
    if len(sessions) == 1:
        return long_date(sessions[0].date, locale)
    return long_date_span(sessions[0].date, sessions[-1].date, locale)


def chosen_parts(course: Course) -> list[str]:
    """The workbook's own pages this course's workbook has, in order.

    The curriculum's ``workbook`` list chooses them (the support page always comes);
    without it, every one that applies to the course. A part that does not apply (role
    plays in a course without any) is left out either way.
    """
    curriculum = course.curriculum
    applies = page_titles(curriculum)
    wanted = curriculum.workbook if curriculum.workbook is not None else get_args(WorkbookPart)
    chosen = [part for part in wanted if part in applies]
    return chosen if "support" in chosen else [*chosen, "support"]


def _order(chosen: Sequence[str], sessions: Sequence[dict[str, Any]],
           pages: Sequence[tuple[Page, dict[str, Any]]]) -> list[dict[str, Any]]:  # fmt: skip
    """Every part of the workbook in print order.

    The sessions come where the first chosen part that is not a front page would, each
    followed by the pages that go with it; the course's other pages come just before
    the support page.
    """
    parts: list[dict[str, Any]] = []
    placed = False
    for name in chosen:
        if name not in FRONT and not placed:
            for plan in sessions:
                parts.append({"kind": "session", "session": plan})
                parts += [
                    {"kind": "page", "page": page}
                    for source, page in pages
                    if plan["number"] and source.after == plan["id"]
                ]  # fmt: skip
            placed = True
        if name == "support":
            parts += [{"kind": "page", "page": page} for source, page in pages if not source.after]
        parts.append({"kind": name})
    return parts


def workbook_context(
    workspace: Workspace,
    renderer: Renderer,
    course: Course,
    *,
    owners: Sequence[Owner | None] = (None,),
    large_print: bool = False,
    covers_only: bool = False,
    with_contents: bool = True,
) -> dict[str, Any]:
    """Everything the template prints, prepared: it does no work of its own.

    ``owners`` gives one cover each: ``None`` is a cover with a line to write a name
    on. With ``covers_only`` the template prints the covers and nothing else. Without
    ``with_contents`` the contents are left empty, for a template that finds its own.
    """
    curriculum = course.curriculum
    locale = workspace.settings.locale
    references = References(curriculum, lambda moment: clock(moment, locale))
    begin = start_time(curriculum.schedule.start_time)

    def words(session: SessionBase | None, meeting_id: str, default: time) -> Words:
        meeting = course.meeting(meeting_id)
        return Words(references, session, meeting.start if meeting else default)

    plain = Words(references)
    sessions: list[tuple[dict[str, Any], SessionBase, Words]] = []
    for n, s in enumerate(curriculum.sessions, start=1):
        said = words(s, s.id, begin)
        plan = _session(course, n, s.id, s, s.title, locale, said)
        plan["id"] = s.id
        sessions.append((plan, s, said))
    follow = curriculum.follow_on
    after = None
    if follow is not None:
        meetings = [m for m in course.cohort.everything if m.follow_on] if course.cohort else []
        own = start_time(follow.start_time) if follow.start_time else begin
        said = words(follow, f"{follow.id}-1", own)
        after = _session(course, 0, f"{follow.id}-1", follow, follow.title, locale, said)
        after["id"] = follow.id
        after["anchor"] = "after-the-course"
        after["date"] = None
        after["meetings"] = [long_date(m.date, locale) for m in meetings]
        after["every"] = {"count": follow.count, "unit": follow.every}
        # A course with a co-reflection notes page of its own needs no second place for them.
        own_notes = any(page.id == "co-reflection-notes" for page in curriculum.pages)
        after["notes"] = [] if own_notes else [{"number": n, "lines": 8} for n in range(1, 4)]
        sessions.append((after, follow, said))
    by_id = {plan["id"]: (plan, said) for plan, _, said in sessions if plan["number"]}
    pages = []
    for page in curriculum.pages:
        found = by_id.get(page.after or "")
        pages.append((page, _page(page, found[1], found[0]) if found else _page(page, plain, None)))
    competencies = [
        {"name": c.name, "statement": plain.text(c.statement)} for c in curriculum.competencies
    ]
    assessment = curriculum.completion.assessment
    guide = None
    if assessment is not None:
        meeting = course.meeting(assessment.session)
        number = next(n for n, s in enumerate(curriculum.sessions, 1) if s.id == assessment.session)
        said = by_id[assessment.session][1]
        guide = {
            "title": assessment.title,
            "session": number,
            "date": long_date(meeting.date, locale) if meeting else None,
            "description": said.paragraphs(assessment.description),
            "guide": said.each(assessment.guide),
            "lines": 12,
        }
    agreement = curriculum.agreement
    org = organisation(workspace, renderer)
    settings = workspace.settings
    plans = [plan for plan, _, _ in sessions]
    name = f" ({course.name})" if course.cohort else ""
    context = {
        "title": f"Participant workbook: {curriculum.title}{name}",
        "language": locale,
        "organisation": org,
        "large_print": large_print,
        "covers_only": covers_only,
        "covers": [owner.cover if owner else {"name": None} for owner in owners],
        "course": {
            "title": curriculum.title,
            "cohort": course.cohort.id if course.cohort else None,
            "dates": _dates(course, locale),
            "venue": course.cohort.settings.venue if course.cohort else None,
            "summary": plain.paragraphs(curriculum.summary),
        },
        "contents": [],  # from the template's own headings, below
        # Pages that go with a session are listed under it in the contents.
        "within": [page["anchor"] for source, page in pages if source.after],
        "parts": _order(chosen_parts(course), plans, pages),
        "map": [
            {
                "anchor": p["anchor"],
                "number": p["number"],
                "title": p["title"],
                "date": p["date"],
                "aim": p["aim"],
            }
            for p in plans
            if p["number"]
        ],  # fmt: skip
        "group_agreement": plain.each(curriculum.group_agreement),
        "agreement": None
        if agreement is None
        else {
            "title": agreement.title,
            "introduction": plain.paragraphs(agreement.introduction),
            "commitments": plain.each(agreement.commitments),
        },
        "sessions": plans,  # for a template of its own that does not follow "parts"
        "after": after,
        "role_plays": _observations(sessions),
        "competencies": competencies,
        "scale": [1, 2, 3, 4, 5],
        "assessment": guide,
        "glossary": [
            {"term": t.term, "meaning": plain.text(t.meaning)} for t in curriculum.glossary
        ],
        "support": {
            "text": paragraphs(org["support"]),
            "contact": org["contact"],
            "named_contact": settings.named_contact,
            "supervision": settings.supervision,
            "lines": 5,
        },  # fmt: skip
    }
    if with_contents and not covers_only:
        html = renderer.html(TEMPLATE, context)
        lines = contents_of(html, renderer.path_of(TEMPLATE))
        context["contents"] = lines if len(lines) >= CONTENTS_FROM else []
    return context


def make_workbook(
    workspace: Workspace,
    course: Course,
    target: Path,
    *,
    participant: Owner | None = None,
    large_print: bool = False,
    as_html: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> Renderer:
    """Write one workbook to ``target`` (PDF or HTML), for one participant if named.

    With the cohort's build ``record``, a workbook made before from the same inputs is
    kept as it is.
    """
    from ipskit.documents.fonts import name_warnings

    renderer = Renderer(workspace, progress=progress, what="the workbook", record=record)
    if participant is not None:
        renderer.warnings = name_warnings([(participant.id, participant.name)])
        renderer.people = [participant.id]
    context = workbook_context(
        workspace, renderer, course, owners=[participant], large_print=large_print
    )
    renderer.document(TEMPLATE, context, target, as_html=as_html)
    return renderer


def owners_of(course: Course) -> list[Owner]:
    """The cohort's active participants, in roster order."""
    from ipskit.cohorts.records import Records

    if course.cohort is None:
        raise IpskitError("a copy for each participant needs a cohort, not a curriculum")
    return [Owner(p.id, p.name, p.name_lang) for p in Records.load(course.cohort).active]


def make_workbooks(
    workspace: Workspace,
    course: Course,
    folder: Path,
    *,
    large_print: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> tuple[Renderer, list[Path]]:
    """Write a copy for each active participant into ``folder``, named by their id.

    ``progress`` is told of the body's pages laid out, then of each copy put together.
    With the cohort's build ``record`` (and ``folder`` inside its ``out`` folder), the
    body is kept from the last time it was laid out from the same inputs, only the
    copies whose cover or body changed are made again, and the copy of anyone no longer
    on the course is removed.
    """
    from ipskit.documents.fonts import name_warnings

    owners = owners_of(course)
    if not owners:
        raise IpskitError(f"cohort {course.name} has no active participants to make copies for")
    renderer = Renderer(workspace, progress=progress, what="the workbook")
    renderer.warnings = name_warnings((o.id, o.name) for o in owners)
    context = workbook_context(workspace, renderer, course, large_print=large_print)
    covers_context = workbook_context(
        workspace, renderer, course, owners=owners, large_print=large_print, covers_only=True
    )
    settings = workspace.settings
    meta = {"template": TEMPLATE, "title": context["title"],
            "author": settings.organisation.name, "language": settings.locale}  # fmt: skip
    body_html = renderer.html(TEMPLATE, context)
    suffix = "-large-print" if large_print else ""
    targets = [folder / f"workbook-{owner.id}{suffix}.pdf" for owner in owners]
    copies = Copies(renderer, workspace.root, record if record and record.holds(folder) else None,
                    meta)  # fmt: skip
    copies.key_body(body_html, suffix)
    todo = [n for n, (owner, target) in enumerate(zip(owners, targets, strict=True))
            if not copies.fresh(target, owner, covers_context)]  # fmt: skip
    if todo:
        wanted = [owners[n] for n in todo]
        covers_html = renderer.html(
            TEMPLATE, {**covers_context, "covers": [o.cover for o in wanted]}
        )
        made = copies.make(body_html, covers_html, len(wanted))
        for n, data in zip(todo, made, strict=True):
            write_output(targets[n], data)
            copies.made(targets[n], owners[n])
    if copies.record is not None:
        remove_departed(copies.record, folder, {o.id for o in owners}, suffix)
    return renderer, targets


PARTS = ".build"  # the folder, in out/COHORT, of the parts kept for the next build


class Copies:
    """The personal copies' body and covers, and what the record knows of them."""

    def __init__(self, renderer: Renderer, root: Path, record: Record | None,
                 meta: dict[str, str]) -> None:  # fmt: skip
        self.renderer = renderer
        self.root = root
        self.record = record
        self.meta = meta
        self.body_key = ""
        self.keys: dict[Path, str] = {}
        self.kept: Path | None = None  # where the body is kept for the next build

    def key_body(self, html: str, suffix: str) -> None:
        """Work out the body's key, and where it is kept for the next build.

        Kept in ``out/COHORT/.build``: it holds no one's name (its cover has a blank line).
        """
        if self.record is not None:
            self.body_key = self.record.key(html, *self.meta.values(), "body")
            self.kept = self.record.folder / PARTS / f"workbook-body{suffix}.pdf"

    def _kept_body(self) -> bytes | None:
        """The body as laid out before from the same HTML, or None to lay it out now."""
        if self.record is None or self.kept is None:
            return None
        if self.record.fresh(self.body_key, [self.kept]):
            try:
                return self.kept.read_bytes()
            except OSError:
                pass
        return None

    def fresh(self, target: Path, owner: Owner, covers_context: dict[str, Any]) -> bool:
        """Whether this person's copy was made from this body and their cover as it is now."""
        if self.record is None:
            return False
        cover = self.renderer.html(TEMPLATE, {**covers_context, "covers": [owner.cover]})
        key = self.keys[target] = self.record.key(self.body_key, cover)
        if self.record.fresh(key, [target]):
            self.record.unchanged([target])
            return True
        return False

    def make(self, body_html: str, covers_html: str, count: int) -> list[bytes]:
        """The copies' bytes: the body (laid out now if it was not kept) with each cover."""
        renderer = self.renderer
        body = self._kept_body()
        if body is None:
            # The covers are laid out in a second process while this one lays out the body.
            many = count >= WORKER_FROM
            with covers_aside(self.root, covers_html, self.meta) if many \
                    else nullcontext() as worker:  # fmt: skip
                body = pdf_bytes(renderer, body_html, **self.meta)
                renderer.tell("Laying out the covers")
                covers = finish_covers(worker) if worker else None
            self._keep(body)
        else:
            covers = None
        if covers is None:
            what, renderer.what = renderer.what, "the covers"
            covers = pdf_bytes(renderer, covers_html, **self.meta)
            renderer.what = what
        return assemble(body, covers, count, progress=renderer.tell)

    def made(self, target: Path, owner: Owner) -> None:
        """Note a copy just written."""
        if self.record is not None:
            self.record.made(self.keys[target], [target], reads=self.renderer.reads,
                             people=[owner.id])  # fmt: skip

    def _keep(self, body: bytes) -> None:
        if self.record is None or self.kept is None:
            return
        write_output(self.kept, body)
        # A part, not a document: the command's list names the copies, not it.
        self.record.made(self.body_key, [self.kept], reads=self.renderer.reads, told=False)


def remove_departed(record: Record, folder: Path, active: set[str], suffix: str,
                    ext: str = ".pdf") -> None:  # fmt: skip
    """Remove the copies (``ext``: PDFs or web pages) of people no longer on the course."""
    for path in sorted(folder.glob(f"workbook-*{suffix}{ext}")):
        pid = path.name.removeprefix("workbook-").removesuffix(f"{suffix}{ext}")
        if not suffix and pid.endswith("-large-print"):
            continue
        if pid not in active and path.is_file():
            path.unlink()
            record.removed(path)


#: From how many copies the covers are worth a second process (it takes a second to start).
WORKER_FROM = 8
