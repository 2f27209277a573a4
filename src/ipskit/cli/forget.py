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
    attendance figures still add up.
    """
    from ipskit.errors import IpskitError
    from ipskit.forget import forget as erase

    cohort = load_cohort(ctx, cohort_id)
    if not yes:
        raise IpskitError(
            f"this erases a person's data from cohort {cohort.id} for good:"
            " run it again with --yes to confirm"
        )
    erased = erase(cohort, who)
    typer.echo(f"Erased the personal data of {erased} from cohort {cohort.id}.")
