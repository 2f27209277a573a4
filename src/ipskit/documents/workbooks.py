"""The participant workbook: the course in plain words, with room to write.

One workbook for a course (dated for a cohort, undated for a curriculum), or one copy
per participant with their name on the cover, put together from one shared body (see
:mod:`ipskit.documents.workbook_copies`). The cover is page 1 either way, so every page
number, and the contents page, is the same in every copy.

The contents page lists the template's own headings, so a template in another language
gets a contents page in that language: the template is rendered once to find them, and
again with the contents filled in (see :mod:`ipskit.documents.contents`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipskit.cohorts.course import Course
from ipskit.core.dateformat import long_date, long_date_span
from ipskit.core.errors import IpskitError
from ipskit.courses.curriculum import SessionBase
from ipskit.documents.contents import contents_of
from ipskit.documents.context import organisation
from ipskit.documents.render import Renderer
from ipskit.documents.session_plans import paragraphs
from ipskit.documents.workbook_copies import assemble, covers_aside, finish_covers, pdf_bytes
from ipskit.workspace import Workspace

TEMPLATE = "workbook.html"
#: Ruled writing lines: a prompt gets more the longer it is, within these bounds.
PROMPT_LINES = (5, 10)
HOMEWORK_LINES = (8, 16)


@dataclass(frozen=True)
class Owner:
    """Whose copy a workbook is: named on the cover, and their file named by id."""

    id: str
    name: str


def prompt_lines(text: str) -> int:
    """Writing lines for a reflection prompt: 5 for a short one, up to 10 for a long one."""
    low, high = PROMPT_LINES
    return max(low, min(high, low + len(text) // 30))


def homework_lines(text: str) -> int:
    """Writing lines for a homework task: 8 to 16, more for a longer task."""
    low, high = HOMEWORK_LINES
    return max(low, min(high, low + len(text) // 60))


def _session(course: Course, number: int, session_id: str, session: SessionBase,
             title: str, locale: str) -> dict[str, Any]:  # fmt: skip
    meeting = course.meeting(session_id)
    return {
        "anchor": f"session-{session_id}",
        "number": number,  # 0 for the meetings after the course
        "title": title,
        "date": long_date(meeting.date, locale) if meeting else None,
        "aim": session.aim,
        "content_note": session.content_note,
        "key_ideas": list(session.key_ideas),
        "texts": [
            {"title": block.title, "paragraphs": paragraphs(block.participant_text)}
            for block in session.blocks
            if block.participant_text
        ],
        "prompts": [
            {"text": prompt, "lines": prompt_lines(prompt)} for prompt in session.reflection_prompts
        ],
        "homework": {
            "paragraphs": paragraphs(session.homework),
            "lines": homework_lines(session.homework),
        }
        if session.homework
        else None,
        "meetings": [],
        "every": None,
        "notes": [],
    }


def _observations(
    sessions: Sequence[tuple[dict[str, Any], SessionBase]],
) -> list[dict[str, Any]]:
    sheets: list[dict[str, Any]] = []
    for plan, session in sessions:
        for block, scene in session.role_plays():
            sheets.append(
                {
                    "anchor": f"role-play-{len(sheets) + 1}",
                    "title": block.title,
                    "session": plan["number"],
                    "session_title": plan["title"],
                    "scenario": paragraphs(scene.scenario),
                    "roles": [{"name": r.name, "brief": r.brief} for r in scene.roles],
                    "debrief": [{"text": q, "lines": 3} for q in scene.debrief],
                    "notes": max(6, 14 - 2 * len(scene.debrief)),
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


def workbook_context(
    workspace: Workspace,
    renderer: Renderer,
    course: Course,
    *,
    owners: Sequence[Owner | None] = (None,),
    large_print: bool = False,
    covers_only: bool = False,
) -> dict[str, Any]:
    """Everything the template prints, prepared: it does no work of its own.

    ``owners`` gives one cover each: ``None`` is a cover with a line to write a name
    on. With ``covers_only`` the template prints the covers and nothing else.
    """
    curriculum = course.curriculum
    locale = workspace.settings.locale
    sessions = [
        (_session(course, n, s.id, s, s.title, locale), s)
        for n, s in enumerate(curriculum.sessions, start=1)
    ]
    follow = curriculum.follow_on
    after = None
    if follow is not None:
        meetings = [m for m in course.cohort.everything if m.follow_on] if course.cohort else []
        after = _session(course, 0, f"{follow.id}-1", follow, follow.title, locale)
        after["anchor"] = "after-the-course"
        after["date"] = None
        after["meetings"] = [long_date(m.date, locale) for m in meetings]
        after["every"] = {"count": follow.count, "unit": follow.every}
        after["notes"] = [{"number": n, "lines": 8} for n in range(1, 4)]
    observed = sessions + ([(after, follow)] if after and follow else [])
    competencies = [{"name": c.name, "statement": c.statement} for c in curriculum.competencies]
    assessment = curriculum.completion.assessment
    guide = None
    if assessment is not None:
        meeting = course.meeting(assessment.session)
        number = next(n for n, s in enumerate(curriculum.sessions, 1) if s.id == assessment.session)
        guide = {
            "title": assessment.title,
            "session": number,
            "date": long_date(meeting.date, locale) if meeting else None,
            "description": paragraphs(assessment.description),
            "guide": list(assessment.guide),
            "lines": 12,
        }
    agreement = curriculum.agreement
    org = organisation(workspace, renderer)
    plans = [plan for plan, _ in sessions]
    sheets = _observations(observed)
    name = f" ({course.name})" if course.cohort else ""
    context = {
        "title": f"Participant workbook: {curriculum.title}{name}",
        "language": locale,
        "organisation": org,
        "large_print": large_print,
        "covers_only": covers_only,
        "covers": [{"name": owner.name if owner else None} for owner in owners],
        "course": {
            "title": curriculum.title,
            "cohort": course.cohort.id if course.cohort else None,
            "dates": _dates(course, locale),
            "venue": course.cohort.settings.venue if course.cohort else None,
            "summary": paragraphs(curriculum.summary),
        },
        "contents": [],  # from the template's own headings, below
        "map": [
            {
                "anchor": p["anchor"],
                "number": p["number"],
                "title": p["title"],
                "date": p["date"],
                "aim": s.aim,
            }
            for p, s in sessions
        ],  # fmt: skip
        "group_agreement": list(curriculum.group_agreement),
        "agreement": None
        if agreement is None
        else {
            "title": agreement.title,
            "introduction": paragraphs(agreement.introduction),
            "commitments": list(agreement.commitments),
        },
        "sessions": plans + ([after] if after else []),
        "after": after,
        "role_plays": sheets,
        "competencies": competencies,
        "scale": [1, 2, 3, 4, 5],
        "assessment": guide,
        "glossary": [{"term": t.term, "meaning": t.meaning} for t in curriculum.glossary],
        "support": {
            "text": paragraphs(org["support"]),
            "contact": org["contact"],
            "lines": 5,
        },  # fmt: skip
    }
    if not covers_only:
        html = renderer.html(TEMPLATE, context)
        context["contents"] = contents_of(html, renderer.path_of(TEMPLATE))
    return context


def make_workbook(
    workspace: Workspace,
    course: Course,
    target: Path,
    *,
    participant: Owner | None = None,
    large_print: bool = False,
    as_html: bool = False,
) -> Renderer:
    """Write one workbook to ``target`` (PDF or HTML), for one participant if named."""
    from ipskit.documents.fonts import name_warnings

    renderer = Renderer(workspace)
    if participant is not None:
        renderer.warnings = name_warnings([(participant.id, participant.name)])
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
    return [Owner(p.id, p.name) for p in Records.load(course.cohort).active]


def make_workbooks(
    workspace: Workspace,
    course: Course,
    folder: Path,
    *,
    large_print: bool = False,
) -> tuple[Renderer, list[Path]]:
    """Write a copy for each active participant into ``folder``, named by their id."""
    from ipskit.documents.fonts import name_warnings
    from ipskit.documents.render import write_output

    owners = owners_of(course)
    if not owners:
        raise IpskitError(f"cohort {course.name} has no active participants to make copies for")
    renderer = Renderer(workspace)
    renderer.warnings = name_warnings((o.id, o.name) for o in owners)
    context = workbook_context(workspace, renderer, course, large_print=large_print)
    covers_context = workbook_context(
        workspace, renderer, course, owners=owners, large_print=large_print, covers_only=True
    )
    settings = workspace.settings
    meta = {"template": TEMPLATE, "title": context["title"],
            "author": settings.organisation.name, "language": settings.locale}  # fmt: skip
    covers_html = renderer.html(TEMPLATE, covers_context)
    body_html = renderer.html(TEMPLATE, context)
    # The covers are laid out in a second process while this one lays out the body.
    many = len(owners) >= WORKER_FROM
    with covers_aside(workspace.root, covers_html, meta) if many else nullcontext() as worker:
        body = pdf_bytes(renderer, body_html, **meta)
        covers = finish_covers(worker) if worker else None
    if covers is None:
        covers = pdf_bytes(renderer, covers_html, **meta)
    suffix = "-large-print" if large_print else ""
    written = []
    for owner, data in zip(owners, assemble(body, covers, len(owners)), strict=True):
        target = folder / f"workbook-{owner.id}{suffix}.pdf"
        write_output(target, data)
        written.append(target)
    return renderer, written


#: From how many copies the covers are worth a second process (it takes a second to start).
WORKER_FROM = 8
