"""``ipskit evaluations COHORT add | import | list | remove``: the end-of-course evaluation."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import cohort_group, group_cohort
from ipskit.cli.lazy import LazyGroup
from ipskit.cli.options import JsonOption, TableFormat, TableFormatOption
from ipskit.cli.output import plural, print_json
from ipskit.cli.table import clip, table

if TYPE_CHECKING:
    from ipskit.cohorts.evaluations import Imported, QuestionFigures


class EvaluationsGroup(LazyGroup):
    """``evaluations COHORT ...``: its subcommands, built on first use."""

    table = {
        "add": ("ipskit.cli.evaluations", "add"),
        "import": ("ipskit.cli.evaluations", "import_"),
        "list": ("ipskit.cli.evaluations", "list_"),
        "remove": ("ipskit.cli.evaluations", "remove"),
    }


app = cohort_group(EvaluationsGroup, "Anonymous end-of-course evaluations.")


def add(
    ctx: typer.Context,
    ratings: Annotated[
        list[str],
        typer.Argument(metavar="QUESTION=N...", help="e.g. safe=5 learned=4"),
    ],
) -> None:
    """Record one person's evaluation form.

    Each statement is rated from 1 (not at all) to 5 (very much), named by its id or
    its number on the printed form ('ipskit evaluations COHORT list' shows them);
    questions left unanswered are left out. Each form is a new, numbered response that
    names no one.
    """
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.evaluations import form_questions, parse_answers

    cohort = group_cohort(ctx)
    answers = parse_answers(ratings, form_questions(cohort))
    with changing(cohort) as records:
        number = records.add_response(answers)
    typer.echo(
        f"Recorded response {number} ({plural(len(answers), 'rating')}) to the evaluation"
        f" of {cohort.id}."
    )


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A CSV file or Excel workbook (.xlsx), e.g. a Google or Microsoft Forms"
            " export.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; change nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="What was imported and left out, as JSON.")
    ] = False,
) -> None:
    """Import forms from a CSV or .xlsx file.

    One row a form: each column headed with a question's id, its words or its number
    on the printed form holds its ratings, as numbers or labels such as '5 - very
    much'. Every other column, such as a name or an email address, is ignored and never
    stored.

    Each row read is remembered, so importing the same file again, or a later export
    of the same form, adds only the rows not imported before.
    """
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.evaluations import form_questions, import_responses, read_form
    from ipskit.cohorts.records import Records

    cohort = group_cohort(ctx)
    form = read_form(file, form_questions(cohort))
    if dry_run:
        done = import_responses(Records.load(cohort), form, file)
    else:
        with changing(cohort) as records:
            done = import_responses(records, form, file)
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "imported": done.added,
                "imported_before": done.before,
                "skipped": [{"line": line, "reason": why} for line, why in form.skipped],
                "columns": {q: {"column": n, "heading": heading}
                            for q, (n, heading) in form.columns.items()},
                "no_column": list(form.missing),
                "ignored_columns": form.ignored,
            }
        )
    else:
        typer.echo(_import_report(done, file, cohort.id, dry_run=dry_run))


def _import_report(done: "Imported", file: Path, cohort_id: str, *, dry_run: bool) -> str:
    """What an import did (or would do), then each line of note."""
    form = done.form
    verb = "Would import" if dry_run else "Imported"
    count = len(done.added)
    head = f"{verb} {plural(count, 'response')} from {file} to the evaluation of {cohort_id}"
    if count:
        first, last = done.added[0], done.added[-1]
        head += f" (response {first})" if count == 1 else f" (responses {first}–{last})"
    lines = [head + "."]
    several = len(done.before) > 1
    if done.before and not count:
        lines = [f"Nothing new to import from {file}: its"
                 f" {plural(len(done.before), 'response')} {'were' if several else 'was'}"
                 f" imported before, and {'are' if several else 'is'} not counted twice."]
    elif done.before:
        lines.append(f"  {plural(len(done.before), 'row')} imported before"
                     f" {'were' if several else 'was'} left out: nothing is counted twice.")
    lines += [f"  line {line}: skipped: {why}" for line, why in form.skipped]
    read = ", ".join(f"{q} (column {n})" for q, (n, _) in form.columns.items())
    lines.append(f"  Questions read: {read}.")
    if form.missing:
        lines.append(f"  No column for: {', '.join(form.missing)}.")
    if form.ignored:
        lines.append(f"  {plural(form.ignored, 'other column')} not read.")
    return "\n".join(lines)


def list_(
    ctx: typer.Context,
    fmt: TableFormatOption = TableFormat.table,
    as_json: JsonOption = False,
    responses: Annotated[
        bool, typer.Option("--responses", help="Each response, by its number, instead.")
    ] = False,
) -> None:
    """Show the figures: counts and averages only.

    Question by question: how many rated it, how many gave each rating from 1 (not at
    all) to 5 (very much), and the average. Counts and averages are shown only where
    at least 3 people answered, so that no one's own answer can be read from them.
    """
    from ipskit.cohorts.evaluations import form_questions, summary
    from ipskit.cohorts.records import Records

    cohort = group_cohort(ctx)
    questions = form_questions(cohort)
    kept = Records.load(cohort).responses
    if as_json:
        fmt = TableFormat.json
    if responses:
        _list_responses(cohort.id, kept, list(questions), fmt)
        return
    rows = summary(kept.values(), list(questions.items()))
    if fmt is TableFormat.json:
        from ipskit.cohorts.evaluations import figures_json

        print_json({"cohort": cohort.id, "responses": len(kept),
                    "questions": [figures_json(r) for r in rows]})  # fmt: skip
        return
    if fmt is TableFormat.csv:
        from ipskit.cli.exports import print_csv

        # Numbers a spreadsheet reads; empty where hidden.
        header = ["question", "answers", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5",
                  "average"]  # fmt: skip
        figures = [[r.question, r.answers, *(r.counts or [None] * 5), r.average]
                   for r in rows]  # fmt: skip
        print_csv(header, figures)
        return
    cells = [
        [r.question, clip(r.text, 40), str(r.answers), *_counts(r), _average(r.average)]
        for r in rows
    ]  # fmt: skip
    typer.echo(f"Evaluation, {cohort.id}: {plural(len(kept), 'response')}; 1 (not at all) to"
               " 5 (very much), counts and averages only")  # fmt: skip
    typer.echo(table(["Question", "Statement", "Answers", "1", "2", "3", "4", "5", "Average"],
                     cells, right=list(range(2, 9))))  # fmt: skip
    typer.echo("Counts and averages of fewer than 3 answers are not shown (–).")


def _counts(row: "QuestionFigures") -> list[str]:
    if row.counts is None:
        return ["–"] * 5
    return [str(n) for n in row.counts]


def _average(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}"


def _list_responses(cohort_id: str, kept: dict[int, dict[str, int]], questions: list[str],
                    fmt: TableFormat) -> None:  # fmt: skip
    if fmt is TableFormat.json:
        print_json({"cohort": cohort_id,
                    "responses": [{"response": n, "ratings": answers}
                                  for n, answers in sorted(kept.items())]})  # fmt: skip
        return
    if fmt is TableFormat.csv:
        from ipskit.cli.exports import print_csv

        ratings = [[n, *(answers.get(q) for q in questions)]
                   for n, answers in sorted(kept.items())]  # fmt: skip
        print_csv(["response", *questions], ratings)
        return
    cells = [[str(n), *(str(answers[q]) if q in answers else "–" for q in questions)]
             for n, answers in sorted(kept.items())]  # fmt: skip
    if not cells:
        typer.echo(f"No evaluation responses for {cohort_id} yet: record them with"
                   f" 'ipskit evaluations {cohort_id} add' or 'import'.")  # fmt: skip
    else:
        typer.echo(table(["Response", *questions], cells, right=range(len(questions) + 1)))


def remove(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="N", help="The response's number.", min=1)],
) -> None:
    """Take out a response recorded by mistake.

    The history keeps what it held. Its number is not given to another response.
    """
    from ipskit.cohorts.changing import changing

    cohort = group_cohort(ctx)
    with changing(cohort) as records:
        answers = records.remove_response(number)
        settled = records.settled
    held = " ".join(f"{q}={v}" for q, v in answers.items())
    typer.echo(f"Removed response {number} ({held}) from the evaluation of {cohort.id}.")
    if settled:
        ways = " ".join(f"{entry.key[1]}={way}" for entry in settled for way in entry.ways[1:])
        typer.echo(f"The other computer's ratings of it ({ways}) are removed too.")
