"""``ipskit followup``: follow-up evaluations after a course."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import cohorts_dir, load_cohort, locale_of, parse_day, workspace_locale
from ipskit.cli.options import (
    CohortArgument,
    Format,
    FormatOption,
    JsonOption,
    ReportFormat,
    ReportFormatOption,
)
from ipskit.cli.output import plural, print_json, wants_json
from ipskit.cli.table import day, table

if TYPE_CHECKING:
    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.followups import PlanChange, PointFigures
    from ipskit.cohorts.record_types import Answer

app = typer.Typer(
    add_completion=False,
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
    due from its date until everyone has answered. Archived cohorts are left out.
    """
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.cohorts.followups import due as due_now

    today = parse_day(on, "--on") if on else date.today()
    # An archived cohort is read-only, so no answer could be recorded for it.
    in_use = [c for c in all_cohorts(cohorts_dir(ctx)) if not c.settings.archived]
    found = due_now(in_use, today)
    if fmt is Format.json:
        print_json([
            {"cohort": d.cohort.id, "point": d.point.at, "due": d.point.due.isoformat(),
             "waiting": list(d.waiting), "answered": d.answered}
            for d in found
        ])  # fmt: skip
        return
    locale = workspace_locale(ctx)
    if not found:
        typer.echo(f"No follow-ups are due on {day(today, locale)}.")
        return
    rows = [
        [d.cohort.id, d.point.at, day(d.point.due, locale), str(d.answered), str(len(d.waiting)),
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
    cohort_id: CohortArgument,
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
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.cohort import check_writable
    from ipskit.courses.schedule import check_point

    answered = parse_day(when, "--date") if when else date.today()
    cohort = load_cohort(ctx, cohort_id)
    point = cohort.followup(check_point(at))
    check_writable(cohort)
    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        records.answer(
            person, point.at, using_skills=using_skills is YesNo.yes,
            trained_others=trained_others, when=answered, note=note,
        )  # fmt: skip
        settled = records.settled
    using = "using the skills" if using_skills is YesNo.yes else "not using the skills"
    typer.echo(
        f"Recorded {person.id} at {point.at} ({cohort.id}): {using},"
        f" trained {plural(trained_others, 'person').replace('persons', 'people')}."
    )
    for entry in settled:
        typer.echo(f"{person.id} at {point.at}: {_settled_answer(entry.ways, entry.kept)}")


def _settled_answer(ways: tuple[Answer, ...], kept: Answer) -> str:
    """An answer recorded on two computers and now settled, in words."""
    from ipskit.cohorts.records import settled_words

    def said(answer: Answer) -> str:
        using = "using the skills" if answer.using_skills else "not using the skills"
        return f"{using}, trained {answer.trained_others}"

    return settled_words([said(way) for way in ways], said(kept))


@app.command()
def plan(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    add: Annotated[
        list[str] | None,
        typer.Option("--add", help="Add a point, e.g. 6m (repeatable, or comma-separated)."),
    ] = None,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="Remove a point that has no answers (repeatable)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Set every point to the --at ones, dropping others.")
    ] = False,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="With --replace: a point of the new plan (repeatable)."),
    ] = None,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
) -> None:
    """Show or change a cohort's follow-up points.

    Alone, it shows the points and their dates. --add and --remove change them one by
    one; --replace --at 6m --at 12m sets them all and says which it drops. Points are
    dated from the cohort's last session; a point with answers cannot be removed.
    """
    from ipskit.cohorts.followups import PlanChange, answer_counts, change_plan
    from ipskit.core.errors import IpskitError

    adding, removing, points = _points(add), _points(remove), _points(at)
    cohort = load_cohort(ctx, cohort_id)
    if at and not replace:
        now = ", ".join(p.at for p in cohort.settings.followups) or "none"
        given = " ".join(f"--at {p}" for p in points)
        raise IpskitError(
            f"--at would replace every point of {cohort.id} (now {now}): use --add"
            f" {','.join(points)} to add, or --replace {given} to set them all"
        )
    if replace and not points:
        raise IpskitError("--replace needs the new points: e.g. --replace --at 6m --at 12m")
    if replace and (adding or removing):
        raise IpskitError("give --add and --remove, or --replace with --at, not both")
    if adding or removing or replace:
        change = change_plan(
            cohort, add=adding, remove=removing, replace=points if replace else None
        )
    else:
        change = PlanChange(cohort, (), (), answer_counts(cohort))
    if wants_json(fmt, as_json):
        print_json(_plan_json(change))
        return
    typer.echo(_plan_text(change, replaced=replace))


def _points(values: list[str] | None) -> list[str]:
    from ipskit.cli.common import split_people
    from ipskit.courses.schedule import check_point

    return [check_point(v) for v in split_people(values)]


def _plan_json(change: PlanChange) -> dict[str, Any]:
    settings = change.cohort.settings
    return {
        "cohort": change.cohort.id,
        "last_session": settings.sessions[-1].date.isoformat(),
        "added": list(change.added),
        "removed": list(change.removed),
        "points": [
            {"at": p.at, "due": p.due.isoformat(), "answered": change.answers.get(p.at, 0)}
            for p in settings.followups
        ],
    }


def _plan_text(change: PlanChange, *, replaced: bool) -> str:
    cohort = change.cohort
    lines = []
    if replaced:
        dropped = ", ".join(change.removed) or "none"
        lines.append(f"Replaced the follow-ups of {cohort.id}; dropped: {dropped}.")
    elif change.added or change.removed:
        done = ([f"added {', '.join(change.added)}"] if change.added else []) + (
            [f"removed {', '.join(change.removed)}"] if change.removed else []
        )
        lines.append(f"Follow-ups of {cohort.id}: {'; '.join(done)}.")
    locale = locale_of(cohort)
    last = day(cohort.settings.sessions[-1].date, locale)
    if not cohort.settings.followups:
        lines.append(
            f"{cohort.id} has no follow-up points: add one with"
            f" ipskit followup plan {cohort.id} --add 12m"
        )
        return "\n".join(lines)
    lines.append(f"Follow-up points of {cohort.id}, from its last session on {last}:")
    rows = [
        [p.at, day(p.due, locale), str(change.answers.get(p.at, 0))]
        for p in cohort.settings.followups
    ]
    lines.append(table(["At", "Due", "Answered"], rows, right=[2]))
    return "\n".join(lines)


@app.command()
def report(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="One cohort (default: all).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every cohort of the workspace.")] = False,
    fmt: ReportFormatOption = ReportFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            dir_okay=False,
            help="The file to write (default: stdout; for pdf,"
            " out/followup-report-COHORT.pdf; xlsx needs one).",
        ),
    ] = None,
) -> None:
    """Summarise follow-ups: reached, using skills.

    For each follow-up point that has come: how many completed the course and so were
    asked, how many were reached, how many of them use the skills, how many have
    trained others, and how many people they trained between them. Counts only.
    """
    from ipskit.cli.exports import deliver, export, need_out
    from ipskit.cli.output import json_text, workspace_option
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.cohorts.followups import figures
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import require_workspace

    if cohort_id and every:
        raise IpskitError("name a cohort or give --all, not both")
    need_out(fmt, out, f"followup-report-{cohort_id or 'all'}.xlsx")
    workspace = require_workspace(workspace_option(ctx))
    cohorts = [load_cohort(ctx, cohort_id)] if cohort_id else all_cohorts(workspace.cohorts_dir)
    today = date.today()
    found = figures(cohorts, today)
    scope = cohort_id or "all cohorts"
    what = f"the follow-up report for {scope}"
    if fmt is ReportFormat.json:
        data = {"cohorts": [c.id for c in cohorts], "as_of": today.isoformat(),
                "points": [_json(f) for f in found]}  # fmt: skip
        if out is None:
            print_json(data)
        else:
            deliver(json_text(data), out, what)
        return
    if fmt in (ReportFormat.csv, ReportFormat.xlsx):
        from ipskit.core.cells import Percent

        header = ["point", "cohorts", "asked", "reached", "using_skills",
                  "using_skills_percent", "trained_others", "people_trained"]  # fmt: skip
        rows = [[f.point, f.cohorts, f.completed, f.reached, f.using_skills,
                 None if f.using_percent is None else Percent(f.using_percent),
                 f.trained_others, f.people_trained] for f in found]  # fmt: skip
        export(fmt, header, rows, out=out, what=what, title="Follow-ups")
        return
    if fmt is ReportFormat.pdf:
        from ipskit.cli.progress import progress
        from ipskit.documents.followup_report import make_report

        target = out or workspace.root / "out" / f"followup-report-{cohort_id or 'all'}.pdf"
        with progress("Making the follow-up report") as step:
            make_report(workspace, cohorts, found, target, today=today, progress=step)
        typer.echo(f"Wrote the follow-up report for {scope} to {target}")
        return
    locale = workspace_locale(ctx)
    if not found:
        lines = [f"No follow-up is due yet for {scope}.{_next(cohorts, today, locale)}"]
    else:
        headings = ["At", "Cohorts", "Asked", "Reached", "Using skills", "Trained others",
                    "People trained"]  # fmt: skip
        lines = [f"Follow-ups, {scope}, as of {day(today, locale)} (counts only)",
                 table(headings, [_cells(f) for f in found], right=list(range(1, 7))),
                 "Asked: everyone who completed; reached: those who answered."]  # fmt: skip
    deliver("\n".join(lines) + "\n", out, what)


def _cells(f: PointFigures, *, plain: bool = False) -> list[str]:
    using = f"{f.using_skills}"
    if f.using_percent is not None and not plain:
        from ipskit.core.numbers import figure

        using += f" ({figure(f.using_percent, '%')})"
    return [f.point, str(f.cohorts), str(f.completed), str(f.reached), using,
            str(f.trained_others), str(f.people_trained)]  # fmt: skip


def _json(f: PointFigures) -> dict[str, Any]:
    return {"point": f.point, "cohorts": f.cohorts, "asked": f.completed, "reached": f.reached,
            "using_skills": f.using_skills, "trained_others": f.trained_others,
            "people_trained": f.people_trained}  # fmt: skip


def _next(cohorts: list[Cohort], today: date, locale: str) -> str:
    coming = sorted(
        (p.due, c.id, p.at) for c in cohorts for p in c.settings.followups if p.due > today
    )
    if not coming:
        return ""
    when, cohort, at = coming[0]
    return f" The next is {cohort} at {at}, on {day(when, locale)}."
