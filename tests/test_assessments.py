"""assessment: several people at once, each named; never dated later than today."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from helpers import make_cohort, run

PEOPLE = ("Siân Hughes", "Gwenllïan Prydderch", "Tomasz Wiśniewski", "Amara Okafor")


@pytest.fixture
def cohort(ws):
    return make_cohort(ws, people=PEOPLE)


def cli(ws, *args):
    return run("-w", str(ws), *args)


def results(cohort):
    text = (cohort / "assessments.csv").read_text(encoding="utf-8")
    return {r["participant"]: (r["result"], r["date"]) for r in csv.DictReader(io.StringIO(text))}


def test_three_people_assessed_at_once(ws, cohort):
    day = (date.today() - timedelta(days=2)).isoformat()
    result = cli(ws, "assessment", "spring", "gwen,p02", "tomasz", "p04", "--passed",
                 "--date", day)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "p02 Gwenllïan Prydderch: Four Tasks presentation passed\n"
        "p03 Tomasz Wiśniewski: Four Tasks presentation passed\n"
        "p04 Amara Okafor: Four Tasks presentation passed\n"
    )
    assert results(cohort) == {pid: ("passed", day) for pid in ("p02", "p03", "p04")}
    history = (cohort / "history.csv").read_text(encoding="utf-8")
    assert history.count(",assessed,") == 3


def test_a_second_result_says_what_it_replaces(ws, cohort):
    cli(ws, "assessment", "spring", "p01", "--not-yet")
    result = cli(ws, "assessment", "spring", "p01", "siân", "--passed")
    assert result.stdout == "p01 Siân Hughes: Four Tasks presentation passed (was not yet passed)\n"
    assert results(cohort) == {"p01": ("passed", date.today().isoformat())}


@pytest.mark.parametrize("form", ["iso", "british"])
def test_a_date_later_than_today_is_refused(ws, cohort, form):
    later = date.today() + timedelta(days=12)
    typed = later.isoformat() if form == "iso" else f"{later:%d/%m/%Y}"
    result = cli(ws, "assessment", "spring", "gwen", "--passed", "--date", typed)
    assert result.exit_code == 1
    assert result.stderr == (
        f"the assessment date {later.isoformat()} is later than today"
        f" ({date.today().isoformat()}): give the day it took place\n"
    )
    assert not (cohort / "assessments.csv").exists()


def test_one_unknown_name_and_no_one_is_assessed(ws, cohort):
    result = cli(ws, "assessment", "spring", "p01", "Nobody", "p03", "--passed")
    assert result.exit_code == 1
    assert result.stderr == "no one on the roster of spring matches 'Nobody'\n"
    assert not (cohort / "assessments.csv").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([",", "--passed"], 1, "say whose assessment this is: an id such as p01, or a name"),
        (["p01", "--passed", "--date", "yesterday"], 2,
         "Error: Invalid value for --date: 'yesterday' is not a date: write it as 2027-03-04 or"
         " 04/03/2027"),
        (["--passed"], 2, "Error: Missing argument 'WHO...'."),
    ],
)  # fmt: skip
def test_bad_input(ws, cohort, args, code, message):
    result = cli(ws, "assessment", "spring", *args)
    assert result.exit_code == code
    assert result.stderr.splitlines()[-1] == message
    assert not (cohort / "assessments.csv").exists()
