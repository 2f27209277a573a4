"""``ipskit followup``: follow-up evaluations after a course."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import cohorts_dir, load_cohort, parse_day
from ipskit.cli.output import (
    Format,
    FormatOption,
    ReportFormat,
    ReportFormatOption,
    plural,
    print_json,
)
from ipskit.cli.table import day, table

if TYPE_CHECKING:
    from ipskit.cohort import Cohort
    from ipskit.followups import PointFigures

app = typer.Typer(
    help="Follow-up evaluations after a course.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class YesNo(StrEnum):
    """An answer."""

    yes = "yes"
    no = "no"


@app.command()
def due(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", help="As of this date (default: today).")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List follow-ups due, and who is to answer.

    Everyone who completed a course is asked at each of its follow-up points; a point is
    due from its date until everyone has answered.
    """
    from ipskit.cohort import all_cohorts
    from ipskit.followups import due as due_now

    today = parse_day(on, "--on") if on else date.today()
    found = due_now(all_cohorts(cohorts_dir(ctx)), today)
    if fmt is Format.json:
        print_json([
            {"cohort": d.cohort.id, "point": d.point.at, "due": d.point.due.isoformat(),
             "waiting": list(d.waiting), "answered": d.answered}
            for d in found
        ])  # fmt: skip
        return
    if not found:
        typer.echo(f"No follow-ups are due on {day(today)}.")
        return
    rows = [
        [d.cohort.id, d.point.at, day(d.point.due), str(d.answered), str(len(d.waiting)),
         ", ".join(d.waiting)]
        for d in found
    ]  # fmt: skip
    typer.echo(table(["Cohort", "At", "Due", "Answered", "Waiting", "Who"], rows, right=[3, 4]))
    typer.echo(
        "Record an answer with: ipskit followup record COHORT WHO --at POINT"
        " --using-skills yes|no --trained-others N"
    )


@app.command()
def record(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    at: Annotated[str, typer.Option("--at", help="The follow-up point, e.g. 9w or 12m.")],
    using_skills: Annotated[
        YesNo, typer.Option("--using-skills", help="Are they using what they learned?")
    ],
    trained_others: Annotated[
        int,
        typer.Option("--trained-others", min=0, max=100_000,
                     help="How many people they have trained since."),  # fmt: skip
    ],
    note: Annotated[
        str,
        typer.Option("--note", help="A short note (nothing about anyone's health)."),
    ] = "",
    when: Annotated[
        str | None, typer.Option("--date", help="When they answered (default: today).")
    ] = None,
) -> None:
    """Record an answer at a follow-up point.

    Only counts and yes/no are kept. Answering again replaces the earlier answer; the
    change is kept in the cohort's history.
    """
    from ipskit.records import changing
    from ipskit.schedule import check_point

    answered = parse_day(when, "--date") if when else date.today()
    cohort = load_cohort(ctx, cohort_id)
    point = cohort.followup(check_point(at))
    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        records.answer(
            person, point.at, using_skills=using_skills is YesNo.yes,
            trained_others=trained_others, when=answered, note=note,
        )  # fmt: skip
    using = "using the skills" if using_skills is YesNo.yes else "not using the skills"
    typer.echo(
        f"Recorded {person.id} at {point.at} ({cohort.id}): {using},"
        f" trained {plural(trained_others, 'person').replace('persons', 'people')}."
    )


@app.command()
def plan(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    at: Annotated[
        list[str], typer.Option("--at", help="A follow-up point, e.g. 9w or 12m (repeatable).")
    ],
) -> None:
    """Set a cohort's follow-up points.

    Each is dated from the cohort's last session; points with answers must stay.
    """
    from ipskit.followups import plan_points
    from ipskit.schedule import check_point

    cohort = load_cohort(ctx, cohort_id)
    cohort = plan_points(cohort, [check_point(a) for a in at])
    points = ", ".join(f"{f.at} ({day(f.due)})" for f in cohort.settings.followups)
    typer.echo(f"Follow-ups of {cohort.id}: {points}")


@app.command()
def report(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="One cohort (default: all).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every cohort of the workspace.")] = False,
    fmt: ReportFormatOption = ReportFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The PDF to write.", dir_okay=False)
    ] = None,
) -> None:
    """Summarise follow-ups: reached, using skills.

    For each follow-up point that has come: how many completed the course and so were
    asked, how many were reached, how many of them use the skills, how many have
    trained others, and how many people they trained between them. Counts only.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohort import all_cohorts
    from ipskit.errors import IpskitError
    from ipskit.followups import figures
    from ipskit.workspace import require_workspace

    if cohort_id and every:
        raise IpskitError("name a cohort or give --all, not both")
    workspace = require_workspace(workspace_option(ctx))
    cohorts = [load_cohort(ctx, cohort_id)] if cohort_id else all_cohorts(workspace.cohorts_dir)
    today = date.today()
    found = figures(cohorts, today)
    scope = cohort_id or "all cohorts"
    if fmt is ReportFormat.json:
        print_json({"cohorts": [c.id for c in cohorts], "as_of": today.isoformat(),
                    "points": [_json(f) for f in found]})  # fmt: skip
        return
    if fmt is ReportFormat.csv:
        from ipskit.csvio import to_text

        typer.echo(to_text(_COLUMNS, (_cells(f, plain=True) for f in found)), nl=False)
        return
    if fmt is ReportFormat.pdf:
        from ipskit.followups import make_report

        target = out or workspace.root / "out" / f"followup-report-{cohort_id or 'all'}.pdf"
        make_report(workspace, cohorts, found, target, today=today)
        typer.echo(f"Wrote the follow-up report for {scope} to {target}")
        return
    if not found:
        typer.echo(f"No follow-up is due yet for {scope}.{_next(cohorts, today)}")
        return
    typer.echo(f"Follow-ups, {scope}, as of {day(today)} (counts only)")
    headings = ["At", "Cohorts", "Asked", "Reached", "Using skills", "Trained others",
                "People trained"]  # fmt: skip
    typer.echo(table(headings, [_cells(f) for f in found], right=list(range(1, 7))))
    typer.echo("Asked: everyone who completed; reached: those who answered.")


_COLUMNS = ("point", "cohorts", "asked", "reached", "using_skills", "trained_others",
            "people_trained")  # fmt: skip


def _cells(f: PointFigures, *, plain: bool = False) -> list[str]:
    using = f"{f.using_skills}"
    if f.using_percent is not None and not plain:
        using += f" ({f.using_percent:g}%)"
    return [f.point, str(f.cohorts), str(f.completed), str(f.reached), using,
            str(f.trained_others), str(f.people_trained)]  # fmt: skip


def _json(f: PointFigures) -> dict[str, Any]:
    return {"point": f.point, "cohorts": f.cohorts, "asked": f.completed, "reached": f.reached,
            "using_skills": f.using_skills, "trained_others": f.trained_others,
            "people_trained": f.people_trained}  # fmt: skip


def _next(cohorts: list[Cohort], today: date) -> str:
    coming = sorted(
        (p.due, c.id, p.at) for c in cohorts for p in c.settings.followups if p.due > today
    )
    if not coming:
        return ""
    when, cohort, at = coming[0]
    return f" The next is {cohort} at {at}, on {day(when)}."
