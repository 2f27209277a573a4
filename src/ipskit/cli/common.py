"""Option parsing shared by the cohort commands: dates, times, the workspace's cohorts."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.options import complete_cohort
from ipskit.cli.output import workspace_option

if TYPE_CHECKING:
    from ipskit.cli.lazy import LazyGroup
    from ipskit.cohorts.cohort import Cohort


def parse_day(text: str, option: str) -> date:
    """A date given as YYYY-MM-DD or DD/MM/YYYY (the British way), or a usage error."""
    from ipskit.core.dates import OutOfRange, in_range, parse_date

    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    try:
        if match:
            return in_range(date(int(match[3]), int(match[2]), int(match[1])))
        return parse_date(text.strip())
    except OutOfRange as error:
        raise typer.BadParameter(f"'{text}': {error}", param_hint=option) from None
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a date: write it as 2027-03-04 or 04/03/2027", param_hint=option
        ) from None


def parse_time(text: str, option: str) -> time:
    """A time given as HH:MM, or a usage error."""
    from ipskit.core.dates import parse_clock

    try:
        return parse_clock(text.strip() if len(text.strip()) == 5 else "0" + text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a time: write it as 18:30", param_hint=option
        ) from None


def cohorts_dir(ctx: typer.Context) -> Path:
    """The workspace's cohorts folder (the workspace must exist)."""
    from ipskit.workspace import require_workspace

    return require_workspace(workspace_option(ctx)).cohorts_dir


def load_cohort(ctx: typer.Context, cohort_id: str) -> Cohort:
    """The named cohort of the workspace in use."""
    from ipskit.cohorts.cohort import open_cohort

    return open_cohort(cohorts_dir(ctx), cohort_id)


def cohort_group(group: type[LazyGroup], help: str) -> typer.Typer:
    """A group whose commands act on the cohort named before them: ``roster COHORT add``.

    Its commands find that cohort with :func:`group_cohort`.
    """
    app = typer.Typer(cls=group, help=help, no_args_is_help=True, rich_markup_mode=None,
                      add_completion=False)  # fmt: skip

    def cohort(
        ctx: typer.Context,
        cohort_id: Annotated[
            str,
            typer.Argument(metavar="COHORT", help="The cohort's id.",
                           autocompletion=complete_cohort),
        ],  # fmt: skip
    ) -> None:
        ctx.meta["cohort"] = cohort_id

    cohort.__doc__ = help
    app.callback()(cohort)
    return app


def group_cohort(ctx: typer.Context) -> Cohort:
    """The cohort a command of a :func:`cohort_group` acts on."""
    return load_cohort(ctx, ctx.meta["cohort"])


def locale_of(cohort: Cohort) -> str:
    """The workspace's locale, for the dates and times printed about a cohort.

    Read from the ``locale:`` line of ``ipskit.yaml``: the everyday commands print
    dates without loading and validating the settings.
    """
    from ipskit.core.locales import locale_near

    return locale_near(cohort.folder)


def workspace_locale(ctx: typer.Context) -> str:
    """The locale of the workspace in use, read as :func:`locale_of` reads it."""
    from ipskit.core.locales import locale_near

    return locale_near(cohorts_dir(ctx))


def split_people(values: list[str] | None) -> list[str]:
    """WHO values, each possibly a comma-separated list."""
    people: list[str] = []
    for value in values or []:
        people.extend(part.strip() for part in value.split(",") if part.strip())
    return people
