"""``ipskit forget COHORT WHO``: erase a person's personal data on request."""

from typing import Annotated

import typer

from ipskit.cli.common import load_cohort


def forget(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Erase a person's data, keeping counts.

    Their name, certificate name, email and pronouns are removed from every file of
    the cohort, and notes that mention them are scrubbed; an anonymous id stays so that
    attendance figures still add up. The cohort's documents in the workspace's out
    folder that print their name (their workbook and certificates, the sign-in sheets,
    the print files of their certificates) are deleted; remake the sheets if needed.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.errors import IpskitError
    from ipskit.forget import forget as erase
    from ipskit.workspace import require_workspace

    cohort = load_cohort(ctx, cohort_id)
    if not yes:
        raise IpskitError(
            f"this erases a person's data from cohort {cohort.id} for good:"
            " run it again with --yes to confirm"
        )
    documents = require_workspace(workspace_option(ctx)).root / "out" / cohort.id
    erased, removed = erase(cohort, who, documents=documents)
    typer.echo(f"Erased the personal data of {erased} from cohort {cohort.id}.")
    if removed:
        typer.echo(f"Deleted {len(removed)} document{'s' if len(removed) > 1 else ''} that"
                   " printed their name:")  # fmt: skip
        for path in removed:
            typer.echo(f"  {path.relative_to(documents)}")
        if any(p.name.startswith("register") for p in removed):
            typer.echo(f"Make new sign-in sheets with: ipskit register {cohort.id}")
    typer.echo("Copies kept elsewhere (printed, emailed, in other folders) are yours to remove.")
