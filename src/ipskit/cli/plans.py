"""``ipskit session-plans COHORT`` or ``--curriculum CID``: facilitator plans."""

from typing import Annotated

import typer

from ipskit.cli.options import DocumentFormat, DocumentFormatOption


def session_plans(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="A cohort (dated plans).")
    ] = None,
    curriculum: Annotated[
        str | None, typer.Option("--curriculum", help="A curriculum instead (undated plans).")
    ] = None,
    fmt: DocumentFormatOption = DocumentFormat.pdf,
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="The folder to write them in.")
    ] = None,
    prep: Annotated[
        bool,
        typer.Option(
            "--prep", help="Only each session's preparation sheet, all in one file to print."
        ),
    ] = False,
) -> None:
    """Write facilitator plans for every session.

    Each plan opens with a preparation sheet (what to do beforehand, what to print and
    bring, counted for this group, the room, and who does what), then the session's aim
    and objectives, safety notes, a timetable with clock times, what to say and do in
    every block, the role plays, running it online, and room for your own notes. One
    PDF per session and one with them all.
    """
    from pathlib import Path

    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.course import course_for
    from ipskit.documents.pack import all_unchanged, kept
    from ipskit.documents.session_plans import make_plans
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    course = course_for(workspace, cohort_id, curriculum)
    folder = Path(out) if out else workspace.root / "out" / course.name / "session-plans"
    with kept(workspace, cohort_id) as record, progress("Making the session plans") as step:
        written = make_plans(workspace, course, folder, as_html=fmt is DocumentFormat.html,
                             prep=prep, progress=step, record=record)  # fmt: skip
    if all_unchanged(record, written):
        typer.echo(f"Up to date: {folder} (nothing the plans are made from has changed)")
    else:
        typer.echo(f"Wrote {len(written)} file{'s' if len(written) > 1 else ''} to {folder}")
