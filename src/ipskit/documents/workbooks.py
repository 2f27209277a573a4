"""The participant workbook: the course in plain words, with room to write.

One workbook for a course (dated for a cohort, undated for a curriculum), or one copy
per participant with their name on the cover. The copies share everything but the
cover, so nothing is laid out thirty times: the body (behind a cover with a blank line
for a name) is laid out and written once, while a second process lays out every cover
as one document of one page each; each person's file is then the body, byte for byte,
followed by a small incremental update that gives its first page their cover. The cover
is page 1 either way, so every page number, and the contents page, is the same in every
copy.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipskit.core.errors import IpskitError
from ipskit.courses.curriculum import SessionBase
from ipskit.documents.context import Course, long_date, organisation
from ipskit.documents.render import Renderer
from ipskit.documents.session_plans import paragraphs
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
             title: str, label: str) -> dict[str, Any]:  # fmt: skip
    meeting = course.meeting(session_id)
    return {
        "anchor": f"session-{session_id}",
        "number": number,
        "label": label,
        "title": title,
        "date": long_date(meeting) if meeting else None,
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


def _observations(sessions: list[tuple[dict[str, Any], SessionBase]]) -> list[dict[str, Any]]:
    sheets = []
    for plan, session in sessions:
        for block, scene in session.role_plays():
            sheets.append(
                {
                    "anchor": f"role-play-{len(sheets) + 1}",
                    "title": block.title,
                    "session": f"{plan['label']}: {plan['title']}",
                    "scenario": paragraphs(scene.scenario),
                    "roles": [{"name": r.name, "brief": r.brief} for r in scene.roles],
                    "debrief": [{"text": q, "lines": 3} for q in scene.debrief],
                    "notes": max(6, 14 - 2 * len(scene.debrief)),
                }
            )
    return sheets


def _dates(course: Course) -> str | None:
    if course.cohort is None or not course.cohort.settings.sessions:
        return None
    sessions = course.cohort.settings.sessions
    if len(sessions) == 1:
        return long_date(sessions[0])
    return f"{long_date(sessions[0])} to {long_date(sessions[-1])}"


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
    sessions = [
        (_session(course, n, s.id, s, s.title, f"Session {n}"), s)
        for n, s in enumerate(curriculum.sessions, start=1)
    ]
    follow = curriculum.follow_on
    after = None
    if follow is not None:
        meetings = [m for m in course.cohort.everything if m.follow_on] if course.cohort else []
        after = _session(course, 0, f"{follow.id}-1", follow, follow.title, "After the course")
        after["anchor"] = "after-the-course"
        after["date"] = None
        after["meetings"] = [long_date(m) for m in meetings]
        after["every"] = f"{follow.count} meetings, one a {follow.every}"
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
            "when": f"Session {number}" + (f", {long_date(meeting)}" if meeting else ""),
            "description": paragraphs(assessment.description),
            "guide": list(assessment.guide),
            "lines": 12,
        }
    agreement = curriculum.agreement
    org = organisation(workspace, renderer)
    plans = [plan for plan, _ in sessions]
    contents = [
        {"anchor": "course-map", "title": "Course map"},
        {"anchor": "group-agreement", "title": "Our group agreement"},
        {"anchor": "wellbeing-plan", "title": "My wellbeing plan"},
        *({"anchor": p["anchor"], "title": f"{p['label']}: {p['title']}"} for p in plans),
    ]
    if after:
        contents.append({"anchor": after["anchor"], "title": f"After the course: {after['title']}"})
    sheets = _observations(observed)
    if sheets:
        contents.append({"anchor": "role-plays", "title": "Role-play observation sheets"})
    if competencies:
        contents.append({"anchor": "self-assessment", "title": "My self-assessment"})
    if guide:
        title = f"Guide to the final assessment: {guide['title']}"
        contents.append({"anchor": "assessment", "title": title})
    if curriculum.glossary:
        contents.append({"anchor": "glossary", "title": "Glossary"})
    contents.append({"anchor": "support", "title": "Where to get support"})
    name = f" ({course.name})" if course.cohort else ""
    return {
        "title": f"Participant workbook: {curriculum.title}{name}",
        "language": workspace.settings.locale,
        "organisation": org,
        "large_print": large_print,
        "covers_only": covers_only,
        "covers": [{"name": owner.name if owner else None} for owner in owners],
        "course": {
            "title": curriculum.title,
            "cohort": course.cohort.id if course.cohort else None,
            "dates": _dates(course),
            "venue": course.cohort.settings.venue if course.cohort else None,
            "summary": paragraphs(curriculum.summary),
        },
        "contents": contents,
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
        "wellbeing": [
            {"heading": heading, "hint": hint, "lines": count, "new_page": new_page}
            for heading, hint, count, new_page in WELLBEING
        ],
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


#: The wellbeing plan's questions: a heading, a hint, how many lines to write on, and
#: whether it starts the plan's second page.
WELLBEING = (
    (
        "What keeps me well",
        "The people, places, routines and small things that help me feel like myself.",
        5,
        False,
    ),
    (
        "Early signs that things are getting harder",
        "What I, or people close to me, might notice first: in my sleep, my mood, my"
        " thoughts or what I do.",
        5,
        False,
    ),
    (
        "What helps when things are harder",
        "What I can do for myself, and what I would like other people to do, or not do.",
        5,
        False,
    ),
    (
        "If the course stirs things up",
        "What I will do after a session that was hard, and what I would like the trainers to know.",
        4,
        True,
    ),
    (
        "Who I can contact",
        "Names and numbers of people and services I trust, and when I would contact them.",
        6,
        False,
    ),
    (
        "A note to myself for a hard day",
        "Something kind and true that I can read when things feel difficult.",
        4,
        False,
    ),
)


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
    meta = {"title": context["title"], "author": settings.organisation.name,
            "language": settings.locale}  # fmt: skip
    covers_html = renderer.html(TEMPLATE, covers_context)
    body_html = renderer.html(TEMPLATE, context)
    # The covers are laid out in a second process while this one lays out the body.
    worker = _start(workspace.root, covers_html, meta) if len(owners) >= WORKER_FROM else None
    body = _pdf_bytes(renderer, body_html, **meta)
    covers = _finish(worker) if worker else None
    if covers is None:
        covers = _pdf_bytes(renderer, covers_html, **meta)
    suffix = "-large-print" if large_print else ""
    written = []
    for owner, data in zip(owners, assemble(body, covers, len(owners)), strict=True):
        target = folder / f"workbook-{owner.id}{suffix}.pdf"
        write_output(target, data)
        written.append(target)
    return renderer, written


#: From how many copies the covers are worth a second process (it takes a second to start).
WORKER_FROM = 8


def _pdf_bytes(renderer: Renderer, html: str, *, title: str, author: str, language: str) -> bytes:
    """Lay out and write a PDF in memory (untagged: copies are put together from parts)."""
    document = renderer.layout(html, template=TEMPLATE)
    document.metadata.title = title
    document.metadata.authors = [author]
    document.metadata.lang = language
    return bytes(document.write_pdf())


def covers_pdf(root: str, html: str, meta: dict[str, str]) -> bytes:
    """The covers document, made in a worker process (which imports WeasyPrint itself)."""
    return _pdf_bytes(Renderer(Workspace(Path(root))), html, **meta)


def _start(root: Path, html: str, meta: dict[str, str]) -> Any:
    from ipskit.documents.render import process_pool

    pool = process_pool(1)
    if pool is None:  # no processes allowed here: make the covers in this one
        return None
    return pool, pool.submit(covers_pdf, str(root), html, meta)


def _finish(worker: Any) -> bytes | None:
    from concurrent.futures.process import BrokenProcessPool

    pool, future = worker
    try:
        return bytes(future.result())
    except (BrokenProcessPool, OSError):
        return None
    finally:
        pool.shutdown()


def assemble(body: bytes, covers: bytes, count: int) -> list[bytes]:
    """Each page of ``covers`` in place of the first page of ``body``, as PDF files.

    Each file is the body exactly as written, followed by an incremental update that
    gives its first page the content and resources of one cover: a few kilobytes to
    write rather than a whole PDF, so thirty copies take milliseconds. Only that one
    cover is copied in, with its own copies of the covers' fonts cut down to the glyphs
    it shows, so nobody's copy holds another person's name, not even in a font. The
    blank cover the update replaces stays in the file, unreferenced; it holds no one's
    name.
    """
    import re

    from pypdf import PdfReader

    from ipskit.documents.pdf import fontprune

    covers_reader = PdfReader(io.BytesIO(covers))
    if len(covers_reader.pages) != count:  # one ran over its page: numbers would shift
        raise IpskitError("a workbook cover ran over one page: shorten the course title")
    reader = PdfReader(io.BytesIO(body))
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", body)
    if match is None:
        raise IpskitError("the workbook's PDF could not be read back to add the covers")
    trailer = reader.trailer
    first = reader.pages[0]
    base = body if body.endswith(b"\n") else body + b"\n"
    size = int(trailer["/Size"])
    pruner = fontprune.Pruner(covers_reader)
    files = []
    for cover in covers_reader.pages:
        shown = pruner.shown(cover.get_contents().get_data(), cover["/Resources"])
        resources = fontprune.trimmed(cover["/Resources"], shown)
        update = _Update(size, len(base), pruner.replacements(shown, pruner.fonts_in(resources)))
        page = {key: value for key, value in first.items()}
        page["/Resources"] = update.copy(resources)
        page["/Contents"] = update.copy(cover.raw_get("/Contents"))
        update.put(first.indirect_reference.idnum, _dictionary(page))
        files.append(base + update.finish(trailer, int(match[1])))
    return files


class _Update:
    """An incremental update: objects appended to a PDF, with their cross-reference stream."""

    def __init__(self, size: int, offset: int, replaced: dict[int, Any]) -> None:
        """Number new objects from ``size``; ``replaced`` stands in for source objects."""
        self.next = size
        self.offset = offset
        self.replaced = replaced
        self.data = bytearray()
        self.where: dict[int, int] = {}
        self.copied: dict[int, int] = {}

    def put(self, number: int, serialised: bytes) -> None:
        self.where[number] = self.offset + len(self.data)
        self.data += b"%d 0 obj\n" % number + serialised + b"\nendobj\n"

    def copy(self, value: Any) -> Any:
        """The value with every object it refers to copied in under a new number."""
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
            StreamObject,
        )

        from ipskit.documents.pdf.objects import value_bytes

        if isinstance(value, IndirectObject):
            if value.idnum not in self.copied:
                number = self.copied[value.idnum] = self.next
                self.next += 1
                target = self.replaced.get(value.idnum) or value.get_object()
                if isinstance(target, DictionaryObject) and target.get("/Type") in (
                    "/Page", "/Pages", "/Catalog",
                ):  # fmt: skip
                    raise IpskitError("a workbook cover refers to other pages")
                copied = self.copy(target)
                if isinstance(target, StreamObject):
                    raw = target._data  # the stream as stored, still compressed
                    copied[NameObject("/Length")] = NumberObject(len(raw))
                    self.put(number, _dictionary(copied) + b"\nstream\n" + raw + b"\nendstream")
                else:
                    self.put(number, value_bytes(copied))
            return IndirectObject(self.copied[value.idnum], 0, None)  # type: ignore[arg-type]
        if isinstance(value, DictionaryObject):
            return DictionaryObject({key: self.copy(item) for key, item in value.items()})
        if isinstance(value, ArrayObject):
            return ArrayObject(self.copy(item) for item in value)
        return value

    def finish(self, trailer: Any, previous: int) -> bytes:
        """The update's bytes: its objects, then a cross-reference stream pointing back."""
        xref = self.next
        self.where[xref] = self.offset + len(self.data)
        numbers = sorted(self.where)
        index: list[int] = []
        for number in numbers:
            if index and index[-2] + index[-1] == number:
                index[-1] += 1
            else:
                index += [number, 1]
        rows = b"".join(b"\x01" + self.where[n].to_bytes(4, "big") + b"\x00\x00" for n in numbers)
        root, info = _ref(trailer.raw_get("/Root")), _ref(trailer.raw_get("/Info"))
        head = (
            f"<</Type /XRef /Size {xref + 1} /W [1 4 2] /Index [{' '.join(map(str, index))}]"
            f" /Prev {previous} /Root {root} /Info {info} /Length {len(rows)}>>"
        ).encode()
        self.data += b"%d 0 obj\n" % xref + head + b"\nstream\n" + rows + b"\nendstream\nendobj\n"
        return bytes(self.data) + b"startxref\n%d\n%%%%EOF\n" % self.where[xref]


def _ref(value: Any) -> str:
    return f"{value.idnum} {value.generation} R"


def _dictionary(entries: dict[Any, Any]) -> bytes:
    from pypdf.generic import DictionaryObject, NameObject

    from ipskit.documents.pdf.objects import value_bytes

    return value_bytes(DictionaryObject({NameObject(k): v for k, v in entries.items()}))
