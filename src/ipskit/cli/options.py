"""What many commands share on their command line: the cohort they act on, and --format."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


def complete_cohort(ctx: typer.Context, incomplete: str) -> list[str]:
    """The cohort ids that start with what is typed, for Tab; none where there is no workspace.

    It runs as the shell asks, before any command: it must be quick and never fail.
    """
    from ipskit.cohorts.cohort import cohort_ids
    from ipskit.workspace import find_workspace

    try:
        given = ctx.find_root().params.get("workspace_dir")
        workspace = find_workspace(Path(given) if given else None)
        if workspace is None:
            return []
        return [i for i in cohort_ids(workspace.cohorts_dir) if i.startswith(incomplete)]
    except Exception:  # a workspace that cannot be read: nothing to offer, never a trace
        return []


#: The cohort a command acts on, by its id (Tab offers the workspace's).
CohortArgument = Annotated[
    str, typer.Argument(metavar="COHORT", autocompletion=complete_cohort)
]


class Format(StrEnum):
    """How a read command prints its answer."""

    table = "table"
    json = "json"


class TableFormat(StrEnum):
    """How a read command that also exports prints its answer."""

    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    """How a read command that also exports prints its answer, or the workbook it writes."""

    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class ReportFormat(StrEnum):
    """How a report prints, or the workbook or PDF it writes."""

    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    pdf = "pdf"


TableFormatOption = Annotated[
    TableFormat, typer.Option("--format", "-f", help="table, csv or json.")
]
ExportFormatOption = Annotated[
    ExportFormat,
    typer.Option("--format", "-f", help="table, csv, json, or xlsx (an Excel file: give --out)."),
]
ReportFormatOption = Annotated[
    ReportFormat,
    typer.Option(
        "--format", "-f", help="table, csv, json, pdf, or xlsx (an Excel file: give --out)."
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table for people, json for scripts.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="The same as --format json.")]
#: Where an export goes: a spreadsheet's file, or stdout.
ExportOutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", dir_okay=False, help="The file to write (default: stdout; xlsx needs one)."
    ),
]


class DocumentFormat(StrEnum):
    """What a document command writes."""

    pdf = "pdf"
    html = "html"


DocumentFormatOption = Annotated[
    DocumentFormat, typer.Option("--format", help="pdf or html.")
]
