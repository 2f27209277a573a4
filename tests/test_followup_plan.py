"""Changing a cohort's follow-up plan: one point at a time, or all of them on purpose."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.cli.table import day

START = date.today() - timedelta(days=120)


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


@pytest.fixture
def ws(tmp_path):
    """A taster two attended, with follow-ups at 2 weeks and 12 months, one answer at 2w."""
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", START, ("Siân Hughes", "Sam Patel"),
                "--followup", "2w", "--followup", "12m")  # fmt: skip
    assert cli(ws, "attend", "taster", "1", "--all-present").exit_code == 0
    result = cli(ws, "followup", "record", "taster", "p01", "--at", "2w", "--using-skills",
                 "yes", "--trained-others", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    return ws


def settings(ws: Path) -> Path:
    return ws / "cohorts" / "taster" / "cohort.yaml"


def points(ws: Path) -> list[tuple[str, str, int]]:
    result = cli(ws, "followup", "plan", "taster", "--format", "json")
    assert result.exit_code == 0, result.output
    return [(p["at"], p["due"], p["answered"]) for p in json.loads(result.stdout)["points"]]


def test_plan_alone_shows_the_points_with_their_dates_and_answers(ws):
    result = cli(ws, "followup", "plan", "taster")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Follow-up points of taster, from its last session on {day(START)}:"
    assert lines[1].split() == ["At", "Due", "Answered"]
    assert lines[2].split() == ["2w", *day(START + timedelta(weeks=2)).split(), "1"]
    assert lines[3].split()[0] == "12m" and lines[3].split()[-1] == "0"
    assert len(lines) == 4
    data = json.loads(cli(ws, "followup", "plan", "taster", "-f", "json").stdout)
    assert data["cohort"] == "taster" and data["last_session"] == START.isoformat()
    assert (data["added"], data["removed"]) == ([], [])
    assert [p["at"] for p in data["points"]] == ["2w", "12m"]
    assert data["points"][0] == {
        "at": "2w", "due": (START + timedelta(weeks=2)).isoformat(), "answered": 1,
    }  # fmt: skip


def test_add_and_remove_change_only_the_points_named(ws):
    twelve = points(ws)[1]
    result = cli(ws, "followup", "plan", "taster", "--add", "6m", "--add", "9w,3 months")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Follow-ups of taster: added 6m, 9w, 3m."
    assert [p[0] for p in points(ws)] == ["2w", "9w", "3m", "6m", "12m"]
    assert points(ws)[-1] == twelve  # the point kept keeps its date
    result = cli(ws, "followup", "plan", "taster", "--remove", "12m,9w", "--add", "4w")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Follow-ups of taster: added 4w; removed 12m, 9w."
    assert [p[0] for p in points(ws)] == ["2w", "4w", "3m", "6m"]
    text = settings(ws).read_text()
    assert "at: 12m" not in text and "at: 9w" not in text
    assert f'- {{at: 4w, due: "{(START + timedelta(weeks=4)).isoformat()}"}}' in text


def test_at_without_replace_is_refused_and_says_what_to_do(ws):
    before = settings(ws).read_bytes()
    result = cli(ws, "followup", "plan", "taster", "--at", "6m")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "",
        "--at would replace every point of taster (now 2w, 12m): use --add 6m to add,"
        " or --replace --at 6m to set them all\n",
    )  # fmt: skip
    assert settings(ws).read_bytes() == before


def test_replace_sets_every_point_and_lists_what_it_drops(ws):
    result = cli(ws, "followup", "plan", "taster", "--replace", "--at", "2w", "--at", "6m")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Replaced the follow-ups of taster; dropped: 12m."
    assert lines[1] == f"Follow-up points of taster, from its last session on {day(START)}:"
    assert [p[0] for p in points(ws)] == ["2w", "6m"]
    data = json.loads(cli(ws, "followup", "plan", "taster", "--replace", "--at", "2w,6m",
                          "--format", "json").stdout)  # fmt: skip
    assert (data["added"], data["removed"]) == ([], [])


def test_a_point_with_answers_is_never_removed(ws):
    before = settings(ws).read_bytes()
    for args in (["--remove", "2w"], ["--replace", "--at", "12m"]):
        result = cli(ws, "followup", "plan", "taster", *args)
        assert (result.exit_code, result.stderr) == (
            1, "cohort taster has 1 answer recorded at 2w: keep that point\n",
        ), args  # fmt: skip
    cli(ws, "followup", "record", "taster", "p02", "--at", "2w", "--using-skills", "no",
        "--trained-others", "0")  # fmt: skip
    after = settings(ws).read_bytes()
    result = cli(ws, "followup", "plan", "taster", "--remove", "2w")
    assert result.stderr == "cohort taster has 2 answers recorded at 2w: keep that point\n"
    assert after == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--add", "6m"], "no cohort 'nope'; there are: taster"),
        (["taster", "--add", "6x"],
         "'6x' is not a follow-up point: give weeks or months after the course, e.g. 9w or 12m"),
        (["taster", "--add", "12m"], "cohort taster already has a follow-up at 12m"),
        (["taster", "--remove", "5m"], "cohort taster has no follow-up at '5m': it has 2w, 12m"),
        (["taster", "--replace"],
         "--replace needs the new points: e.g. --replace --at 6m --at 12m"),
        (["taster", "--replace", "--at", "6m", "--add", "9w"],
         "give --add and --remove, or --replace with --at, not both"),
        (["taster", "--add", "1m", "--remove", "1m"], "1m is both added and removed: give it once"),
    ],
)  # fmt: skip
def test_bad_plans_change_nothing(ws, args, message):
    before = settings(ws).read_bytes()
    result = cli(ws, "followup", "plan", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message + "\n")
    assert settings(ws).read_bytes() == before


def test_an_archived_cohort_shows_its_plan_but_refuses_changes_and_answers(ws):
    assert cli(ws, "cohorts", "archive", "taster").exit_code == 0
    before = settings(ws).read_bytes()
    answers = (ws / "cohorts" / "taster" / "followups.csv").read_bytes()
    refused = "cohort taster is archived: ipskit cohorts unarchive taster to change it\n"
    result = cli(ws, "followup", "plan", "taster", "--add", "6m")
    assert (result.exit_code, result.stderr) == (1, refused)
    result = cli(ws, "followup", "record", "taster", "p02", "--at", "2w", "--using-skills",
                 "yes", "--trained-others", "1")  # fmt: skip
    assert (result.exit_code, result.stderr) == (1, refused)
    assert settings(ws).read_bytes() == before
    assert (ws / "cohorts" / "taster" / "followups.csv").read_bytes() == answers
    assert cli(ws, "followup", "plan", "taster").exit_code == 0
    assert cli(ws, "followup", "due", "--format", "json").stdout.strip() == "[]"
    assert cli(ws, "cohorts", "unarchive", "taster").exit_code == 0
    due = json.loads(cli(ws, "followup", "due", "--format", "json").stdout)
    assert [(d["cohort"], d["point"], d["waiting"]) for d in due] == [("taster", "2w", ["p02"])]


def test_every_point_without_answers_can_go_and_the_plan_says_how_to_add_one(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", START, ("Sam Patel",), "--followup", "12m")
    result = cli(ws, "followup", "plan", "taster", "--remove", "12m")
    assert (result.exit_code, result.stdout) == (0,
        "Follow-ups of taster: removed 12m.\n"
        "taster has no follow-up points: add one with ipskit followup plan taster --add 12m\n")  # fmt: skip
    assert "followups: []" in settings(ws).read_text()
    result = cli(ws, "followup", "plan", "taster", "--at", "9w")
    assert result.stderr == (
        "--at would replace every point of taster (now none): use --add 9w to add,"
        " or --replace --at 9w to set them all\n"
    )
