"""Exports open in a spreadsheet as they were meant: letters, numbers, dates, and no formulas.

CSV is read as Excel reads it: the byte order mark says UTF-8, and then any cell that looks
like a number or a date becomes one. So a text cell may look like neither, and "8/10"
attended is two numbers. A workbook (.xlsx) holds numbers, dates and percentages as such,
and text only as text, never a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import shutil
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import MINI, as_excel_reads, make_cohort, make_workspace, run

START = date.today() - timedelta(days=120)
#: Names that would be a formula, a date or mojibake if a spreadsheet had its way.
PEOPLE = ("Gwenllïan Prys", '=HYPERLINK("http://x")', "+1 bad", "10/10", "Zoë Adams")
#: A course whose title would be a formula, with an evaluation form.
FORM = MINI.replace("title: A small course", """title: '=HYPERLINK("http://x") course'""")
FORM += """\
evaluation:
  session: two
  questions:
    - {id: safe, text: I felt safe in the group}
    - {id: learned, text: I learned something I will use}
"""


def ok(ws: Path, *args: str):
    result = run("-w", str(ws), *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A taster with attendance, follow-ups and self-ratings; a small course with evaluations."""
    ws = make_workspace(tmp_path_factory.mktemp("exports"))
    (ws / "curricula" / "mini.yaml").write_text(FORM, encoding="utf-8")
    make_cohort(ws, "taster", "ips-taster", START, PEOPLE, "--followup", "2w")
    ok(ws, "attend", "taster", "1", "--all-present", "--absent", "p05")
    for n, (before, after) in enumerate([(2, 4), (3, 3), (1, 3)], start=1):
        ok(ws, "followup", "record", "taster", f"p0{n}", "--at", "2w", "--using-skills",
           "yes" if n < 3 else "no", "--trained-others", str(n))  # fmt: skip
        ok(ws, "ratings", "record", "taster", f"p0{n}", f"connection={before}", "--stage",
           "before")  # fmt: skip
        ok(ws, "ratings", "record", "taster", f"p0{n}", f"connection={after}", "--stage", "after")
    make_cohort(ws, "mini", "mini", START, ("Ann Early", "Bob Bright", "Cy Clear"))
    ok(ws, "attend", "mini", "1", "--all-present")
    for answers in (("safe=5", "learned=4"), ("safe=4",), ("safe=3", "learned=2")):
        ok(ws, "evaluations", "mini", "add", *answers)
    return ws


@pytest.fixture
def ws(built, tmp_path) -> Path:
    """A copy of the built workspace for one test."""
    return Path(shutil.copytree(built, tmp_path / "ws", symlinks=True))


# --- CSV, read as Excel reads it -------------------------------------------------------------

MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: What Excel or LibreOffice turns into a number, a date, a time or a yes/no on opening CSV.
SPREADSHEET_DATA = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"[-+]?[$£€]?\s*(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?(?:e[-+]?\d+)?\s*%?",  # 12, 1e5
        r"\(\s*\d[\d,.]*\s*\)",  # (12): a negative number
        r"\d{1,4}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{1,4})?",  # 1/2, 3-4, 1/2/27, 2027-03-04
        r"\d{1,2}\s*[-/ ]\s*" + MONTH + r"(?:\s*[-/ ,]\s*\d{2,4})?",  # 5 Mar, 5-Mar-27
        MONTH + r"\s*[-/ ]\s*\d{1,4}(?:\s*,?\s*\d{2,4})?",  # Mar 5, March 2027, Mar-27
        r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?",  # 10:30, 6:00 pm
        r"\d{1,2}\s*[ap]\.?m\.?",  # 6 pm
        r"\d+\s+\d+/\d+",  # 1 1/2
    )
]


def read_as_data(cell: str) -> bool:
    """Whether a spreadsheet opening CSV makes this cell a number, date, time or yes/no."""
    text = cell.strip()
    if text.lower() in ("true", "false"):
        return True
    return any(ch.isdigit() for ch in text) and any(p.fullmatch(text) for p in SPREADSHEET_DATA)


@pytest.mark.parametrize(
    "cell", ["10/10", "8/10", "3-4", "1e5", "1/2", "5 Mar", "March 2027", "Mar-27", "2027-03-04",
             "12.5", "0012", "66.7%", "10:30", "TRUE"],
)  # fmt: skip
def test_what_a_spreadsheet_takes_for_data_is_guarded(cell):
    from ipskit.core.csvio import reads_as_data

    assert read_as_data(cell) and reads_as_data(cell)


@pytest.mark.parametrize("cell", ["p01", "2w", "12m", "she/her", "ips-taster", "Session 1 (x)",
                                  "Gwenllïan", "May", "absent (made up)"])  # fmt: skip
def test_words_are_left_as_they_are(cell):
    from ipskit.core.csvio import reads_as_data

    assert not read_as_data(cell) and not reads_as_data(cell)


#: Each CSV export: its command, and which columns hold numbers and which dates (by name).
CSV_EXPORTS = {
    "attendance": (("attendance", "taster"), {"Attended", "Counted", "Attendance %"}, set()),
    "roster list": (("roster", "taster", "list"), set(),
                    {"added (YYYY-MM-DD)", "left (YYYY-MM-DD)"}),
    "report": (("report",), "all but curriculum, title", set()),
    "followup report": (("followup", "report"), "all but point", set()),
    "ratings report": (("ratings", "report", "taster"), "all but competency", set()),
    "evaluations list": (("evaluations", "mini", "list"), "all but question", set()),
    "evaluations responses": (("evaluations", "mini", "list", "--responses"), "all", set()),
}  # fmt: skip


def numbers_in(header: list[str], numbers: set[str] | str) -> set[str]:
    if isinstance(numbers, set):
        return numbers
    if numbers == "all":
        return set(header)
    return set(header) - {n.strip() for n in numbers.removeprefix("all but ").split(",")}


@pytest.mark.parametrize("export", list(CSV_EXPORTS))
def test_csv_opens_in_excel_as_it_was_meant(built, export):
    args, numbers, dates = CSV_EXPORTS[export]
    data = ok(built, *args, "--format", "csv").stdout_bytes
    assert data.startswith(codecs.BOM_UTF8)  # else Excel reads "Gwenllïan" as "GwenllÃ¯an"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert body, "nothing to check"
    numbers = numbers_in(header, numbers)
    for name in header:
        assert not read_as_data(name) and name[:1] not in "=+-@", name
    for row in body:
        assert len(row) == len(header)
        for name, cell in zip(header, row, strict=True):
            if not cell:
                continue
            if name in numbers:
                assert re.fullmatch(r"-?\d+(\.\d+)?", cell), (name, cell)
            elif name in dates:
                assert "YYYY-MM-DD" in name and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell), cell
            else:  # text: a spreadsheet must leave it as it is
                assert not read_as_data(cell), (name, cell)
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, cell)


def test_names_survive_and_attended_is_two_numbers(built):
    text = as_excel_reads(ok(built, "attendance", "taster", "--format", "csv").stdout)
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    header = rows.pop("ID")
    assert header[-4:] == ["Attended", "Counted", "Attendance %", "State"]
    assert [rows[p][1] for p in ("p01", "p02", "p03", "p04", "p05")] == [
        "Gwenllïan Prys", "'=HYPERLINK(\"http://x\")", "'+1 bad", "'10/10", "Zoë Adams",
    ]  # fmt: skip
    assert rows["p01"][-4:] == ["1", "1", "100", "complete"]
    assert rows["p05"][2] == "absent"
    roster = as_excel_reads(ok(built, "roster", "taster", "list", "--format", "csv").stdout)
    added = {row[0]: row[6] for row in csv.reader(io.StringIO(roster))}
    assert added["id"] == "added (YYYY-MM-DD)"
    assert date.fromisoformat(added["p01"]) <= date.today()


def test_csv_out_is_the_same_file_written_privately(ws):
    target = ws.parent / "exports" / "attendance.csv"
    result = ok(ws, "attendance", "taster", "--format", "csv", "--out", str(target))
    assert result.stdout == f"Wrote the attendance of taster to {target}\n"
    printed = ok(ws, "attendance", "taster", "--format", "csv").stdout_bytes
    assert target.read_bytes() == printed
    assert target.read_bytes().startswith(codecs.BOM_UTF8)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_record_files_keep_no_byte_order_mark(ws, tmp_path):
    folder = ws / "cohorts" / "taster"
    (tmp_path / "more.csv").write_text("Full name\nMorgan Lee\n", encoding="utf-8-sig")
    ok(ws, "roster", "taster", "import", str(tmp_path / "more.csv"))
    ok(ws, "roster", "taster", "withdraw", "p06")
    ok(ws, "attend", "taster", "1", "--late", "p04")
    ok(ws, "certificates", "taster")
    for args, _, _ in CSV_EXPORTS.values():
        ok(ws, *args, "--format", "csv")
    ok(ws, "attendance", "taster", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"))
    records = sorted(folder.glob("*.csv")) + sorted((ws / "cohorts" / "mini").glob("*.csv"))
    assert {p.name for p in records} >= {"roster.csv", "attendance.csv", "history.csv",
                                         "followups.csv", "ratings.csv", "certificates.csv",
                                         "evaluations.csv"}  # fmt: skip
    for path in records:
        assert not path.read_bytes().startswith(codecs.BOM_UTF8), path.name


# --- xlsx ------------------------------------------------------------------------------------


def workbook(ws: Path, *args: str, name: str = "export.xlsx"):
    """The one sheet of the workbook a command writes, by heading, and the file."""
    target = ws.parent / name
    result = ok(ws, *args, "--format", "xlsx", "--out", str(target))
    assert result.stdout.startswith("Wrote ") and result.stdout.endswith(f" to {target}\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    sheet = load_workbook(target).worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1])
    assert all(sheet.column_dimensions[c.column_letter].width >= 6 for c in sheet[1])
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    return header, rows


def is_percent(cell) -> bool:
    # A whole 100% is stored as 1, and read back as an int.
    return isinstance(cell.value, int | float) and "%" in cell.number_format


def test_attendance_workbook(ws):
    header, rows = workbook(ws, "attendance", "taster")
    assert header[:3] == ["ID", "Name", f"Session 1 ({START.isoformat()})"]
    by_id = {row["ID"].value: row for row in rows}
    for pid, name in zip(("p01", "p02", "p03", "p04", "p05"), PEOPLE, strict=True):
        cell = by_id[pid]["Name"]
        assert (cell.value, cell.data_type) == (name, "s")  # never a formula, nor a date
    assert by_id["p02"]["Name"].quotePrefix and by_id["p04"]["Name"].quotePrefix
    first = by_id["p01"]
    assert type(first["Attended"].value) is int and type(first["Counted"].value) is int
    assert is_percent(first["Attendance %"]) and first["Attendance %"].value == 1.0
    assert by_id["p05"]["Attendance %"].value == 0.0
    assert first[header[2]].value == "present"


def test_roster_workbook_has_real_dates(ws):
    header, rows = workbook(ws, "roster", "taster", "list")
    assert header == ["id", "name", "certificate_name", "email", "pronouns", "status",
                      "added (YYYY-MM-DD)", "left (YYYY-MM-DD)", "name_lang"]  # fmt: skip
    for row in rows:
        added = row["added (YYYY-MM-DD)"]
        assert isinstance(added.value, datetime) and added.number_format == "yyyy-mm-dd"
        assert row["left (YYYY-MM-DD)"].value is None
        assert row["name"].data_type == "s"
    assert [row["name"].value for row in rows] == list(PEOPLE)


def test_report_workbook_types_every_figure_by_its_name(ws):
    header, rows = workbook(ws, "report", name="report.xlsx")
    assert header[:2] == ["curriculum", "title"]
    assert [row["curriculum"].value for row in rows] == ["ips-taster", "mini", "total"]
    mini = rows[1]
    title = mini["title"]
    assert (title.value, title.data_type) == ('=HYPERLINK("http://x") course', "s")
    assert "completion_percent" in header and "followup_2w_people_trained" in header
    for row in rows:
        for name in header[2:]:
            cell = row[name]
            if cell.value is None:
                continue
            if name.endswith("_percent"):
                assert is_percent(cell) and 0 <= cell.value <= 1, name
            elif name.endswith("_hours"):  # 7.0 hours is stored as 7, as Excel does
                assert isinstance(cell.value, int | float), name
            elif name.endswith("_average"):
                assert isinstance(cell.value, int | float), name
                assert cell.number_format == "0.00", name
            else:
                assert type(cell.value) is int, (name, cell.value)
    figures = json.loads(ok(ws, "report", "--format", "json").stdout)
    for row, line in zip(rows, [*figures["courses"], figures["totals"]], strict=False):
        for name, value in line.items():
            if name in header and isinstance(value, int | float):
                expected = value / 100 if name.endswith("_percent") else value
                assert row[name].value == pytest.approx(expected), name
    assert rows[0]["followup_2w_people_trained"].value == 6
    assert mini["evaluation_safe_average"].value == 4.0


def test_followup_and_ratings_workbooks(ws):
    header, rows = workbook(ws, "followup", "report", "taster")
    assert header == ["point", "cohorts", "asked", "reached", "using_skills",
                      "using_skills_percent", "trained_others", "people_trained"]  # fmt: skip
    (row,) = rows
    assert row["point"].value == "2w"
    assert [row[n].value for n in ("asked", "reached", "using_skills", "people_trained")] == [
        4, 3, 2, 6]  # fmt: skip
    assert is_percent(row["using_skills_percent"])
    header, rows = workbook(ws, "ratings", "report", "taster")
    connection = next(row for row in rows if row["competency"].value == "connection")
    assert [connection[n].value for n in ("rated_before", "rated_after", "improved")] == [3, 3, 2]
    assert connection["average_before"].value == 2.0
    assert connection["average_change"].number_format == "0.00"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("attendance", "taster"), "attendance-taster.xlsx"),
        (("roster", "taster", "list"), "roster-taster.xlsx"),
        (("report",), "report.xlsx"),
        (("report", "--from", "2020-01-01"), "report-from-2020-01-01.xlsx"),
        (("followup", "report"), "followup-report-all.xlsx"),
        (("ratings", "report", "taster"), "ratings-taster.xlsx"),
    ],
)
def test_a_workbook_needs_a_file(built, args, name):
    result = run("-w", str(built), *args, "--format", "xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"xlsx is a file: add --out {name}\n"


def test_xlsx_is_offered_where_it_is_made():
    for args in (("attendance",), ("roster", "x", "list"), ("report",), ("followup", "report"),
                 ("ratings", "report")):  # fmt: skip
        assert "xlsx" in run(*args, "--help").stdout, args
    assert "xlsx" not in run("evaluations", "x", "list", "--help").stdout
    result = run("evaluations", "x", "list", "--format", "xlsx")
    assert result.exit_code == 2 and "'xlsx' is not one of" in result.stderr


# --- the cells themselves ----------------------------------------------------------------------


def test_export_cells_are_what_they_say():
    from ipskit.core.cells import Percent
    from ipskit.core.csvio import export_text, to_text

    text = export_text(["a", "1"], [["=x", 3, 2.5, 1e-5, 1e20, Percent(66.7),
                                     date(2027, 3, 4), None, "3-4", "May 5", "p01"]])  # fmt: skip
    assert text.split("\r\n") == [
        "\ufeffa,'1",
        "'=x,3,2.5,0.00001,100000000000000000000,66.7,2027-03-04,,'3-4,'May 5,p01",
        "",
    ]
    # Record files are as they were: no mark, and only formulas guarded.
    assert to_text(["a"], [["3-4"], ["=x"]]) == "a\r\n3-4\r\n'=x\r\n"
