"""The code-of-conduct forms to print: one per person still on the course, then blank ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ipskit.cohorts.agreements import agreement_of, signed_count, signing_meeting
from ipskit.cohorts.course import Course
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core.dateformat import long_date
from ipskit.core.errors import IpskitError, argument
from ipskit.core.progress import Step
from ipskit.documents.context import organisation, paragraphs
from ipskit.documents.fonts import name_warnings
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "agreement.html"
FILE = "agreements.pdf"
MAX_BLANK = 100



def agreement_context(
    workspace: Workspace,
    renderer: Renderer,
    course: Course,
    people: Sequence[Participant],
    *,
    blank: int = 0,
) -> dict[str, Any]:
    """Everything the template prints, prepared: one form per person, then blank ones."""
    agreement = agreement_of(course)
    cohort = course.cohort
    assert cohort is not None
    meeting = signing_meeting(course)
    return {
        # A name never goes in the title: the PDF's metadata shows in file managers.
        "title": f"Code of conduct: {cohort.settings.curriculum_title} ({cohort.id})",
        "language": workspace.settings.locale,
        "organisation": organisation(workspace, renderer),
        "course": {"title": cohort.settings.curriculum_title, "id": cohort.id},
        "agreement": {
            "title": agreement.title,
            "introduction": paragraphs(agreement.introduction),
            "commitments": list(agreement.commitments),
        },
        "session": None
        if meeting is None
        else {
            "number": meeting.number,
            "title": meeting.title,
            "date": long_date(meeting.date, workspace.settings.locale),
        },
        "venue": cohort.settings.venue,
        "forms": [{"name": p.name, "name_lang": p.name_lang} for p in people]
        + [{"name": "", "name_lang": ""}] * blank,
    }


class Made(NamedTuple):
    """What making the forms did."""

    renderer: Renderer
    target: Path
    forms: int
    pages: int
    signed: int
    of: int


def make_agreements(
    workspace: Workspace,
    course: Course,
    target: Path,
    *,
    blank: int = 0,
    unsigned_only: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> Made:
    """Write one code-of-conduct form per person still on the course to ``target``.

    With the cohort's build ``record``, forms made before from the same inputs are kept.
    """
    if not 0 <= blank <= MAX_BLANK:
        raise IpskitError(f"{argument('blank')} must be from 0 to {MAX_BLANK}")
    agreement_of(course)
    assert course.cohort is not None
    records = Records.load(course.cohort)
    people = [p for p in records.active if not (unsigned_only and p.id in records.signed)]
    if not people and not blank:
        raise IpskitError(
            "everyone on the course has signed: there is no form to print"
            f" ({argument('blank=N')} prints empty ones)"
            if unsigned_only
            else f"cohort {course.cohort.id} has no one on its roster: add people,"
            f" or use {argument('blank=N')}"
        )
    renderer = Renderer(workspace, progress=progress, what="the forms", record=record)
    renderer.warnings = name_warnings((p.id, p.name) for p in people)
    renderer.people = [p.id for p in people]
    context = agreement_context(workspace, renderer, course, people, blank=blank)
    html = renderer.html(TEMPLATE, context)
    meta = {"template": TEMPLATE, "title": context["title"],
            "author": workspace.settings.organisation.name,
            "language": workspace.settings.locale}  # fmt: skip
    forms = len(context["forms"])
    if renderer.reuse([target], html, **meta):
        pages = renderer.record.info(target).get("pages", forms) if renderer.record else forms
    else:
        document = renderer.layout(html, template=TEMPLATE)
        pages = len(document.pages)
        renderer.write(document, target, title=meta["title"], author=meta["author"],
                       language=meta["language"])  # fmt: skip
        renderer.remember([target], {"pages": pages})
    if pages > forms:
        renderer.warnings.append(
            "the code of conduct does not fit on one page, so a form takes more than one:"
            " print double-sided, or shorten it in the cohort's curriculum.yaml"
        )
    signed, of = signed_count(records)
    return Made(renderer, target, forms, pages, signed, of)
