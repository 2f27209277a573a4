"""``ipskit register COHORT [SESSION]``: printable sign-in sheets."""

from pathlib import Path
from typing import Annotated

import typer

from ipskit.cli.common import load_cohort
from ipskit.cli.options import CohortArgument, DocumentFormat, DocumentFormatOption


def register(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    session: Annotated[
        str | None,
        typer.Argument(metavar="[SESSION]", help="A number or id (default: every session)."),
    ] = None,
    initials: Annotated[
        bool, typer.Option("--initials", help="Print initials instead of names.")
    ] = False,
    blank: Annotated[
        int, typer.Option("--blank-rows", min=0, max=40, help="Empty rows for walk-ins.")
    ] = 4,
    fmt: DocumentFormatOption = DocumentFormat.pdf,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The file to write.", dir_okay=False)
    ] = None,
) -> None:
    """Print sign-in sheets for a session or all.

    One page per session: the course, session, date, time and venue, then everyone on
    the roster in order with a box to sign, and empty rows for walk-ins. --initials
    prints initials only, for sheets left where others can see them.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.documents.pack import all_unchanged, kept
    from ipskit.documents.signin_sheets import make_registers
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    cohort = load_cohort(ctx, cohort_id)
    meetings = [cohort.meeting(session)] if session else list(cohort.everything)
    name = f"register-{meetings[0].number}" if session else "registers"
    target = out or workspace.root / "out" / cohort.id / f"{name}.{fmt.value}"
    with kept(workspace, cohort.id) as record, progress("Making the sign-in sheets") as step:
        renderer = make_registers(
            workspace, cohort, meetings, target, initials_only=initials, blank_rows=blank,
            as_html=fmt is DocumentFormat.html, progress=step, record=record,
        )  # fmt: skip
    for warning in renderer.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    pages = len(meetings)
    if all_unchanged(record, [target]):
        typer.echo(f"Up to date: {target} (no name, date or setting on it has changed)")
    else:
        typer.echo(f"Wrote {pages} sign-in sheet{'s' if pages > 1 else ''} to {target}")
