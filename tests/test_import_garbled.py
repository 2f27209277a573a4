"""Imports never garble names silently, and Excel workbooks are read as they come."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from helpers import make_cohort, run
from ipskit.cohorts.garbled import MANGLED_WHY, garbled, unmangled
from ipskit.cohorts.roster_file import read_roster_csv
from ipskit.core.errors import FileProblemsError
from test_startup import imported_modules

RESAVE_WORKBOOK = (
    "save it from the spreadsheet as 'Excel Workbook (.xlsx)' or 'CSV UTF-8' and import that"
)


@pytest.fixture
def cohort(ws):
    """p01 Siân Hughes, p02 Tomasz Wiśniewski, p03 Amara Okafor, p04 Sam Patel."""
    return make_cohort(ws)


def cli(ws, *args):
    return run("-w", str(ws), "roster", "spring", *args)


def names(ws):
    return {p["id"]: p["name"] for p in json.loads(cli(ws, "list", "--json").stdout)}


def files(cohort):
    return {p.name: p.read_bytes() for p in cohort.iterdir() if p.suffix == ".csv"}


def as_windows_read_it(text: str) -> str:
    """UTF-8 text read as Windows-1252, as Excel opens a CSV file without a UTF-8 mark."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:  # the five bytes 1252 leaves out: Windows keeps them
            out.append(chr(byte))
    return "".join(out)


# --- what looks garbled -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ma?gorzata Wójcik", ('a "?" where a letter was', None)),
        ("?ukasz", ('a "?" where a letter was', None)),
        ("Ma\ufffdgorzata", ('a "\ufffd" where a letter was', None)),
        ("MaÅ‚gorzata WÃ³jcik", (MANGLED_WHY, "Małgorzata Wójcik")),
        ("Siobhan Oâ€™Neill", (MANGLED_WHY, "Siobhan O’Neill")),
        ("RenÃ©e", (MANGLED_WHY, "Renée")),
        (as_windows_read_it("Łukasz Żółć"), (MANGLED_WHY, "Łukasz Żółć")),
        (as_windows_read_it("李小龍"), (MANGLED_WHY, "李小龍")),
        # One letter mangled beside one as meant: flagged, but there is no telling.
        ("MaÅ‚gorzata Wójcik", (MANGLED_WHY, None)),
        # Polish saved as Windows-1250 and read as 1252: "ł" became "³".
        ("Ma³gorzata", ('a "³" where a letter was', None)),
        ("Wi¶niewski", ('a "¶" where a letter was', None)),
    ],
)
def test_garbled_names_are_recognised(name, expected):
    assert garbled(name) == expected


@pytest.mark.parametrize(
    "name",
    ["Zoë Adams", "Siân O’Brien", "Łukasz Żółć", "Mª José Núñez", "Jordi Paral·lel", "O´Brien",
     "李小龍", "محمد علي", "Šárka Dvořáková", "Ægir Þór", "Jürgen Weiß", "Åsa Öberg",
     "Γιώργος Παπαδόπουλος", "Ngũgĩ wa Thiong'o", "Amara Okafor", "Renée", "Ñandú"],
)  # fmt: skip
def test_names_as_meant_are_not_flagged(name):
    assert garbled(name) is None
    assert unmangled(name) is None


# --- flagged by line, in the dry run and the import ------------------------------------------

FLAGGED_CSV = (
    "Full name,Email,Name on certificate\r\n"
    "Ann Lee,ann@example.org,\r\n"
    "Ma?gorzata Wójcik,,\r\n"
    "Sam Patel,,\r\n"
    "Bo Chan,,Bo Ch\ufffdn\r\n"
    ",nobody@example.org,\r\n"
)
FLAGGED_REPORT = (
    "  p05 Ann Lee\n"
    "  p06 Ma?gorzata Wójcik\n"
    "  p07 Bo Chan\n"
    '  line 3: "Ma?gorzata Wójcik" looks garbled (a "?" where a letter was): check the name,'
    ' then fix it with ipskit roster spring edit p06 --name "..."\n'
    "  line 4: already on the roster as p04 Sam Patel; not added again\n"
    '  line 5: certificate name "Bo Ch\ufffdn" looks garbled (a "\ufffd" where a letter was):'
    ' check the certificate name, then fix it with ipskit roster spring edit p07'
    ' --certificate-name "..."\n'
    "  line 6: skipped: no name\n"
)


def test_the_dry_run_lists_everyone_and_flags_each_garbled_name(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text(FLAGGED_CSV, encoding="utf-8")
    before = files(cohort)
    result = cli(ws, "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Would add 3 participants:\n" + FLAGGED_REPORT
    assert files(cohort) == before


def test_flagged_names_are_imported_and_the_command_given_fixes_them(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text(FLAGGED_CSV, encoding="utf-8")
    result = cli(ws, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added 3 participants:\n" + FLAGGED_REPORT
    assert names(ws)["p06"] == "Ma?gorzata Wójcik"
    result = cli(ws, "edit", "p06", "--name", "Małgorzata Wójcik")
    assert result.stdout == "p06 Małgorzata Wójcik: name changed (was Ma?gorzata Wójcik)\n"
    history = (cohort / "history.csv").read_text("utf-8")
    assert "gorzata" not in history and "Bo Ch" not in history


def test_a_name_mangled_on_one_line_comes_with_what_it_probably_was(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text("Name\r\nZoë Adams\r\nRenÃ©e O'Brien\r\n", encoding="utf-8")
    result = cli(ws, "import", str(path), "--dry-run")
    assert result.stdout == (
        "Would add 2 participants:\n"
        "  p05 Zoë Adams\n"
        "  p06 RenÃ©e O'Brien\n"
        f'  line 3: "RenÃ©e O\'Brien" looks garbled ({MANGLED_WHY}; it was probably'
        ' "Renée O\'Brien"): check the name, then fix it with ipskit roster spring edit p06'
        " --name 'Renée O'\"'\"'Brien'\n"
    )


def test_a_file_garbled_throughout_is_refused_with_the_fix(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    text = "Full name,Email\r\nAnn Lee,\r\nMałgorzata Wójcik,\r\nŁukasz Żółć,\r\n"
    path.write_text(as_windows_read_it(text), encoding="utf-8")
    before = files(cohort)
    for extra in (["--dry-run"], []):
        result = cli(ws, "import", str(path), *extra)
        assert result.exit_code == 1
        assert result.stderr == (
            f'{path}:3: the letters look garbled throughout ({MANGLED_WHY}: "Å‚" for "ł"):'
            " import it again with --repair-encoding to read them as they were meant;"
            " nothing was changed\n"
        )
        assert files(cohort) == before
    result = cli(ws, "import", str(path), "--repair-encoding", "--dry-run")
    assert result.stdout == (
        "Would add 3 participants:\n  p05 Ann Lee\n  p06 Małgorzata Wójcik\n  p07 Łukasz Żółć\n"
    )
    assert files(cohort) == before
    assert cli(ws, "import", str(path), "--repair-encoding").exit_code == 0
    assert list(names(ws).values())[4:] == ["Ann Lee", "Małgorzata Wójcik", "Łukasz Żółć"]


def test_repair_encoding_on_a_file_that_needs_none_is_refused(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text("Name\r\nZoë Adams\r\n", encoding="utf-8")
    before = files(cohort)
    result = cli(ws, "import", str(path), "--repair-encoding")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: its letters do not look garbled, so there is nothing to repair:"
        " import it without --repair-encoding\n"
    )
    assert files(cohort) == before


# --- Excel workbooks --------------------------------------------------------------------------

FORMS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "Full name",
                "Email address", "Pronouns (optional)",
                "What name would you like on your certificate?", "How did you hear about us?"]  # fmt: skip


def forms_workbook(path, rows):
    """A workbook laid out as Microsoft Forms exports its answers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Form1"
    sheet.append(FORMS_HEADER)
    for number, row in enumerate(rows, start=1):
        started = datetime(2027, 1, 4, 9, number)
        sheet.append([number, started, started.replace(second=40), *row])
    book.save(path)
    return path


FORMS_ROWS = [
    ["anonymous", "", "Małgorzata Wójcik", "m@example.org", "she/her", "", "A friend"],
    ["ann.lee@org.example", "Ann Lee", "Ann Lee", "", "", "Ann R. Lee", 3],
    ["anonymous", "", "Wi?niewska Ewa", "", "", "", None],
    ["anonymous", "", None, "nobody@example.org", "", "", ""],
]


def test_a_microsoft_forms_workbook_is_read_directly(ws, cohort, tmp_path):
    path = forms_workbook(tmp_path / "Sign-up form(1-4).xlsx", FORMS_ROWS)
    result = cli(ws, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added 3 participants:\n"
        "  p05 Małgorzata Wójcik\n"
        "  p06 Ann Lee\n"
        "  p07 Wi?niewska Ewa\n"
        '  line 4: "Wi?niewska Ewa" looks garbled (a "?" where a letter was): check the name,'
        ' then fix it with ipskit roster spring edit p07 --name "..."\n'
        "  line 5: skipped: no name\n"
    )
    listed = {p["id"]: p for p in json.loads(cli(ws, "list", "--json").stdout)}
    assert [(listed[p]["name"], listed[p]["certificate_name"], listed[p]["email"],
             listed[p]["pronouns"]) for p in ("p05", "p06")] == [
        ("Małgorzata Wójcik", "Małgorzata Wójcik", "m@example.org", "she/her"),
        ("Ann Lee", "Ann R. Lee", "", ""),
    ]  # fmt: skip


def test_a_workbook_dry_run_changes_nothing(ws, cohort, tmp_path):
    path = forms_workbook(tmp_path / "answers.xlsx", FORMS_ROWS[:2])
    before = files(cohort)
    result = cli(ws, "import", str(path), "--dry-run")
    assert result.stdout == "Would add 2 participants:\n  p05 Małgorzata Wójcik\n  p06 Ann Lee\n"
    assert files(cohort) == before


def test_the_first_sheet_is_read_with_a_title_above_its_header(tmp_path):
    book = Workbook()
    first = book.active
    first.title = "People"
    first.append(["Spring course sign-ups"])
    first.append([])
    first.append(["Name", "Signed up", "Phone"])
    first.append(["Ann Lee", datetime(2027, 1, 5), 7700900123])
    # Numbers and dates where a name should be come as the spreadsheet shows them.
    first.append([7700900123, datetime(2027, 1, 5, 10, 3), 1.5])
    first.append([12.5])
    first.append([datetime(2027, 1, 5)])
    other = book.create_sheet("Notes")
    other.append(["Name"])
    other.append(["Not A Participant"])
    book.active = 1  # the workbook was saved looking at another sheet
    book.save(tmp_path / "people.xlsx")
    read = read_roster_csv(tmp_path / "people.xlsx")
    assert [(p.line, p.name) for p in read.people] == [
        (4, "Ann Lee"), (5, "7700900123"), (6, "12.5"), (7, "2027-01-05"),
    ]  # fmt: skip
    assert read.columns == {"name": "Name"}


def test_new_cohort_takes_a_workbook_roster(ws, tmp_path):
    path = forms_workbook(tmp_path / "answers.xlsx", FORMS_ROWS[:2])
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-taster",
                 "--start", "2027-01-01", "--roster", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert names(ws) == {"p01": "Małgorzata Wójcik", "p02": "Ann Lee"}


def _empty_book(path):
    Workbook().save(path)
    return path


def _no_names(path):
    book = Workbook()
    book.active.title = "Answers"
    book.active.append(["Email", "Pronouns"])
    book.active.append(["ann@example.org", "she/her"])
    book.save(path)
    return path


def _csv_named_xlsx(path):
    path.write_text("Name\r\nAnn Lee\r\n", encoding="utf-8")
    return path


def _other_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    return path


def _cut_short(path):
    forms_workbook(path, FORMS_ROWS)
    path.write_bytes(path.read_bytes()[:400])
    return path


UNREADABLE = "not an Excel workbook (.xlsx) that can be read: " + RESAVE_WORKBOOK


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_empty_book, "{path}: the file is empty"),
        (_no_names, "{path}:1: no column with people's names: expected one called 'Name',"
                    " 'Full name', or 'First name' and 'Last name' (ipskit reads the first"
                    " sheet, 'Answers')"),
        (_csv_named_xlsx, "{path}:1: " + UNREADABLE),
        (_other_zip, "{path}:1: " + UNREADABLE),
        (_cut_short, "{path}:1: " + UNREADABLE),
    ],
)  # fmt: skip
def test_a_workbook_that_cannot_be_read_is_one_line_and_changes_nothing(
    ws, cohort, tmp_path, make, message
):
    path = make(tmp_path / "people.xlsx")
    before = files(cohort)
    for extra in (["--dry-run"], []):
        result = cli(ws, "import", str(path), *extra)
        assert result.exit_code == 1
        assert result.stderr == message.format(path=path) + "\n"
        assert files(cohort) == before


def test_repair_encoding_is_for_csv_files(ws, cohort, tmp_path):
    path = forms_workbook(tmp_path / "answers.xlsx", FORMS_ROWS[:1])
    result = cli(ws, "import", str(path), "--repair-encoding")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: --repair-encoding is for CSV files; a workbook's letters are read as they"
        " are: import it without it\n"
    )


def test_a_workbook_longer_than_the_course_is_refused_as_it_is_read(tmp_path):
    path = forms_workbook(tmp_path / "answers.xlsx", FORMS_ROWS[:2])
    with pytest.raises(FileProblemsError) as caught:
        read_roster_csv(path, max_people=1, course="the course is for")
    assert caught.value.lines == (
        f"{path}:3: more than the 1 people the course is for: import a shorter list;"
        " nothing was changed",
    )


def test_a_csv_import_does_not_load_the_workbook_reader(ws, cohort, tmp_path):
    import os

    (tmp_path / "people.csv").write_text("Name\r\nZoë Adams\r\n", encoding="utf-8")
    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    modules = imported_modules("roster", "spring", "import", str(tmp_path / "people.csv"),
                               "--dry-run", env=env)  # fmt: skip
    assert "ipskit.cohorts.roster_import" in modules
    assert not any(m.startswith("openpyxl") for m in modules)


def test_the_import_as_json_for_scripts(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text(FLAGGED_CSV, encoding="utf-8")
    before = files(cohort)
    result = cli(ws, "import", str(path), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "dry_run": True,
        "added": [{"id": "p05", "name": "Ann Lee", "line": 2},
                  {"id": "p06", "name": "Ma?gorzata Wójcik", "line": 3},
                  {"id": "p07", "name": "Bo Chan", "line": 5}],
        "duplicates": [{"line": 4, "id": "p04"}],
        "skipped": [{"line": 6, "reason": "no name"}],
        "flagged": [
            {"line": 3, "id": "p06", "field": "name", "text": "Ma?gorzata Wójcik",
             "why": 'a "?" where a letter was', "probably": None},
            {"line": 5, "id": "p07", "field": "certificate_name", "text": "Bo Ch\ufffdn",
             "why": 'a "\ufffd" where a letter was', "probably": None},
        ],
    }  # fmt: skip
    assert files(cohort) == before
