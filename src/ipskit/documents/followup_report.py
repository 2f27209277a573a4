"""The one-page follow-up report: who was asked back, who uses the skills, as a PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.followups import PointFigures, point_label
from ipskit.core.dateformat import plain_date
from ipskit.core.numbers import figure
from ipskit.core.progress import Step
from ipskit.documents.context import organisation
from ipskit.documents.funder_report import chart
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace


def make_report(workspace: Workspace, cohorts: list[Cohort], found: list[PointFigures],
                target: Path, *, today: date, progress: Step | None = None) -> None:  # fmt: skip
    """Write the one-page follow-up report, with its chart, as a tagged PDF."""
    renderer = Renderer(workspace, progress=progress, what="the report")
    courses = sorted({c.settings.curriculum_title for c in cohorts})
    scope = cohorts[0].id if len(cohorts) == 1 else f"{len(cohorts)} cohorts"
    context = {
        "title": f"Follow-up report: {scope}",
        "language": workspace.settings.locale,
        "organisation": organisation(workspace, renderer),
        "as_of": plain_date(today, workspace.settings.locale),
        "courses": courses,
        "cohorts": [c.id for c in cohorts],
        "points": [
            {"label": point_label(f.point), **f._asdict(),
             "using_percent": "" if f.using_percent is None else figure(f.using_percent, "%")}
            for f in found
        ],
        "chart": chart(found),
    }
    renderer.document("followup-report.html", context, target)
