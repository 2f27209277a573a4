"""``ipskit roster COHORT list | add | import | withdraw``."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import load_cohort, parse_day
from ipskit.cli.lazy import LazyGroup
from ipskit.cli.output import JsonOption, TableFormat, TableFormatOption, print_json
from ipskit.cli.table import clip, table


class RosterGroup(LazyGroup):
    """``roster COHORT ...``: its subcommands, built on first use."""

    table = {
        "list": ("ipskit.cli.roster", "list_"),
        "add": ("ipskit.cli.roster", "add"),
        "import": ("ipskit.cli.roster", "import_"),
        "withdraw": ("ipskit.cli.roster", "withdraw"),
    }


if TYPE_CHECKING:
    from ipskit.cohort import Cohort


app = typer.Typer(
    cls=RosterGroup,
    help="List, add, import or withdraw participants.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.callback()
def _cohort(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT", help="The cohort's id.")],
) -> None:
    """List, add, import or withdraw participants."""
    ctx.meta["cohort"] = cohort_id


def _cohort_of(ctx: typer.Context) -> "Cohort":
    return load_cohort(ctx, ctx.meta["cohort"])


def list_(
    ctx: typer.Context,
    fmt: TableFormatOption = TableFormat.table,
    as_json: JsonOption = False,
) -> None:
    """List the participants, with their ids."""
    from ipskit.records import Records, roster_text

    cohort = _cohort_of(ctx)
    roster = [p for p in Records.load(cohort).roster if p.status != "erased"]
    if as_json or fmt is TableFormat.json:
        print_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "certificate_name": p.name_on_certificate,
                    "email": p.email,
                    "pronouns": p.pronouns,
                    "status": p.status,
                    "added": p.added.isoformat(),
                    "left": p.left.isoformat() if p.left else None,
                }  # fmt: skip
                for p in roster
            ]
        )
    elif fmt is TableFormat.csv:
        typer.echo(roster_text(roster), nl=False)
    elif not roster:
        typer.echo(f"No one on the roster of {cohort.id} yet: add people with 'roster add'.")
    else:
        rows = [
            [p.id, clip(p.name, 30), clip(p.certificate_name, 24), clip(p.email, 28),
             p.pronouns, p.status if p.status != "active" else ""]
            for p in roster
        ]  # fmt: skip
        typer.echo(table(["ID", "Name", "On certificate", "Email", "Pronouns", ""], rows))


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name the person chose (a pseudonym is fine).")],
    certificate_name: Annotated[
        str, typer.Option("--certificate-name", help="If different, the name to print.")
    ] = "",
    email: Annotated[str, typer.Option("--email", help="Optional.")] = "",
    pronouns: Annotated[str, typer.Option("--pronouns", help="Optional, e.g. she/her.")] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Add even if someone of that name is there.")
    ] = False,
) -> None:
    """Add a participant."""
    from ipskit.errors import IpskitError
    from ipskit.records import changing

    with changing(_cohort_of(ctx)) as records:
        existing = records.duplicate_of(name, email)
        if existing is not None and not force:
            raise IpskitError(
                f"{existing.id} on the roster has that name or email already;"
                " use --force to add a second person"
            )
        try:
            person = records.add(
                name, certificate_name=certificate_name, email=email, pronouns=pronouns
            )
        except ValueError as error:
            raise IpskitError(str(error)) from None
    typer.echo(f"Added {person.id}")


def import_(
    ctx: typer.Context,
    csv_file: Annotated[
        Path, typer.Argument(metavar="CSV", help="Excel, Google Forms or Microsoft Forms CSV.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")
    ] = False,
) -> None:
    """Add participants from a CSV file.

    Reads Excel CSV and Google Forms or Microsoft Forms exports; people already on the
    roster are reported, not added twice.
    """
    from ipskit.cli.cohorts import import_summary
    from ipskit.newcohort import import_people
    from ipskit.records import Records, changing

    cohort = _cohort_of(ctx)
    if dry_run:
        result = import_people(Records.load(cohort), csv_file)
    else:
        with changing(cohort) as records:
            result = import_people(records, csv_file)
    typer.echo(import_summary(result, dry_run=dry_run))


def withdraw(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    on: Annotated[str | None, typer.Option("--date", help="Default: today.")] = None,
) -> None:
    """Record that someone has left the course."""
    from ipskit.records import changing

    when = parse_day(on, "--date") if on else date.today()
    with changing(_cohort_of(ctx)) as records:
        person = records.find(who)
        records.withdraw(person, when)
    typer.echo(f"{person.id} has withdrawn ({when.isoformat()})")
