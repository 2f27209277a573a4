"""``ipskit calendar COHORT``: the sessions as an iCalendar (.ics) file."""

from pathlib import Path
from typing import Annotated

import typer

from ipskit.cli.common import load_cohort
from ipskit.cli.options import CohortArgument


def calendar(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The file to write.", dir_okay=False)
    ] = None,
) -> None:
    """Write the sessions as a calendar (.ics) file.

    One event per session and per follow-on meeting, at local times in the workspace's
    time zone (timezone in ipskit.yaml), with the venue and trainers but never a
    participant's name. Import it into any calendar application; importing it again
    after a change updates the events rather than adding copies.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.core import store
    from ipskit.documents.calendar_ics import cohort_calendar
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    cohort = load_cohort(ctx, cohort_id)
    settings = workspace.settings
    text = cohort_calendar(cohort, settings.timezone, settings.organisation.name)
    target = out or workspace.root / "out" / cohort.id / f"{cohort.id}.ics"
    if out is None:  # the workspace's out folder is private; a folder of yours is left alone
        store.make_private_dir(target.parent)
    store.write_output(target, text)
    events = len(cohort.everything)
    typer.echo(f"Wrote {events} event{'s' if events != 1 else ''} to {target}")
