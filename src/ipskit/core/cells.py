"""The cells of a table to export, typed: a spreadsheet shows each as what it is.

CSV (:func:`ipskit.core.csvio.export_text`) writes them as text that a spreadsheet reads
back as the same number, date or words; a workbook (:func:`ipskit.core.xlsxio.workbook`)
keeps numbers, dates and percentages as such.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Percent(NamedTuple):
    """A percentage as ipskit holds them, 0 to 100: ``Percent(80.0)`` is 80%."""

    value: float


#: One cell: words, a count, a number, a date, a percentage, or nothing.
Cell = str | int | float | date | Percent | None
