"""Finished cohorts archived, mistaken ones deleted, and what the funder report counts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run

PAST = date.today() - timedelta(days=120)
REFUSED = "cohort spring is archived: ipskit cohorts unarchive spring to change it\n"


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, but the caches ipskit may refresh when it only reads."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith("-cache.json") and p.name != ".ipskit.lock"
    }


@pytest.fixture
def ws(tmp_path):
    """Two finished tasters: spring (two people, both came) and autumn (one, who came)."""
    ws = make_workspace(tmp_path)
    make_cohort(ws, "spring", "ips-taster", PAST, ("Siân Hughes", "Sam Patel"))
    make_cohort(ws, "autumn", "ips-taster", PAST + timedelta(days=7), ("Nia Jones",))
    for cohort in ("spring", "autumn"):
        assert cli(ws, "attend", cohort, "1", "--all-present").exit_code == 0
    return ws


def listed(ws: Path, *args: str) -> list[str]:
    result = cli(ws, "cohorts", *args, "--json")
    assert result.exit_code == 0, result.output
    return [c["id"] for c in json.loads(result.stdout)]


def test_an_archived_cohort_is_out_of_the_list_but_kept_and_shown_by_status(ws):
    before = snapshot(ws / "cohorts" / "spring")
    result = cli(ws, "cohorts", "archive", "spring")
    assert (result.exit_code, result.stdout) == (0,
        "Archived spring: kept, read-only, still counted in reports;"
        " 'ipskit cohorts unarchive spring' to change it again.\n")  # fmt: skip
    assert "archived: true" in (ws / "cohorts" / "spring" / "cohort.yaml").read_text()
    after = snapshot(ws / "cohorts" / "spring")
    assert {k: v for k, v in after.items() if k != "cohort.yaml"} == {
        k: v for k, v in before.items() if k != "cohort.yaml"
    }
    assert listed(ws) == ["autumn"]
    assert listed(ws, "--all") == ["autumn", "spring"]
    everything = json.loads(cli(ws, "cohorts", "--all", "--json").stdout)
    assert [c["archived"] for c in everything] == [False, True]
    table = cli(ws, "cohorts").stdout.splitlines()
    assert [line.split()[0] for line in table[1:-1]] == ["autumn"]
    assert table[-1] == "1 archived cohort not shown: list with --all."
    table = cli(ws, "cohorts", "--all").stdout.splitlines()
    assert table[2].startswith("spring (archived)  ips-taster")
    status = cli(ws, "status", "spring")
    assert status.exit_code == 0
    assert status.stdout.splitlines()[1] == (
        "Archived: read-only (ipskit cohorts unarchive spring to change it)"
    )
    assert json.loads(cli(ws, "status", "spring", "--json").stdout)["archived"] is True
    assert cli(ws, "attendance", "spring").exit_code == 0


def test_unarchive_brings_it_back(ws):
    assert cli(ws, "cohorts", "archive", "spring").exit_code == 0
    result = cli(ws, "cohorts", "unarchive", "spring")
    assert (result.exit_code, result.stdout) == (0, "Unarchived spring: it can be changed again.\n")
    assert "archived" not in (ws / "cohorts" / "spring" / "cohort.yaml").read_text()
    assert listed(ws) == ["autumn", "spring"]
    assert cli(ws, "roster", "spring", "add", "Amara Okafor").exit_code == 0


def test_only_archived_cohorts_left_says_how_to_list_them(ws):
    for cohort in ("spring", "autumn"):
        assert cli(ws, "cohorts", "archive", cohort).exit_code == 0
    assert cli(ws, "cohorts").stdout == "No cohorts in use: 2 archived cohorts (list with --all).\n"
    assert listed(ws) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["archive", "nope"], "no cohort 'nope'; there are: autumn, spring"),
        (["archive", "Spring!"],
         "'Spring!' cannot be a cohort id: use lower-case letters, digits and hyphens,"
         " e.g. spring-2027 (and no participant's name)"),
        (["archive", "autumn"], "cohort autumn is already archived"),
        (["unarchive", "spring"], "cohort spring is not archived: there is nothing to undo"),
        (["delete", "nope", "--yes"], "no cohort 'nope'; there are: autumn, spring"),
        (["delete", "autumn", "--yes"],
         "cohort autumn is archived: ipskit cohorts unarchive autumn to change it"),
    ],
)  # fmt: skip
def test_bad_archive_and_delete_change_nothing(ws, args, message):
    assert cli(ws, "cohorts", "archive", "autumn").exit_code == 0
    before = snapshot(ws / "cohorts")
    result = cli(ws, "cohorts", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message + "\n")
    assert snapshot(ws / "cohorts") == before


@pytest.mark.parametrize(
    "args",
    [
        ["followup", "plan", "spring", "--add", "6m"],
        ["attend", "spring", "1", "--absent", "Sam"],
        ["roster", "spring", "add", "Amara Okafor"],
        ["roster", "spring", "withdraw", "Sam"],
        ["certificates", "spring"],
        ["cascade", "add-trainer", "spring", "Jo Evans"],
    ],
    ids=" ".join,
)
def test_an_archived_cohort_refuses_every_change(ws, args):
    assert cli(ws, "cohorts", "archive", "spring").exit_code == 0
    before = snapshot(ws / "cohorts" / "spring")
    result = cli(ws, *args)
    assert (result.exit_code, result.stderr) == (1, REFUSED)
    assert snapshot(ws / "cohorts" / "spring") == before
    assert not (ws / "out" / "spring" / "certificates").exists()


def test_delete_asks_for_yes_then_removes_the_cohort_and_its_documents(ws):
    assert cli(ws, "calendar", "spring").exit_code == 0
    assert (ws / "out" / "spring").is_dir()
    before = snapshot(ws)
    result = cli(ws, "cohorts", "delete", "spring")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "",
        "this would delete cohort spring (2 participants, 2 attendance marks, its documents"
        " in out/spring) for good: add --yes to delete it\n")  # fmt: skip
    assert snapshot(ws) == before
    result = cli(ws, "cohorts", "delete", "spring", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0,
        "Deleted cohort spring (2 participants, 2 attendance marks, its documents in"
        " out/spring).\n", "")  # fmt: skip
    assert sorted(p.name for p in (ws / "cohorts").iterdir()) == ["autumn"]
    assert not (ws / "out" / "spring").exists()
    assert listed(ws, "--all") == ["autumn"]


def test_a_cohort_that_issued_certificates_is_never_deleted(ws):
    register = ws / "cohorts" / "spring" / "certificates.csv"
    register.write_text(
        "code,participant,name_on_certificate,course,hours,issued,sha256,status,date,reason\n"
    )
    before = snapshot(ws)
    for args in (["delete", "spring"], ["delete", "spring", "--yes"]):
        result = cli(ws, "cohorts", *args)
        assert (result.exit_code, result.stderr) == (1,
            "cohort spring has issued certificates (its register certificates.csv is kept for"
            " good): archive it instead with ipskit cohorts archive spring\n")  # fmt: skip
    assert snapshot(ws) == before


def test_a_cohort_whose_graduates_train_another_is_not_deleted(ws):
    result = cli(ws, "new-cohort", "cascade", "--curriculum", "ips-taster", "--start",
                 (date.today() - timedelta(days=14)).isoformat(), "--trainer", "spring:p01")
    assert result.exit_code == 0, result.output
    before = snapshot(ws)
    result = cli(ws, "cohorts", "delete", "spring", "--yes")
    assert (result.exit_code, result.stderr) == (1,
        "cohort cascade is trained by people who completed spring: archive spring instead"
        " with ipskit cohorts archive spring\n")  # fmt: skip
    assert snapshot(ws) == before


def test_a_leftover_of_an_interrupted_delete_is_not_a_cohort(ws):
    folder = ws / "cohorts" / "spring"
    folder.rename(folder.with_name(".ipskit-tmp-999999999-deleted-spring"))
    assert listed(ws, "--all") == ["autumn"]
    assert cli(ws, "status", "spring").stderr == "no cohort 'spring'; there are: autumn\n"


def figures(ws: Path) -> tuple[int, int, int, int]:
    result = cli(ws, "report", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    totals = data["totals"]
    return totals["courses_run"], totals["courses_planned"], totals["started"], data["not_counted"]


def test_report_counts_a_course_only_once_someone_attended(ws):
    assert figures(ws) == (2, 0, 3, 0)
    # A cohort made by mistake, long over, where no one ever came.
    make_cohort(ws, "spirng", "ips-taster", PAST + timedelta(days=14), ("Test Person",))
    assert cli(ws, "attend", "spirng", "1", "--absent", "Test").exit_code == 0
    # A course under way whose first evening is not marked yet: planned, not run.
    make_cohort(ws, "summer", "ips-10-week", date.today() - timedelta(days=1), ("Ann Lee",))
    assert figures(ws) == (2, 1, 3, 1)
    text = cli(ws, "report").stdout
    assert (
        "\nNot counted: 1 course in the period whose sessions are over with no one marked as"
        " attending (made by mistake, as a test, or cancelled).\n" in text
    )
    assert cli(ws, "attend", "summer", "1", "--all-present").exit_code == 0
    assert figures(ws) == (3, 0, 4, 1)
    assert cli(ws, "cohorts", "delete", "spirng", "--yes").exit_code == 0
    assert figures(ws) == (3, 0, 4, 0)
    assert "Not counted" not in cli(ws, "report").stdout
    # Archived cohorts still count.
    assert cli(ws, "cohorts", "archive", "spring").exit_code == 0
    assert figures(ws) == (3, 0, 4, 0)


def test_a_made_up_session_is_attendance(ws):
    make_cohort(ws, "later", "ips-taster", PAST + timedelta(days=21), ("Ann Lee",))
    assert cli(ws, "attend", "later", "1", "--absent", "Ann").exit_code == 0
    assert figures(ws)[3] == 1
    result = cli(ws, "attend", "later", "1", "--made-up", "Ann")
    assert result.exit_code == 0, result.output
    assert figures(ws) == (3, 0, 4, 0)


def test_archiving_says_which_follow_ups_are_not_finished(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", PAST, ("Siân Hughes", "Sam Patel"),
                "--followup", "2w", "--followup", "12m")  # fmt: skip
    assert cli(ws, "attend", "taster", "1", "--all-present").exit_code == 0
    twelve = json.loads(cli(ws, "followup", "plan", "taster", "--json").stdout)["points"][1]
    from ipskit.cli.table import day

    result = cli(ws, "cohorts", "archive", "taster")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        f"Follow-ups not finished: 2w (2 people waiting), 12m"
        f" ({day(date.fromisoformat(twelve['due']))}); 'ipskit followup due' leaves archived"
        " cohorts out."
    )


def test_a_person_can_still_be_erased_from_an_archived_cohort(ws):
    assert cli(ws, "cohorts", "archive", "spring").exit_code == 0
    result = cli(ws, "forget", "spring", "Sam", "--yes")
    assert result.exit_code == 0, result.output
    roster = (ws / "cohorts" / "spring" / "roster.csv").read_text(encoding="utf-8")
    assert "Sam Patel" not in roster
    assert "archived: true" in (ws / "cohorts" / "spring" / "cohort.yaml").read_text()
