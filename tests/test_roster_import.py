"""Reading people from the CSV files trainers have: Excel lists and form responses."""

from __future__ import annotations

import csv
import io

import pytest

from ipskit.cohorts import roster_file
from ipskit.cohorts.roster_file import ImportedPerson, RosterFile, Skipped, read_roster_csv
from ipskit.core import csvio
from ipskit.core.errors import FileProblemsError, NotFoundError

NO_NAMES = (
    "no column with people's names: expected one called 'Name', 'Full name', "
    "or 'First name' and 'Last name'"
)
RESAVE = "save it from the spreadsheet as 'CSV UTF-8' and import that"

UNUSUAL_NAMES = [
    "<b>x</b>",
    "=1+1",
    "@SUM(A1)",
    "O'Brien",
    "Siân",
    "Zoë",
    "Łukasz",
    "محمد",
    "李小龍",
    "A" * 120,
]


@pytest.fixture
def write(tmp_path):
    """Save text (in an encoding) or bytes as a file in the test's folder."""

    def save(content: str | bytes, name: str = "people.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return save


def person(line, name, certificate_name="", email="", pronouns=""):
    return ImportedPerson(line, name, certificate_name, email, pronouns)


def problems(path):
    with pytest.raises(FileProblemsError) as caught:
        read_roster_csv(path)
    return caught.value.lines


# --- formats ------------------------------------------------------------------------------


def test_plain_excel_csv(write):
    path = write(
        "Name,Email,Pronouns\r\n"
        "Ann Lee,ann@example.org,she/her\r\n"
        "  Bob Stone  , bob@example.org ,\r\n"
        "Cat,,they/them\r\n"
    )
    assert read_roster_csv(path) == RosterFile(
        people=(
            person(2, "Ann Lee", email="ann@example.org", pronouns="she/her"),
            person(3, "Bob Stone", email="bob@example.org"),
            person(4, "Cat", pronouns="they/them"),
        ),
        skipped=(),
        columns={"name": "Name", "email": "Email", "pronouns": "Pronouns"},
    )


def test_utf8_with_bom(write):
    path = write("\ufeffFull name,Email\r\nSiân Jones,sian@example.org\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Siân Jones", email="sian@example.org"),)
    assert result.columns == {"name": "Full name", "email": "Email"}


def test_windows_1252_accents_and_curly_apostrophe(write):
    path = write(b"Name,Email\r\nSi\xe2n O\x92Brien,sian@example.org\r\nZo\xeb,\r\nRen\xe9e,\r\n")
    assert read_roster_csv(path).people == (
        person(2, "Siân O\u2019Brien", email="sian@example.org"),
        person(3, "Zoë"),
        person(4, "Renée"),
    )


def test_utf16_tab_separated(write):
    path = write(
        "Full name\tEmail\tPronouns\r\nŁukasz Nowak\tlukasz@example.org\the/him\r\n",
        name="people.txt",
        encoding="utf-16",
    )
    result = read_roster_csv(path)
    assert result.people == (
        person(2, "Łukasz Nowak", email="lukasz@example.org", pronouns="he/him"),
    )
    assert result.columns == {"name": "Full name", "email": "Email", "pronouns": "Pronouns"}


def test_semicolons(write):
    path = write("Name;Email;Pronouns\r\nSmith, John;john@example.org;he/him\r\n")
    assert read_roster_csv(path).people == (
        person(2, "Smith, John", email="john@example.org", pronouns="he/him"),
    )


def test_tab_separated_utf8(write):
    path = write("Name\tEmail\nAnn\tann@example.org\n")
    assert read_roster_csv(path).people == (person(2, "Ann", email="ann@example.org"),)


def test_excel_sep_line_names_the_separator(write):
    path = write("sep=;\r\nName;Email\r\nAnn, Lee;ann@example.org\r\n")
    assert read_roster_csv(path).people == (person(3, "Ann, Lee", email="ann@example.org"),)


def test_title_lines_above_the_header_are_passed_over(write):
    path = write("IPS course,,\r\nMarch 2025,,\r\n\r\nFull name,Email,\r\nAnn,ann@example.org,\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(5, "Ann", email="ann@example.org"),)
    assert result.columns == {"name": "Full name", "email": "Email"}


def test_one_column_file_keeps_commas_in_names(write):
    path = write('Name\r\nSmith, John\r\n"Lee, Ann"\r\n')
    assert read_roster_csv(path).people == (person(2, "Smith, John"), person(3, "Lee, Ann"))


def test_old_mac_line_ends(write):
    path = write("Name,Email\rAnn,ann@example.org\rBob,\r")
    assert read_roster_csv(path).people == (
        person(2, "Ann", email="ann@example.org"),
        person(3, "Bob"),
    )


def test_google_forms_export(write):
    path = write(
        '"Timestamp","Email address","Full name","Pronouns","What brings you to IPS?"\r\n'
        '"2025/03/01 10:15:02 am GMT","ann@example.org","Ann Lee","she/her","Curiosity, mostly"\r\n'
        '"2025/03/01 11:02:45 am GMT","bo@example.org","Bo","","I work as a peer"\r\n'
    )
    assert read_roster_csv(path) == RosterFile(
        people=(
            person(2, "Ann Lee", email="ann@example.org", pronouns="she/her"),
            person(3, "Bo", email="bo@example.org"),
        ),
        skipped=(),
        columns={"name": "Full name", "email": "Email address", "pronouns": "Pronouns"},
    )


def test_microsoft_forms_export(write):
    path = write(
        "ID,Start time,Completion time,Email,Name,Full name,Name on certificate\r\n"
        "1,3/1/25 10:01:02,3/1/25 10:04:10,anonymous,anonymous,Ann Lee,Ann Margaret Lee\r\n"
        "2,3/1/25 11:00:00,3/1/25 11:02:00,ANONYMOUS,Anonymous,Bo,\r\n"
    )
    assert read_roster_csv(path) == RosterFile(
        people=(
            person(2, "Ann Lee", certificate_name="Ann Margaret Lee"),
            person(3, "Bo"),
        ),
        skipped=(),
        columns={"name": "Full name", "certificate_name": "Name on certificate", "email": "Email"},
    )


def test_microsoft_forms_question_email_is_preferred_to_the_account(write):
    path = write(
        "ID,Start time,Completion time,Email,Name,Full name,Email2\r\n"
        "1,3/1/25 10:01,3/1/25 10:04,anonymous,anonymous,Ann Lee,ann@example.org\r\n"
    )
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann Lee", email="ann@example.org"),)
    assert result.columns == {"name": "Full name", "email": "Email2"}


def test_microsoft_forms_account_name_when_the_form_asks_for_none(write):
    path = write(
        "ID,Start time,Completion time,Email,Name,Pronouns\r\n"
        "1,3/1/25 10:01,3/1/25 10:04,ann@example.org,Ann Lee,she/her\r\n"
        "2,3/1/25 10:05,3/1/25 10:06,anonymous,anonymous,he/him\r\n"
    )
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann Lee", email="ann@example.org", pronouns="she/her"),)
    assert result.skipped == (Skipped(3, "no name"),)
    assert result.columns == {"name": "Name", "email": "Email", "pronouns": "Pronouns"}


def test_first_and_last_name_columns(write):
    path = write("First name,Surname,Email\r\nAnn,Lee,ann@example.org\r\nBo,,\r\n,Okafor,\r\n")
    result = read_roster_csv(path)
    assert result.people == (
        person(2, "Ann Lee", email="ann@example.org"),
        person(3, "Bo"),
        person(4, "Okafor"),
    )
    assert result.columns == {"name": "First name + Surname", "email": "Email"}


def test_first_name_alone(write):
    path = write("Forename,Pronouns\r\nAnn,she/her\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann", pronouns="she/her"),)
    assert result.columns == {"name": "Forename", "pronouns": "Pronouns"}


def test_a_full_name_column_is_preferred_to_first_and_last(write):
    path = write("First name,Last name,Full name\r\nAnn,Lee,Ann Lee-Smith\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann Lee-Smith"),)
    assert result.columns == {"name": "Full name"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Name,Full name", "Full name"),
        ("Name,Your full name", "Your full name"),
        ("Preferred name,Name (as you would like it used)", "Name (as you would like it used)"),
        ("Name,Preferred name", "Preferred name"),
        ("Timestamp,Name", "Name"),
    ],
)
def test_which_name_column_is_preferred(write, header, expected):
    path = write(f"{header}\r\n{','.join(['x'] * len(header.split(',')))}\r\n")
    assert read_roster_csv(path).columns["name"] == expected


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("  FULL NAME?  ", "name"),
        ("Your full name:", "name"),
        ("Name (as you\u2019d like it used)", "name"),
        ("Name *", "name"),
        ("Given name", "name"),
        ("Name on certificate", "certificate_name"),
        ("Certificate name", "certificate_name"),
        ("Name for your certificate?", "certificate_name"),
        ("Full name (as it should appear on your certificate)", "certificate_name"),
        ("E-mail", "email"),
        ("Email address (optional)", "email"),
        ("Pronouns (optional):", "pronouns"),
    ],
)
def test_headings_are_matched_loosely(write, heading, field):
    header = f'"{heading}",Notes' if field == "name" else f'"Preferred name","{heading}"'
    path = write(f"{header}\r\nx,y\r\n")
    assert read_roster_csv(path).columns[field] == heading.strip()


def test_other_columns_are_ignored(write):
    path = write("ID,Timestamp,Name,Start time,Completion time,Notes\r\n7,today,Ann,a,b,c\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann"),)
    assert result.columns == {"name": "Name"}


def test_certificate_name_alone_gives_the_name_too(write):
    path = write("Name for your certificate,Email\r\nAnn Lee,ann@example.org\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann Lee", "Ann Lee", "ann@example.org"),)
    assert result.columns == {
        "name": "Name for your certificate",
        "certificate_name": "Name for your certificate",
        "email": "Email",
    }


# --- rows ---------------------------------------------------------------------------------


def test_blank_lines_and_empty_rows_are_passed_over_silently(write):
    path = write("Name,Email\r\n\r\nAnn,\r\n,\r\n  ,  \r\n\r\nBo,\r\n,,,\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(3, "Ann"), person(7, "Bo"))
    assert result.skipped == ()


def test_a_row_without_a_name_is_skipped(write):
    path = write("Name,Email\r\nAnn,\r\n,someone@example.org\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann"),)
    assert result.skipped == (Skipped(3, "no name"),)


def test_a_line_break_inside_a_quoted_name(write):
    path = write('Name,Email\r\n"Ann\r\nLee",ann@example.org\r\nBo,\r\n')
    result = read_roster_csv(path)
    assert result.people == (person(4, "Bo"),)
    assert result.skipped == (Skipped(2, "the name contains a line break or control character"),)


def test_a_line_break_in_another_cell_is_fine(write):
    path = write('Name,Why are you here?\r\nAnn,"To learn.\r\nAnd to meet people."\r\nBo,\r\n')
    assert read_roster_csv(path).people == (person(2, "Ann"), person(4, "Bo"))


def test_an_over_long_name_is_skipped(write):
    path = write(f"Name\r\n{'A' * 201}\r\n{'B' * 200}\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(3, "B" * 200),)
    assert result.skipped == (Skipped(2, "the name is longer than 200 characters"),)


def test_an_over_long_certificate_name_is_skipped(write):
    path = write(f"Name,Certificate name\r\nAnn,{'A' * 201}\r\n")
    result = read_roster_csv(path)
    assert result.people == ()
    assert result.skipped == (Skipped(2, "the certificate name is longer than 200 characters"),)


@pytest.mark.parametrize("email", ["ann", "ann@example", "ann @example.org", "@example.org"])
def test_an_invalid_email_is_skipped(write, email):
    path = write(f'Name,Email\r\nAnn,"{email}"\r\n')
    result = read_roster_csv(path)
    assert result.people == ()
    assert result.skipped == (Skipped(2, "the email address is not valid"),)


def test_a_repeated_header_row_is_skipped(write):
    path = write("Name,Email\r\nAnn,\r\nName,Email\r\nBo,\r\n")
    result = read_roster_csv(path)
    assert result.people == (person(2, "Ann"), person(4, "Bo"))
    assert result.skipped == (Skipped(3, "the header row again"),)


def test_short_rows_lack_only_their_last_cells(write):
    path = write("Name,Email,Pronouns\r\nAnn,ann@example.org\r\nBo\r\n")
    assert read_roster_csv(path).people == (
        person(2, "Ann", email="ann@example.org"),
        person(3, "Bo"),
    )


def test_empty_cells_past_the_header_are_fine(write):
    path = write("Name,Email\r\nAnn,ann@example.org,,\r\n")
    assert read_roster_csv(path).people == (person(2, "Ann", email="ann@example.org"),)


def test_a_header_without_rows_gives_no_one(write):
    path = write("Name,Email\r\n")
    assert read_roster_csv(path) == RosterFile((), (), {"name": "Name", "email": "Email"})


def test_unusual_names_come_back_exactly_from_an_ipskit_export(write):
    rows = [[name, "", f"p{i}@example.org", ""] for i, name in enumerate(UNUSUAL_NAMES)]
    text = csvio.to_text(["name", "certificate_name", "email", "pronouns"], rows)
    assert "'=1+1" in text and "'@SUM(A1)" in text  # protected on the way out
    result = read_roster_csv(write(text))
    assert [p.name for p in result.people] == UNUSUAL_NAMES
    assert result.skipped == ()


def test_unusual_names_come_back_exactly_from_a_spreadsheet(write):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Full name", "Name on certificate"])
    writer.writerows([name, name] for name in UNUSUAL_NAMES)
    result = read_roster_csv(write(out.getvalue()))
    assert [p.name for p in result.people] == UNUSUAL_NAMES
    assert [p.certificate_name for p in result.people] == UNUSUAL_NAMES


def test_an_apostrophe_protected_cell_is_restored(write):
    path = write("Name,Certificate name\r\n'=1+1,'@SUM(A1)\r\n")
    assert read_roster_csv(path).people == (person(2, "=1+1", certificate_name="@SUM(A1)"),)


# --- problems with the whole file ---------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(NotFoundError) as caught:
        read_roster_csv(path)
    assert caught.value.lines == (f"{path}: no such file",)


def test_a_folder(tmp_path):
    assert problems(tmp_path) == (f"{tmp_path}: is a folder, not a file",)


def test_empty_file(write):
    path = write(b"")
    assert problems(path) == (f"{path}: the file is empty",)


def test_a_file_of_blank_lines_and_separators_is_empty(write):
    path = write("\ufeff\r\n,,\r\n;;\r\n \r\n")
    assert problems(path) == (f"{path}: the file is empty",)


def test_no_name_column(write):
    path = write("Email,Pronouns\r\nann@example.org,she/her\r\n")
    assert problems(path) == (f"{path}:1: {NO_NAMES}",)


def test_no_name_column_below_blank_lines(write):
    path = write("\r\n,,\r\nEmail,Pronouns\r\nann@example.org,she/her\r\n")
    assert problems(path) == (f"{path}:3: {NO_NAMES}",)


def test_binary_file(write):
    path = write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems(path) == (f"{path}:3: not a text file (it holds NUL bytes): {RESAVE}",)


RESAVE_WORKBOOK = (
    "save it from the spreadsheet as 'Excel Workbook (.xlsx)' or 'CSV UTF-8' and import that"
)


def test_a_damaged_workbook(write):
    """Workbooks are read (see test_import_garbled.py); a broken one is one line."""
    path = write(b"PK\x03\x04\x14\x00\x06\x00", name="people.xlsx")
    assert problems(path) == (
        f"{path}:1: not an Excel workbook (.xlsx) that can be read: {RESAVE_WORKBOOK}",
    )


def test_an_old_excel_workbook(write):
    path = write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", name="people.xls")
    assert problems(path) == (
        f"{path}:1: an old Excel workbook (.xls), or one locked by a password: {RESAVE_WORKBOOK}",
    )


def test_neither_utf8_nor_windows_1252(write):
    path = write(b"Name\r\nAnn\r\nB\x81o\r\n")
    assert problems(path) == (f"{path}:3: not text in UTF-8 or Windows-1252: {RESAVE}",)


def test_invalid_utf8_after_a_utf8_marker(write):
    path = write(b"\xef\xbb\xbfName\r\nSi\xe2n\r\n")
    assert problems(path) == (f"{path}:2: not valid UTF-8 text: {RESAVE}",)


def test_invalid_utf16(write):
    path = write("Name\r\nAnn\r\n".encode("utf-16") + b"\x00\xd8\x41\x00")
    assert problems(path) == (f"{path}:3: not valid UTF-16 text: {RESAVE}",)


def test_ragged_row(write):
    path = write("Name,Email\r\nAnn,ann@example.org\r\nLee, Ann,ann@example.org\r\n")
    assert problems(path) == (
        f"{path}:3: 3 cells, but the header has 2: put quotes around any cell with a comma in it",
    )


def test_ragged_row_with_semicolons(write):
    path = write("Name;Email\r\nAnn;ann@example.org;x\r\n")
    assert problems(path) == (
        f"{path}:2: 3 cells, but the header has 2: "
        "put quotes around any cell with a semicolon in it",
    )


def test_a_quote_never_closed(write):
    path = write('Name,Email\r\nAnn,\r\n"Bo,\r\nCat,\r\n')
    assert problems(path) == (f'{path}:3: a quote (") opened in this row is never closed',)


def test_text_after_a_closing_quote(write):
    path = write('Name,Email\r\nAnn,\r\n\r\n"Bo" Stone,\r\n')
    assert problems(path) == (
        f"{path}:4: a quoted cell goes on after its closing quote: "
        'write a quote inside a quoted cell as two ("")',
    )


def test_a_file_too_big_for_a_roster(write, monkeypatch):
    monkeypatch.setattr(roster_file, "MAX_BYTES", 2 * 2**20)
    path = write("Name\r\n" + "Ann\r\n" * (2**20))
    assert problems(path) == (f"{path}: the file is over 2 MB, too big for a list of people",)


def test_problems_never_show_a_name(write):
    path = write('Full name,Email\r\n"Secret Person" x,\r\n')
    (line,) = problems(path)
    assert "Secret" not in line
