"""Record files a coordinator opened and saved in a spreadsheet are read back, or explained."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from helpers import make_cohort, run

PEOPLE = ("Siân Hughes", "Zoë Martin", "José Álvarez", "Sam Patel")


@pytest.fixture
def cohort(ws):
    folder = make_cohort(ws, people=PEOPLE)
    assert cli(ws, "attend", "spring", "1", "--all-present", "--excused", "p04").exit_code == 0
    assert cli(ws, "roster", "spring", "withdraw", "p03", "--date", "2027-01-02").exit_code == 0
    return folder


def cli(ws, *args):
    return run("-w", str(ws), *args)


def roster(ws):
    return json.loads(cli(ws, "roster", "spring", "list", "--json").stdout)


def excel_date(iso: str, us: bool = False) -> str:
    """A date as Excel's short form writes it: 03/02/2027 (UK) or 2/3/2027 (US)."""
    day = date.fromisoformat(iso)
    return f"{day.month}/{day.day}/{day.year}" if us else f"{day:%d/%m/%Y}"


def save_as_excel(path, *, encoding="cp1252", us=False, delimiter=",", dated=None):
    """Rewrite a record file as Excel saves it: its encoding, CRLF, its region's dates."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    for row in rows[1:]:
        for i, name in enumerate(header):
            if name in ("added", "left", "date") and row[i]:
                row[i] = dated(row[i]) if dated else excel_date(row[i], us)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def test_a_roster_saved_as_csv_by_a_uk_excel_is_read_and_written_back_as_utf8(ws, cohort):
    before = roster(ws)
    save_as_excel(cohort / "roster.csv")
    save_as_excel(cohort / "attendance.csv")
    raw = (cohort / "roster.csv").read_bytes()
    assert b"Si\xe2n" in raw and b"\r\n" in raw and b"02/01/2027" in raw  # as Excel wrote it

    assert roster(ws) == before
    listed = cli(ws, "roster", "spring", "list")
    assert listed.exit_code == 0 and "Zoë Martin" in listed.stdout
    result = cli(ws, "attend", "spring", "2", "--present", "zoe,jose")
    assert result.exit_code == 1  # José withdrew: the roster's left date was read
    assert result.stderr == "no one on the roster of spring matches 'jose'\n"
    result = cli(ws, "attend", "spring", "2", "--present", "zoe", "--excused", "Siân")
    assert result.exit_code == 0, result.output
    assert cli(ws, "status", "spring").exit_code == 0
    marks = json.loads(cli(ws, "attendance", "spring", "--json").stdout)["participants"]
    assert {p["id"]: (p["marks"]["1"], p["marks"]["2"]) for p in marks} == {
        "p01": ("present", "excused"), "p02": ("present", "present"),
        "p03": ("present", None), "p04": ("excused", None),
    }  # fmt: skip

    # The next save of each file writes UTF-8 and ISO dates again.
    assert (cohort / "attendance.csv").read_bytes().decode("utf-8").startswith("session,")
    assert cli(ws, "roster", "spring", "add", "Chloë Dubois").exit_code == 0
    text = (cohort / "roster.csv").read_bytes().decode("utf-8")
    assert "p01,Siân Hughes," in text
    assert f",withdrawn,{before[2]['added']},2027-01-02,\r\n" in text
    assert roster(ws)[:4] == before


def test_a_roster_saved_as_csv_utf8_keeps_every_script(ws, cohort):
    cli(ws, "roster", "spring", "add", "Łukasz Żółć")
    before = roster(ws)
    save_as_excel(cohort / "roster.csv", encoding="utf-8-sig")
    assert (cohort / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name,")
    assert roster(ws) == before
    assert cli(ws, "attend", "spring", "2", "--present", "lukasz").exit_code == 0


def test_the_workspace_locale_decides_which_number_is_the_day(ws, cohort):
    save_as_excel(cohort / "roster.csv", dated=lambda _: "03/02/2027")
    assert {p["added"] for p in roster(ws)} == {"2027-02-03"}
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("locale: en-GB", "locale: en-US"))
    assert {p["added"] for p in roster(ws)} == {"2027-03-02"}


@pytest.mark.parametrize(
    "written", ["3/2/2027", "03/02/2027 18:30", "03/02/2027 00:00:00", "03.02.2027", "3/2/27",
                "2027-02-03 00:00"],
)  # fmt: skip
def test_other_forms_excel_writes_are_read(ws, cohort, written):
    save_as_excel(cohort / "roster.csv", dated=lambda _: written)
    assert {p["added"] for p in roster(ws)} == {"2027-02-03"}


def test_us_dates_in_a_us_workspace(ws, cohort):
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("locale: en-GB", "locale: en-US"))
    before = roster(ws)
    save_as_excel(cohort / "roster.csv", us=True)
    assert b"1/2/2027" in (cohort / "roster.csv").read_bytes()
    assert roster(ws) == before


def test_semicolons_as_a_european_excel_saves_csv(ws, cohort):
    before = roster(ws)
    save_as_excel(cohort / "roster.csv", delimiter=";")
    assert roster(ws) == before


def test_formula_guards_survive_a_spreadsheet(ws, cohort):
    result = cli(ws, "attend", "spring", "3", "--present", "p01", "--note", "=1+1 was the joke")
    assert result.exit_code == 0, result.output
    path = cohort / "attendance.csv"
    assert "'=1+1 was the joke" in path.read_bytes().decode("utf-8")
    save_as_excel(path)
    cli(ws, "attend", "spring", "3", "--present", "p02")
    assert "\r\n3,p01,present,,'=1+1 was the joke\r\n" in path.read_bytes().decode("utf-8")


def test_a_file_in_no_encoding_ipskit_reads_is_explained(ws, cohort):
    path = cohort / "roster.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b"Zo\xc3\xab", b"Zo\x81")  # not UTF-8, nor Windows-1252
    path.write_bytes(b"\r\n".join(lines))
    before = path.read_bytes()
    result = cli(ws, "attend", "spring", "2", "--present", "p01")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3: not UTF-8 or Windows-1252 text: open it in Excel and Save As 'CSV UTF-8'\n"
    )
    assert path.read_bytes() == before


def test_a_file_saved_as_unicode_text_is_explained(ws, cohort):
    path = cohort / "roster.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    result = cli(ws, "roster", "spring", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:1: not UTF-8 or Windows-1252 text: open it in Excel and Save As 'CSV UTF-8'\n"
    )


@pytest.mark.parametrize(
    ("written", "locale", "message"),
    [
        ("31/02/2027", "en-GB", "expected a date written YYYY-MM-DD or DD/MM/YYYY, e.g."
         " 2027-03-04 or 04/03/2027"),
        ("13/02/2027", "en-US", "expected a date written YYYY-MM-DD or MM/DD/YYYY, e.g."
         " 2027-03-04 or 03/04/2027"),
        ("next week", "en-GB", "expected a date written YYYY-MM-DD or DD/MM/YYYY, e.g."
         " 2027-03-04 or 04/03/2027"),
        ("03/02/9999", "en-GB", "expected a date from the year 1900 to 2200"),
    ],
)  # fmt: skip
def test_a_date_that_is_not_one_names_its_cell(ws, cohort, written, locale, message):
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("locale: en-GB", f"locale: {locale}"))
    path = cohort / "roster.csv"
    save_as_excel(path, dated=lambda iso: written if iso == "2027-01-02" else iso)
    before = path.read_bytes()
    result = cli(ws, "attend", "spring", "2", "--present", "p01")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:4: left: {message}\n"
    assert path.read_bytes() == before


def test_a_history_saved_by_excel_is_added_to_in_utf8(ws, cohort):
    cli(ws, "attend", "spring", "2", "--present", "p01", "--note", "café after")
    path = cohort / "history.csv"
    path.write_bytes(path.read_bytes().decode("utf-8").encode("cp1252"))
    result = cli(ws, "attend", "spring", "3", "--present", "zoe")
    assert result.exit_code == 0, result.output
    assert "café after" in path.read_bytes().decode("utf-8")


def test_quoted_cells_as_excel_writes_them(ws, cohort):
    assert cli(ws, "roster", "spring", "add", 'Jo "JJ" Smith, Jr').exit_code == 0
    before = roster(ws)
    save_as_excel(cohort / "roster.csv", encoding="utf-8-sig")
    assert b'"Jo ""JJ"" Smith, Jr"' in (cohort / "roster.csv").read_bytes()
    assert roster(ws) == before
