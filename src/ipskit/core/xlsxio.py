"""Excel workbooks (.xlsx) of one table: numbers, dates and percentages kept as such.

openpyxl is imported only when a workbook is made: it takes a tenth of a second, and
most commands never make one.

Text is always a text cell. openpyxl makes a formula of any text that starts with ``=``
(and an error value of ``#N/A``): every text cell is set back to text after it is
assigned, and one that would start a formula (see :func:`ipskit.core.csvio.neutralise`)
or be read as a number or a date once edited is marked as quoted text, as typing an
apostrophe before it in Excel does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ipskit.core.cells import Cell, Percent
from ipskit.core.csvio import neutralise, reads_as_data

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell

#: How each kind of cell shows where the column asks for nothing else.
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
_WIDEST = 50  # characters: a longer cell is shown cut short rather than the column filling a screen
_LONGEST = 32767  # characters in one cell, Excel's limit


def workbook(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str = "Sheet1",
    formats: Mapping[str, str] | None = None,
) -> bytes:
    """The bytes of a workbook with one sheet: ``header`` in bold and frozen, then ``rows``.

    Counts and numbers are numbers, dates are dates (YYYY-MM-DD), a :class:`Percent` is
    a fraction shown as a percentage (80 → 0.8, shown 80.0%). ``formats`` gives a column,
    by its heading, an Excel number format of its own (``"0.00"`` for averages). Each
    column is as wide as its longest cell, within reason. ``title`` names the sheet (at
    most 31 characters, none of ``[]:*?/`` or a backslash).
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = title[:31]
    own = formats or {}
    widths = [0] * len(header)
    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        widths[column - 1] = _put(cell, name, None)
        cell.font = bold
    for number, row in enumerate(rows, start=2):
        for column, (name, value) in enumerate(zip(header, row, strict=True), start=1):
            width = _put(sheet.cell(row=number, column=column), value, own.get(name))
            widths[column - 1] = max(widths[column - 1], width)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in enumerate(widths, start=1):
        # Room for the filter button beside a heading, and never wider than a screen.
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 6), _WIDEST) + 3
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell: SheetCell, value: Cell, number_format: str | None) -> int:
    """Put a value in a cell as its kind asks; the characters it shows, for the width."""
    if value is None:
        return 0
    if isinstance(value, str):
        return _put_text(cell, value)
    if isinstance(value, Percent):
        cell.value = value.value / 100
        cell.number_format = number_format or PERCENT_FORMAT
        return len(f"{value.value:.1f}%")
    if isinstance(value, int | float):
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return len(f"{value:g}")
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = number_format or f"{DATE_FORMAT} hh:mm"
        return 16
    cell.number_format = number_format or DATE_FORMAT
    return len(value.isoformat())


def _put_text(cell: SheetCell, text: str) -> int:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in a workbook at all; they are shown as such.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:_LONGEST]
    cell.value = text
    cell.data_type = "s"  # never a formula, never an error value
    if neutralise(text) != text or reads_as_data(text):
        cell.quotePrefix = True
    return max((len(line) for line in text.splitlines()), default=0)
