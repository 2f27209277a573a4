"""Where a command's answer goes: stdout, or the file named with --out.

CSV always starts with a byte order mark, on stdout too: Excel users save it with
``> file.csv``, and without the mark Excel reads its UTF-8 as Windows-1252. A workbook is
a file, never text for a terminal: it needs --out. Every file goes through
:func:`ipskit.core.store.write_output`, whole or not at all and private, for these files
hold names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ipskit.core.cells import Cell


def need_out(fmt: str, out: Path | None, name: str) -> None:
    """Refuse a workbook with nowhere to go, before any work: ``name`` is the file to suggest."""
    if fmt == "xlsx" and out is None:
        from ipskit.core.errors import IpskitError

        raise IpskitError(f"xlsx is a file: add --out {name}")


def export(
    fmt: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    out: Path | None,
    what: str,
    title: str,
    formats: Mapping[str, str] | None = None,
) -> None:
    """A table as CSV (``fmt`` "csv", on stdout or in ``out``) or a workbook in ``out``.

    ``what`` says what was written ("the attendance of spring"), ``title`` names the
    workbook's sheet, and ``formats`` gives columns a number format of their own there.
    """
    if fmt == "xlsx":
        from ipskit.core.xlsxio import workbook

        deliver(workbook(header, rows, title=title, formats=formats), out, what)
    else:
        deliver(_csv(header, rows), out, what)


def print_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    """Print a table as CSV for a spreadsheet, on stdout."""
    deliver(_csv(header, rows), None, "")


def _csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    from ipskit.core.csvio import export_text

    # As bytes: UTF-8 whatever the terminal's encoding, since it is for a spreadsheet.
    return export_text(header, rows).encode("utf-8")


def deliver(data: str | bytes, out: Path | None, what: str) -> None:
    """Print ``data``, or write it to ``out`` and say so."""
    if out is None:
        typer.echo(data, nl=False)
        return
    from ipskit.core.store import write_output

    write_output(out, data)
    typer.echo(f"Wrote {what} to {out}")
