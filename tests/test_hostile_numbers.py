"""Numbers that are not numbers: nan and infinity in files, the library and options."""

from __future__ import annotations

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.cohorts.online_marking import attend_from_report
from ipskit.core.errors import IpskitError


@pytest.mark.hostile
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "-1"])
def test_a_number_in_cohort_yaml_must_be_finite(tmp_path, value):
    ws = make_workspace(tmp_path)
    folder = make_cohort(ws, people=("Sam Patel",))
    settings = folder / "cohort.yaml"
    settings.write_text(settings.read_text().replace("max_missed_hours: null",
                                                     f"max_missed_hours: {value}"))  # fmt: skip
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = run("-w", str(ws), "attend", "spring", "1", "--all-present")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{settings}:20:21: completion.max_missed_hours: expected a number, 0 or more\n"
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


@pytest.mark.hostile
@pytest.mark.parametrize("minutes", [float("nan"), float("inf"), -5.0, 1441.0])
def test_the_library_refuses_a_threshold_that_is_no_number_of_minutes(tmp_path, minutes):
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=("Sam Patel",))
    cohort = open_cohort(ws / "cohorts", "spring")
    report = tmp_path / "zoom.csv"
    report.write_text("Name (Original Name),Duration (Minutes)\nSam Patel,150\n")
    with pytest.raises(IpskitError) as raised:
        attend_from_report(cohort, "1", report, min_minutes=minutes)
    assert str(raised.value) == f"{minutes:g} is not a number of minutes from 0 to 1440"
    assert not (ws / "cohorts" / "spring" / "attendance.csv").exists()


@pytest.mark.hostile
def test_people_trained_has_a_ceiling(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=("Sam Patel",))
    result = run("-w", str(ws), "followup", "record", "spring", "p01", "--at", "3m",
                 "--using-skills", "yes", "--trained-others", "1000000")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--trained-others': 1000000 is not in the range 0 to 100000."
    )
