"""Reading the people in a file a trainer already has: a spreadsheet list or form answers.

The file comes as Excel, Google Forms or Microsoft Forms wrote it: CSV in whatever
encoding and with whatever separator the trainer's spreadsheet uses, or an Excel
workbook (``.xlsx``, read with openpyxl, only when one is given); the columns that hold
names, certificate names, email addresses and pronouns are found by their headings.
Nothing about a person is changed beyond trimming spaces (and undoing the apostrophe
ipskit puts before formula-like cells). Duplicates are looked for elsewhere, not here.

Names a spreadsheet garbled on the way (a ``?`` or ``\ufffd`` where a letter was, UTF-8
read as Windows-1252) are not refused: they are imported and flagged by line (see
:func:`garbled`), because a person left out is easily missed, while a flagged one comes
with the command that corrects their name. A file garbled throughout is refused with
the fix instead (``repair_encoding``), before anyone is added.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.core.csvio import restore
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError
from ipskit.core.names import check_name

if TYPE_CHECKING:
    from ipskit.cohorts.records import Participant, Records

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
_RESAVE_WORKBOOK = (
    "save it from the spreadsheet as 'Excel Workbook (.xlsx)' or 'CSV UTF-8' and import that"
)
_NO_NAMES = (
    "no column with people's names: expected one called 'Name', 'Full name', "
    "or 'First name' and 'Last name'"
)

_FULL_NAMES = {
    "full name", "full names", "your full name", "what is your full name",
    "what's your full name", "first and last name", "name and surname",
    "participant's full name", "participant full name",
}  # fmt: skip
_PREFERRED_NAMES = {
    "preferred name", "your preferred name", "what is your preferred name",
    "what's your preferred name", "chosen name", "your chosen name",
    "what would you like to be called",
}  # fmt: skip
_PLAIN_NAMES = {
    "name", "names", "your name", "what is your name", "what's your name",
    "participant", "participant name", "participant's name", "attendee", "attendee name",
    "delegate", "delegate name",
}  # fmt: skip
_FIRST_NAMES = {
    "first name", "first names", "your first name", "given name", "given names",
    "forename", "forenames",
}  # fmt: skip
_LAST_NAMES = {
    "last name", "last names", "your last name", "surname", "surnames", "your surname",
    "family name", "family names", "your family name",
}  # fmt: skip
_EMAILS = {
    "email", "e-mail", "email address", "e-mail address", "your email", "your e-mail",
    "your email address", "your e-mail address", "what is your email address",
    "what's your email address", "contact email",
}  # fmt: skip
_PRONOUNS = {
    "pronouns", "pronoun", "your pronouns", "preferred pronouns", "your preferred pronouns",
    "what are your pronouns", "what pronouns do you use",
}  # fmt: skip
_CERTIFICATE = re.compile(
    r"(?:your |full |your full )?name\b.*\bcertificates?\b.*"
    r"|certificates? name|what name would you like .*\bcertificates?"
)
_NOTE = re.compile(r"\s*\(([^()]*)\)$")
_TRAILING = " ?:*.!"
# Microsoft Forms' own "Email" and "Name" describe the responder's account, not an answer.
_RESPONDER = 99


@dataclass(frozen=True)
class ImportedPerson:
    """One person read from the file, each field trimmed and otherwise as written."""

    line: int
    name: str
    certificate_name: str
    email: str
    pronouns: str


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
    data = _read_bytes(path)
    if data.startswith(_ZIP) or path.suffix.lower() in _WORKBOOK_SUFFIXES:
        if repair_encoding:
            raise IpskitError(f"{path}: --repair-encoding is for CSV files; a workbook's"
                              " letters are read as they are: import it without it")  # fmt: skip
        return _read_workbook(path, data, max_people, course)
    text, utf16 = _decode(path, data)
    if not re.sub(r'[\s,;"\ufeff]', "", text):
        raise FileProblemsError([f"{path}: the file is empty"])
    text = _as_meant(path, text, repair_encoding)
    delimiter, header_index = _find_header(path, text, utf16)
    return _read_people(
        path, _records(path, text, delimiter), header_index, max_people, course, delimiter
    )


# --- the file as text ---------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FileProblemsError([f"{path}: is a folder, not a file"])
        if not stat.S_ISREG(info.st_mode):
            raise FileProblemsError([f"{path}: is not a regular file"])
        if info.st_size > MAX_BYTES:
            raise FileProblemsError(
                [f"{path}: the file is over {MAX_BYTES // 2**20} MB, too big for a list of people"]
            )
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise FileProblemsError([f"{path}: cannot be read: {error.strerror}"]) from None


def _decode(path: Path, data: bytes) -> tuple[str, bool]:
    """The file's text, and whether it was UTF-16 (Excel's tab-separated "Unicode text")."""
    if data.startswith(_OLD_WORKBOOK):
        raise FileProblemsError(
            [f"{path}:1: an old Excel workbook (.xls), or one locked by a password:"
             f" {_RESAVE_WORKBOOK}"]
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
                if _layout(row) is not None:
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


@dataclass(frozen=True)
class _Layout:
    """Where each field is: the name may be joined from several columns (first, last)."""

    name: tuple[int, ...]
    certificate: int | None
    email: int | None
    pronouns: int | None

    def columns(self, header: Sequence[str]) -> dict[str, str]:
        found = {"name": " + ".join(_label(header[i]) for i in self.name)}
        for field, index in (
            ("certificate_name", self.certificate),
            ("email", self.email),
            ("pronouns", self.pronouns),
        ):
            if index is not None:
                found[field] = _label(header[index])
        return found


def _label(cell: str) -> str:
    return restore(cell).replace("\ufeff", "").strip()


def _normalise(cell: str) -> str:
    """A heading as compared: case, spacing, trailing "?" or ":" and "(optional)" ignored."""
    text = " ".join(_label(cell).casefold().replace("\u2019", "'").split())
    while True:
        shorter = re.sub(r"\s*\(optional\)$", "", text).rstrip(_TRAILING)
        if shorter == text:
            return text
        text = shorter


def _field(heading: str) -> tuple[str, int] | None:
    """The field a normalised heading feeds and its rank (lower is preferred), if any."""
    if _CERTIFICATE.fullmatch(heading):
        return "certificate_name", 0
    note = _NOTE.search(heading)
    base = heading[: note.start()].rstrip(_TRAILING) if note else heading
    explained = note.group(1) if note else ""
    # Excel renames a second "Name" column in a table (as Microsoft Forms makes) "Name2".
    for key in dict.fromkeys((base, re.sub(r"(?<=[^\d\s])\d+$", "", base))):
        if key in _FULL_NAMES or key in _PREFERRED_NAMES or key in _PLAIN_NAMES:
            if "certificate" in explained:
                return "certificate_name", 0
            if key in _FULL_NAMES:
                return "name", 0
            if key in _PLAIN_NAMES and explained:
                return "name", 1  # "Name (as you would like it used)"
            return "name", 2 if key in _PREFERRED_NAMES else 3
        for field, names in (
            ("first", _FIRST_NAMES),
            ("last", _LAST_NAMES),
            ("email", _EMAILS),
            ("pronouns", _PRONOUNS),
        ):
            if key in names:
                return field, 0
    return None


def _layout(header: Sequence[str]) -> _Layout | None:
    """Which column feeds which field, or None when no column holds names."""
    headings = [_normalise(cell) for cell in header]
    responder: set[int] = set()
    if {"start time", "completion time"} <= set(headings):
        responder = {headings.index(f) for f in ("email", "name") if f in headings}
    best: dict[str, tuple[int, int]] = {}
    for index, heading in enumerate(headings):
        found = _field(heading)
        if found is None:
            continue
        field, rank = found
        if index in responder:
            rank = _RESPONDER
        if field not in best or (rank, index) < best[field]:
            best[field] = (rank, index)

    def column(field: str) -> int | None:
        return best[field][1] if field in best else None

    # The responder's account name only if the form asked for no name at all.
    if "name" in best and best["name"][0] < _RESPONDER:
        name: tuple[int, ...] = (best["name"][1],)
    elif "first" in best or "last" in best:
        name = tuple(best[f][1] for f in ("first", "last") if f in best)
    elif "name" in best:
        name = (best["name"][1],)
    elif "certificate_name" in best:
        # A form that asks only for the name to print has still asked for a name.
        name = (best["certificate_name"][1],)
    else:
        return None
    return _Layout(name, column("certificate_name"), column("email"), column("pronouns"))


# --- the rows -----------------------------------------------------------------------------


def _records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
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
    layout: _Layout | None = None
    for index, (start, row) in enumerate(records):
        if index == header_index:
            header = row
            layout = _layout(row)
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
    line: int, row: Sequence[str], header: Sequence[str], layout: _Layout
) -> ImportedPerson | Skipped:
    cells = [restore(cell).strip() for cell in row]
    if cells[: len(header)] == [_label(cell) for cell in header]:
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
    except ValueError as error:
        return Skipped(line, str(error))
    email = unless_anonymous(cell(layout.email))
    if email and not _EMAIL.match(email):
        return Skipped(line, "the email address is not valid")
    return ImportedPerson(line, name, certificate_name, email, pronouns)


# --- garbled letters ------------------------------------------------------------------------


def _cp1252_letter(byte: int) -> str:
    # Windows reads the five bytes Windows-1252 leaves undefined as the control characters
    # of the same number, so text mangled that way can still be turned back.
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_BACK_TO_BYTES = {ord(_cp1252_letter(b)): chr(b) for b in range(0x80, 0x100)}
_FOLLOWING = "".join(map(_cp1252_letter, range(0x80, 0xC0)))  # UTF-8 continuation bytes


def _letters(first: int, last: int) -> str:
    return re.escape("".join(map(_cp1252_letter, range(first, last + 1))))


#: A letter of two, three or four UTF-8 bytes, each byte read as a Windows-1252 letter.
_MANGLED = re.compile(
    f"[{_letters(0xC2, 0xDF)}][{re.escape(_FOLLOWING)}]"
    f"|[{_letters(0xE0, 0xEF)}][{re.escape(_FOLLOWING)}]{{2}}"
    f"|[{_letters(0xF0, 0xF4)}][{re.escape(_FOLLOWING)}]{{3}}"
)
#: Signs no name holds, which a letter read in the wrong encoding becomes (Polish "ł"
#: saved as Windows-1250 and read as 1252 is "³"). "ª" and "º" are left out ("Mª José"),
#: and so are "´" and "·", written in names as an apostrophe and in Catalan "l·l".
_SIGNS = re.compile("[\u00a1-\u00a9\u00ab\u00ac\u00ae-\u00b3\u00b5\u00b6\u00b8\u00b9"
                    "\u00bb-\u00bf\u00d7\u00f7]")  # fmt: skip
MANGLED_WHY = "UTF-8 letters read as Windows-1252"


def unmangled(text: str) -> str | None:
    """``text`` as it was before its UTF-8 was read as Windows-1252, if that happened to it.

    "MaÅ‚gorzata" was "Małgorzata"; a text that could not have come about that way
    (most text: "Zoë" is not UTF-8 read wrongly) gives None.
    """
    if text.isascii():
        return None
    try:
        before = text.translate(_BACK_TO_BYTES).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    return before if before != text else None


def garbled(name: str) -> tuple[str, str | None] | None:
    """Whether a name looks garbled on its way through a spreadsheet, and how.

    Gives why, in words for the coordinator (``a "?" where a letter was``), and what the
    name probably was where that can be told; None for a name that looks as meant.
    """
    for lost in ("\ufffd", "?"):
        if lost in name:
            return f'a "{lost}" where a letter was', None
    if _MANGLED.search(name):
        return MANGLED_WHY, unmangled(name)
    sign = _SIGNS.search(name)
    if sign:
        return f'a "{sign.group()}" where a letter was', None
    return None


def _as_meant(path: Path, text: str, repair: bool) -> str:
    """The file's text, refused or repaired where it is UTF-8 read as Windows-1252 throughout."""
    before = unmangled(text)
    if before is None:
        if repair:
            raise IpskitError(
                f"{path}: its letters do not look garbled, so there is nothing to repair:"
                " import it without --repair-encoding"
            )
        return text
    if repair:
        return before
    found = _MANGLED.search(text)
    assert found is not None  # text and before differ, so some letter was mangled
    raise FileProblemsError(
        [f'{path}:{_line_at(text[: found.start()])}: the letters look garbled throughout'
         f' ({MANGLED_WHY}: "{found.group()}" for "{unmangled(found.group())}"): import it'
         " again with --repair-encoding to read them as they were meant; nothing was changed"]
    )  # fmt: skip


# --- Excel workbooks --------------------------------------------------------------------------


def _read_workbook(path: Path, data: bytes, most: int | None, course: str) -> RosterFile:
    """The people on the first sheet of an Excel workbook, found as in a CSV file."""
    title, rows = _sheet_rows(path, data)
    first = list(itertools.islice(rows, HEADER_SEARCH))
    filled = [line for line, row in first if any(cell.strip() for cell in row)]
    found = [index for index, (_, row) in enumerate(first) if _layout(row) is not None]
    if not found:
        if not filled and next(rows, None) is None:
            raise FileProblemsError([f"{path}: the file is empty"])
        where = filled[0] if filled else 1
        raise FileProblemsError(
            [f"{path}:{where}: {_NO_NAMES} (ipskit reads the first sheet, '{title}')"]
        )
    return _read_people(path, itertools.chain(first, rows), found[0], most, course, None)


def _sheet_rows(path: Path, data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The first sheet's title, and its rows as text with their row numbers."""
    import warnings

    unreadable = f"{path}:1: not an Excel workbook (.xlsx) that can be read: {_RESAVE_WORKBOOK}"
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
                         f" {_RESAVE_WORKBOOK}"]
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


# --- adding the people to a roster ----------------------------------------------------------


#: The most people one import may bring when the curriculum sets no ``max_participants``:
#: more than any room or online session holds, so a bigger file is the wrong one (a whole
#: mailing list), and it is refused before it costs anything.
MAX_IMPORT = 5000


@dataclass(frozen=True)
class Flag:
    """A name added as it came, which looks garbled: for the coordinator to check."""

    line: int
    participant: str  # the id the person was given
    field: str  # "name" or "certificate_name"
    text: str
    why: str
    probably: str | None  # what it was, where that can be told


@dataclass
class ImportResult:
    """What an import added, what it left out and why, and what it added but flagged.

    Lines, ids and reasons; names only in ``added`` and ``matched`` (for the
    coordinator's own terminal) and in each flag's text.
    """

    added: list[Participant] = dataclasses.field(default_factory=list)
    #: (line, existing id)
    duplicates: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (line, reason)
    flagged: list[Flag] = dataclasses.field(default_factory=list)
    matched: dict[str, Participant] = dataclasses.field(default_factory=dict)  # the duplicates' ids
    lines: dict[str, int] = dataclasses.field(default_factory=dict)  # each added id: its line


def import_people(records: Records, path: Path, *, repair_encoding: bool = False) -> ImportResult:
    """Add everyone in a CSV file or workbook who is not on the roster already.

    No more people than the course is for (its curriculum's ``max_participants``, or
    :data:`MAX_IMPORT`): a longer file is refused as soon as that many rows have been
    read, and an import that would take the roster past it is refused whole. A name that
    looks garbled is added as it is, and flagged.
    """
    from ipskit.core.names import fold

    limit, course = _most_people(records)
    read = read_roster_csv(path, max_people=limit, course=course,
                           repair_encoding=repair_encoding)  # fmt: skip
    result = ImportResult(skipped=[(s.line, s.reason) for s in read.skipped])
    # Each row is looked up in an index of the roster, not compared with everyone on it:
    # 3,000 rows against each other would be 4.5 million comparisons.
    by_name: dict[str, int] = {}  # folded name, or email: the first place on the roster
    by_email: dict[str, int] = {}
    for place, person in enumerate(records.roster):
        if person.status != "erased":
            _index(by_name, by_email, place, person)
    active = sum(p.active for p in records.roster)
    for row in read.people:
        mail = row.email.strip().casefold()
        same = [by_name.get(fold(row.name)), by_email.get(mail) if mail else None]
        if same != [None, None]:
            first = records.roster[min(place for place in same if place is not None)]
            result.duplicates.append((row.line, first.id))
            result.matched[first.id] = first
            continue
        if active + len(result.added) == limit:
            raise IpskitError(
                f"{path}: the roster would hold more than the {limit} people {course};"
                " nothing was changed"
            )
        try:
            added = records.add(row.name, certificate_name=row.certificate_name,
                                email=row.email, pronouns=row.pronouns)  # fmt: skip
        except ValueError as error:
            result.skipped.append((row.line, str(error)))
            continue
        result.added.append(added)
        result.lines[added.id] = row.line
        _index(by_name, by_email, len(records.roster) - 1, added)
        for key in ("name", "certificate_name"):
            text = getattr(added, key)
            found = garbled(text) if text else None
            if found is not None:
                result.flagged.append(Flag(row.line, added.id, key, text, *found))
    return result


def _index(by_name: dict[str, int], by_email: dict[str, int], place: int,
           person: Participant) -> None:  # fmt: skip
    from ipskit.core.names import fold

    by_name.setdefault(fold(person.name), place)
    if person.email:
        by_email.setdefault(person.email.casefold(), place)


def _most_people(records: Records) -> tuple[int, str]:
    """The most people the cohort's course is for, and how to name the course."""
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.courses.catalogue import load_curriculum

    pinned = load_curriculum(records.cohort.file(CURRICULUM_FILE))
    if pinned.max_participants is None:
        return MAX_IMPORT, "an import allows"
    return pinned.max_participants, f"the course {pinned.id} is for"
