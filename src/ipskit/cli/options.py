"""What many commands share on their command line: the cohort they act on, and --format."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

#: The cohort a command acts on, by its id.
CohortArgument = Annotated[str, typer.Argument(metavar="COHORT")]


class Format(StrEnum):
    """How a read command prints its answer."""

    table = "table"
    json = "json"


class TableFormat(StrEnum):
    """How a read command that also exports prints its answer."""

    table = "table"
    csv = "csv"
    json = "json"


class ReportFormat(StrEnum):
    """How a report prints, or the PDF it writes."""

    table = "table"
    csv = "csv"
    json = "json"
    pdf = "pdf"


TableFormatOption = Annotated[
    TableFormat, typer.Option("--format", "-f", help="table, csv or json.")
]
ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="table, csv, json or pdf.")
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table for people, json for scripts.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="The same as --format json.")]


class DocumentFormat(StrEnum):
    """What a document command writes."""

    pdf = "pdf"
    html = "html"


DocumentFormatOption = Annotated[
    DocumentFormat, typer.Option("--format", help="pdf or html.")
]
