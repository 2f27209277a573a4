"""CSV that spreadsheets open safely and that reads back exactly as it was written.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line
feed (or the full-width ``＝ ＋ － ＠``) can be run as a formula when the file is opened
in a spreadsheet. Such cells are written with a leading apostrophe, which spreadsheets
show as text; reading the file back removes it, so ``=1+1`` survives a round trip. A
value that really starts with apostrophes before such a character gains one more on the
way out and loses it on the way in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ipskit.errors import FileProblemsError

_DANGEROUS = re.compile(r"^'*[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")
_GUARDED = re.compile(r"^'+[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")


def neutralise(cell: str) -> str:
    """The cell as it is written: formula starts get a leading apostrophe."""
    return "'" + cell if _DANGEROUS.match(cell) else cell


def restore(cell: str) -> str:
    """The cell as it was before :func:`neutralise`."""
    # Most cells do not start with an apostrophe: check that before the pattern.
    return cell[1:] if cell[:1] == "'" and _GUARDED.match(cell) else cell


def to_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text (RFC 4180, CRLF line ends as spreadsheets expect) with safe cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def read_table(path: Path, header: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV file ipskit wrote, as lists, with their line numbers, cells restored.

    The header must be exactly ``header``: a file whose columns were changed by hand is
    reported rather than misread. Blank lines are skipped.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblemsError(
            [f"{path}:1: not UTF-8 text: was it saved in another encoding?"]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = len(header)
    guarded = "'" in text  # most files hold no apostrophe at all: then nothing to restore
    try:
        first = next(reader, None)
        if first is None or [c.strip() for c in first] != list(header):
            raise FileProblemsError([f"{path}:1: the columns must be: {','.join(header)}"])
        for row in reader:
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue
                raise FileProblemsError(
                    [f"{path}:{reader.line_num}: expected {width} cells, found {len(row)}"]
                )
            if not any(row):
                continue
            if guarded:
                row = [restore(cell) for cell in row]
            yield reader.line_num, row
    except csv.Error as error:
        raise FileProblemsError([f"{path}:{reader.line_num}: not valid CSV: {error}"]) from None


def read_rows(path: Path, header: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Like :func:`read_table`, each row as a dict by column name."""
    for line, row in read_table(path, header):
        yield line, dict(zip(header, row, strict=True))
