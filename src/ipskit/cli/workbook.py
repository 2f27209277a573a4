"""``ipskit build-workbook COHORT`` or ``--curriculum CID``: the participant workbook."""

from pathlib import Path
from typing import Annotated

import typer

from ipskit.cli.options import DocumentFormat, DocumentFormatOption


def build_workbook(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="A cohort (a dated workbook).")
    ] = None,
    curriculum: Annotated[
        str | None, typer.Option("--curriculum", help="A curriculum instead (undated).")
    ] = None,
    per_participant: Annotated[
        bool,
        typer.Option(
            "--per-participant",
            help="One copy per active participant, their name on the cover, files named by id.",
        ),
    ] = False,
    large_print: Annotated[
        bool, typer.Option("--large-print", help="18pt type and wider writing lines.")
    ] = False,
    fmt: DocumentFormatOption = DocumentFormat.pdf,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The file to write (the folder with --per-participant)."),
    ] = None,
) -> None:
    """Make the participant workbook as a PDF.

    The course map, the group agreement, a wellbeing plan, each session's key ideas with
    reflection prompts and homework and ruled space to write, the course's own pages
    and logs, role-play observation grids (no role's brief), a before-and-after
    self-assessment, the final assessment guide, a glossary and where to get support
    (as the curriculum's workbook list chooses). --per-participant makes a copy for
    each person on the roster with their name on the cover; the files are named by
    participant id.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.course import course_for
    from ipskit.core.errors import IpskitError
    from ipskit.documents.workbooks import make_workbook, make_workbooks
    from ipskit.workspace import require_workspace

    if per_participant and curriculum is not None:
        raise IpskitError("--per-participant needs a cohort: name one instead of --curriculum")
    if per_participant and fmt is DocumentFormat.html:
        raise IpskitError("--per-participant writes PDFs only: leave out --format html")
    workspace = require_workspace(workspace_option(ctx))
    course = course_for(workspace, cohort_id, curriculum)
    suffix = "-large-print" if large_print else ""
    with progress("Making the workbook") as step:
        if per_participant:
            folder = out or workspace.root / "out" / course.name / "workbooks"
            renderer, written = make_workbooks(workspace, course, folder,
                                               large_print=large_print, progress=step)  # fmt: skip
            count = len(written)
            message = f"Wrote {count} workbook{'s' if count > 1 else ''} to {folder}"
        else:
            target = out or workspace.root / "out" / course.name / f"workbook{suffix}.{fmt.value}"
            renderer = make_workbook(
                workspace, course, target, large_print=large_print,
                as_html=fmt is DocumentFormat.html, progress=step,
            )  # fmt: skip
            message = f"Wrote the workbook to {target}"
    for warning in renderer.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    typer.echo(message)
