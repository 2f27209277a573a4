"""A ten-week course for nine people, week by week, as a careful coordinator runs it.

Everything goes through the command line, in the order a real term brings it: sign-ups
from a form that a spreadsheet had already garbled, apologies given weeks ahead, a
rename, a certificate name, a roster saved back by a UK Excel, two online evenings from
Zoom and Teams with device names, the host, the trainers, a late joiner and a short
stay, a follow-up plan changed, and the Four Tasks presentations. At the end every mark,
name and figure is what a careful person would have recorded.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from helpers import run, weekday_on_or_after
from ipskit.cohorts.cohort import open_cohort

SIGNUPS = (
    "Timestamp,Full name,Email address,Pronouns\r\n"
    "03/08/2026 10:01,Siân Hughes,sian@example.org,she/her\r\n"
    "03/08/2026 10:05,Gwenllïan Prydderch,gwen@example.org,she/her\r\n"
    "03/08/2026 11:15,Tomasz Wiśniewski,,he/him\r\n"
    "04/08/2026 09:00,Amara Okafor,amara@example.org,\r\n"
    "04/08/2026 09:30,Ma?gorzata Wójcik,gosia@example.org,\r\n"  # Excel lost the "ł"
    "05/08/2026 20:12,Sam Patel,,they/them\r\n"
    "05/08/2026 21:40,Zoë Adams,zoe@example.org,\r\n"
    "06/08/2026 08:02,José Ramírez,,he/him\r\n"
    "06/08/2026 12:30,Kwame Mensah,kwame@example.org,\r\n"
)

NAMES = {
    "p01": "Siân Hughes", "p02": "Gwenllïan Prydderch", "p03": "Tomasz Wiśniewski",
    "p04": "Amara Okafor", "p05": "Małgorzata Wójcik", "p06": "Sam Patel",
    "p07": "Zoë Adams", "p08": "José Ramírez", "p09": "Kwame Mensah",
}  # fmt: skip


def cli(ws, *args: str) -> str:
    result = run("-w", str(ws), *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def day(ws, session: int) -> date:
    return open_cohort(ws / "cohorts", "spring").meeting(str(session)).date


def zoom_report(ws, tmp_path, session: int):
    """Zoom's participants export: the host's account, a co-host trainer, devices, renames."""
    d = f"{day(ws, session):%m/%d/%Y}"
    rows = [
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
        f"812 3456 7890,IPS week 5,{d} 06:25:10 PM,{d} 09:02:00 PM,office@riverside.example,"
        "157,12",
        "",
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,"
        "In Waiting Room",
        f"Riverside Office,office@riverside.example,{d} 06:25:10 PM,{d} 09:02:00 PM,157,No,No",
        f"Alex Morgan (Co-host),,{d} 06:26:00 PM,{d} 09:02:00 PM,156,Yes,No",
        f"Jo Reid,,{d} 06:28:00 PM,{d} 09:00:00 PM,152,Yes,No",
        f"Gwen’s iPad (Gwenllïan Prydderch),,{d} 06:29:30 PM,{d} 09:01:30 PM,152,Yes,No",
        f"Siân H (Siân Hughes),,{d} 06:46:00 PM,{d} 09:00:00 PM,134,Yes,No",
        f"Tomasz Wiśniewski,,{d} 06:30:00 PM,{d} 07:10:00 PM,40,Yes,No",
        f"Amara Okafor,,{d} 06:29:00 PM,{d} 09:00:00 PM,151,Yes,No",
        f"Gosia (Małgorzata Wójcik),,{d} 06:32:00 PM,{d} 09:02:00 PM,150,Yes,No",
        f"Sam Patel,,{d} 06:30:00 PM,{d} 09:00:00 PM,150,Yes,No",
        f"Zoë Adams,,{d} 06:30:00 PM,{d} 09:00:00 PM,150,Yes,No",
        f"José Ramírez,,{d} 06:30:00 PM,{d} 09:00:00 PM,150,Yes,No",
        f"Kwame's phone,,{d} 06:31:00 PM,{d} 09:00:00 PM,149,Yes,No",
    ]
    path = tmp_path / "participants_81234567890.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8-sig"))
    return path


def teams_report(ws, tmp_path, session: int):
    """Teams' attendance report: UTF-16, tabs, the organiser, a guest, day-first dates."""
    d = day(ws, session)
    d = f"{d.day}/{d.month}/{d:%y}"
    text = (
        "1. Summary\n"
        "Meeting title\tIPS week 6\n"
        "Attended participants\t10\n"
        "\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
        f"Riverside Office\t{d}, 6:20:02 PM\t{d}, 9:01:00 PM\t2h 40m 58s\t"
        "office@riverside.example\toffice@riverside.example\tOrganizer\n"
        f"Jo Reid (External)\t{d}, 6:28:00 PM\t{d}, 9:00:00 PM\t2h 32m\t\t\tPresenter\n"
        f"Sian Hughes\t{d}, 6:29:51 PM\t{d}, 9:00:02 PM\t2h 30m 11s\t\t\tAttendee\n"
        f"Gwenllian Prydderch\t{d}, 6:29:00 PM\t{d}, 9:00:00 PM\t2h 31m\t\t\tAttendee\n"
        f"Tomasz Wisniewski (Guest)\t{d}, 6:30:00 PM\t{d}, 9:00:00 PM\t2h 30m\t\t\tAttendee\n"
        f"Amara Okafor\t{d}, 6:29:00 PM\t{d}, 9:00:00 PM\t2h 31m\t\t\tAttendee\n"
        f"Malgorzata Wojcik\t{d}, 6:30:00 PM\t{d}, 9:00:00 PM\t2h 30m\t\t\tAttendee\n"
        f"Zoe Adams\t{d}, 6:30:00 PM\t{d}, 7:20:00 PM\t50m\t\t\tAttendee\n"
        f"Jose Ramirez\t{d}, 6:47:00 PM\t{d}, 9:00:00 PM\t2h 13m\t\t\tAttendee\n"
        f"Kwame Mensah\t{d}, 6:30:00 PM\t{d}, 9:00:00 PM\t2h 30m\t\t\tAttendee\n"
    )
    path = tmp_path / "teams.csv"
    path.write_bytes(text.encode("utf-16"))
    return path


def excel_saves(path) -> None:
    """What a UK Excel does to a CSV saved as plain "CSV": day-first dates, CRLF, cp1252.

    Letters Windows-1252 cannot hold ("ł", "ś") come back as "?".
    """
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(\d{4})-(\d{2})-(\d{2})", lambda m: f"{m[3]}/{m[2]}/{m[1]}", text)
    path.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n")
                     .encode("cp1252", errors="replace"))  # fmt: skip


def test_a_ten_week_term(ws, tmp_path):
    start = weekday_on_or_after(date.today() - timedelta(days=84), 1)
    cli(ws, "new-cohort", "spring", "--curriculum", "ips-10-week", "--start", start.isoformat(),
        "--time", "18:30", "--trainer", "Alex Morgan", "--trainer", "Jo Reid")  # fmt: skip
    folder = ws / "cohorts" / "spring"

    # Sign-ups from a form: the dry run lists everyone and flags the garbled name.
    signups = tmp_path / "signups.csv"
    signups.write_bytes(SIGNUPS.encode("utf-8-sig"))
    flagged = (
        '  line 6: "Ma?gorzata Wójcik" looks garbled (a "?" where a letter was): check the'
        ' name, then fix it with ipskit roster spring edit p05 --name "..."'
    )
    dry = cli(ws, "roster", "spring", "import", str(signups), "--dry-run")
    assert dry.splitlines()[0] == "Would add 9 participants:"
    assert dry.splitlines()[-1] == flagged
    assert "  p05 Ma?gorzata Wójcik" in dry.splitlines()
    assert not (folder / "roster.csv").exists() or "p01" not in (folder / "roster.csv").read_text()
    done = cli(ws, "roster", "spring", "import", str(signups))
    assert done.splitlines()[-1] == flagged
    assert cli(ws, "roster", "spring", "edit", "p05", "--name", "Małgorzata Wójcik") == (
        "p05 Małgorzata Wójcik: name changed (was Ma?gorzata Wójcik)\n"
    )

    # Week 1: Małgorzata says she will miss week 4; Sam will miss week 8.
    cli(ws, "attend", "spring", "4", "--excused", "malgorzata")
    cli(ws, "attend", "spring", "8", "--excused", "sam")
    cli(ws, "attend", "spring", "1", "--all-present")
    cli(ws, "attend", "spring", "2", "--all-present", "--absent", "sam")
    cli(ws, "attend", "spring", "3", "--all-present", "--late", "tomasz")
    # The night of week 4: everyone else was there, and her apologies stand.
    week4 = cli(ws, "attend", "spring", "4", "--all-present")
    assert week4.splitlines()[0].startswith("p05 Małgorzata Wójcik: apologies recorded ")
    assert week4.splitlines()[0].endswith(", kept")
    assert "8 present, 0 late, 0 absent, 1 apologies" in week4

    # A certificate name and a new email, without opening a file.
    cli(ws, "roster", "spring", "edit", "gwen", "--certificate-name", "Gwenllïan M. Prydderch")
    cli(ws, "roster", "spring", "edit", "p09", "--email", "kwame.mensah@example.org")

    # The roster goes through a UK Excel and back; check finds the letters it lost.
    excel_saves(folder / "roster.csv")
    listed = json.loads(cli(ws, "roster", "spring", "list", "--json"))
    assert [p["name"] for p in listed][1:3] == ["Gwenllïan Prydderch", "Tomasz Wi?niewski"]
    problems = run("-w", str(ws), "check")
    assert problems.exit_code == 1
    assert problems.stdout.splitlines()[:2] == [
        f"{folder / 'roster.csv'}:{line}: name: a spreadsheet lost letters of it (a ? or odd"
        " characters where a letter was): write it again with ipskit roster spring edit"
        f" {pid} --name 'NAME'"
        for line, pid in ((4, "p03"), (6, "p05"))
    ]
    cli(ws, "roster", "spring", "edit", "p03", "--name", "Tomasz Wiśniewski")
    cli(ws, "roster", "spring", "edit", "p05", "--name", "Małgorzata Wójcik")
    assert run("-w", str(ws), "check").stdout == f"No problems found in {ws}\n"
    saved = (folder / "roster.csv").read_bytes()
    assert saved.decode("utf-8").count(f",{date.today().isoformat()},") == 9  # ISO again

    # Week 5 on Zoom: devices, a rename, the host and trainers; one late, one short stay.
    zoom = cli(ws, "attend", "spring", "5", "--import", str(zoom_report(ws, tmp_path, 5)),
               "--min-minutes", "100")  # fmt: skip
    assert zoom.splitlines()[2:5] == [
        "host: Riverside Office, 157 min",
        "host/trainer: Alex Morgan (Co-host), 156 min",
        "trainer: Jo Reid, 152 min",
    ]
    assert ('p02 Gwenllïan Prydderch ← "Gwen’s iPad (Gwenllïan Prydderch)": 152 min, present'
            " (match 1.00)") in zoom.splitlines()  # fmt: skip
    assert ('p01 Siân Hughes ← "Siân H (Siân Hughes)": 134 min, late, joined 18:46, 16 min'
            " after the start (match 1.00)") in zoom.splitlines()  # fmt: skip
    assert ('  line 16 "Kwame\'s phone": 149 min, present (perhaps p09 Kwame Mensah, match'
            " 0.58): ipskit attend spring 5 --present p09") in zoom.splitlines()  # fmt: skip
    cli(ws, "attend", "spring", "5", "--present", "p09")  # the command it gave

    # Week 6 on Teams: the organiser and a trainer as guest; one late, one short stay.
    teams = cli(ws, "attend", "spring", "6", "--import", str(teams_report(ws, tmp_path, 6)),
                "--min-minutes", "100")  # fmt: skip
    assert "host: Riverside Office, 161 min" in teams.splitlines()
    assert "trainer: Jo Reid (External), 152 min" in teams.splitlines()
    assert "Not matched" not in teams
    cli(ws, "attend", "spring", "6", "--absent", "sam", "--note", "did not join")

    cli(ws, "attend", "spring", "7", "--all-present")
    week8 = cli(ws, "attend", "spring", "8", "--all-present", "--absent", "zoe")
    assert any(line.startswith("p06 Sam Patel: apologies recorded ") and line.endswith(", kept")
               for line in week8.splitlines())  # fmt: skip
    cli(ws, "attend", "spring", "9", "--all-present", "--absent", "sam")
    cli(ws, "attend", "spring", "10", "--all-present", "--late", "kwame")
    # A mark corrected after the night, by naming the person: the history keeps both.
    assert cli(ws, "attend", "spring", "3", "--present", "tomasz").splitlines()[0] == (
        "p03 Tomasz Wiśniewski: late → present"
    )

    # The follow-up plan gains a point; the Four Tasks presentations, several at once.
    cli(ws, "followup", "plan", "spring", "--add", "6m")
    plan = json.loads(cli(ws, "followup", "plan", "spring", "--json"))
    assert [p["at"] for p in plan["points"]] == ["3m", "6m", "12m"]
    presented = day(ws, 10).isoformat()
    cli(ws, "assessment", "spring", "p01,p02,p03,p04,p05,p07,p08,p09", "--passed", "--date",
        presented)  # fmt: skip
    future = (date.today() + timedelta(days=1)).isoformat()
    refused = run("-w", str(ws), "assessment", "spring", "sam", "--passed", "--date", future)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"the assessment date {future} is later than today ({date.today().isoformat()}):"
        " give the day it took place\n"
    )

    # What a careful person would have recorded.
    grid = json.loads(cli(ws, "attendance", "spring", "--json"))
    marks = {p["id"]: [p["marks"][str(n)] for n in range(1, 11)] for p in grid["participants"]}
    P, L, A, E = "present", "late", "absent", "excused"  # noqa: N806
    assert marks == {
        "p01": [P, P, P, P, L, P, P, P, P, P],
        "p02": [P, P, P, P, P, P, P, P, P, P],
        "p03": [P, P, P, P, A, P, P, P, P, P],
        "p04": [P, P, P, P, P, P, P, P, P, P],
        "p05": [P, P, P, E, P, P, P, P, P, P],
        "p06": [P, A, P, P, P, A, P, E, A, P],
        "p07": [P, P, P, P, P, A, P, A, P, P],
        "p08": [P, P, P, P, P, L, P, P, P, P],
        "p09": [P, P, P, P, P, P, P, P, P, L],
    }
    names = {p["id"]: p["name"] for p in json.loads(cli(ws, "roster", "spring", "list", "--json"))}
    assert names == NAMES
    roster = {p["id"]: p for p in json.loads(cli(ws, "roster", "spring", "list", "--json"))}
    assert roster["p02"]["certificate_name"] == "Gwenllïan M. Prydderch"
    assert roster["p09"]["email"] == "kwame.mensah@example.org"
    states = {p["id"]: p["state"] for p in grid["participants"]}
    # Sam came to 6 of 10 evenings, where 8 are needed; everyone else came to 8 or more.
    assert states == {pid: "complete" for pid in NAMES if pid != "p06"} | {
        "p06": "cannot complete"
    }
    # The history holds both sides of every change, and ids only.
    history = (folder / "history.csv").read_text(encoding="utf-8")
    assert "late,present" in history
    for name in NAMES.values():
        assert name.split()[0] not in history
