"""The funder figures as a table for a spreadsheet: each figure a number of its kind.

The table is :func:`ipskit.cohorts.figures.csv_table`'s, column for column: one row per
curriculum and a ``total`` row. Each cell is typed by its column's name, whatever figures
the report holds: the curriculum's id and title are text, a name ending ``_percent`` is a
percentage, one ending ``_hours`` a number of hours with decimals, and every other figure
a count or an average as it is.
"""

from __future__ import annotations

from typing import Any

from ipskit.cohorts.figures import Report, csv_table, line_figures, point_figures
from ipskit.core.cells import Cell, Percent

#: The columns that hold words, not figures.
TEXT_COLUMNS = frozenset({"curriculum", "title"})


def report_table(report: Report) -> tuple[list[str], list[list[Cell]]]:
    """The report's table (see :func:`ipskit.cohorts.figures.csv_table`), its cells typed."""
    header, rows = csv_table(report)
    typed = []
    for line, cells in zip([*report.lines, report.total], rows, strict=True):
        # The figures as they are where they are known by name: CSV's text has lost digits.
        known: dict[str, Any] = {"curriculum": line.curriculum, "title": line.title,
                                 **line_figures(line)}  # fmt: skip
        for point in line.followups:
            figures = point_figures(point)
            known.update({f"followup_{point.point}_{name}": figures[name] for name in figures})
        typed.append(
            [
                _typed(name, known[name] if name in known else _read(cell))
                for name, cell in zip(header, cells, strict=True)
            ]
        )
    return header, typed


def _read(cell: str) -> int | float | str | None:
    """A figure as the CSV table wrote it (the evaluations' counts and averages)."""
    if not cell:
        return None
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


def _typed(name: str, value: Any) -> Cell:
    if value is None:
        return None
    if name in TEXT_COLUMNS or not isinstance(value, int | float):
        return str(value)
    if name.endswith("_percent"):
        return Percent(float(value))
    return float(value) if name.endswith("_hours") else value
