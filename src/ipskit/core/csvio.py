"""CSV that spreadsheets open safely and that reads back exactly as it was written.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line
feed (or the full-width ``＝ ＋ － ＠``) can be run as a formula when the file is opened
in a spreadsheet. Such cells are written with a leading apostrophe, which spreadsheets
show as text; reading the file back removes it, so ``=1+1`` survives a round trip. A
value that really starts with apostrophes before such a character gains one more on the
way out and loses it on the way in.

Files a person opened and saved in a spreadsheet are read as well: Excel's "CSV" is
Windows-1252 rather than UTF-8, its "CSV UTF-8" starts with a byte order mark, some
regions separate cells with semicolons, and dates come back in the region's short form
(see :func:`ipskit.core.dates.written_date`). ipskit writes UTF-8 and ISO dates again the next
time it saves the file.

Exports, made for a person to open in a spreadsheet (:func:`export_text`), differ from the
record files in two ways: they start with a byte order mark, without which Excel reads
UTF-8 as Windows-1252 ("GwenllÃ¯an"), and a text cell that a spreadsheet would take for a
number or a date ("10/10", "3-4", "1e5") gets the same leading apostrophe as a formula.
Record files keep neither: ipskit reads them back, and other programs may too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ipskit.core import store
from ipskit.core.cells import Cell, Percent
from ipskit.core.errors import FileProblemsError

#: Columns of ipskit's record files that hold a date (YYYY-MM-DD as ipskit writes it).
DATE_COLUMNS = frozenset({"added", "left", "date", "answered", "signed", "issued"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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


#: What tells Excel that a CSV file is UTF-8.
BOM = "\ufeff"

# Words a spreadsheet reads as part of a date or a time ("5 Mar", "March 2027", "6 pm").
_DATE_WORD = re.compile(
    r"(?<![^\W\d_])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?|[ap]\.?m)(?![^\W\d_])\.?",
    re.IGNORECASE,
)
# What is left of a number, a date, a time or a fraction once those words are taken out.
_NUMERIC = re.compile(r"[\s\d/.,:%$£€¥()+\-eE]*\d[\s\d/.,:%$£€¥()+\-eE]*")


def reads_as_data(cell: str) -> bool:
    """Whether a spreadsheet opening CSV would turn this text into a number, date or time.

    "10/10" becomes the 10th of October, "3-4" the 3rd of April, "1e5" 100000, "0012"
    12, "5 Mar" a date and "true" a yes/no value. Generous on purpose: text it takes
    for data by mistake only gains an apostrophe.
    """
    if cell.strip().lower() in ("true", "false"):
        return True
    return _NUMERIC.fullmatch(_DATE_WORD.sub(" ", cell)) is not None


def export_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """CSV for a person to open in a spreadsheet: each cell shows as what it is.

    The text starts with a byte order mark, so that Excel reads it as UTF-8; lines end in
    CRLF. Numbers are written plainly (``0.8``, never ``8e-01``), a percentage as its
    number (``80``: the column's heading says it is one), a date as YYYY-MM-DD. Text that
    could run as a formula, or that a spreadsheet would take for a number or a date, is
    written with a leading apostrophe, as :func:`neutralise` does. Not for record files:
    those are written by :func:`to_text`, with no mark.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_export_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_export_cell(cell) for cell in row])
    return out.getvalue()


def _export_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        safe = neutralise(cell)
        return "'" + cell if safe is cell and reads_as_data(cell) else safe
    if isinstance(cell, Percent):
        return _number(cell.value)
    if isinstance(cell, int | float):
        return _number(cell)
    return cell.isoformat()


def _number(value: float) -> str:
    """A number as every spreadsheet reads it: 3, 22.5, 0.0001; never in e-notation."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = f"{value:.20f}".rstrip("0").rstrip(".")
    return text


def appended(old: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The text of an append-only CSV file (``old``, or nothing yet) with ``rows`` added.

    A new file starts with ``header``. A file edited by hand may have lost its last line
    break: one is added, so the first new row never joins the last old one (which would
    leave a row of twice the cells, and the file refused from then on).
    """
    new = to_text(header, rows)
    if not old:
        return new
    if not old.endswith(("\n", "\r")):
        old += "\r\n"
    return old + new.split("\r\n", 1)[1]


def append_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Add rows to the end of an append-only CSV file, rewriting it whole and privately.

    The old text is read as :func:`read_text` reads it (a file a spreadsheet saved as
    Windows-1252 is written back as UTF-8) and every row already there is kept; the file
    is replaced in one step (:func:`ipskit.core.store.write_atomic`), so it is never left
    half-written. The caller holds the cohort's lock.
    """
    old = read_text(path) if path.exists() else ""
    store.write_atomic(path, appended(old, header, rows))


def read_import(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of a file someone asked to import, or one line saying why not.

    ``what`` names what such a file holds, for the message when it is too big: "a list
    of people".
    """
    import stat

    from ipskit.core.errors import NotFoundError

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FileProblemsError([f"{path}: is a folder, not a file"])
        if not stat.S_ISREG(info.st_mode):
            raise FileProblemsError([f"{path}: is not a regular file"])
        if info.st_size > max_bytes:
            raise FileProblemsError(
                [f"{path}: the file is over {max_bytes // 2**20} MB, too big for {what}"]
            )
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise FileProblemsError([f"{path}: cannot be read: {error.strerror}"]) from None


def read_text(path: Path) -> str:
    """A CSV file's text: UTF-8 (with or without a byte order mark) or Windows-1252.

    A line that is not UTF-8 is read as Windows-1252, which is what Excel's plain "CSV"
    writes; line by line, because ipskit adds UTF-8 rows to the end of a file that a
    spreadsheet saved. A file that is neither (another program's encoding, a spreadsheet
    saved as "Unicode Text") is refused, with what to do.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return text
    lines: list[str] = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n")):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise _not_text(path, number + 1) from None
        if "\x00" in line:
            raise _not_text(path, number + 1)
        lines.append(line)
    return "\n".join(lines)


def _not_text(path: Path, line: int) -> FileProblemsError:
    return FileProblemsError(
        [
            f"{path}:{line}: not UTF-8 or Windows-1252 text: open it in Excel and"
            " Save As 'CSV UTF-8'"
        ]
    )


def read_table(
    path: Path, header: Sequence[str], *, earlier: Sequence[Sequence[str]] = ()
) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV file ipskit wrote, as lists, with their line numbers, cells restored.

    The header must be exactly ``header``, or one of the ``earlier`` headers (the first
    columns of ``header``, as an older version wrote the file), whose rows are given the
    later columns empty: a file whose columns were changed by hand is reported rather
    than misread. Blank lines are skipped. A file saved by a spreadsheet is read too (see
    the module's notes).
    """
    text = read_text(path)
    first_line = text.partition("\n")[0]
    # Excel in much of Europe saves "CSV" with semicolons, because the comma is the
    # decimal mark there.
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    guarded = "'" in text  # most files hold no apostrophe at all: then nothing to restore
    try:
        first = next(reader, None)
        found = [c.strip() for c in first] if first is not None else None
        if found == list(header):
            missing: list[str] = []
        elif found is not None and any(found == list(e) == list(header[:len(e)])
                                       for e in earlier):  # fmt: skip
            missing = [""] * (len(header) - len(found))
        else:
            raise FileProblemsError([f"{path}:1: the columns must be: {','.join(header)}"])
        width = len(header) - len(missing)
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
            yield reader.line_num, row + missing if missing else row
    except csv.Error as error:
        raise FileProblemsError([f"{path}:{reader.line_num}: not valid CSV: {error}"]) from None


def read_rows(
    path: Path, header: Sequence[str], *, earlier: Sequence[Sequence[str]] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Like :func:`read_table`, each row as a dict by column name.

    Dates in :data:`DATE_COLUMNS` that a spreadsheet rewrote in its region's short form
    (03/02/2027) are given back as ipskit writes them (2027-02-03); one that is no date
    at all is reported by its line and column.
    """
    dated = [(i, name) for i, name in enumerate(header) if name in DATE_COLUMNS]
    for line, row in read_table(path, header, earlier=earlier):
        for index, name in dated:
            cell = row[index].strip()
            if cell and not _ISO_DATE.match(cell):
                row[index] = _iso(path, line, name, cell)
        yield line, dict(zip(header, row, strict=True))


def _iso(path: Path, line: int, column: str, cell: str) -> str:
    """A date cell a spreadsheet wrote, as YYYY-MM-DD, or the cell's problem."""
    from ipskit.core.dates import written_date
    from ipskit.core.locales import locale_near

    try:
        return written_date(cell, locale_near(path)).isoformat()
    except ValueError as error:
        raise FileProblemsError([f"{path}:{line}: {column}: {error}"]) from None
