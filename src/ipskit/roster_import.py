"""Reading the people in a CSV file a trainer already has: a spreadsheet list or form answers.

The file comes as Excel, Google Forms or Microsoft Forms wrote it, in whatever encoding
and with whatever separator the trainer's spreadsheet uses; the columns that hold names,
certificate names, email addresses and pronouns are found by their headings. Nothing
about a person is changed beyond trimming spaces (and undoing the apostrophe ipskit puts
before formula-like cells). Duplicates are looked for elsewhere, not here.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ipskit.csvio import restore
from ipskit.errors import FileProblemsError, NotFoundError
from ipskit.names import check_name

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
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx/.ods, old .xls
_RESAVE = "save it from the spreadsheet as 'CSV UTF-8' and import that"
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
    path: Path, *, max_people: int | None = None, course: str = "a course allows"
) -> RosterFile:
    """The people in a CSV file saved from Excel, Google Forms or Microsoft Forms.

    Rows with a usable name become :class:`ImportedPerson`; rows with data but no usable
    name or email are listed in ``skipped``; empty rows are passed over. A problem with
    the file as a whole raises :class:`FileProblemsError`, one line naming where; so does
    a file with more than ``max_people`` people, as soon as the one too many is read
    (``course`` completes "more than N people ...").
    """
    path = Path(path)
    text, utf16 = _decode(path, _read_bytes(path))
    if not re.sub(r'[\s,;"\ufeff]', "", text):
        raise FileProblemsError([f"{path}: the file is empty"])
    delimiter, header_index = _find_header(path, text, utf16)
    return _read_people(path, text, delimiter, header_index, max_people, course)


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
    if data.startswith(_WORKBOOKS):
        raise FileProblemsError([f"{path}:1: this is a spreadsheet workbook, not CSV: {_RESAVE}"])
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


def _read_people(
    path: Path, text: str, delimiter: str, header_index: int, most: int | None, course: str
) -> RosterFile:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    people: list[ImportedPerson] = []
    skipped: list[Skipped] = []
    header: list[str] = []
    layout: _Layout | None = None
    start = 1  # where the record being read began: a quoted cell may span lines
    try:
        for index, row in enumerate(reader):
            if index == header_index:
                header = row
                layout = _layout(row)
            elif layout is not None and any(cell.strip() for cell in row):
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
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileProblemsError([_csv_problem(path, start, error)]) from None
    assert layout is not None  # _find_header found this header with the same separator
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
