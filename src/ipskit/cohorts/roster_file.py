"""Reading the people in a file a trainer already has: a spreadsheet list or form answers.

The file comes as Excel, Google Forms or Microsoft Forms wrote it: CSV in whatever
encoding and with whatever separator the trainer's spreadsheet uses, or an Excel
workbook (``.xlsx``, read with openpyxl, only when one is given); the columns that hold
names, certificate names, email addresses, pronouns and the language of names are found
by their headings.
Nothing about a person is changed beyond trimming spaces (and undoing the apostrophe
ipskit puts before formula-like cells). Duplicates are looked for elsewhere, not here.

Names a spreadsheet garbled on the way are read as they are, to be flagged when they
are added (:mod:`ipskit.cohorts.garbled`). A file garbled throughout is refused with the
fix instead (``repair_encoding``), before anyone is added.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ipskit.cohorts.garbled import MANGLED, MANGLED_WHY, unmangled
from ipskit.cohorts.roster_columns import Layout, find_layout, label
from ipskit.cohorts.roster_workbook import RESAVE_WORKBOOK, sheet_rows
from ipskit.core.csvio import read_import, restore
from ipskit.core.errors import FileProblemsError, IpskitError, argument
from ipskit.core.names import check_name, check_name_lang

# A roster is a few kilobytes; a file this big is almost certainly the wrong one.
MAX_BYTES = 20 * 1024 * 1024
# Records read while looking for the header, so that a title line above it is passed over.
HEADER_SEARCH = 10

# Same check as the roster's, so that whatever is imported can be added.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ANONYMOUS = "anonymous"
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
# Excel writes and reads a first line "sep=;" naming the separator.
_SEP_HINT = re.compile(r"sep=([^\w\s\"'])[ \t]*(?:\r\n|\r|\n|\Z)")
# A file whose header has one column is read as one cell a line, so that "Smith, John"
# in a semicolon file stays one name; no text holds this control character.
_ONE_COLUMN = "\x1f"
_ZIP = b"PK\x03\x04"  # .xlsx (and .ods, which openpyxl cannot read)
_OLD_WORKBOOK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx locked by a password
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_RESAVE = "save it from the spreadsheet as 'CSV UTF-8' and import that"
_NO_NAMES = (
    "no column with people's names: expected one called 'Name', 'Full name', "
    "or 'First name' and 'Last name'"
)


@dataclass(frozen=True)
class ImportedPerson:
    """One person read from the file, each field trimmed and otherwise as written."""

    line: int
    name: str
    certificate_name: str
    email: str
    pronouns: str
    name_lang: str = ""


@dataclass(frozen=True)
class Skipped:
    """A row that was not read as a person, and why (the reason never holds the name)."""

    line: int
    reason: str


@dataclass(frozen=True)
class RosterFile:
    """The people in a file, the rows skipped, and the file's column behind each field."""

    people: tuple[ImportedPerson, ...]
    skipped: tuple[Skipped, ...]
    columns: dict[str, str]


def read_roster_csv(
    path: Path, *, max_people: int | None = None, course: str = "a course allows",
    repair_encoding: bool = False,
) -> RosterFile:  # fmt: skip
    """The people in a CSV file or Excel workbook from Excel, Google Forms or Microsoft Forms.

    Rows with a usable name become :class:`ImportedPerson`; rows with data but no usable
    name or email are listed in ``skipped``; empty rows are passed over. A problem with
    the file as a whole raises :class:`FileProblemsError`, one line naming where; so does
    a file with more than ``max_people`` people, as soon as the one too many is read
    (``course`` completes "more than N people ..."), and a CSV file whose text is UTF-8
    read as Windows-1252 throughout, unless ``repair_encoding`` reads it as it was meant.
    """
    path = Path(path)
    data = read_import(path, MAX_BYTES, "a list of people")
    if data.startswith(_ZIP) or path.suffix.lower() in _WORKBOOK_SUFFIXES:
        if repair_encoding:
            raise IpskitError(f"{path}: {argument('repair_encoding=True')} is for CSV files;"
                              " a workbook's letters are read as they are: import it without"
                              " it")  # fmt: skip
        return _read_workbook(path, data, max_people, course)
    text, utf16 = _decode(path, data)
    if not re.sub(r'[\s,;"\ufeff]', "", text):
        raise FileProblemsError([f"{path}: the file is empty"])
    text = _as_meant(path, text, repair_encoding)
    delimiter, header_index = _find_header(path, text, utf16)
    return _read_people(
        path, csv_records(path, text, delimiter), header_index, max_people, course, delimiter
    )


# --- the file as text ---------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> tuple[str, bool]:
    """The file's text, and whether it was UTF-16 (Excel's tab-separated "Unicode text")."""
    if data.startswith(_OLD_WORKBOOK):
        raise FileProblemsError(
            [f"{path}:1: an old Excel workbook (.xls), or one locked by a password:"
             f" {RESAVE_WORKBOOK}"]
        )  # fmt: skip
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            line = _line_at(data[: error.start].decode("utf-16", "replace"))
            raise FileProblemsError([f"{path}:{line}: not valid UTF-16 text: {_RESAVE}"]) from None
        utf16 = True
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # A file that says it is UTF-8 but is not would lose letters if read as cp1252.
            if data.startswith(codecs.BOM_UTF8):
                line = _line_at(data[: error.start].decode("latin-1"))
                raise FileProblemsError(
                    [f"{path}:{line}: not valid UTF-8 text: {_RESAVE}"]
                ) from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as undefined:
                line = _line_at(data[: undefined.start].decode("latin-1"))
                raise FileProblemsError(
                    [f"{path}:{line}: not text in UTF-8 or Windows-1252: {_RESAVE}"]
                ) from None
        utf16 = False
    nul = text.find("\x00")
    if nul >= 0:
        raise FileProblemsError(
            [f"{path}:{_line_at(text[:nul])}: not a text file (it holds NUL bytes): {_RESAVE}"]
        )
    return text, utf16


def _line_at(before: str) -> int:
    """The line number of the character that follows ``before``."""
    return 1 + len(re.findall(r"\r\n|\r|\n", before))


def _lines(text: str) -> io.StringIO:
    # newline="" hands the csv module line ends as they are, so quoted line breaks survive.
    return io.StringIO(text, newline="")


def _csv_problem(path: Path, line: int, error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return f'{path}:{line}: a quote (") opened in this row is never closed'
    if "field larger than field limit" in message:
        return (
            f"{path}:{line}: a cell in this row is over {csv.field_size_limit()} characters long: "
            'is a quote (") never closed?'
        )
    if "expected after" in message:
        return (
            f"{path}:{line}: a quoted cell goes on after its closing quote: "
            'write a quote inside a quoted cell as two ("")'
        )
    return f"{path}:{line}: not valid CSV: {message}"


# --- the header ---------------------------------------------------------------------------


def _find_header(path: Path, text: str, utf16: bool) -> tuple[str, int]:
    """The separator, and the index of the header among the file's records.

    Each separator is tried on the first records; the one that finds a header with a
    name column, in the most cells, wins. Excel's "sep=" line, when there is one, decides.
    """
    hint = _SEP_HINT.match(text)
    if hint:
        candidates: tuple[str, ...] = (hint.group(1),)
    else:
        candidates = ("\t", ",", ";") if utf16 else (",", ";", "\t")
    best: tuple[int, int, str] | None = None
    problem: str | None = None
    for delimiter in candidates:
        reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
        start = 1
        try:
            for index, row in enumerate(itertools.islice(reader, HEADER_SEARCH)):
                if find_layout(row) is not None:
                    if best is None or len(row) > best[0]:
                        best = (len(row), index, delimiter)
                    break
                start = reader.line_num + 1
        except csv.Error as error:
            if delimiter == candidates[0]:
                problem = _csv_problem(path, start, error)
    if best is None:
        if problem:
            raise FileProblemsError([problem])
        raise FileProblemsError([f"{path}:{_first_line(text, bool(hint))}: {_NO_NAMES}"])
    cells, index, delimiter = best
    return (_ONE_COLUMN if cells == 1 and not hint else delimiter), index


def _first_line(text: str, hinted: bool) -> int:
    """The number of the first line with something in it: the header, had it one."""
    for number, line in enumerate(_lines(text), start=1):
        if (number > 1 or not hinted) and not re.fullmatch(r'[\s,;"\ufeff]*', line):
            return number
    return 1


# --- the rows -----------------------------------------------------------------------------


def csv_records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it begins on: a quoted cell may span lines."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileProblemsError([_csv_problem(path, start, error)]) from None


def _read_people(
    path: Path, records: Iterable[tuple[int, list[str]]], header_index: int,
    most: int | None, course: str, delimiter: str | None,
) -> RosterFile:  # fmt: skip
    """The people in the records after the header; ``delimiter`` None for a workbook."""
    people: list[ImportedPerson] = []
    skipped: list[Skipped] = []
    header: list[str] = []
    layout: Layout | None = None
    for index, (start, row) in enumerate(records):
        if index == header_index:
            header = row
            layout = find_layout(row)
        elif layout is not None and any(cell.strip() for cell in row):
            if delimiter is not None:
                _check_width(path, start, row, header, delimiter)
            result = _person(start, row, header, layout)
            if isinstance(result, ImportedPerson):
                if most is not None and len(people) == most:
                    raise FileProblemsError(
                        [f"{path}:{start}: more than the {most} people {course}:"
                         " import a shorter list; nothing was changed"]
                    )  # fmt: skip
                people.append(result)
            else:
                skipped.append(result)
    assert layout is not None  # the header was found in these same records
    return RosterFile(tuple(people), tuple(skipped), layout.columns(header))


def _check_width(
    path: Path, line: int, row: Sequence[str], header: Sequence[str], delimiter: str
) -> None:
    # Shorter rows are fine: spreadsheets leave out empty cells at the end of a row.
    # Longer ones mean the cells no longer line up with their headings.
    if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
        separator = _SEPARATORS.get(delimiter, repr(delimiter))
        raise FileProblemsError(
            [
                f"{path}:{line}: {len(row)} cells, but the header has {len(header)}: "
                f"put quotes around any cell with a {separator} in it"
            ]
        )


def _person(
    line: int, row: Sequence[str], header: Sequence[str], layout: Layout
) -> ImportedPerson | Skipped:
    cells = [restore(cell).strip() for cell in row]
    if cells[: len(header)] == [label(cell) for cell in header]:
        return Skipped(line, "the header row again")

    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def unless_anonymous(value: str) -> str:
        return "" if value.casefold() == _ANONYMOUS else value

    name = " ".join(part for i in layout.name if (part := unless_anonymous(cell(i))))
    if not name:
        return Skipped(line, "no name")
    certificate_name = cell(layout.certificate)
    pronouns = cell(layout.pronouns)
    try:
        name = check_name(name, "the name")
        if certificate_name:
            certificate_name = check_name(certificate_name, "the certificate name")
        if pronouns:
            pronouns = check_name(pronouns, "the pronouns field")
        name_lang = check_name_lang(cell(layout.name_lang))
    except ValueError as error:
        return Skipped(line, str(error))
    email = unless_anonymous(cell(layout.email))
    if email and not _EMAIL.match(email):
        return Skipped(line, "the email address is not valid")
    return ImportedPerson(line, name, certificate_name, email, pronouns, name_lang)


# --- a file garbled throughout ------------------------------------------------------------


def _as_meant(path: Path, text: str, repair: bool) -> str:
    """The file's text, refused or repaired where it is UTF-8 read as Windows-1252 throughout."""
    before = unmangled(text)
    if before is None:
        if repair:
            raise IpskitError(
                f"{path}: its letters do not look garbled, so there is nothing to repair:"
                f" import it without {argument('repair_encoding=True')}"
            )
        return text
    if repair:
        return before
    found = MANGLED.search(text)
    assert found is not None  # text and before differ, so some letter was mangled
    raise FileProblemsError(
        [f'{path}:{_line_at(text[: found.start()])}: the letters look garbled throughout'
         f' ({MANGLED_WHY}: "{found.group()}" for "{unmangled(found.group())}"): import it'
         f" again with {argument('repair_encoding=True')} to read them as they were meant;"
         " nothing was changed"]
    )  # fmt: skip


# --- Excel workbooks --------------------------------------------------------------------------


def _read_workbook(path: Path, data: bytes, most: int | None, course: str) -> RosterFile:
    """The people on the first sheet of an Excel workbook, found as in a CSV file."""
    title, rows = sheet_rows(path, data)
    first = list(itertools.islice(rows, HEADER_SEARCH))
    filled = [line for line, row in first if any(cell.strip() for cell in row)]
    found = [index for index, (_, row) in enumerate(first) if find_layout(row) is not None]
    if not found:
        if not filled and next(rows, None) is None:
            raise FileProblemsError([f"{path}: the file is empty"])
        where = filled[0] if filled else 1
        raise FileProblemsError(
            [f"{path}:{where}: {_NO_NAMES} (ipskit reads the first sheet, '{title}')"]
        )
    return _read_people(path, itertools.chain(first, rows), found[0], most, course, None)
