"""``ipskit agreements COHORT``: the code of conduct to sign, and who has signed it."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import locale_of, parse_day, split_people
from ipskit.cli.options import CohortArgument, Format, JsonOption
from ipskit.cli.output import plural, print_json
from ipskit.cli.table import clip, day, table

if TYPE_CHECKING:
    from ipskit.cohorts.agreements import Recorded
    from ipskit.cohorts.course import Course
    from ipskit.workspace import Workspace

Who = Annotated[
    list[str] | None,
    typer.Option(
        metavar="WHO",
        help="An id or part of a name; repeat, or separate with commas.",
        show_default=False,
    ),
]


def agreements(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    signed: Who = None,
    not_signed: Annotated[
        list[str] | None,
        typer.Option(
            "--not-signed",
            metavar="WHO",
            show_default=False,
            help="Undo a signature recorded by mistake.",
        ),
    ] = None,  # fmt: skip
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="With --signed: the day they signed (default: the day of the session in"
            " which the code is signed, or today if it is still to come).",
            show_default=False,
        ),
    ] = None,
    listing: Annotated[
        bool, typer.Option("--list", help="Show who has signed, and when, instead of printing.")
    ] = False,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="How --list prints: table or json (implies --list)."),
    ] = None,
    as_json: JsonOption = False,
    blank: Annotated[
        int,
        typer.Option(
            "--blank", metavar="N", min=0, max=100, help="Add N forms with no name, for walk-ins."
        ),
    ] = 0,
    unsigned: Annotated[
        bool, typer.Option("--unsigned", help="Print forms only for people who have not signed.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The file to write.", dir_okay=False)
    ] = None,
) -> None:
    """Code of conduct forms, and who has signed.

    With no options: a PDF with one page per participant, their name printed, the
    curriculum's code of conduct and lines for their signature and a trainer's, in
    out/COHORT/agreements.pdf. --signed WHO records a signature (--date for the day),
    --not-signed WHO undoes one given by mistake, and --list shows who has signed.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.course import course_for
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import require_workspace

    recording = bool(signed or not_signed)
    listing = listing or fmt is not None or as_json
    printing_options = blank or unsigned or out is not None
    if recording and (listing or printing_options):
        raise IpskitError(
            "--signed and --not-signed only record: list or print the forms in another run"
        )
    if on is not None and not signed:
        raise IpskitError("--date is the day people signed: give it with --signed")
    if listing and printing_options:
        raise IpskitError("--list shows who has signed: --blank, --unsigned and --out print forms")
    workspace = require_workspace(workspace_option(ctx))
    course = course_for(workspace, cohort_id, None)
    if recording:
        _record(course, signed, not_signed, on)
    elif listing:
        _list(course, json=as_json or fmt is Format.json)
    else:
        _print(workspace, course, blank, unsigned, out)


def _record(
    course: "Course", signed: list[str] | None, not_signed: list[str] | None, on: str | None
) -> None:
    from datetime import date

    from ipskit.cohorts.agreements import record, signing_meeting

    done = record(
        course, signed=split_people(signed), not_signed=split_people(not_signed),
        when=parse_day(on, "--date") if on else None,
    )  # fmt: skip
    assert course.cohort is not None
    for line in _record_lines(done, locale_of(course.cohort)):
        typer.echo(line)
    meeting = signing_meeting(course)
    if on is None and done.day is not None and meeting and done.day == meeting.date < date.today():
        typer.echo(
            f"(The date is that of session {meeting.number}, {meeting.id}, in which the code is"
            " signed: give --date if someone signed on another day.)"
        )
    typer.echo(f"Signed: {done.signed} of {done.of}")


def _record_lines(done: "Recorded", locale: str) -> list[str]:
    from ipskit.cohorts.records import settled_words
    from ipskit.core.names import isolate

    lines = []
    for change in done.changes:
        who = f"{change.person.id} {isolate(change.person.name)}"
        after = day(change.after, locale) if change.after is not None else None
        before = day(change.before, locale) if change.before is not None else None
        if change.ways:
            ways = [f"signed on {day(way, locale)}" for way in change.ways]
            now = f"signed on {after}" if after is not None else "not signed"
            lines.append(f"{who}: {settled_words(ways, now)}")
        elif after is not None and before is None:
            lines.append(f"{who}: signed on {after}")
        elif after is not None and change.before != change.after:
            lines.append(f"{who}: signed on {after} (was {before})")
        elif after is not None:
            lines.append(f"{who}: already recorded as signed on {after}")
        elif before is not None:
            lines.append(f"{who}: not signed (the signature of {before} is removed)")
        else:
            lines.append(f"{who}: was not recorded as signed; nothing to undo")
    return lines


def _list(course: "Course", *, json: bool) -> None:
    from ipskit.cohorts.agreements import agreement_of, signing_meeting, who_signed

    assert course.cohort is not None
    agreement = agreement_of(course)
    rows, count = who_signed(course.cohort)
    if json:
        meeting = signing_meeting(course)
        print_json(
            {
                "cohort": course.cohort.id,
                "agreement": agreement.title,
                "session": None if meeting is None else
                {"number": meeting.number, "id": meeting.id, "date": meeting.date.isoformat()},
                "signed": count,
                "of": len(rows),
                "participants": [
                    {"id": p.id, "name": p.name, "signed": when.isoformat() if when else None}
                    for p, when in rows
                ],
            }
        )  # fmt: skip
        return
    if rows:
        locale = locale_of(course.cohort)
        typer.echo(
            table(
                ["ID", "Name", "Signed"],
                [[p.id, clip(p.name, 40), day(when, locale) if when else "not signed"]
                 for p, when in rows],
            )  # fmt: skip
        )
    typer.echo(f"Signed: {count} of {len(rows)}")


def _print(
    workspace: "Workspace", course: "Course", blank: int, unsigned: bool, out: Path | None
) -> None:
    from ipskit.cli.progress import progress
    from ipskit.documents.agreement_forms import FILE, make_agreements
    from ipskit.documents.pack import all_unchanged, kept

    assert course.cohort is not None
    target = out or workspace.root / "out" / course.cohort.id / FILE
    with kept(workspace, course.cohort.id) as record, \
            progress("Making the code of conduct forms") as step:  # fmt: skip
        made = make_agreements(workspace, course, target, blank=blank, unsigned_only=unsigned,
                               progress=step, record=record)  # fmt: skip
    for warning in made.renderer.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    extra = f", {blank} of them blank" if blank else ""
    forms = f"{plural(made.forms, 'form')}{extra} ({plural(made.pages, 'page')})"
    if all_unchanged(record, [target]):
        typer.echo(f"Up to date: {target} ({forms}; no name or text on them has changed)")
    else:
        typer.echo(f"Wrote {forms} to {target}")
    typer.echo(f"Signed: {made.signed} of {made.of}")
