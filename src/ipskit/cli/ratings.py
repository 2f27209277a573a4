"""``ipskit ratings``: competency self-ratings before and after a course."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import load_cohort, parse_day
from ipskit.cli.options import (
    CohortArgument,
    ExportFormat,
    ExportFormatOption,
    ExportOutOption,
    Format,
    FormatOption,
)
from ipskit.cli.output import print_json
from ipskit.cli.table import table

if TYPE_CHECKING:
    from ipskit.cohorts.cohort import Cohort

app = typer.Typer(
    add_completion=False,
    help="Competency self-ratings, before and after.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Stage(StrEnum):
    """When the ratings were made."""

    before = "before"
    after = "after"


def _competencies(cohort: Cohort) -> dict[str, str]:
    """The competencies of the curriculum the cohort keeps, by id."""
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.courses.curriculum import load

    return {c.id: c.name for c in load(cohort.file(CURRICULUM_FILE)).competencies}


@app.command()
def record(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    ratings: Annotated[
        list[str], typer.Argument(metavar="COMPETENCY=N...", help="e.g. connection=3 mutuality=4")
    ],
    stage: Annotated[Stage, typer.Option("--stage", help="before or after the course.")],
    when: Annotated[str | None, typer.Option("--date", help="Default: today.")] = None,
) -> None:
    """Record self-ratings, 1 to 5.

    Ratings are made before or after the course (--stage).

    The competencies are the course's own: 'ipskit ratings list COHORT' shows them.
    Rating again replaces the earlier rating.
    """
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.ratings import parse_ratings
    from ipskit.cohorts.records import settled_words
    from ipskit.core.errors import IpskitError

    rated = parse_day(when, "--date") if when else date.today()
    cohort = load_cohort(ctx, cohort_id)
    known = _competencies(cohort)
    if not known:
        raise IpskitError(f"the curriculum of cohort {cohort.id} lists no competencies to rate")
    values = parse_ratings(ratings, known)
    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        records.rate(person, stage.value, values, rated)
        settled = records.settled
    count = len(values)
    typer.echo(
        f"Recorded {count} rating{'s' if count > 1 else ''} {stage.value} the course"
        f" for {person.id} ({cohort.id})."
    )
    for entry in settled:
        ways = [str(way.rating) for way in entry.ways]
        typer.echo(f"{person.id}, {entry.kept.competency} {stage.value}:"
                   f" {settled_words(ways, str(entry.kept.rating))}")  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    fmt: FormatOption = Format.table,
) -> None:
    """List the competencies to rate.

    Each one's id (to record a rating with) and what a 5 looks like.
    """
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.courses.curriculum import load

    cohort = load_cohort(ctx, cohort_id)
    competencies = load(cohort.file(CURRICULUM_FILE)).competencies
    if fmt is Format.json:
        print_json({"cohort": cohort.id, "scale": [1, 5], "competencies": [
            {"id": c.id, "name": c.name, "statement": c.statement} for c in competencies
        ]})  # fmt: skip
        return
    for competency in competencies:
        typer.echo(f"{competency.id}: {competency.statement}")


@app.command()
def report(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    fmt: ExportFormatOption = ExportFormat.table,
    out: ExportOutOption = None,
) -> None:
    """Show the cohort's change (counts only).

    Competency by competency: how many rated it, and the averages before and after.

    An average is shown only where at least 3 people gave a rating, so that no one's
    own answer can be read from it.
    """
    from ipskit.cli.exports import deliver, export, need_out
    from ipskit.cohorts.ratings import summary
    from ipskit.cohorts.records import Records

    need_out(fmt, out, f"ratings-{cohort_id}.xlsx")
    cohort = load_cohort(ctx, cohort_id)
    known = _competencies(cohort)
    rows = summary(Records.load(cohort), list(known.items()))
    what = f"the self-ratings of {cohort.id}"
    if fmt is ExportFormat.json:
        from ipskit.cli.output import json_text

        data = {"cohort": cohort.id, "competencies": [r._asdict() for r in rows]}
        if out is None:
            print_json(data)
        else:
            deliver(json_text(data), out, what)
        return
    if fmt in (ExportFormat.csv, ExportFormat.xlsx):
        # Numbers a spreadsheet reads; empty where hidden.
        header = ["competency", "rated_before", "average_before", "rated_after",
                  "average_after", "rated_both", "improved", "average_change"]  # fmt: skip
        figures = [[r.competency, r.before, r.before_mean, r.after, r.after_mean, r.both,
                    r.improved, r.mean_change] for r in rows]  # fmt: skip
        averages = {name: "0.00" for name in header if name.startswith("average_")}
        export(fmt, header, figures, out=out, what=what, title="Self-ratings", formats=averages)
        return
    cells = [
        [r.name, str(r.before), _n(r.before_mean), str(r.after), _n(r.after_mean), str(r.both),
         str(r.improved), _n(r.mean_change, sign=True)]
        for r in rows
    ]  # fmt: skip
    text = "\n".join([
        f"Self-ratings, {cohort.id}: 1 (not yet) to 5 (fully), counts and averages only",
        table(["Competency", "Before", "Avg", "After", "Avg", "Both", "Higher", "Change"],
              cells, right=list(range(1, 8))),
        "Averages of fewer than 3 people are not shown (–).",
    ])  # fmt: skip
    deliver(text + "\n", out, what)


def _n(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.2f}" if sign else f"{value:.2f}"
