"""Plain-text tables for the commands that must start instantly.

Rich's tables are lovely but take longer to import than the whole of ``ipskit attend``
may take, so the everyday commands print with this instead.

Every cell that holds right-to-left text or direction marks (a name in Arabic or Hebrew,
or one stored with a right-to-left override) is isolated (:func:`ipskit.core.names.isolate`),
so that it cannot reorder the rest of its line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from ipskit.core.names import isolate


def width(text: str) -> int:
    """Columns a text takes in a terminal: wide (e.g. Chinese) characters take two.

    Accents and invisible format characters (isolates, joiners, direction marks) take none.
    """
    return sum(
        0
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


def clip(text: str, limit: int) -> str:
    """Shorten a text to at most ``limit`` columns, marking the cut with '…'."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        size = width(ch)
        if used + size > limit - 1:
            break
        out.append(ch)
        used += size
    return "".join(out) + "…"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()
) -> str:
    """Rows under headers, columns padded to fit; ``right`` columns aligned right."""
    rows = [[isolate(cell) for cell in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], width(cell))

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - width(cell))
            parts.append(pad + cell if index in right else cell + pad)
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


def day(value: date, locale: str = "en-GB") -> str:
    """A date in a line or a table: 'Wed 3 Mar 2027' in ipskit's own locale, en-GB."""
    from ipskit.core.dateformat import short_date

    return short_date(value, locale)
