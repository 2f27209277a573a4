"""Follow-ups after a course: points, answers, what is due, and the figures."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import HOSTILE, as_excel_reads, make_cohort, make_workspace, run

START = date.today() - timedelta(days=120)
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel", "Nia Jones")


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


@pytest.fixture
def ws(tmp_path):
    """A taster four of five attended, with follow-ups at 2 weeks (due) and 12 months."""
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", START, PEOPLE, "--followup", "2w",
                "--followup", "12m")  # fmt: skip
    assert cli(ws, "attend", "taster", "1", "--all-present").exit_code == 0
    assert cli(ws, "attend", "taster", "1", "--absent", "Nia").exit_code == 0
    return ws


def answers_file(ws: Path) -> list[dict[str, str]]:
    with open(ws / "cohorts" / "taster" / "followups.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_points_are_dated_from_the_last_session_and_kept_in_cohort_yaml(ws):
    text = (ws / "cohorts" / "taster" / "cohort.yaml").read_text()
    twelve = date(START.year + 1, START.month, START.day) if not (
        START.month == 2 and START.day == 29
    ) else date(START.year + 1, 2, 28)  # fmt: skip
    assert f'  - {{at: 2w, due: "{START + timedelta(weeks=2)}"}}' in text
    assert f'  - {{at: 12m, due: "{twelve}"}}' in text


def test_the_curriculum_gives_the_points_unless_the_cohort_says_otherwise(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "five", "ips-5-day", date(2027, 3, 1), ())
    text = (ws / "cohorts" / "five" / "cohort.yaml").read_text()
    assert '  - {at: 9w, due: "2027-05-07"}' in text  # nine weeks after Friday 5 March
    assert '  - {at: 12m, due: "2028-03-05"}' in text
    result = cli(ws, "new-cohort", "x", "--curriculum", "ips-5-day", "--start", "2027-03-01",
                 "--followup", "nine weeks")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        1, "'nine weeks' is not a follow-up point: give weeks or months after the course,"
        " e.g. 9w or 12m\n",
    )  # fmt: skip
    assert not (ws / "cohorts" / "x").exists()


def test_due_lists_who_completed_and_has_not_answered(ws):
    result = cli(ws, "followup", "due", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{
        "cohort": "taster", "point": "2w", "due": str(START + timedelta(weeks=2)),
        "waiting": ["p01", "p02", "p03", "p04"], "answered": 0,
    }]  # fmt: skip
    # Nia (p05) did not complete: she is not asked. Before the point is due, nothing is.
    early = cli(ws, "followup", "due", "--on", str(START + timedelta(days=3)))
    assert early.stdout.startswith("No follow-ups are due on ")


def test_recording_answers_and_the_figures(ws):
    steps = [
        ("p01", "yes", "0"), ("Tomasz", "yes", "3"), ("amara", "no", "0"), ("p01", "yes", "2"),
    ]  # fmt: skip
    for who, using, trained in steps:
        result = cli(ws, "followup", "record", "taster", who, "--at", "2w",
                     "--using-skills", using, "--trained-others", trained)  # fmt: skip
        assert result.exit_code == 0, result.output
    assert result.stdout == "Recorded p01 at 2w (taster): using the skills, trained 2 people.\n"
    rows = answers_file(ws)
    assert [(r["point"], r["participant"], r["using_skills"], r["trained_others"]) for r in rows] == [
        ("2w", "p01", "yes", "2"), ("2w", "p02", "yes", "3"), ("2w", "p03", "no", "0"),
    ]  # fmt: skip
    history = (ws / "cohorts" / "taster" / "history.csv").read_text()
    assert "using the skills; trained 0,using the skills; trained 2" in history

    figures = json.loads(cli(ws, "followup", "report", "--format", "json").stdout)["points"]
    assert figures == [{
        "point": "2w", "cohorts": 1, "asked": 4, "reached": 3, "using_skills": 2,
        "trained_others": 2, "people_trained": 5,
    }]  # fmt: skip
    table = cli(ws, "followup", "report", "taster").stdout.splitlines()
    assert table[1:3] == [
        "At  Cohorts  Asked  Reached  Using skills  Trained others  People trained",
        "2w        1      4        3     2 (66.7%)               2               5",
    ]
    exported = as_excel_reads(cli(ws, "followup", "report", "--format", "csv").stdout)
    assert exported.splitlines() == [
        "point,cohorts,asked,reached,using_skills,using_skills_percent,trained_others,"
        "people_trained",
        "2w,1,4,3,2,66.7,2,5",
    ]
    due = json.loads(cli(ws, "followup", "due", "--format", "json").stdout)
    assert due[0]["waiting"] == ["p04"]


def test_the_pdf_report_holds_the_figures_and_no_name(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", START, HOSTILE, "--followup", "2w")
    cli(ws, "attend", "taster", "1", "--all-present")
    for n in (1, 2, 3):
        cli(ws, "followup", "record", "taster", f"p0{n}", "--at", "2w", "--using-skills",
            "yes", "--trained-others", str(n))  # fmt: skip
    result = cli(ws, "followup", "report", "taster", "--format", "pdf")
    target = ws / "out" / "followup-report-taster.pdf"
    assert (result.exit_code, result.stdout) == (
        0, f"Wrote the follow-up report for taster to {target}\n",
    )  # fmt: skip
    reader = PdfReader(target)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) == 1
    assert "2 weeks after the course 9 3 3 (100.0% of those reached) 3 6" in text
    for name in HOSTILE:
        assert name not in text
    assert reader.metadata.title == "Follow-up report: taster"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--at", "3w"), "cohort taster has no follow-up at '3w': it has 2w, 12m"),
        (("--at", "2w", "--trained-others", "-1"), None),
        (
            ("--at", "soon"),
            "'soon' is not a follow-up point: give weeks or months after the"
            " course, e.g. 9w or 12m",
        ),
    ],
)
def test_bad_answers_change_nothing(ws, args, message):
    base = ["followup", "record", "taster", "p01", "--using-skills", "yes"]
    if "--trained-others" not in args:
        base += ["--trained-others", "0"]
    result = cli(ws, *base, *args)
    assert result.exit_code != 0
    if message:
        assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not (ws / "cohorts" / "taster" / "followups.csv").exists()


def test_a_hand_broken_answers_file_stops_every_change(ws):
    path = ws / "cohorts" / "taster" / "followups.csv"
    path.write_text("point,participant,answered,using_skills,trained_others,note\r\n"
                    "2w,p01,2027-01-01,maybe,0,\r\n")  # fmt: skip
    result = cli(ws, "attend", "taster", "1", "--present", "Nia")
    assert (result.exit_code, result.stderr) == (
        1, f"{path}:2: using_skills must be yes or no\n",
    )  # fmt: skip
    marks = (ws / "cohorts" / "taster" / "attendance.csv").read_text()
    assert "1,p05,absent" in marks


def test_plan_replaces_the_points_only_when_asked_and_keeps_those_with_answers(ws):
    cli(ws, "followup", "record", "taster", "p01", "--at", "2w", "--using-skills", "yes",
        "--trained-others", "0")  # fmt: skip
    result = cli(ws, "followup", "plan", "taster", "--replace", "--at", "6m")
    assert (result.exit_code, result.stderr) == (
        1, "cohort taster has 1 answer recorded at 2w: keep that point\n",
    )  # fmt: skip
    result = cli(ws, "followup", "plan", "taster", "--replace", "--at", "2w", "--at", "6 months")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Replaced the follow-ups of taster; dropped: 12m.\n")
    assert "at: 12m" not in (ws / "cohorts" / "taster" / "cohort.yaml").read_text()


def test_nothing_due_yet_says_when_the_next_is(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", date.today() - timedelta(days=2), ("A B",),
                "--followup", "3m")  # fmt: skip
    result = cli(ws, "followup", "report")
    assert result.exit_code == 0
    assert result.stdout.startswith("No follow-up is due yet for all cohorts. The next is taster")


def test_status_shows_each_point_and_how_many_answered(ws):
    cli(ws, "followup", "record", "taster", "p02", "--at", "2w", "--using-skills", "no",
        "--trained-others", "0")  # fmt: skip
    lines = cli(ws, "status", "taster").stdout.splitlines()
    line = next(line for line in lines if line.startswith("Follow-ups: "))
    two, twelve = line.split(" · ")
    assert two.startswith("Follow-ups: 2w ") and two.endswith(", 1 answered")
    assert twelve.startswith("12m ") and twelve.endswith(", 0 answered")
    status = json.loads(cli(ws, "status", "taster", "--json").stdout)
    assert [(f["at"], f["answered"]) for f in status["followups"]] == [("2w", 1), ("12m", 0)]
