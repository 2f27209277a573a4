"""End-of-course evaluations: anonymous responses, typed in or imported, counted safely."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import MINI, as_excel_reads, make_cohort, make_workspace, run

START = date.today() - timedelta(days=30)
#: The small course with an evaluation form of three statements.
FORM = MINI + """\
evaluation:
  session: two
  questions:
    - {id: safe, text: I felt safe in the group}
    - {id: learned, text: "I learned something I will use?"}
    - {id: recommend, text: I would recommend this course to a friend}
"""


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def ev(ws: Path, *args: str):
    return cli(ws, "evaluations", "mini", *args)


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "mini.yaml").write_text(FORM, encoding="utf-8")
    (ws / "curricula" / "mini.yaml").chmod(0o600)  # as private as ipskit's own files
    make_cohort(ws, "mini", "mini", START, ("Ann Early", "Bob Bright", "Cy Clear"))
    return ws


def folder(ws: Path) -> Path:
    return ws / "cohorts" / "mini"


def stored(ws: Path) -> list[tuple[str, str, str]]:
    with open(folder(ws) / "evaluations.csv", encoding="utf-8", newline="") as handle:
        return [(r["response"], r["question"], r["rating"]) for r in csv.DictReader(handle)]


def history(ws: Path) -> list[dict[str, str]]:
    with open(folder(ws) / "history.csv", encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["action"].startswith("evaluation")]


def summary(ws: Path) -> dict[str, dict]:
    result = ev(ws, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {q["question"]: q for q in json.loads(result.stdout)["questions"]}


# --- typed in, one form at a time ------------------------------------------------------------


def test_a_form_is_a_numbered_response_that_names_no_one(ws):
    result = ev(ws, "add", "safe=5", "learned=4")
    assert (result.exit_code, result.stdout) == (
        0, "Recorded response 1 (2 ratings) to the evaluation of mini.\n",
    )  # fmt: skip
    # Unanswered questions are left out; a number on the printed form names its question.
    assert ev(ws, "add", "3=2").stdout == (
        "Recorded response 2 (1 rating) to the evaluation of mini.\n"
    )
    assert stored(ws) == [("1", "safe", "5"), ("1", "learned", "4"), ("2", "recommend", "2")]
    assert stat.S_IMODE(os.stat(folder(ws) / "evaluations.csv").st_mode) == 0o600
    assert [(h["action"], h["participant"], h["after"]) for h in history(ws)] == [
        ("evaluation added", "", "response 1: safe=5 learned=4"),
        ("evaluation added", "", "response 2: recommend=2"),
    ]


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        (("kindness=3",), "'kindness' is not a question of this course's evaluation; it has:"
                          " safe, learned, recommend (or 1 to 3, as numbered on the form)"),
        (("safe=6",), "safe=6: give a rating from 1 (not at all) to 5 (very much), e.g. safe=4"),
        (("safe=0",), "safe=0: give a rating from 1 (not at all) to 5 (very much), e.g. safe=4"),
        (("safe=3", "1=4"), "safe is answered twice"),
    ],  # fmt: skip
)
def test_a_bad_rating_is_one_line_and_changes_nothing(ws, ratings, message):
    result = ev(ws, "add", *ratings)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not (folder(ws) / "evaluations.csv").exists()


def test_a_course_without_a_form_says_so(tmp_path):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "mini.yaml").write_text(MINI, encoding="utf-8")
    make_cohort(ws, "mini", "mini", START, ("A B",))
    for args in (("add", "safe=3"), ("list",)):
        result = ev(ws, *args)
        assert (result.exit_code, result.stderr) == (
            1, "the curriculum of cohort mini has no evaluation form (its 'evaluation:' part"
               " lists the statements to rate)\n",
        )  # fmt: skip


def test_removing_a_mistake_keeps_its_history_and_its_number(ws):
    for ratings in (("safe=5",), ("safe=1", "learned=2"), ("safe=4",)):
        assert ev(ws, *("add", *ratings)).exit_code == 0
    result = ev(ws, "remove", "3")
    assert (result.exit_code, result.stdout) == (
        0, "Removed response 3 (safe=4) from the evaluation of mini.\n",
    )  # fmt: skip
    assert ev(ws, "add", "safe=2").stdout.startswith("Recorded response 4 ")
    assert ev(ws, "remove", "3").stderr == "cohort mini has no evaluation response 3\n"
    assert [row[0] for row in stored(ws)] == ["1", "2", "2", "4"]
    removed = [h for h in history(ws) if h["action"] == "evaluation removed"]
    assert [(h["before"], h["after"]) for h in removed] == [("response 3: safe=4", "")]


def test_figures_are_counts_and_averages_hidden_below_three_answers(ws):
    for ratings in (("safe=5", "learned=4"), ("safe=4", "learned=2"), ("safe=4",)):
        ev(ws, "add", *ratings)
    rows = summary(ws)
    assert rows["safe"] == {
        "question": "safe", "text": "I felt safe in the group", "answers": 3,
        "ratings": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}, "average": 4.33,
    }  # fmt: skip
    # Two answers: neither how many gave each rating nor the average is shown.
    assert rows["learned"] == {
        "question": "learned", "text": "I learned something I will use?", "answers": 2,
        "ratings": None, "average": None,
    }  # fmt: skip
    assert rows["recommend"]["answers"] == 0
    table = ev(ws, "list").stdout
    lines = [" ".join(line.split()) for line in table.splitlines()]
    assert lines[0] == (
        "Evaluation, mini: 3 responses; 1 (not at all) to 5 (very much), counts and averages only"
    )
    assert lines[1] == "Question Statement Answers 1 2 3 4 5 Average"
    assert "safe I felt safe in the group 3 0 0 0 2 1 4.33" in lines
    assert "learned I learned something I will use? 2 – – – – – –" in lines
    assert lines[-1] == "Counts and averages of fewer than 3 answers are not shown (–)."
    exported = as_excel_reads(ev(ws, "list", "--format", "csv").stdout).splitlines()
    assert exported[:3] == [
        "question,answers,rated_1,rated_2,rated_3,rated_4,rated_5,average",
        "safe,3,0,0,0,2,1,4.33",
        "learned,2,,,,,,",
    ]
    each = json.loads(ev(ws, "list", "--responses", "--json").stdout)["responses"]
    assert each[1] == {"response": 2, "ratings": {"safe": 4, "learned": 2}}


# --- imported from a form's export ------------------------------------------------------------

GOOGLE = """\
Timestamp,Email Address,Your name,Please rate [I felt safe in the group],I LEARNED  something I will use,recommend,Any comments?
2026/11/20 19:55:01 GMT,ann@example.org,Ann Early,5 - Very much,4,3,Lovely evening
2026/11/20 19:56:12 GMT,bob@example.org,Bob Bright,4,,5 - very much,
2026/11/20 19:57:40 GMT,cy@example.org,Cy Clear,1 - Not at all,3,2,
2026/11/20 19:58:00 GMT,di@example.org,Di Dawn,,,,
"""  # noqa: E501


def test_an_export_is_read_by_question_and_its_names_never_stored(ws, tmp_path):
    export = tmp_path / "Evaluation (Responses).csv"
    export.write_text(GOOGLE, encoding="utf-8")
    result = ev(ws, "import", str(export))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Imported 3 responses from {export} to the evaluation of mini (responses 1–3).",
        "  line 5: skipped: no ratings",
        "  Questions read: safe (column 4), learned (column 5), recommend (column 6).",
        "  4 other columns not read.",
    ]
    assert stored(ws) == [
        ("1", "safe", "5"), ("1", "learned", "4"), ("1", "recommend", "3"),
        ("2", "safe", "4"), ("2", "recommend", "5"),
        ("3", "safe", "1"), ("3", "learned", "3"), ("3", "recommend", "2"),
    ]  # fmt: skip
    for path in folder(ws).iterdir():
        if path.name == "roster.csv":  # where the people on the course are named
            continue
        data = path.read_bytes()
        # The form's timestamps are not kept either (the history has times of its own).
        for word in (b"Ann", b"Bob", b"Cy Clear", b"Di", b"example.org", b"Lovely",
                     b"2026/11/20", b"GMT"):
            assert word not in data, (path.name, word)


def test_importing_again_counts_nothing_twice(ws, tmp_path):
    export = tmp_path / "answers.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    assert ev(ws, "import", str(export)).exit_code == 0
    again = ev(ws, "import", str(export))
    assert again.exit_code == 0
    assert again.stdout.splitlines()[:2] == [
        f"Nothing new to import from {export}: its 3 responses were imported before, and"
        " are not counted twice.",
        "  line 5: skipped: no ratings",
    ]
    # A later export of the same form holds the earlier answers too: only the new is added.
    export.write_text(
        GOOGLE + "2026/11/21 10:00:00 GMT,ed@example.org,Ed,3,3,3,\n", encoding="utf-8"
    )
    later = ev(ws, "import", str(export), "--json")
    found = json.loads(later.stdout)
    assert (found["imported"], found["imported_before"]) == ([4], [2, 3, 4])
    assert found["columns"]["learned"] == {"column": 5,
                                           "heading": "I LEARNED  something I will use"}
    assert summary(ws)["safe"]["answers"] == 4
    exported = as_excel_reads(ev(ws, "list", "--responses", "--format", "csv").stdout)
    assert exported.splitlines() == [
        "response,safe,learned,recommend", "1,5,4,3", "2,4,,5", "3,1,3,2", "4,3,3,3",
    ]  # fmt: skip


def test_forms_typed_in_from_paper_are_told_apart_by_their_place(ws, tmp_path):
    """No time column: two identical forms are two responses, and still not re-imported."""
    typed = tmp_path / "typed.csv"
    typed.write_text("1;2\n5;5\n5;5\n", encoding="utf-8")  # the numbers on the paper form
    assert ev(ws, "import", str(typed)).stdout.splitlines() == [
        f"Imported 2 responses from {typed} to the evaluation of mini (responses 1–2).",
        "  Questions read: safe (column 1), learned (column 2).",
        "  No column for: recommend.",
    ]
    # A column added, and a form typed in below the others: only that one is new.
    typed.write_text("1;2;3\n5;5;\n5;5;\n5;5;5\n", encoding="utf-8")
    result = ev(ws, "import", str(typed))
    assert result.stdout.splitlines()[:2] == [
        f"Imported 1 response from {typed} to the evaluation of mini (response 3).",
        "  2 rows imported before were left out: nothing is counted twice.",
    ]


def test_a_dry_run_changes_nothing(ws, tmp_path):
    export = tmp_path / "answers.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    result = ev(ws, "import", str(export), "--dry-run")
    assert result.stdout.startswith(
        f"Would import 3 responses from {export} to the evaluation of mini (responses 1–3)."
    )
    assert not (folder(ws) / "evaluations.csv").exists()
    assert not (folder(ws) / "evaluations-imported.csv").exists()


def test_every_bad_cell_is_a_line_naming_file_row_and_column_and_nothing_changes(ws, tmp_path):
    assert ev(ws, "add", "safe=5").exit_code == 0
    before = {p.name: p.read_bytes() for p in folder(ws).iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Name,safe,learned,recommend\nAnn,6,quite a lot,4.5\nBob,5,,\nCy,very much,0,\n",
        encoding="utf-8",
    )
    result = ev(ws, "import", str(bad))
    assert result.exit_code == 1
    scale = "is not a rating from 1 (not at all) to 5 (very much)"
    assert result.stderr.splitlines() == [
        f'{bad}:2:2: safe: "6" {scale}',
        f'{bad}:2:3: learned: "quite a lot" {scale}',
        f'{bad}:2:4: recommend: "4.5" {scale}',
        f'{bad}:4:3: learned: "0" {scale}',
    ]
    assert result.stdout == ""
    assert {p.name: p.read_bytes() for p in folder(ws).iterdir()} == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name,Email\nAnn,a@example.org\n",
         ":1: no column is a question of the evaluation form: head each column with a"
         " question's id or its words; the questions are safe, learned, recommend"),
        ("safe,learned,I felt safe in the group\n4,4,4\n",
         ":1:3: a second column for safe (the first is column 1): keep one"),
        ("safe,learned\n4,4,5\n", ":2: 3 cells, but the header has 2: put quotes around any"
                                  " cell with a separator in it"),
        ("", ": the file is empty"),
    ],  # fmt: skip
)
def test_a_file_that_is_not_a_form_is_refused(ws, tmp_path, text, message):
    path = tmp_path / "file.csv"
    path.write_text(text, encoding="utf-8")
    result = ev(ws, "import", str(path))
    assert (result.exit_code, result.stderr) == (1, f"{path}{message}\n")
    assert not (folder(ws) / "evaluations.csv").exists()


def test_a_microsoft_forms_workbook_is_read(ws, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name",
                  "I felt safe in the group", "I learned something I will use?",
                  "I would recommend this course to a friend"])  # fmt: skip
    sheet.append([1, "11/20/26 19:50:01", "11/20/26 19:55:01", "anonymous", None, 5, 4.0, "5"])
    sheet.append([2, "11/20/26 19:51:01", "11/20/26 19:56:01", "anonymous", None, 3, None, "x"])
    path = tmp_path / "Evaluation(1-2).xlsx"
    book.save(path)
    result = ev(ws, "import", str(path))
    assert (result.exit_code, result.stderr) == (
        1, f'{path}:3:8: recommend: "x" is not a rating from 1 (not at all) to 5 (very much)\n'
    )  # fmt: skip
    sheet.cell(3, 8).value = 2
    book.save(path)
    assert ev(ws, "import", str(path)).exit_code == 0
    assert stored(ws) == [("1", "safe", "5"), ("1", "learned", "4"), ("1", "recommend", "5"),
                          ("2", "safe", "3"), ("2", "recommend", "2")]  # fmt: skip


# --- the cohort's other records ----------------------------------------------------------------


def test_forgetting_someone_keeps_the_evaluations_which_name_no_one(ws):
    ev(ws, "add", "safe=5", "learned=4")
    ev(ws, "add", "safe=3")
    kept = (folder(ws) / "evaluations.csv").read_bytes()
    figures = summary(ws)
    result = cli(ws, "forget", "mini", "Ann", "--yes")
    assert result.exit_code == 0, result.output
    assert (folder(ws) / "evaluations.csv").read_bytes() == kept
    assert summary(ws) == figures


def test_check_reads_the_evaluations_like_any_record(ws):
    ev(ws, "add", "safe=5")
    path = folder(ws) / "evaluations.csv"
    assert cli(ws, "check").exit_code == 0
    path.write_text("response,question,rating\n1,safe,5\n1,safe,4\n", encoding="utf-8")
    result = cli(ws, "check")
    assert result.exit_code == 1
    assert (
        f"{path}:3: response 1 was recorded two ways: safe (5, 4); the first stands: to settle"
        " it, take the response out with ipskit evaluations mini remove 1, then add the form (or"
        " each form) again with ipskit evaluations mini add"
    ) in result.stdout.splitlines()
    # A question taken off the cohort's form is found too: its answers would not count.
    path.write_text("response,question,rating\n1,safe,5\n2,kindness,4\n", encoding="utf-8")
    lines = cli(ws, "check").stdout.splitlines()
    assert (
        f"{path}:3: 'kindness' is not a question of the evaluation form in curriculum.yaml, so"
        " its answers are not counted: put the question back in the form, or take the"
        " response out with ipskit evaluations mini remove 2"
    ) in lines
    # And a change is refused while the file is broken by hand.
    path.write_text("response,question,rating\n1,safe,9\n", encoding="utf-8")
    result = ev(ws, "add", "safe=4")
    assert (result.exit_code, result.stderr) == (
        1, f"{path}:2: rating must be a whole number from 1 to 5\n"
    )  # fmt: skip
