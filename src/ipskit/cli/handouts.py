"""``ipskit handouts COHORT`` or ``--curriculum CID``: the cards, sheets and forms to print."""

from pathlib import Path
from typing import Annotated

import typer

from ipskit.cli.options import DocumentFormat, DocumentFormatOption


def handouts(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="A cohort (counted for its roster).")
    ] = None,
    curriculum: Annotated[
        str | None,
        typer.Option("--curriculum", help="A curriculum instead (counted for its largest group)."),
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", metavar="ID", help="Only this session's: a number or id."),
    ] = None,
    per_session: Annotated[
        bool,
        typer.Option(
            "--per-session",
            help="A file for each session (session-01.pdf...) and course.pdf, in a folder.",
        ),
    ] = False,
    large_print: Annotated[
        bool,
        typer.Option(
            "--large-print",
            help="18pt type, wider lines to write on, larger cards: handouts-large-print.pdf.",
        ),
    ] = False,
    fmt: DocumentFormatOption = DocumentFormat.pdf,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The file to write (the folder with --per-session)."),
    ] = None,
) -> None:
    """Cards, slips, sheets and forms to print.

    Every card, slip, sheet and form the sessions call for.

    Session by session, each handout a session names, in the quantity the group needs
    (its people, its threes, its trainers): role cards with one role's brief each, the
    support card, exercise cards, feedback slips, the contact-sharing form, the
    evaluation form, "certificate to follow" cards. Cards and slips come several to an
    A4 page with grey lines to cut along; the first page lists what to print for each
    session. Handouts no session names come once at the end. Nothing names a person.

    --large-print sets every handout in 18pt type, with wider lines to write on, on
    cards as large as their text needs (no slips), in as many copies: files of their
    own beside the others (handouts-large-print.pdf, session-01-large-print.pdf...).
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.course import course_for
    from ipskit.core.errors import IpskitError
    from ipskit.documents.handouts import FILE, FOLDER, describe_made, make_handouts, which
    from ipskit.documents.pack import all_unchanged, kept
    from ipskit.workspace import require_workspace

    if per_session and fmt is DocumentFormat.html:
        raise IpskitError("--per-session writes PDFs only: leave out --format html")
    workspace = require_workspace(workspace_option(ctx))
    course = course_for(workspace, cohort_id, curriculum)
    folder = workspace.root / "out" / course.name
    suffix = "-large-print" if large_print else ""
    if per_session:
        target = out or folder / FOLDER
    else:
        name = FILE if session is None else f"handouts-session-{which(course, session):02d}.pdf"
        target = out or folder / f"{Path(name).stem}{suffix}.{fmt.value}"
    cohort = course.cohort.id if course.cohort else None
    with kept(workspace, cohort) as record, progress("Making the handouts") as step:
        made = make_handouts(
            workspace, course, target, session=session, per_session=per_session,
            large_print=large_print, as_html=fmt is DocumentFormat.html, progress=step,
            record=record,
        )  # fmt: skip
    for warning in made.renderer.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    if all_unchanged(record, made.files):
        typer.echo(f"Up to date: {target} (nothing the handouts are made from has changed)")
    else:
        typer.echo(describe_made(made, per_session, target))
