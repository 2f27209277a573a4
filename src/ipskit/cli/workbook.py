"""``ipskit build-workbook COHORT`` or ``--curriculum CID``: the participant workbook."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.options import DocumentFormat, DocumentFormatOption

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record


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
            help="One copy per active participant, their name on the cover, files named by id"
            " (with --format html, a page each to fill in on screen).",
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
    """Make the participant workbook.

    The course map, the group agreement, a wellbeing plan, each session's key ideas with
    reflection prompts and homework and ruled space to write, the course's own pages
    and logs, role-play observation grids (no role's brief), a before-and-after
    self-assessment, the final assessment guide, a glossary and where to get support
    (as the curriculum's workbook list chooses). --per-participant makes a copy for
    each person on the roster with their name on the cover; the files are named by
    participant id, and ipskit build makes the PDF copies too from then on. With --format html
    each copy is instead one web page that needs nothing else, to fill in on a phone or
    a computer: what the person types stays in their browser on that device.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.course import course_for
    from ipskit.core.errors import IpskitError
    from ipskit.documents.pack import all_unchanged, kept
    from ipskit.documents.workbook_web import make_web_workbooks
    from ipskit.documents.workbooks import make_workbook, make_workbooks
    from ipskit.workspace import require_workspace

    if per_participant and curriculum is not None:
        raise IpskitError("--per-participant needs a cohort: name one instead of --curriculum")
    workspace = require_workspace(workspace_option(ctx))
    course = course_for(workspace, cohort_id, curriculum)
    suffix = "-large-print" if large_print else ""
    cohort = course.cohort.id if course.cohort else None
    with kept(workspace, cohort) as record, progress("Making the workbook") as step:
        if per_participant:
            folder = out or workspace.root / "out" / course.name / "workbooks"
            make = make_web_workbooks if fmt is DocumentFormat.html else make_workbooks
            renderer, written = make(workspace, course, folder, large_print=large_print,
                                     progress=step, record=record)  # fmt: skip
            message = _copies(record, written, folder)
        else:
            target = out or workspace.root / "out" / course.name / f"workbook{suffix}.{fmt.value}"
            renderer = make_workbook(
                workspace, course, target, large_print=large_print,
                as_html=fmt is DocumentFormat.html, progress=step, record=record,
            )  # fmt: skip
            message = (f"Up to date: {target} (nothing it is made from has changed)"
                       if all_unchanged(record, [target])
                       else f"Wrote the workbook to {target}")  # fmt: skip
    if (per_participant and fmt is DocumentFormat.pdf and course.cohort is not None
            and not large_print and out is None):  # fmt: skip
        from ipskit.cohorts.cohort import remember_personal_workbooks

        # Once they are made, ipskit build keeps them (the PDFs: it makes no web pages).
        remember_personal_workbooks(course.cohort)
    for warning in renderer.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    typer.echo(message)


def _copies(record: "Record | None", written: list[Path], folder: Path) -> str:
    """What became of the personal copies: written, up to date, removed."""
    from ipskit.documents.build_record import MADE, REMOVED

    found = dict(record.outcomes) if record is not None else {}
    made = [p for p in written if found.get(p, MADE) == MADE]
    kept = len(written) - len(made)
    removed = sum(1 for what in found.values() if what == REMOVED)
    said = [f"{_copies_of(kept)} up to date"] if kept else []
    said += [f"{_copies_of(removed)} of people no longer on the course removed"] * bool(removed)
    if not made:
        return f"Up to date: {folder} (" + "; ".join(said) + ")"
    count = len(made)
    return (f"Wrote {count} workbook{'s' if count > 1 else ''} to {folder}"
            + (" (" + "; ".join(said) + ")" if said else ""))  # fmt: skip


def _copies_of(count: int) -> str:
    return f"{count} {'copy' if count == 1 else 'copies'}"
