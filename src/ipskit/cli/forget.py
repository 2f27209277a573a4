"""``ipskit forget COHORT WHO``: erase a person's personal data on request."""

from pathlib import Path
from typing import Annotated

import typer

from ipskit.cli.common import load_cohort
from ipskit.cli.options import CohortArgument


def forget(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Erase a person's data, keeping counts.

    Their name, certificate name, email and pronouns are removed from every file of
    the cohort, and notes that mention them, in any spelling, are scrubbed; an anonymous
    id stays so that attendance figures still add up. The documents in the workspace's
    out folder that print their name are deleted and listed, with the commands that
    make them again: their workbook and certificates, the cohort's sign-in sheets and
    the print files of their certificates, every other document the cohort's build
    record says prints their name, and, if they trained another cohort, its session
    plans, calendar and certificates. A run that was stopped part way is
    finished by running forget again.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.forget import forget as erase
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import require_workspace

    cohort = load_cohort(ctx, cohort_id)
    if not yes:
        raise IpskitError(
            f"this erases a person's data from cohort {cohort.id} for good:"
            " run it again with --yes to confirm"
        )
    workspace = require_workspace(workspace_option(ctx))
    done = erase(workspace, cohort, who)
    if done.participant is None:
        typer.echo(f"'{who}' matches no one on the roster of {cohort.id} now.")
    for pid in done.erased:
        finishing = ", finishing an erasure that stopped part way" if pid in done.resumed else ""
        typer.echo(f"Erased the personal data of {pid} from cohort {cohort.id}{finishing}.")
    from ipskit.documents.pack import forget_outputs

    # Whatever else the build record says names them; again for one erased before, in
    # case a run was stopped before it got here.
    gone = [*done.erased, *([done.participant] if done.already and done.participant else [])]
    for pid in gone:
        done.removed += forget_outputs(workspace, cohort.id, pid)
    if done.already:
        typer.echo(f"{done.participant} was already erased from cohort {cohort.id}:"
                   " nothing of them is left.")  # fmt: skip
        if not done.erased and not done.removed:
            return
    out = workspace.root / "out"
    _deleted(done.removed, out / cohort.id, "")
    if any(p.name.startswith("register") for p in done.removed):
        typer.echo(f"Make new sign-in sheets with: ipskit register {cohort.id}")
    if any(p.name.startswith("agreements") for p in done.removed):
        typer.echo(f"Make new code of conduct forms with: ipskit agreements {cohort.id}")
    for trained in done.trained:
        if not trained.removed:
            continue
        where = f" of cohort {trained.cohort}, which they trained,"
        _deleted(trained.removed, out / trained.cohort, where)
        typer.echo("Make them again (naming them as a graduate of their course) with:")
        for command in trained.remake:
            typer.echo(f"  {command}")
        if any("--reissue" in command for command in trained.remake):
            typer.echo(f"The certificates {trained.cohort}'s participants were given still verify:"
                       " reissue one only for someone who wants a new copy.")  # fmt: skip
    if done.namesakes:
        several = len(done.namesakes) > 1
        typer.echo(f"Cohort{'s' if several else ''} {', '.join(done.namesakes)}"
                   f" name{'' if several else 's'} a trainer with a name like theirs: if that"
                   " is them, change it in cohort.yaml (ipskit cannot tell).")  # fmt: skip
    typer.echo("Copies kept elsewhere (printed, emailed, in other folders) are yours to remove.")


def _deleted(paths: list[Path], folder: Path, where: str) -> None:
    if not paths:
        return
    typer.echo(f"Deleted {len(paths)} document{'s' if len(paths) > 1 else ''}{where} that"
               " printed their name:")  # fmt: skip
    for path in paths:
        typer.echo(f"  {path.relative_to(folder)}")
