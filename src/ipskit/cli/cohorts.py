"""``ipskit new-cohort``, ``ipskit cohorts`` and ``ipskit status``."""

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import cohorts_dir, load_cohort, locale_of, parse_day, parse_time
from ipskit.cli.options import CohortArgument, Format, FormatOption, JsonOption
from ipskit.cli.output import meeting_json, plural, print_json, wants_json
from ipskit.cli.table import clip, day, table

if TYPE_CHECKING:
    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.lifecycle import Deletion
    from ipskit.cohorts.status import Overview, Status
    from ipskit.courses.meetings import Meeting


def new_cohort(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. spring-2027")],
    curriculum: Annotated[str, typer.Option("--curriculum", help="The curriculum's id.")],
    start: Annotated[str, typer.Option("--start", help="First session, e.g. 2027-03-03.")],
    at: Annotated[
        str | None,
        typer.Option("--time", help="Start time, e.g. 18:30 (default: the curriculum's)."),
    ] = None,
    venue: Annotated[str | None, typer.Option("--venue", help="Where it takes place.")] = None,
    trainer: Annotated[
        list[str] | None,
        typer.Option(
            "--trainer",
            help="A trainer's name, or COHORT:WHO for someone who completed an earlier"
            " cohort (repeatable).",
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster", help="Participants from a CSV file or an Excel workbook.", dir_okay=False
        ),
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="A date with no session (repeatable).")
    ] = None,
    followup: Annotated[
        list[str] | None,
        typer.Option(
            "--followup",
            help="A follow-up point, e.g. 9w or 12m after the last session (repeatable;"
            " default: the curriculum's).",
        ),
    ] = None,
) -> None:
    """Start a cohort: a dated schedule and roster.

    Weekly sessions step over --skip dates (later ones move on a week); daily ones also
    step over weekends unless the curriculum says otherwise.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    cohort, imported = create_cohort(
        workspace,
        cohort_id,
        curriculum,
        parse_day(start, "--start"),
        start_time=parse_time(at, "--time") if at else None,
        venue=venue,
        trainers=trainer or [],
        skip=[parse_day(d, "--skip") for d in skip or []],
        roster=roster,
        followups=followup,
    )
    settings = cohort.settings
    locale = locale_of(cohort)
    typer.echo(
        f"Created cohort {cohort.id} ({settings.curriculum}): "
        f"{plural(len(settings.sessions), 'session')} from"
        f" {day(settings.sessions[0].date, locale)} to {day(settings.sessions[-1].date, locale)}"
        + (f", then {plural(len(settings.meetings), 'meeting')} to"
           f" {day(settings.meetings[-1].date, locale)}" if settings.meetings else "")
    )  # fmt: skip
    typer.echo(schedule_table(cohort.everything, locale))
    if settings.followups:
        typer.echo(
            "Follow-ups: "
            + ", ".join(f"{f.at} ({day(f.due, locale)})" for f in settings.followups)
        )
    if imported is not None:
        from ipskit.cli.roster import import_report

        typer.echo(import_report(imported, cohort.id))
    typer.echo(f"Folder: {cohort.folder}")


def schedule_table(meetings: "Sequence[Meeting]", locale: str) -> str:
    """The dated schedule as a table."""
    from ipskit.core.dateformat import clock_span

    rows = [
        [str(m.number), day(m.date, locale), clock_span(m.start, m.end, locale), m.id,
         clip(m.title, 44)]
        for m in meetings
    ]  # fmt: skip
    return table(["#", "Date", "Time", "Session", "Title"], rows, right=[0])


cohorts = typer.Typer(
    help="List, archive or delete cohorts.\n\n"
    "'ipskit cohorts' alone lists the cohorts in use and how they are going; archived ones"
    " are left out unless --all is given (they still count in 'ipskit report', and"
    " 'ipskit status' shows them).",
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
)


@cohorts.callback()
def _list(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
    every: Annotated[
        bool, typer.Option("--all", help="Archived cohorts too (they are hidden otherwise).")
    ] = False,
) -> None:
    """List the cohorts in use (the group's help says more)."""
    if ctx.invoked_subcommand is not None:
        return
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.cohorts.status import quick_overview

    today = date.today()
    everything = all_cohorts(cohorts_dir(ctx))
    shown = [c for c in everything if every or not c.settings.archived]
    found = [quick_overview(c, today) for c in shown]
    if wants_json(fmt, as_json):
        print_json([_overview_json(o) for o in found])
        return
    hidden = len(everything) - len(shown)
    if not found:
        typer.echo(
            f"No cohorts in use: {plural(hidden, 'archived cohort')} (list with --all)."
            if hidden else "No cohorts yet: start one with 'ipskit new-cohort'."
        )  # fmt: skip
        return
    rows = [
        [
            o.cohort.id + (" (archived)" if o.cohort.settings.archived else ""),
            o.cohort.settings.curriculum,
            f"{o.cohort.settings.sessions[0].date:%Y-%m-%d} –"
            f" {o.cohort.settings.sessions[-1].date:%Y-%m-%d}",
            str(o.participants),
            f"{o.rate:g}%" if o.rate is not None else "–",
            f"{o.next.number}: {day(o.next.date, locale_of(o.cohort))}" if o.next else "finished",
        ]
        for o in found
    ]
    typer.echo(
        table(["Cohort", "Curriculum", "Dates", "People", "Attendance", "Next"], rows, right=[3, 4])
    )
    if hidden:
        typer.echo(f"{plural(hidden, 'archived cohort')} not shown: list with --all.")


CohortId = Annotated[str, typer.Argument(metavar="ID", help="The cohort, e.g. spring-2027.")]


@cohorts.command()
def archive(ctx: typer.Context, cohort_id: CohortId) -> None:
    """Keep a finished cohort, read-only and hidden.

    Its records and documents stay; it still counts in 'ipskit report', and 'ipskit
    status' shows it, but it is left out of 'ipskit cohorts' (unless --all) and of
    'ipskit followup due'. Every command that would change its records refuses until
    it is unarchived; documents can still be printed, and a person's data erased.
    """
    from ipskit.cohorts.cohort import set_archived

    cohort = set_archived(cohorts_dir(ctx), cohort_id, True)
    typer.echo(
        f"Archived {cohort.id}: kept, read-only, still counted in reports;"
        f" 'ipskit cohorts unarchive {cohort.id}' to change it again."
    )
    unfinished = _unfinished_followups(cohort)
    if unfinished:
        typer.echo(
            f"Follow-ups not finished: {', '.join(unfinished)}; 'ipskit followup due' leaves"
            " archived cohorts out."
        )


def _unfinished_followups(cohort: "Cohort") -> list[str]:
    """Follow-up points still to come, or come with people yet to answer."""
    from ipskit.cohorts.followups import due

    today = date.today()
    waiting = {d.point.at: len(d.waiting) for d in due([cohort], today)}
    return [
        f"{p.at} ({plural(waiting[p.at], 'person')} waiting)".replace("persons", "people")
        if p.at in waiting
        else f"{p.at} ({day(p.due, locale_of(cohort))})"
        for p in cohort.settings.followups
        if p.at in waiting or p.due > today
    ]


@cohorts.command()
def unarchive(ctx: typer.Context, cohort_id: CohortId) -> None:
    """Let an archived cohort be changed again."""
    from ipskit.cohorts.cohort import set_archived

    cohort = set_archived(cohorts_dir(ctx), cohort_id, False)
    typer.echo(f"Unarchived {cohort.id}: it can be changed again.")


@cohorts.command()
def delete(
    ctx: typer.Context,
    cohort_id: CohortId,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really delete it (there is no undo).")
    ] = False,
) -> None:
    """Delete a cohort made by mistake.

    It removes the cohort's folder and its documents under out/. Only a cohort that
    never issued a certificate can be deleted (a certificate register is never removed),
    and not one whose graduates train another cohort: archive those instead. Without
    --yes it says what it would delete and changes nothing.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.lifecycle import delete_cohort, deletion
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    if not yes:
        found = deletion(workspace, cohort_id)
        raise IpskitError(
            f"this would delete cohort {cohort_id} ({_contents(found)}) for good:"
            f" add --yes to delete it"
        )
    found = delete_cohort(workspace, cohort_id)
    typer.echo(f"Deleted cohort {cohort_id} ({_contents(found)}).")


def _contents(found: "Deletion") -> str:
    parts = [plural(found.participants, "participant"), plural(found.marks, "attendance mark")]
    if found.documents is not None:
        parts.append("its documents in out/" + found.cohort.id)
    return ", ".join(parts)


def _overview_json(o: "Overview") -> dict[str, Any]:
    settings = o.cohort.settings
    return {
        "id": o.cohort.id,
        "curriculum": settings.curriculum,
        "first_session": settings.sessions[0].date.isoformat(),
        "last_session": settings.sessions[-1].date.isoformat(),
        "archived": settings.archived,
        "participants": o.participants,
        "attendance_percent": o.rate,
        "next_session": meeting_json(o.next) if o.next else None,
    }


def status(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
) -> None:
    """Show a cohort's progress and who is at risk.

    The dated schedule, marks so far for each session, who is at risk of not completing,
    and anything to check (unmarked sessions, a changed curriculum, open permissions).
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.records import Records
    from ipskit.cohorts.status import status as cohort_status
    from ipskit.workspace import require_workspace

    cohort = load_cohort(ctx, cohort_id)
    root = require_workspace(workspace_option(ctx)).root
    report = cohort_status(cohort, Records.load(cohort), date.today(), root)
    if wants_json(fmt, as_json):
        print_json(_status_json(report))
    else:
        typer.echo(_status_text(report))
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)


def _status_json(report: "Status") -> dict[str, Any]:
    return {
        **_overview_json(report.overview),
        "venue": report.overview.cohort.settings.venue,
        "trainers": list(report.overview.cohort.settings.trainers),
        "withdrawn": report.withdrawn,
        "sessions_held": report.held,
        "support_group": None
        if report.support_group is None
        else {
            "held": report.support_group.held,
            "total": report.support_group.total,
            "next": meeting_json(report.support_group.next) if report.support_group.next else None,
        },
        "agreement": None
        if report.agreement is None
        else {"signed": report.agreement.signed, "of": report.agreement.of},
        "followups": [
            {"at": point.at, "due": point.due.isoformat(), "answered": answered}
            for point, answered in report.followups
        ],
        "sessions": [
            {**meeting_json(line.meeting), "held": line.held, "marks": line.counts}
            for line in report.sessions
        ],
        "participants": [
            {
                "id": person.id,
                "state": standing.state,
                "attended": standing.attended,
                "counted": standing.counted,
                "percent": standing.percent,
                "reasons": list(standing.reasons),
            }
            for person, standing in report.standings
        ],
        "warnings": report.warnings,
    }


def _status_text(report: "Status") -> str:
    from ipskit.core.dateformat import clock, clock_span
    from ipskit.core.names import isolate

    o = report.overview
    settings = o.cohort.settings
    course = len(settings.sessions)
    locale = locale_of(o.cohort)
    lines = [f"{o.cohort.id} · {settings.curriculum_title} ({settings.curriculum})"]
    if settings.archived:
        lines.append(f"Archived: read-only (ipskit cohorts unarchive {o.cohort.id} to change it)")
    where = [f"Venue: {settings.venue}"] if settings.venue else []
    if settings.trainers:
        from ipskit.cohorts.cascade import trainer_names

        where.append(f"Trainers: {', '.join(trainer_names(o.cohort))}")
    if where:
        lines.append(" · ".join(where))
    rate = f" · attendance so far {o.rate:g}%" if o.rate is not None else ""
    lines.append(
        f"{plural(o.participants, 'participant')}"
        + (f" ({report.withdrawn} withdrawn)" if report.withdrawn else "")
        + f" · {report.held} of {course} sessions held{rate}"
    )
    if o.next:
        lines.append(
            f"Next: session {o.next.number} ({o.next.id}), {day(o.next.date, locale)},"
            f" {clock_span(o.next.start, o.next.end, locale)}"
        )
    else:
        lines.append("The course has finished.")
    if report.support_group:
        group = report.support_group
        after = group.next
        lines.append(
            f"Support group: {group.held} of {plural(group.total, 'meeting')} held"
            + (f" · next {day(after.date, locale)} (meeting {after.number}, {after.id})"
               if after else "")
        )
    if report.agreement:
        lines.append(f"Code of conduct: {report.agreement.signed} of {report.agreement.of} signed")
    if report.followups:
        lines.append(
            "Follow-ups: "
            + " · ".join(
                f"{point.at} {day(point.due, locale)}, {answered} answered"
                for point, answered in report.followups
            )  # fmt: skip
        )
    rows = []
    for line in report.sessions:
        c = line.counts
        marks = (
            [str(c["present"]), str(c["late"]), str(c["absent"]), str(c["excused"])]
            if line.held else ["", "", "", ""]
        )  # fmt: skip
        rows.append(
            [str(line.meeting.number), day(line.meeting.date, locale),
             clock(line.meeting.start, locale), clip(line.meeting.title, 36), *marks]
        )  # fmt: skip
    lines += ["", table(["#", "Date", "Time", "Session", "Present", "Late", "Absent",
                         "Apologies"], rows, right=[0, 4, 5, 6, 7])]  # fmt: skip
    for state, heading in (
        ("at risk", "At risk (can complete only by attending every session left)"),
        ("cannot complete", "Cannot complete"),
    ):
        people = [(p, s) for p, s in report.standings if s.state == state]
        if people:
            lines += ["", f"{heading}:"]
            lines += [f"  {p.id} {isolate(p.name)}: {'; '.join(s.reasons)}" for p, s in people]
    return "\n".join(lines)
