"""``ipskit check``: every file of the workspace read and checked, nothing changed."""

from __future__ import annotations

import typer

from ipskit.cli.options import Format, FormatOption, JsonOption
from ipskit.cli.output import plural, print_json, wants_json


def check(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
) -> None:
    """Find problems in the workspace, with fixes.

    Finds rows that cannot be read (with FILE:LINE), files and folders other users can
    read, a cohort's copy of its curriculum broken by hand, files open in a spreadsheet,
    leftovers of writes or erasures stopped part way, copies a synced folder made when two
    computers changed a file at once, and what git could not merge. Changes nothing.
    Exits 0 when all is well, 1 when something needs fixing.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.check import check as check_workspace
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    problems = check_workspace(workspace)
    if wants_json(fmt, as_json):
        print_json({"workspace": str(workspace.root),
                    "problems": [p.as_json() for p in problems]})  # fmt: skip
    elif problems:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{plural(len(problems), 'problem')} found in {workspace.root}")
    else:
        typer.echo(f"No problems found in {workspace.root}")
    if problems:
        raise typer.Exit(1)
