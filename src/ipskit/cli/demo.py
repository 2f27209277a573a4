"""``ipskit demo DIR``: a complete example workspace, made of invented people."""

from pathlib import Path
from typing import Annotated

import typer


def demo(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="A new folder (or an empty one) to make it in.")
    ],
) -> None:
    """Build an example workspace to try everything.

    An invented organisation with three cohorts: a ten-week course that has finished
    (attendance, assessments, two people who did not complete), a five-day intensive
    that has finished, and a two-day cascade course still to come; then every document
    for them: session plans, workbooks, sign-in sheets, calendars and certificates.
    Nobody in it is real. It takes half a minute or so: it makes many PDFs.
    """
    from ipskit.cli.progress import progress
    from ipskit.demo.build import build_demo

    with progress("Making the demo") as step:
        made = build_demo(folder, progress=step)
    for warning in made.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    root = made.workspace.root
    rows = []
    for item in made.made:
        shown = item.path.relative_to(root) if item.path.is_relative_to(root) else item.path
        rows.append((f"{shown.as_posix()}{'/' if item.path.is_dir() else ''}", item.what))
    width = max(len(path) for path, _ in rows)
    typer.echo(f"Made a demo workspace in {folder}. Every person and place in it is invented.")
    for path, what in rows:
        typer.echo(f"  {path:<{width}}  {what}")
    typer.echo(
        f"Try: cd {folder}, then ipskit cohorts, ipskit status first-cascade,"
        " ipskit attendance ten-week, ipskit followup report, ipskit cascade tree, ipskit report"
    )
