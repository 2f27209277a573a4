"""``ipskit build COHORT`` or ``--all``: a cohort's whole pack, redoing only what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.options import complete_cohort

if TYPE_CHECKING:
    from pathlib import Path

    from ipskit.documents.pack import Result


def build(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None,
        typer.Argument(metavar="[COHORT]", help="The cohort to build.",
                       autocompletion=complete_cohort),  # fmt: skip
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every cohort that is not archived.")
    ] = False,
    per_participant: Annotated[
        bool,
        typer.Option(
            "--per-participant",
            help="A workbook for each person too, their name on the cover (remembered).",
        ),
    ] = False,
) -> None:
    """Make every document a cohort needs.

    The session plans and preparation sheets, the participant workbook, the handouts,
    the sign-in sheets, the code-of-conduct forms where the course has them, and the
    calendar, in out/COHORT; with --per-participant, once, a copy of the workbook for
    each person on the roster, from then on. A document whose inputs (the curriculum,
    the settings, the templates, the names and dates it prints) are as they were is
    left as it is; a personal copy of someone no longer on the course is removed.
    Certificates are not built: ipskit certificates COHORT issues them.
    """
    from contextlib import ExitStack

    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.cohort import all_cohorts, open_cohort, remember_personal_workbooks
    from ipskit.core.errors import IpskitError
    from ipskit.documents.pack import BUILT, make_documents, recorded
    from ipskit.workspace import require_workspace

    if every and cohort_id is not None:
        raise IpskitError("name one cohort or give --all, not both")
    if not every and cohort_id is None:
        raise IpskitError("name the cohort to build, or give --all for every cohort")
    workspace = require_workspace(workspace_option(ctx))
    if cohort_id is not None:
        cohorts = [open_cohort(workspace.cohorts_dir, cohort_id)]
    else:
        cohorts = [c for c in all_cohorts(workspace.cohorts_dir) if not c.settings.archived]
        if not cohorts:
            raise IpskitError("there is no cohort to build: ipskit new-cohort makes one")
    if per_participant:  # first: the calendar made below tells cohort.yaml's last change
        cohorts = [remember_personal_workbooks(cohort) for cohort in cohorts]
    root = str(workspace.root)
    jobs = [
        (root, c.id, tuple(k for k in BUILT if k != "copies" or c.settings.personal_workbooks))
        for c in cohorts
    ]
    with ExitStack() as held:
        records = {c.id: held.enter_context(recorded(workspace, c.id)) for c in cohorts}
        with progress("Building") as step:
            results = make_documents(jobs, step, records)
    for cohort, result in zip(cohorts, results, strict=True):
        for warning in result.warnings:  # each begins with the cohort's id
            typer.secho(f"warning: {warning}", fg="yellow", err=True)
        _tell(workspace.root, cohort.id, result)


#: How wide the first column is: the longest of made, unchanged and removed.
_WIDTH = len("unchanged")


def _tell(root: Path, cohort_id: str, result: Result) -> None:
    """A line for each document, then the cohort's count.

    The session plans are one document (the combined file and each session's, cut from
    it); every other file, each personal copy included, is one of its own.
    """
    from pathlib import Path

    from ipskit.cli.output import plural
    from ipskit.documents.build_record import MADE

    lines: dict[str, str] = {}
    for path, what in result.outcomes:
        shown = Path(path).relative_to(root).as_posix()
        if "/session-plans/session-" in shown:
            shown = shown.rsplit("/", 1)[0] + "/"
        if lines.get(shown) != MADE:
            lines[shown] = what
    for shown, what in lines.items():
        typer.echo(f"{what:<{_WIDTH}}  {shown}")
    counts = {what: sum(1 for w in lines.values() if w == what)
              for what in ("made", "unchanged", "removed")}  # fmt: skip
    said = ", ".join(f"{count} {what}" for what, count in counts.items() if count)
    typer.echo(f"Built {cohort_id}: {plural(len(lines), 'document')}"
               + (f" ({said})" if said else ""))  # fmt: skip
