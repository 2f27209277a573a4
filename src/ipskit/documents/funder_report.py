"""The funder report as a branded PDF: its figures laid out, and the follow-up chart.

The counting is :mod:`ipskit.cohorts.figures`; this module only presents it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ipskit.cohorts.figures import EvaluationLine, Line, Report, hours, notes
from ipskit.cohorts.followups import PointFigures, point_label
from ipskit.cohorts.ratings import MIN_PEOPLE
from ipskit.core.numbers import figure
from ipskit.core.progress import Step
from ipskit.documents.context import organisation
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

TEMPLATE = "report.html"

# --- the chart ------------------------------------------------------------------------------

#: The follow-up chart's measures, in SVG user units (1 unit = 1 CSS px at 100% width).
CHART_WIDTH = 640
LABEL_WIDTH = 130
BAR_HEIGHT = 14
BAR_GAP = 4
GROUP_GAP = 16
VALUE_ROOM = 150  # right of the longest bar, for its words
BARS = (("reached", "Reached", 1.0), ("using_skills", "Using the skills", 0.7),
        ("trained_others", "Trained others", 0.4))  # fmt: skip


def chart(points: Sequence[PointFigures]) -> dict[str, Any] | None:
    """Bars for each follow-up point, laid out: the template only draws them.

    Every bar is drawn to one scale, the most people asked at any point; the grey track
    behind a point's bars is the number asked there.
    """
    scale = max((p.completed for p in points), default=0)
    if not scale:
        return None
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    groups, y = [], 0
    for point in points:
        bars = []
        track = round(room * point.completed / scale, 1)
        for index, (name, label, opacity) in enumerate(BARS):
            value = getattr(point, name)
            length = round(room * value / scale, 1)
            words = f"{label}: {value}"
            if name == "reached":
                words += f" of {point.completed}"
            top = y + index * (BAR_HEIGHT + BAR_GAP)
            bars.append({"y": top, "length": max(length, 1.5 if value else 0),
                         "opacity": opacity, "text_x": LABEL_WIDTH + max(track, length) + 6,
                         "text_y": top + BAR_HEIGHT - 3, "words": words})  # fmt: skip
        tall = len(BARS) * BAR_HEIGHT + (len(BARS) - 1) * BAR_GAP
        groups.append({"label": point_label(point.point), "y": y, "label_y": y + tall / 2 + 4,
                       "track": track, "height": tall,
                       "bars": bars})  # fmt: skip
        y += tall + GROUP_GAP
    return {"width": CHART_WIDTH, "height": y - GROUP_GAP, "left": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "groups": groups}  # fmt: skip


def report_context(workspace: Workspace, renderer: Renderer, report: Report) -> dict[str, Any]:
    """Everything the template prints, prepared: it does no counting of its own."""
    titles = [line.title for line in report.lines]

    def row(line: Line) -> dict[str, Any]:
        return {
            "title": line.title,
            # The id only where two curricula share a title (a copy adapted from another).
            "curriculum": line.curriculum if titles.count(line.title) > 1 else "",
            "courses_run": figure(line.courses_run),
            "courses_planned": figure(line.courses_planned),
            "booked": figure(line.booked),
            "not_attended": figure(line.not_attended),
            "started": figure(line.started),
            "completed": figure(line.completed),
            "completion": figure(line.completion_percent, "%"),
            "withdrawn": figure(line.withdrawn),
            "contact_hours": figure(hours(line.contact_minutes)),
            "participant_hours": figure(hours(line.participant_minutes)),
            "meetings_held": figure(line.meetings_held),
            "certified": figure(line.certified),
            "certified_valid": figure(line.certified_valid),
            "certified_revoked": figure(line.certified_revoked),
            "reissues": figure(line.reissues),
        }

    total = report.total
    key = [
        (figure(total.courses_run), "course run" if total.courses_run == 1 else "courses run"),
        (figure(total.started), "people started"),
        (
            figure(total.completed),
            "completed" + (f" ({figure(total.completion_percent, '%')})" if total.started else ""),
        ),
        (figure(hours(total.contact_minutes)), "contact hours delivered"),
        (figure(total.certified), "people certified"),
    ]
    followups = [
        {
            "label": point_label(p.point),
            "courses": figure(p.cohorts),
            "asked": figure(p.completed),
            "reached": figure(p.reached),
            "using_skills": figure(p.using_skills),
            "using_percent": figure(p.using_percent, "%"),
            "trained_others": figure(p.trained_others),
            "people_trained": figure(p.people_trained),
        }
        for p in report.followups
    ]
    return {
        "title": report.heading,
        "language": workspace.settings.locale,
        "organisation": organisation(workspace, renderer),
        # A date is not broken across lines: "30 June" then "2020" alone reads badly.
        "heading": report.heading_with("\u00a0"),
        "period": report.period,
        "counted": report.counted_on,
        "key": [{"value": v, "label": label} for v, label in key],
        "lines": [row(line) for line in report.lines],
        "total": row(total),
        "several": len(report.lines) > 1,
        "planned": total.courses_planned,
        "running": total.courses_running,
        "followups": followups,
        "chart": chart(report.followups),
        "evaluations": [evaluation(line, titles) for line in report.evaluations],
        "fewest": MIN_PEOPLE,
        "notes": notes(report),
    }


def evaluation(line: EvaluationLine, titles: list[str]) -> dict[str, Any]:
    """One curriculum's evaluation figures as the template prints them: dashes where hidden."""
    return {
        "title": line.title,
        "curriculum": line.curriculum if titles.count(line.title) > 1 else "",
        "responses": f"{figure(line.responses)} form{'' if line.responses == 1 else 's'}"
        f" from {figure(line.courses)} course{'' if line.courses == 1 else 's'}",
        "questions": [
            {
                "text": q.text,
                "answers": figure(q.answers),
                "counts": [figure(n) for n in q.counts] if q.counts else ["–"] * 5,
                "average": "–" if q.average is None else f"{q.average:.2f}",
            }
            for q in line.questions
        ],
    }


def make_report(
    workspace: Workspace,
    report: Report,
    target: Path,
    *,
    as_html: bool = False,
    progress: Step | None = None,
) -> Renderer:
    """Write the report as a branded PDF (or its HTML) to ``target``."""
    renderer = Renderer(workspace, progress=progress, what="the report")
    renderer.document(TEMPLATE, report_context(workspace, renderer, report), target,
                      as_html=as_html)  # fmt: skip
    return renderer
