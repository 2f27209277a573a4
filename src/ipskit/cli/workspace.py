"""``ipskit init``: create a workspace."""

from pathlib import Path
from typing import Annotated

import typer


def init(
    org: Annotated[
        str, typer.Option("--org", help="The organisation's name, as printed on documents.")
    ],
    folder: Annotated[
        Path, typer.Argument(help="Where to create it (default: this folder).", file_okay=False)
    ] = Path("."),
) -> None:
    """Create a workspace for your organisation.

    Makes ipskit.yaml (settings), cohorts/, curricula/ and templates/, readable by you
    only, and a .gitignore and .gitattributes for sharing the workspace with a co-trainer
    through git (what git leaves out, and that ipskit merges the records: ipskit sync).
    """
    from ipskit.workspace import init_workspace

    workspace = init_workspace(folder, org)
    typer.echo(f"Created an ipskit workspace in {workspace.root}")
    typer.echo("  ipskit.yaml   settings: organisation, logo, signatories, locale")
    typer.echo("  cohorts/      one folder per course you run (private: owner only)")
    typer.echo("  curricula/    your own or adapted curricula")
    typer.echo("  templates/    your own versions of document templates")
    typer.echo("  .gitignore    what git leaves out if you share this folder: out/, caches, locks")
    typer.echo("  .gitattributes  that ipskit merges the records when you share it (ipskit sync)")
    typer.echo("Next: 'ipskit curricula list' to see the courses you can run.")
