"""``ipskit check``: every file of the workspace read and checked, nothing changed."""

from __future__ import annotations

from typing import Annotated

import typer

from ipskit.cli.options import Format, FormatOption, JsonOption
from ipskit.cli.output import plural, print_json, wants_json


def check(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Add the git settings a shared workspace lacks.")
    ] = False,
) -> None:
    """Find problems in the workspace, with fixes.

    Finds rows that cannot be read (with FILE:LINE), files and folders other users can
    read, a cohort's copy of its curriculum broken by hand, files open in a spreadsheet,
    leftovers of writes or erasures stopped part way, copies a synced folder made when two
    computers changed a file at once, what git could not merge, marks, names or answers
    two computers recorded differently (with the commands that settle each), and anyone
    certified on two computers. Changes nothing, but --fix adds what a workspace shared
    through git lacks (.gitattributes, git's merge settings), saying what it added.
    Exits 0 when all is well, 1 when something needs fixing.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.check import check as check_workspace
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    if fix:
        from ipskit.workspace import write_git_settings

        for added in write_git_settings(workspace.root):
            typer.echo(f"Added to {added}", err=wants_json(fmt, as_json))
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
