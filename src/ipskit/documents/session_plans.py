"""Facilitator session plans: one per session, and one file with them all.

The combined file is laid out once; each session's own file is cut from its pages, so
the plans are not laid out twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.cohorts.course import Course
from ipskit.core.dateformat import clock, clock_span, long_date
from ipskit.core.progress import Step
from ipskit.courses import references
from ipskit.courses.curriculum import MaterialEntry, SessionBase, start_time, timetable
from ipskit.courses.quantities import Group, copies, describe
from ipskit.courses.references import References
from ipskit.documents.context import organisation, paragraphs
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "session-plans.html"
KINDS = {
    "welcome": "Welcome", "check-in": "Check-in", "teaching": "Teaching",
    "exercise": "Exercise", "role-play": "Role play", "discussion": "Discussion",
    "break": "Break", "reflection": "Reflection", "assessment": "Assessment",
    "check-out": "Check-out",
}  # fmt: skip



def heading(kind: str, title: str) -> str:
    """'Teaching: Putting it right'; just the title when it already says what kind."""
    label = KINDS[kind]
    if title.casefold().startswith(label.casefold()) or title.casefold().startswith(kind):
        return title
    return f"{label}: {title}"


def _hours(minutes: int) -> str:
    return f"{round(minutes / 60, 2):g}"


def _plan(course: Course, group: Group, refs: References, number: int, session_id: str,
          session: SessionBase, begin: time, title: str, locale: str
          ) -> dict[str, Any]:  # fmt: skip
    meeting = course.meeting(session_id)
    if meeting is not None:
        begin = meeting.start
    rows = timetable(session, begin)

    def text(value: str | None) -> str | None:
        return refs.text(value, session, begin)

    when = None
    if meeting is not None:
        when = (
            f"{long_date(meeting.date, locale)},"
            f" {clock_span(meeting.start, meeting.end, locale, words=True)}"
        )
    return {
        "anchor": f"session-{session_id}",
        "number": number,
        "title": title,
        "when": when,
        "venue": course.cohort.settings.venue if course.cohort else None,
        "length": f"{session.length_minutes} minutes, {_hours(session.contact_minutes)} contact"
        f" hours",
        "aim": text(session.aim),
        "objectives": [text(o) for o in session.objectives],
        "prep": _preparation(course, group, session, text),
        "content_note": text(session.content_note),
        "role_plays": any(True for _ in session.role_plays()),
        "timetable": [
            {
                "time": clock_span(a, b, locale),
                "minutes": block.minutes,
                "kind": KINDS[block.kind],
                "heading": heading(block.kind, block.title),
                "method": block.method or "",
            }
            for a, b, block in rows
        ],  # fmt: skip
        "blocks": [
            {
                "time": clock_span(a, b, locale),
                "heading": heading(block.kind, block.title),
                "minutes": block.minutes,
                "method": block.method,
                "materials": [_material_name(m, text) for m in block.materials],
                "notes": paragraphs(text(block.facilitator_notes)),
                "role_play": None
                if block.role_play is None
                else {
                    "scenario": paragraphs(text(block.role_play.scenario)),
                    "roles": [{"name": r.name, "brief": text(r.brief)}
                              for r in block.role_play.roles],  # fmt: skip
                    "debrief": [text(q) for q in block.role_play.debrief],
                },
            }
            for a, b, block in rows
        ],
        "online": paragraphs(text(session.online)),
        "prompts": [text(p) for p in session.reflection_prompts],
        "homework": paragraphs(text(session.homework)),
    }


def _material_name(material: MaterialEntry, text: Callable[[str], str | None]) -> str:
    return str(text(material if isinstance(material, str) else material.item))


def _preparation(course: Course, group: Group, session: SessionBase,
                 text: Callable[[str | None], str | None]) -> dict[str, Any]:  # fmt: skip
    """The preparation sheet: what to do, print and bring, the room, and who does what."""
    curriculum = course.curriculum
    printed = references.named(session, "handout")
    titles = references.handout_titles(curriculum)
    bring: dict[str, str] = {}
    for material in [*session.materials, *(m for b in session.blocks for m in b.materials)]:
        if isinstance(material, str):
            if references.REFERENCE.fullmatch(material.strip()):
                continue  # a handout or a page: under "to print" or in the workbook
            name = str(text(material))
            bring.setdefault(name.casefold(), name)
        else:
            name = str(text(material.item))
            amount = group.count(material.per, material.count)
            line = f"{name}: {amount} ({describe(material.per, material.count)})"
            bring[name.casefold()] = line
    team = [
        {"role": role.role, "does": text(role.does), "optional": role.optional}
        for role in session.team
    ]
    required = sum(1 for role in session.team if not role.optional)
    named = len(course.cohort.settings.trainers) if course.cohort else None
    short = None
    if named is not None and 0 < named < required:
        short = (
            f"This session needs {required} trainers and the cohort names {named}:"
            " find another before the day, or share out the roles below."
        )
    return {
        "steps": [text(step) for step in session.preparation],
        "print": [
            {
                "title": titles[handout_id],
                "copies": copies(curriculum, session, handout_id, group).describe(),
            }
            for handout_id in printed
        ],
        "bring": list(bring.values()),
        "room": paragraphs(text(session.room)),
        "team": team,
        "short": short,
        "group": f"Counted for {group.people} participants in {group.threes} threes"
        f" and {group.trainers} trainer{'s' if group.trainers != 1 else ''}.",
    }


def plans_context(workspace: Workspace, renderer: Renderer, course: Course) -> dict[str, Any]:
    """Everything the session-plans template prints."""
    curriculum = course.curriculum
    begin = start_time(curriculum.schedule.start_time)
    locale = workspace.settings.locale
    group = course.group()  # the roster is read once, for every plan
    refs = References(curriculum, lambda moment: clock(moment, locale))
    plans = [
        _plan(course, group, refs, n, s.id, s, begin, s.title, locale)
        for n, s in enumerate(curriculum.sessions, start=1)
    ]
    follow = curriculum.follow_on
    if follow is not None:
        follow_begin = start_time(follow.start_time) if follow.start_time else begin
        plan = _plan(course, group, refs, len(plans) + 1, f"{follow.id}-1", follow, follow_begin,
                     f"{follow.title} (each of the {follow.count} meetings)", locale)  # fmt: skip
        plan["when"] = None  # the plan serves every meeting, each on its own date
        plans.append(plan)
    from ipskit.cohorts.cascade import trainer_names

    settings = course.cohort.settings if course.cohort else None
    return {
        "title": f"Session plans: {curriculum.title}" + (f" ({course.name})" if settings else ""),
        "language": locale,
        "organisation": organisation(workspace, renderer),
        "course": {
            "title": curriculum.title,
            "cohort": course.cohort.id if course.cohort else None,
            "trainers": trainer_names(course.cohort) if course.cohort else [],
        },
        "group_agreement": list(curriculum.group_agreement),
        "plans": plans,
        "prep_only": False,
    }


def make_plans(workspace: Workspace, course: Course, folder: Path, *,
               as_html: bool = False, prep: bool = False, progress: Step | None = None,
               record: Record | None = None) -> list[Path]:  # fmt: skip
    """Write every session's plan and the combined file into ``folder``; return the files.

    With ``prep``, one file of every session's preparation sheet instead. ``progress``
    is told of the pages laid out, then of each session's file cut out. With the
    cohort's build ``record``, plans made before from the same inputs are kept.
    """
    from ipskit.documents.render import write_output

    what = "the preparation sheets" if prep else "the session plans"
    renderer = Renderer(workspace, progress=progress, what=what, record=record)
    context = plans_context(workspace, renderer, course)
    if prep:
        context["prep_only"] = True
        context["title"] = context["title"].replace("Session plans", "Preparation sheets", 1)
    html = renderer.html(TEMPLATE, context)
    name = "preparation" if prep else "session-plans"
    combined = folder / f"{name}.{'html' if as_html else 'pdf'}"
    author = workspace.settings.organisation.name
    meta = {"template": TEMPLATE, "title": context["title"], "author": author,
            "language": workspace.settings.locale}  # fmt: skip
    if as_html or prep:
        if as_html:
            write_output(combined, html)
        elif not renderer.reuse([combined], html, **meta):
            renderer.write(
                renderer.layout(html, template=TEMPLATE), combined, title=context["title"],
                author=author, language=workspace.settings.locale,
            )  # fmt: skip
            renderer.remember([combined])
        return [combined]
    every = [combined, *(folder / f"session-{p['number']:02d}.pdf" for p in context["plans"])]
    if renderer.reuse(every, html, **meta):
        return every
    document = renderer.layout(html, template=TEMPLATE)
    renderer.write(
        document, combined, title=context["title"], author=author,
        language=workspace.settings.locale,
    )  # fmt: skip
    # Each session's own file is cut from the combined PDF rather than written anew:
    # writing embeds a subset of every font again, which costs far more than the cut.
    starts = [
        (index, plan)
        for index, page in enumerate(document.pages)
        for plan in context["plans"]
        if plan["anchor"] in page.anchors
    ]
    written = [combined]
    from ipskit.documents.pdf.objects import Source, cut

    source = Source(combined.read_bytes())
    language = workspace.settings.locale
    cutting = "Cutting out each session's plan"
    renderer.tell(cutting, 0, len(starts))
    for position, (first, plan) in enumerate(starts):
        last = starts[position + 1][0] if position + 1 < len(starts) else len(document.pages)
        target = folder / f"session-{plan['number']:02d}.pdf"
        title = f"Session plan {plan['number']}: {plan['title']}"
        data = cut(source, range(first, last), title=title, author=author, language=language)
        write_output(target, data)
        written.append(target)
        renderer.tell(cutting, position + 1, len(starts))
    renderer.remember(written)
    return written
