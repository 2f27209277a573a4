"""``ipskit cascade``: who trained whom, and how far the courses have spread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import cohorts_dir
from ipskit.cli.options import CohortArgument, Format, FormatOption, JsonOption
from ipskit.cli.output import plural, print_json, wants_json
from ipskit.cli.table import table

if TYPE_CHECKING:
    from ipskit.cohorts.cascade import Lineage, Node

app = typer.Typer(
    add_completion=False,
    help="Who trained whom, and how far it spread.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _line(node: Node) -> str:
    s = node.cohort.settings
    return (
        f"{node.cohort.id} · {s.curriculum_title} · {s.sessions[0].date:%Y-%m-%d}"
        f" · {plural(node.started, 'participant')}, {node.completed} completed"
    )


@app.command()
def tree(ctx: typer.Context, fmt: FormatOption = Format.table, as_json: JsonOption = False) -> None:
    """Show who trained whom.

    From each original course down.

    A cohort taught by graduates of an earlier cohort (--trainer COHORT:WHO) appears
    under the cohort its trainers completed, with their names.
    """
    from ipskit.cohorts.cascade import lineage

    found = lineage(cohorts_dir(ctx))
    if wants_json(fmt, as_json):
        print_json([_node_json(found, root, set()) for root in found.roots])
        return
    if not found.nodes:
        typer.echo("No cohorts yet: start one with 'ipskit new-cohort'.")
        return
    for root in found.roots:
        typer.echo(_line(root))
        _print_children(root, "", set())


def _print_children(node: Node, indent: str, seen: set[str]) -> None:
    seen = seen | {node.cohort.id}
    children = [c for c in node.children if c.cohort.id not in seen]
    for index, child in enumerate(children):
        last = index == len(children) - 1
        branch, more = ("└─ ", "   ") if last else ("├─ ", "│  ")
        graduates = [f"{ref.participant} {name}" for ref, name in child.trainers
                     if ref.cohort == node.cohort.id]  # fmt: skip
        typer.echo(f"{indent}{branch}taught by {' and '.join(graduates)}:")
        typer.echo(f"{indent}{more}{_line(child)}")
        _print_children(child, indent + more, seen)


def _node_json(found: Lineage, node: Node, seen: set[str]) -> dict[str, Any]:
    seen = seen | {node.cohort.id}
    return {
        "cohort": node.cohort.id,
        "curriculum": node.cohort.settings.curriculum,
        "start": node.cohort.settings.sessions[0].date.isoformat(),
        "participants": node.started,
        "completed": node.completed,
        "trained_by": [
            {"cohort": ref.cohort, "participant": ref.participant, "name": name}
            for ref, name in node.trainers
        ],  # fmt: skip
        "taught": [
            _node_json(found, child, seen) for child in node.children if child.cohort.id not in seen
        ],  # fmt: skip
    }


@app.command()
def report(
    ctx: typer.Context, fmt: FormatOption = Format.table, as_json: JsonOption = False
) -> None:
    """Count generations and people reached.

    For each original course; counts only.

    Generation 1 is the cohorts taught by graduates of the original course, generation 2
    those taught by graduates of generation 1, and so on.
    """
    from ipskit.cohorts.cascade import lineage

    found = lineage(cohorts_dir(ctx))
    rows: list[dict[str, Any]] = []
    for root in found.roots:
        levels = found.generations(root)
        if not levels:
            continue
        rows.append({
            "original": root.cohort.id,
            "curriculum": root.cohort.settings.curriculum,
            "participants": root.started,
            "completed": root.completed,
            "generations": [
                {"generation": number, "cohorts": [n.cohort.id for n in level],
                 "participants": sum(n.started for n in level),
                 "completed": sum(n.completed for n in level)}
                for number, level in enumerate(levels, start=1)
            ],
            "reached": sum(n.started for level in levels for n in level),
            "reached_completed": sum(n.completed for level in levels for n in level),
        })  # fmt: skip
    if wants_json(fmt, as_json):
        print_json(rows)
        return
    if not rows:
        typer.echo("No cascade yet: no cohort is taught by graduates of another"
                   " (use --trainer COHORT:WHO with ipskit new-cohort).")  # fmt: skip
        return
    for row in rows:
        typer.echo(
            f"{row['original']} ({row['curriculum']}): {row['participants']} took part,"
            f" {row['completed']} completed; {plural(len(row['generations']), 'generation')}"
            f" after it reached {row['reached']} people, {row['reached_completed']} completed"
        )
        cells = [
            [str(g["generation"]), str(len(g["cohorts"])), str(g["participants"]),
             str(g["completed"]), ", ".join(g["cohorts"])]
            for g in row["generations"]
        ]  # fmt: skip
        typer.echo(table(["Generation", "Cohorts", "People", "Completed", "Which"], cells,
                         right=[0, 1, 2, 3]))  # fmt: skip


@app.command("add-trainer")
def add_trainer(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    trainer: Annotated[
        str,
        typer.Argument(metavar="TRAINER", help="A name, or COHORT:WHO for a graduate."),
    ],
) -> None:
    """Add a trainer: a name, or a graduate.

    A graduate is given as COHORT:WHO, someone who completed an earlier cohort.

    A graduate must have completed that cohort before this one starts, and a lineage
    may not loop (no one can train, in one line, the person who trained them).
    """
    from ipskit.cohorts.cascade import add_trainer as add

    entry = add(cohorts_dir(ctx), cohort_id, trainer)
    typer.echo(f"Added trainer {entry} to cohort {cohort_id}.")
