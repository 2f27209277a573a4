"""forget erases a person for good; attend --import reads Zoom and Teams reports."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers import make_cohort, make_workspace, run


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def cli(ws, *args):
    return run("-w", str(ws), *args)


def test_forget_leaves_no_byte_of_the_name(ws):
    folder = make_cohort(ws, people=("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor"))
    cli(ws, "roster", "spring", "add", "Bronwen Ap Tudwal", "--certificate-name", "Bronwen M. Ap Tudwal",
        "--email", "bronwen@example.org", "--pronouns", "she/her")  # fmt: skip
    cli(ws, "attend", "spring", "1", "--all-present", "--note", "Bronwen brought biscuits")
    cli(
        ws,
        "attend",
        "spring",
        "2",
        "--all-present",
        "--absent",
        "bronwen",
        "--note",
        "ap tudwal ill",
    )
    cli(
        ws,
        "attend",
        "spring",
        "2",
        "--made-up",
        "p04",
        "--note",
        "caught up with Bronwen on Friday",
    )
    cli(ws, "assessment", "spring", "p04", "--passed", "--note", "Bronwen's story of the allotment")
    before = json.loads(cli(ws, "attendance", "spring", "--json").stdout)

    result = cli(ws, "forget", "spring", "bronwen")
    assert result.exit_code == 1
    assert result.stderr == (
        "this erases a person's data from cohort spring for good: run it again with --yes to"
        " confirm\n"
    )
    result = cli(ws, "forget", "spring", "bronwen", "--yes")
    assert result.exit_code == 0
    assert result.stdout == (
        "Erased the personal data of p04 from cohort spring.\n"
        "Copies kept elsewhere (printed, emailed, in other folders) are yours to remove.\n"
    )

    for path in folder.rglob("*"):
        data = path.read_bytes()
        for secret in ("Bronwen", "bronwen", "BRONWEN", "Ap Tudwal", "ap tudwal", "Tudwal",
                       "bronwen@example.org", "she/her"):  # fmt: skip
            assert secret.encode() not in data, (path.name, secret)
    after = json.loads(cli(ws, "attendance", "spring", "--json").stdout)
    assert [p["id"] for p in after["participants"]] == ["p01", "p02", "p03"]
    assert after["participants"] == before["participants"][:3]
    roster = (folder / "roster.csv").read_text()
    assert "p04,,,,,erased," in roster
    assert "biscuits" in (folder / "history.csv").read_text()  # the rest of the note stays
    assert cli(ws, "attend", "spring", "3", "--present", "p04").stderr == (
        "no one on the roster of spring matches 'p04'\n"
    )
    assert cli(ws, "roster", "spring", "add", "Bronwen Ap Tudwal").stdout == (
        "Added p05 Bronwen Ap Tudwal\n"
    )


ZOOM = """\
Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,IPS week 1,03/03/2027 18:25,03/03/2027 21:02,host@example.org,157,5

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Alex Morgan (Host),host@example.org,03/03/2027 18:25,03/03/2027 21:02,157,No
Siân Hughes (she/her),,03/03/2027 18:29,03/03/2027 19:40,71,Yes
Siân Hughes (she/her),,03/03/2027 19:44,03/03/2027 21:00,76,Yes
tomasz wisniewski,,03/03/2027 18:31,03/03/2027 19:10,39,Yes
Amara's iPhone,,03/03/2027 18:30,03/03/2027 21:00,150,Yes
,amara@example.org,03/03/2027 18:35,03/03/2027 20:59,144,Yes
"""


def test_attend_from_a_zoom_report(ws, tmp_path):
    make_cohort(ws, people=("Siân Hughes", "Tomasz Wiśniewski", "Sam Patel"))
    cli(ws, "roster", "spring", "add", "Amara Okafor", "--email", "amara@example.org")
    (tmp_path / "zoom.csv").write_text(
        ZOOM.replace(
            ",amara@example.org,03/03/2027 18:35,03/03/2027 20:59,144",
            "Amara O,amara@example.org,03/03/2027 18:35,03/03/2027 20:59,144",
        )
    )
    result = cli(ws, "attend", "spring", "1", "--import", str(tmp_path / "zoom.csv"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("present means at least 101 minutes (--min-minutes to change)")
    assert lines[2:] == [
        "host: Alex Morgan (Host), 157 min",
        'p01 Siân Hughes ← "Siân Hughes (she/her)": 147 min, present (match 1.00)',
        'p02 Tomasz Wiśniewski ← "tomasz wisniewski": 39 min, absent, under the threshold'
        " (match 1.00)",
        'p04 Amara Okafor ← "Amara O": 144 min, present (match 1.00)',
        "Not matched to anyone on the roster; if they are, mark them with:",
        '  line 9 "Amara\'s iPhone": 150 min, present (perhaps p04 Amara Okafor, match 0.56):'
        " ipskit attend spring 1 --present p04",
        "p03 Sam Patel: not in the report, not marked",
        "Marked 2 present, 0 late, 1 absent; 1 not matched",
    ]
    grid = json.loads(cli(ws, "attendance", "spring", "--json").stdout)
    marks = {p["id"]: p["marks"]["1"] for p in grid["participants"]}
    assert marks == {"p01": "present", "p02": "absent", "p03": None, "p04": "present"}
    # A lower threshold does not overwrite the absence now recorded: it says how to.
    result = cli(ws, "attend", "spring", "1", "--import", str(tmp_path / "zoom.csv"),
                 "--min-minutes", "30")  # fmt: skip
    today = date.today()
    assert (
        'p02 Tomasz Wiśniewski ← "tomasz wisniewski": 39 min, present (match 1.00);'
        f" absent recorded {today.day} {today:%b}, kept"
        " (to change it: ipskit attend spring 1 --present p02)\n"
    ) in result.stdout
    assert (
        'p01 Siân Hughes ← "Siân Hughes (she/her)": 147 min, present (match 1.00),'
        " already recorded\n" in result.stdout
    )
    assert result.stdout.endswith("Marked 0 present, 0 late, 0 absent; 1 kept as recorded;"
                                  " 1 not matched\n")  # fmt: skip


def test_attend_from_a_teams_report(ws, tmp_path):
    make_cohort(ws, people=("Siân Hughes", "Zoë Adams"))
    report = (
        "1. Summary\n"
        "Meeting title\tIPS week 2\n"
        "\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
        "Sian Hughes\t3/10/27, 6:29:51 PM\t3/10/27, 9:00:02 PM\t2h 30m 11s\t\t\tAttendee\n"
        "Zoe Adams (External)\t3/10/27, 6:40:00 PM\t3/10/27, 8:00:00 PM\t1h 20m\t\t\tAttendee\n"
    )
    (tmp_path / "teams.csv").write_bytes(report.encode("utf-16"))
    result = cli(ws, "attend", "spring", "2", "--import", str(tmp_path / "teams.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        'p01 Siân Hughes ← "Sian Hughes": 150.2 min, present (match 1.00)',
        'p02 Zoë Adams ← "Zoe Adams (External)": 80 min, absent, under the threshold (match 1.00)',
        "Marked 1 present, 0 late, 1 absent",
    ]


def test_a_report_that_is_not_one(ws, tmp_path):
    make_cohort(ws)
    (tmp_path / "x.csv").write_text("Name,Phone\nSiân,0123\n")
    result = cli(ws, "attend", "spring", "1", "--import", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path / 'x.csv'}:1: not a Zoom or Teams attendance report"
        " (no column with names and durations)\n"
    )
