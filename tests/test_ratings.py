"""Competency self-ratings: recorded by id, reported as counts and averages only."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import HOSTILE, MINI, as_excel_reads, make_cohort, make_workspace, run

START = date.today() - timedelta(days=30)


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", START, HOSTILE[:5])
    return ws


def rate(ws: Path, who: str, stage: str, *ratings: str):
    return cli(ws, "ratings", "record", "taster", who, *ratings, "--stage", stage)


def test_ratings_are_kept_by_id_and_replace_earlier_ones(ws):
    result = rate(ws, "p01", "before", "connection=2", "mutuality=3")
    assert (result.exit_code, result.stdout) == (
        0, "Recorded 2 ratings before the course for p01 (taster).\n",
    )  # fmt: skip
    assert rate(ws, "p01", "before", "connection=1").exit_code == 0
    with open(ws / "cohorts" / "taster" / "ratings.csv", encoding="utf-8", newline="") as f:
        rows = [(r["stage"], r["participant"], r["competency"], r["rating"])
                for r in csv.DictReader(f)]  # fmt: skip
    assert sorted(rows) == [("before", "p01", "connection", "1"),
                            ("before", "p01", "mutuality", "3")]  # fmt: skip


def test_the_competencies_are_listed_for_people_and_for_scripts(ws):
    from ipskit.courses.catalogue import get_curriculum

    competencies = get_curriculum("ips-taster").competencies
    listed = cli(ws, "ratings", "list", "taster")
    assert (listed.exit_code, listed.stdout) == (
        0, "".join(f"{c.id}: {c.statement}\n" for c in competencies),
    )  # fmt: skip
    found = cli(ws, "ratings", "list", "taster", "--format", "json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout) == {
        "cohort": "taster", "scale": [1, 5],
        "competencies": [{"id": c.id, "name": c.name, "statement": c.statement}
                         for c in competencies],
    }  # fmt: skip
    assert len(competencies) >= 3


def test_the_report_shows_the_change_and_hides_averages_of_too_few(ws):
    for n, (before, after) in enumerate([(2, 4), (3, 3), (1, 3)], start=1):
        rate(ws, f"p0{n}", "before", f"connection={before}", "worldview=2")
        rate(ws, f"p0{n}", "after", f"connection={after}")
    rate(ws, "p04", "after", "worldview=5")
    report = json.loads(cli(ws, "ratings", "report", "taster", "--format", "json").stdout)
    rows = {r["competency"]: r for r in report["competencies"]}
    assert rows["connection"] == {
        "competency": "connection", "name": "Connection", "before": 3, "after": 3,
        "before_mean": 2.0, "after_mean": 3.33, "both": 3, "improved": 2, "mean_change": 1.33,
    }  # fmt: skip
    # Worldview: three before, but only one after: that one's answer is not shown.
    assert (rows["worldview"]["before_mean"], rows["worldview"]["after_mean"]) == (2.0, None)
    assert rows["worldview"]["mean_change"] is None
    table = cli(ws, "ratings", "report", "taster").stdout
    lines = [" ".join(line.split()) for line in table.splitlines()]
    assert "Connection 3 2.00 3 3.33 3 2 +1.33" in lines
    text = table + cli(ws, "ratings", "report", "taster", "--format", "csv").stdout
    for name in HOSTILE[:5]:
        assert name not in text and "p01" not in text
    exported = cli(ws, "ratings", "report", "taster", "--format", "csv").stdout
    exported = as_excel_reads(exported).splitlines()
    assert exported[1] == "connection,3,2,3,3.33,3,2,1.33"
    assert exported[2].startswith("learning-together,0,,0,,0,0,")


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        (("kindness=3",), "'kindness' is not a competency of this course; it has: connection,"),
        (("connection=6",), "connection=6: give a rating from 1 to 5, e.g. connection=3"),
        (("connection=3", "connection=4"), "connection is rated twice"),
    ],
)
def test_bad_ratings_change_nothing(ws, ratings, message):
    result = rate(ws, "p01", "after", *ratings)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert not (ws / "cohorts" / "taster" / "ratings.csv").exists()


def test_a_course_without_competencies_says_so(tmp_path):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "mini.yaml").write_text(MINI)
    make_cohort(ws, "mini", "mini", START, ("A B",))
    result = cli(ws, "ratings", "record", "mini", "p01", "connection=3", "--stage", "before")
    assert (result.exit_code, result.stderr) == (
        1, "the curriculum of cohort mini lists no competencies to rate\n",
    )  # fmt: skip
