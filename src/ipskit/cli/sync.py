"""``ipskit sync``: send this copy's changes to a co-trainer's, and take in theirs."""

from __future__ import annotations

import typer


def sync(ctx: typer.Context) -> None:
    """Share changes with co-trainers through git.

    For a workspace that is a git repository with a remote (see 'Working with a
    co-trainer' in the README). Commits ipskit's own files as you (your git user.name),
    takes in what your co-trainers sent, merging a cohort's records row by row, sends
    the result, and says what came in, by whom. Anything changed two ways is listed
    with the command that settles it, as ipskit check lists it.

    Changes nothing when the workspace has changes to files that are not ipskit's, or a
    merge under way; a file git cannot merge (the same lines of a cohort.yaml changed on
    both computers) leaves this copy as it was, and is named.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.sync import sync as sync_workspace
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    done = sync_workspace(workspace)
    if done.settings:
        typer.echo("Set up this copy for sharing: " + "; ".join(done.settings))
    if done.saved:
        typer.echo(f"Committed here: {done.saved}")
    if done.arrivals:
        typer.echo(f"Came in from {done.upstream}:")
        for arrival in done.arrivals:
            typer.echo(f"  {arrival}")
    for clash in done.clashes:
        typer.echo(str(clash))
    if done.send_error:
        typer.secho(done.send_error, fg="red", err=True)
        raise typer.Exit(1)
    settle = ""
    if done.clashes:
        count = len(done.clashes)
        settle = f", with {count} clash{'es' if count != 1 else ''} to settle (above)"
    typer.echo(f"Synced: this copy and {done.upstream} hold the same records{settle}")
