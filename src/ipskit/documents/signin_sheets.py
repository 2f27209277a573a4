"""Sign-in sheets: one page per session, names in roster order, room for walk-ins."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.records import Records
from ipskit.core.dateformat import clock_span, long_date
from ipskit.core.progress import Step
from ipskit.courses.meetings import Meeting
from ipskit.documents.context import organisation
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "register.html"


def initials(name: str) -> str:
    """'Siân Hughes' → 'S. H.'; works for any script that separates words with spaces."""
    return " ".join(f"{word[0]}." for word in name.split())


def register_context(
    workspace: Workspace,
    renderer: Renderer,
    cohort: Cohort,
    records: Records,
    meetings: list[Meeting],
    *,
    initials_only: bool = False,
    blank_rows: int = 4,
) -> dict[str, Any]:
    """Everything the template prints, prepared: it does no work of its own."""
    settings = workspace.settings
    people = records.active
    sheets = []
    for meeting in meetings:
        rows = [
            {
                "number": n,
                "name": initials(p.name) if initials_only else p.name,
                "name_lang": p.name_lang,
            }
            for n, p in enumerate(people, start=1)
        ]
        sheets.append(
            {
                "number": meeting.number,
                "title": meeting.title,
                "date": long_date(meeting.date, settings.locale),
                "time": clock_span(meeting.start, meeting.end, settings.locale, words=True),
                "venue": cohort.settings.venue,
                "rows": rows,
                "blank": list(range(len(rows) + 1, len(rows) + 1 + blank_rows)),
            }
        )
    title = f"Sign-in sheets: {cohort.settings.curriculum_title} ({cohort.id})"
    return {
        "title": title,
        "language": settings.locale,
        "organisation": organisation(workspace, renderer),
        "course": {"title": cohort.settings.curriculum_title, "id": cohort.id},
        "name_heading": "Initials" if initials_only else "Name",
        "sheets": sheets,
    }


def make_registers(
    workspace: Workspace,
    cohort: Cohort,
    meetings: list[Meeting],
    target: Path,
    *,
    initials_only: bool = False,
    blank_rows: int = 4,
    as_html: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> Renderer:
    """Write the sign-in sheets for these sessions to ``target`` (PDF or HTML).

    With the cohort's build ``record``, sheets made before from the same names, dates
    and settings are kept as they are.
    """
    from ipskit.documents.fonts import name_warnings

    renderer = Renderer(workspace, progress=progress, what="the sign-in sheets", record=record)
    records = Records.load(cohort)
    renderer.warnings = name_warnings((p.id, p.name) for p in records.active)
    renderer.people = [p.id for p in records.active]
    context = register_context(
        workspace, renderer, cohort, records, meetings,
        initials_only=initials_only, blank_rows=blank_rows,
    )  # fmt: skip
    renderer.document(TEMPLATE, context, target, as_html=as_html)
    return renderer
