"""Records two computers changed differently: the first way stands, check settles them.

A merge of two trainers' copies keeps both rows of a key changed two ways, one after the
other. The files here are written that way by hand: a cohort made with the helpers, then
the other computer's row put after the one it clashes with.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run


@pytest.fixture
def ws(tmp_path):
    root = make_workspace(tmp_path).resolve()
    make_cohort(root)
    assert cli(root, "attend", "spring", "3", "--all-present").exit_code == 0
    return root


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def folder(ws: Path, cohort: str = "spring") -> Path:
    return ws / "cohorts" / cohort


def beside(path: Path, start: str, *rows: str) -> None:
    """Put rows right after the one that starts with ``start``, as the merge writes them."""
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    at = next(n for n, line in enumerate(lines) if line.startswith(start))
    lines[at + 1 : at + 1] = list(rows)
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def rows(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").splitlines()


def history(ws: Path, cohort: str = "spring") -> list[dict[str, str]]:
    with open(folder(ws, cohort) / "history.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def settled(ws: Path, cohort: str = "spring") -> list[tuple[str, ...]]:
    return [(r["session"], r["participant"], r["before"], r["after"])
            for r in history(ws, cohort) if r["action"] == "settled"]  # fmt: skip


def checked(ws: Path, *lines: str) -> None:
    """``ipskit check`` lists exactly these problems, and exits as it does for problems."""
    result = cli(ws, "check")
    count = f"{len(lines)} problem{'' if len(lines) == 1 else 's'}"
    assert result.stdout == "".join(f"{line}\n" for line in lines) + f"{count} found in {ws}\n"
    assert result.exit_code == 1


def clean(ws: Path) -> None:
    result = cli(ws, "check")
    assert result.stdout == f"No problems found in {ws}\n", result.stdout
    assert result.exit_code == 0


MARK_CLASH = (
    "session 3 for p01 was recorded two ways (present, absent); present stands: to keep it,"
    " ipskit attend spring 3 --present p01; for the other, ipskit attend spring 3 --absent p01"
)


@pytest.fixture
def marked_two_ways(ws) -> Path:
    path = folder(ws) / "attendance.csv"
    beside(path, "3,p01,", "3,p01,absent,,")
    return path


# --- every command works, on the way that stands ------------------------------------------


def test_everyday_commands_use_the_mark_that_stands_once(ws, marked_two_ways):
    status = cli(ws, "status", "spring", "--format", "json")
    assert status.exit_code == 0, status.output
    marks = json.loads(status.stdout)["sessions"][2]["marks"]
    assert (marks["present"], marks["absent"]) == (4, 0)
    grid = cli(ws, "attendance", "spring", "--format", "json")
    assert grid.exit_code == 0, grid.output
    people = {p["id"]: p for p in json.loads(grid.stdout)["participants"]}
    assert people["p01"]["marks"]["3"] == "present"
    assert people["p01"]["attended"] == 1
    report = json.loads(cli(ws, "report", "--format", "json").stdout)["courses"][0]
    assert (report["started"], report["participant_hours"]) == (4, 9.0)
    listed = cli(ws, "cohorts")
    assert listed.exit_code == 0, listed.output
    assert "100%" in listed.stdout


def test_status_and_the_grid_print_as_without_the_clash(ws, marked_two_ways):
    with_clash = [cli(ws, *args).stdout for args in (["status", "spring"],
                                                     ["attendance", "spring"])]  # fmt: skip
    path = marked_two_ways
    path.write_bytes(path.read_bytes().replace(b"3,p01,absent,,\r\n", b""))
    assert with_clash == [cli(ws, *args).stdout for args in (["status", "spring"],
                                                            ["attendance", "spring"])]  # fmt: skip


def test_a_row_written_twice_the_same_counts_once_and_is_no_clash(ws):
    path = folder(ws) / "attendance.csv"
    beside(path, "3,p01,", "3,p01,present,,")
    grid = json.loads(cli(ws, "attendance", "spring", "--format", "json").stdout)
    assert grid["participants"][0]["attended"] == 1
    clean(ws)


# --- check, and settling -------------------------------------------------------------------


def test_check_lists_the_clash_with_the_commands_that_settle_it(ws, marked_two_ways):
    checked(ws, f"{marked_two_ways}:3: {MARK_CLASH}")
    result = cli(ws, "check", "--format", "json")
    assert json.loads(result.stdout)["problems"] == [
        {"kind": "clash", "path": str(marked_two_ways), "line": 3, "column": None,
         "message": MARK_CLASH}
    ]  # fmt: skip
    assert result.exit_code == 1


def test_marking_the_mark_that_stands_again_settles_it(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--present", "p01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "p01 Siân Hughes: present, kept (the other computer's absent is dropped)"
    )
    assert result.stdout.splitlines()[-1] == "1 change recorded."
    assert [r for r in rows(marked_two_ways) if r.startswith("3,p01,")] == ["3,p01,present,,"]
    assert settled(ws) == [("week-3", "p01", "present or absent", "present")]
    clean(ws)


def test_marking_the_other_way_settles_it_too(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--absent", "p01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "p01 Siân Hughes: absent, kept (the other computer's present is dropped)"
    )
    assert [r for r in rows(marked_two_ways) if r.startswith("3,p01,")] == ["3,p01,absent,,"]
    last = history(ws)[-2:]
    assert [(r["action"], r["session"], r["participant"], r["before"], r["after"])
            for r in last] == [("settled", "week-3", "p01", "present or absent", "absent"),
                               ("marked", "week-3", "p01", "present", "absent")]  # fmt: skip
    clean(ws)


def test_a_third_mark_settles_it_and_says_both_ways(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--late", "p01")
    assert result.stdout.splitlines()[0] == (
        "p01 Siân Hughes: present or absent (recorded on two computers) → late"
    )
    assert settled(ws) == [("week-3", "p01", "present or absent", "late")]
    clean(ws)


def test_marking_again_without_a_clash_still_changes_nothing(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--present", "p02")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "p02 Tomasz Wiśniewski: already present"
    assert result.stdout.splitlines()[-1] == "0 changes recorded."


def test_a_later_change_keeps_the_clash_as_it_is(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "5", "--all-present")
    assert result.exit_code == 0, result.output
    assert rows(marked_two_ways)[:3] == [
        "session,participant,status,made_up,note",
        "3,p01,present,,",
        "3,p01,absent,,",
    ]
    assert "5,p01,present,," in rows(marked_two_ways)
    assert settled(ws) == []
    checked(ws, f"{marked_two_ways}:3: {MARK_CLASH}")


def test_all_present_keeps_the_mark_recorded_two_ways(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--all-present")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "0 changes recorded."
    checked(ws, f"{marked_two_ways}:3: {MARK_CLASH}")


def test_attend_json_says_settled_and_the_other_ways(ws, marked_two_ways):
    result = cli(ws, "attend", "spring", "3", "--present", "p01", "--json")
    person = json.loads(result.stdout)["people"][0]
    assert person["outcome"] == "settled"
    assert person["others"] == [{"status": "absent", "made_up": False, "note": ""}]


# --- the roster ----------------------------------------------------------------------------


def test_a_name_edited_two_ways(ws):
    path = folder(ws) / "roster.csv"
    added = date.today().isoformat()
    beside(path, "p04,", f"p04,Samuel Patel,,sam@example.org,,active,{added},,")
    listed = cli(ws, "roster", "spring", "list", "--format", "json")
    assert [p["name"] for p in json.loads(listed.stdout)] == [
        "Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel"
    ]  # fmt: skip
    checked(ws, f"{path}:6: p04 was recorded two ways: name (Sam Patel, Samuel Patel), email"
                " (none, sam@example.org); the first stands: to keep it, ipskit roster spring"
                " edit p04 --name 'Sam Patel' --email ''; for the other, ipskit roster spring"
                " edit p04 --name 'Samuel Patel' --email sam@example.org")  # fmt: skip
    result = cli(ws, "roster", "spring", "edit", "p04", "--name", "Samuel Patel", "--email",
                 "sam@example.org")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "p04 Samuel Patel: name changed (was Sam Patel)",
        "p04 Samuel Patel: email set to sam@example.org",
        "p04 Samuel Patel: kept as the other computer had it (name Sam Patel, email (none),"
        " as it stood, is dropped)",
    ]
    assert [r for r in rows(path) if r.startswith("p04,")] == [
        f"p04,Samuel Patel,,sam@example.org,,active,{added},,"
    ]
    assert settled(ws) == [("", "p04", "2 ways (name, email)", "way 2 kept")]
    text = (folder(ws) / "history.csv").read_text(encoding="utf-8")
    assert "Sam" not in text and "sam@" not in text
    clean(ws)


def test_two_people_given_one_id_on_two_computers_are_not_merged_by_an_edit(ws):
    """Each laptop gives a walk-in the next free id: check says how to keep both people."""
    path = folder(ws) / "roster.csv"
    added = date.today().isoformat()
    beside(path, "p04,", f"p04,Jo Rivers,,,,active,{added},,")
    checked(ws, f"{path}:6: p04 was recorded two ways: name (Sam Patel, Jo Rivers); the first"
                " stands: to keep it, ipskit roster spring edit p04 --name 'Sam Patel'; for the"
                " other, ipskit roster spring edit p04 --name 'Jo Rivers'; if these are two"
                " people, each added on one computer, keep the first and add the other again"
                " (ipskit roster spring add 'Jo Rivers'), then record again what the other"
                " computer recorded for them")  # fmt: skip


def test_the_name_given_again_keeps_it(ws):
    path = folder(ws) / "roster.csv"
    added = date.today().isoformat()
    beside(path, "p04,", f"p04,Samuel Patel,,,,active,{added},,")
    result = cli(ws, "roster", "spring", "edit", "p04", "--name", "Sam Patel")
    assert result.stdout == (
        "p04 Sam Patel: kept as it stands (the other computer's name Samuel Patel is dropped)\n"
    )
    assert settled(ws) == [("", "p04", "2 ways (name)", "way 1 kept")]
    # Without a clash, the same is still nothing to change.
    again = cli(ws, "roster", "spring", "edit", "p04", "--name", "Sam Patel")
    assert again.stdout == "p04 Sam Patel: already as given; nothing changed\n"
    clean(ws)


def test_withdrawn_on_one_computer(ws):
    path = folder(ws) / "roster.csv"
    added = date.today().isoformat()
    beside(path, "p02,", f"p02,Tomasz Wiśniewski,,,,withdrawn,{added},2027-01-05,")
    checked(ws, f"{path}:4: p02 was recorded two ways: status (active, withdrawn 2027-01-05);"
                " the first stands: to keep it, ipskit roster spring edit p02 --name"
                " 'Tomasz Wiśniewski'; for the other, ipskit roster spring withdraw p02 --date"
                " 2027-01-05")  # fmt: skip
    result = cli(ws, "roster", "spring", "withdraw", "p02", "--date", "2027-01-05")
    assert result.stdout.splitlines() == [
        "p02 Tomasz Wiśniewski has withdrawn (2027-01-05)",
        "p02 Tomasz Wiśniewski: kept as the other computer had it (status active, as it"
        " stood, is dropped)",
    ]
    clean(ws)


def test_erased_on_one_computer_is_finished_by_forget(ws):
    path = folder(ws) / "roster.csv"
    added = date.today().isoformat()
    beside(path, "p03,", f"p03,,,,,erased,{added},{added},")
    rows_before = rows(path)
    # The erased row was written first by the merge: the name still stands, for forget.
    path.write_bytes("\r\n".join([rows_before[0], rows_before[1], rows_before[2],
                                  rows_before[4], rows_before[3], *rows_before[5:]])
                     .encode("utf-8"))  # fmt: skip
    checked(ws, f"{path}:4: p03 was erased on one computer and not on the other: finish the"
                " erasure with ipskit forget spring p03 --yes")  # fmt: skip
    result = cli(ws, "forget", "spring", "p03", "--yes")
    assert result.exit_code == 0, result.output
    assert "Amara" not in path.read_text(encoding="utf-8")
    assert [r for r in rows(path) if r.startswith("p03,")] == [
        f"p03,,,,,erased,{added},{date.today().isoformat()},"
    ]
    clean(ws)


def test_forget_scrubs_the_notes_of_the_other_ways(ws):
    path = folder(ws) / "attendance.csv"
    beside(path, "3,p01,", "3,p01,absent,,came with Tomasz")
    assert cli(ws, "forget", "spring", "p02", "--yes").exit_code == 0
    assert "Tomasz" not in path.read_text(encoding="utf-8")
    assert [r for r in rows(path) if r.startswith("3,p01,")] == [
        "3,p01,present,,",
        "3,p01,absent,,came with [erased]",
    ]


# --- the other record files ----------------------------------------------------------------


def test_an_assessment_recorded_two_ways(ws):
    assert cli(ws, "assessment", "spring", "p01", "--passed", "--date", "2025-03-12").exit_code == 0
    path = folder(ws) / "assessments.csv"
    beside(path, "p01,", "p01,not-yet,2025-03-10,")
    checked(ws, f"{path}:3: the final assessment of p01 was recorded two ways (passed on"
                " 2025-03-12, not-yet on 2025-03-10); passed on 2025-03-12 stands: to keep it,"
                " ipskit assessment spring p01 --passed --date 2025-03-12; for the other,"
                " ipskit assessment spring p01 --not-yet --date 2025-03-10")  # fmt: skip
    result = cli(ws, "assessment", "spring", "p01", "--passed", "--date", "2025-03-12")
    assert result.stdout == ("p01 Siân Hughes: Four Tasks presentation passed, kept (the other"
                             " computer's not yet passed is dropped)\n")  # fmt: skip
    assert rows(path)[1:] == ["p01,passed,2025-03-12,"]
    assert settled(ws) == [("", "p01", "passed 2025-03-12 or not-yet 2025-03-10",
                            "passed 2025-03-12")]  # fmt: skip
    clean(ws)


def test_a_follow_up_answer_recorded_two_ways(ws):
    answer = ("followup", "record", "spring", "p01", "--at", "3m", "--date", "2025-06-20")
    assert cli(ws, *answer, "--using-skills", "yes", "--trained-others", "2").exit_code == 0
    path = folder(ws) / "followups.csv"
    beside(path, "3m,p01,", "3m,p01,2025-06-20,no,0,")
    status = json.loads(cli(ws, "status", "spring", "--format", "json").stdout)
    assert status["followups"][0]["answered"] == 1
    checked(ws, f"{path}:3: the 3m follow-up answer of p01 was recorded two ways (using the"
                " skills and trained 2, not using the skills and trained 0); using the skills"
                " and trained 2 stands: to keep it, ipskit followup record spring p01 --at 3m"
                " --using-skills yes --trained-others 2 --date 2025-06-20; for the other,"
                " ipskit followup record spring p01 --at 3m --using-skills no --trained-others 0"
                " --date 2025-06-20")  # fmt: skip
    result = cli(ws, *answer, "--using-skills", "no", "--trained-others", "0")
    assert result.stdout.splitlines() == [
        "Recorded p01 at 3m (spring): not using the skills, trained 0 people.",
        "p01 at 3m: not using the skills, trained 0, kept (the other computer's using the"
        " skills, trained 2 is dropped)",
    ]
    assert rows(path)[1:] == ["3m,p01,2025-06-20,no,0,"]
    clean(ws)


def test_a_rating_recorded_two_ways(ws):
    rate = ("ratings", "record", "spring", "p01", "--stage", "before", "--date", "2025-01-08")
    assert cli(ws, *rate, "connection=3", "mutuality=4").exit_code == 0
    path = folder(ws) / "ratings.csv"
    beside(path, "before,p01,connection,", "before,p01,connection,4,2025-01-08")
    checked(ws, f"{path}:3: the rating of connection by p01 before the course was recorded two"
                " ways (3, 4); 3 stands: to keep it, ipskit ratings record spring p01"
                " connection=3 --stage before --date 2025-01-08; for the other, ipskit ratings"
                " record spring p01 connection=4 --stage before --date 2025-01-08")  # fmt: skip
    result = cli(ws, *rate, "connection=5")
    assert result.stdout.splitlines()[1] == (
        "p01, connection before: 3 or 4 (recorded on two computers) → 5"
    )
    assert settled(ws) == [("before", "p01", "connection 3 or connection 4", "connection 5")]
    clean(ws)


def test_a_signature_recorded_two_ways(ws):
    make_cohort(ws, "cascade", "ips-2-day-cascade")
    assert (
        cli(ws, "agreements", "cascade", "--signed", "p01", "--date", "2025-01-10").exit_code == 0
    )
    path = folder(ws, "cascade") / "agreements.csv"
    beside(path, "p01,", "p01,2025-01-12")
    checked(ws, f"{path}:3: the signature of p01 was recorded two ways (signed 2025-01-10,"
                " signed 2025-01-12); signed 2025-01-10 stands: to keep it, ipskit agreements"
                " cascade --signed p01 --date 2025-01-10; for the other, ipskit agreements"
                " cascade --signed p01 --date 2025-01-12")  # fmt: skip
    listed = json.loads(cli(ws, "agreements", "cascade", "--list", "--json").stdout)
    assert listed["signed"] == 1
    result = cli(ws, "agreements", "cascade", "--signed", "p01", "--date", "2025-01-12")
    assert result.stdout.splitlines()[0] == (
        "p01 Siân Hughes: signed on Sun 12 Jan 2025, kept (the other computer's signed on"
        " Fri 10 Jan 2025 is dropped)"
    )
    assert rows(path)[1:] == ["p01,2025-01-12"]
    assert settled(ws, "cascade") == [("", "p01", "signed 2025-01-10 or signed 2025-01-12",
                                       "signed 2025-01-12")]  # fmt: skip
    clean(ws)


def test_an_evaluation_response_recorded_two_ways(ws):
    assert cli(ws, "evaluations", "spring", "add", "1=5", "2=4").exit_code == 0
    path = folder(ws) / "evaluations.csv"
    first = rows(path)[1].split(",")[1]
    beside(path, f"1,{first},", f"1,{first},2")
    checked(ws, f"{path}:3: response 1 was recorded two ways: {first} (5, 2); the first stands:"
                " to settle it, take the response out with ipskit evaluations spring remove 1,"
                " then add the form (or each form) again with ipskit evaluations spring add")  # fmt: skip
    listed = json.loads(cli(ws, "evaluations", "spring", "list", "--format", "json").stdout)
    assert listed["responses"] == 1
    result = cli(ws, "evaluations", "spring", "remove", "1")
    assert result.stdout.splitlines()[1] == (
        f"The other computer's ratings of it ({first}=2) are removed too."
    )
    assert rows(path) == ["response,question,rating"]
    clean(ws)


# --- a person certified on two computers ---------------------------------------------------


def register_row(code: str, pid: str, status: str = "issued", when: str = "2025-03-20",
                 reason: str = "") -> str:  # fmt: skip
    return (f"{code},{pid},Amara Okafor,Intentional Peer Support: ten-week course,22.5,"
            f"2025-03-20,{hashlib.sha256(code.encode()).hexdigest()},{status},{when},{reason}")  # fmt: skip


@pytest.fixture
def certified_twice(ws) -> Path:
    path = folder(ws) / "certificates.csv"
    path.write_bytes(
        ("code,participant,name_on_certificate,course,hours,issued,sha256,status,date,reason\r\n"
         + register_row("K7QM-4XTD", "p03") + "\r\n" + register_row("ABCD-EFGH", "p03")
         + "\r\n").encode("utf-8")
    )  # fmt: skip
    path.chmod(0o600)
    return path


def test_check_lists_two_certificates_for_one_person(ws, certified_twice):
    checked(ws, f"{certified_twice}:3: p03 has two certificates, K7QM-4XTD and ABCD-EFGH"
                " (issued on two computers): keep one with ipskit certificates keep K7QM-4XTD")  # fmt: skip


def test_keeping_one_supersedes_the_other(ws, certified_twice):
    result = cli(ws, "certificates", "keep", "k7qm 4xtd")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Kept certificate K7QM-4XTD (p03); ABCD-EFGH is now superseded by it\n"
    )
    today = date.today().isoformat()
    assert rows(certified_twice)[-1] == register_row("ABCD-EFGH", "p03", "superseded", today,
                                                     "replaced by K7QM-4XTD")  # fmt: skip
    other = cli(ws, "verify", "ABCD-EFGH")
    assert other.exit_code == 5
    assert other.stdout == (
        "superseded: certificate ABCD-EFGH, issued 2025-03-20 to p03 of cohort spring;"
        f" replaced by K7QM-4XTD on {today}\n"
    )
    assert cli(ws, "verify", "K7QM-4XTD").exit_code == 0
    clean(ws)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZ-ZZZZ", "no register in this workspace holds certificate ZZZZ-ZZZZ"),
        ("K7QM", "'K7QM' is not a certificate code such as K7QM-4XTD"),
        ("ABCD-EFGH", "certificate ABCD-EFGH was superseded on {today}, so it cannot be the"
                      " one kept: keep one of the certificates still valid"),
        ("K7QM-4XTD", "certificate K7QM-4XTD is the only valid certificate of p03 in cohort"
                      " spring: there is nothing to choose"),
    ],
)  # fmt: skip
def test_keep_refuses_in_one_line(ws, certified_twice, code, message):
    assert cli(ws, "certificates", "keep", "K7QM-4XTD").exit_code == 0
    before = certified_twice.read_bytes()
    result = cli(ws, "certificates", "keep", code)
    assert result.exit_code == 1
    assert result.stderr == message.format(today=date.today().isoformat()) + "\n"
    assert certified_twice.read_bytes() == before


def test_keep_refuses_a_revoked_certificate(ws, certified_twice):
    assert cli(ws, "certificates", "revoke", "ABCD-EFGH", "--reason", "in error").exit_code == 0
    result = cli(ws, "certificates", "keep", "ABCD-EFGH")
    assert result.exit_code == 1
    assert result.stderr == (
        f"certificate ABCD-EFGH was revoked on {date.today().isoformat()}, so it cannot be"
        " the one kept: keep one of the certificates still valid\n"
    )
    # Revoking the other one settled it: no one holds two certificates now.
    clean(ws)


def test_keep_takes_a_code(ws, certified_twice):
    result = cli(ws, "certificates", "keep")
    assert result.exit_code == 1
    assert result.stderr == (
        "keep takes a certificate's code: 'certificates keep CODE' (for a cohort named keep,"
        " 'certificates issue keep')\n"
    )
    assert "keep CODE" in " ".join(cli(ws, "certificates", "--help").stdout.split())
