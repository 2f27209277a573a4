"""``ipskit send certificates COHORT`` and ``ipskit send followups [COHORT]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import load_cohort, split_people
from ipskit.cli.options import CohortArgument

if TYPE_CHECKING:
    from ipskit.mail.outcome import Outcome, Report

app = typer.Typer(
    help="Email certificates and follow-up invitations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Write each message as an .eml file in out/COHORT/outbox; send none."
    ),
]


@app.command()
def certificates(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    participant: Annotated[
        list[str] | None,
        typer.Option("--participant", "-p", help="Only this person (id or name); repeatable."),
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Email each person their own certificate.

    Only certificates that stand issued are sent, each as a PDF attached to a short note,
    and only if the file is the one the register vouches for. What was sent is recorded
    in the cohort's sent.csv, and is never sent again.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.mail.sending import send_certificates
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    cohort = load_cohort(ctx, cohort_id)
    with progress("Making the messages") as step:
        report = send_certificates(workspace, cohort, who=split_people(participant),
                                   dry_run=dry_run, progress=step)  # fmt: skip
    _summary(report, "certificate")


@app.command()
def followups(
    ctx: typer.Context,
    cohort_id: Annotated[
        str | None, typer.Argument(metavar="[COHORT]", help="Default: every cohort.")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Email the follow-up invitations that are due.

    Everyone who completed a course and has not yet answered at a follow-up point that
    has come is asked, once, whether they use what they learned and whether they have
    passed it on. They answer by replying; record the answers with 'ipskit followup record'.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cli.progress import progress
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.mail.sending import send_followups
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    if cohort_id is not None:
        cohorts = [load_cohort(ctx, cohort_id)]
    else:
        cohorts = all_cohorts(workspace.cohorts_dir)
    with progress("Making the messages") as step:
        report = send_followups(workspace, cohorts, dry_run=dry_run, progress=step)
    if not report.outcomes:
        where = f" for cohort {cohort_id}" if cohort_id else ""
        typer.echo(f"No follow-up invitations are due{where}.")
    _summary(report, "follow-up invitation")
    if report.upcoming:
        cohort, point, due = report.upcoming
        typer.echo(f"The next follow-up is {point} for cohort {cohort}, on {due:%Y-%m-%d}.")


def _shown(path: Path) -> str:
    """A path relative to the current folder where it is inside it: shorter to read."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _summary(report: Report, word: str) -> None:
    """What went, for each cohort: counts and participant ids, never names or addresses."""
    if report.placeholder:
        typer.echo(
            f"ipskit.yaml has no email: section, so these messages are from a placeholder"
            f" address, {report.placeholder}; add email: (see the README) to send them."
        )
    for outcome in report.outcomes:
        _cohort_summary(outcome, word, dry_run=report.dry_run)


def _cohort_summary(outcome: Outcome, word: str, *, dry_run: bool) -> None:
    cohort = outcome.cohort
    if dry_run and outcome.written:
        assert outcome.outbox is not None
        count = _count(len(outcome.written), "message")
        typer.echo(f"Wrote {count} to {_shown(outcome.outbox)} (nothing was sent):")
        for path in outcome.written:
            typer.echo(f"  {_shown(path)}")
    elif outcome.sent:
        typer.echo(f"Sent {_count(len(outcome.sent), word)} for cohort {cohort}.")
    else:
        typer.echo(f"Nothing to send for cohort {cohort}.")
    if outcome.skipped:
        log = _shown(outcome.log) if outcome.log else "sent.csv"
        typer.echo(f"Skipped {outcome.skipped} already sent (listed in {log}).")
    for point in outcome.passed_over:
        typer.echo(f"Not sending the {point} invitations: a later follow-up has come since.")
    if outcome.not_sent:
        typer.echo("Not sent:")
        for line in outcome.not_sent:
            typer.echo(f"  {line}")
