"""The rows of an Excel workbook's first sheet, as text, much as the spreadsheet shows them.

openpyxl is imported only when a workbook is read: it takes a tenth of a second, and most
rosters are CSV.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from ipskit.core.errors import FileProblemsError

RESAVE_WORKBOOK = (
    "save it from the spreadsheet as 'Excel Workbook (.xlsx)' or 'CSV UTF-8' and import that"
)


def sheet_rows(path: Path, data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The first sheet's title, and its rows as text with their row numbers."""
    import warnings

    unreadable = f"{path}:1: not an Excel workbook (.xlsx) that can be read: {RESAVE_WORKBOOK}"
    try:
        # Imported only here: it takes a tenth of a second, and most rosters are CSV.
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions it passes over
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record a size smaller than the sheet
    except Exception:  # a damaged or foreign file fails in many ways, none worth a trace
        raise FileProblemsError([unreadable]) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        source = sheet.iter_rows(values_only=True)
        line = 0
        while True:
            # Warnings are silenced row by row: a generator may be left unfinished, and
            # must not leave them silenced for everything else.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    values = next(source, None)
                except Exception:
                    raise FileProblemsError(
                        [f"{path}:{line + 1}: this row of the workbook cannot be read:"
                         f" {RESAVE_WORKBOOK}"]
                    ) from None  # fmt: skip
            if values is None:
                book.close()
                return
            line += 1
            yield line, [_cell_text(value) for value in values]

    return sheet.title, rows()


def _cell_text(value: object) -> str:
    """A cell as text, much as the spreadsheet shows it: dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, float):
        # A phone number or a count is a float in a workbook: 7700900123.0 was typed
        # 7700900123; other numbers keep the 15 digits Excel shows.
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)
