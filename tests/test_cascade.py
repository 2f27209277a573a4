"""Cascade lineage: graduates who train, the tree, the counts, and loops refused."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, run

TODAY = date.today()


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def held(ws: Path, cohort: str, start: date, people: tuple[str, ...], *trainers: str) -> None:
    """A taster everyone attended, taught by these trainers."""
    extra = [arg for t in trainers for arg in ("--trainer", t)]
    make_cohort(ws, cohort, "ips-taster", start, people, *extra)
    assert cli(ws, "attend", cohort, "1", "--all-present").exit_code == 0


@pytest.fixture
def ws(tmp_path):
    """Three generations: origin → second (taught by Siân) → third (taught by Dewi)."""
    ws = make_workspace(tmp_path)
    held(ws, "origin", TODAY - timedelta(days=300), ("Siân Hughes", "Tomasz Wiśniewski"),
         "Alex Morgan")  # fmt: skip
    held(ws, "second", TODAY - timedelta(days=200), ("Dewi Lloyd", "Ama Mensah", "Jo Reid"),
         "origin:Siân", "Alex Morgan")  # fmt: skip
    held(ws, "third", TODAY - timedelta(days=100), ("Kai Tanaka",), "second:p01")
    held(ws, "elsewhere", TODAY - timedelta(days=90), ("Lee Chan",), "Sam Stone")
    return ws


def test_a_graduate_is_kept_by_id_and_shown_by_name(ws):
    text = (ws / "cohorts" / "second" / "cohort.yaml").read_text()
    assert 'trainers: ["origin:p01", "Alex Morgan"]' in text
    status = cli(ws, "status", "second").stdout.splitlines()
    assert status[1].endswith("Trainers: Siân Hughes, Alex Morgan")


def test_the_tree_shows_who_trained_whom(ws):
    result = cli(ws, "cascade", "tree")
    assert result.exit_code == 0, result.output
    day = {c: (TODAY - timedelta(days=n)).isoformat()
           for c, n in (("origin", 300), ("second", 200), ("third", 100), ("elsewhere", 90))}  # fmt: skip
    course = "Intentional Peer Support: taster evening"
    assert result.stdout.splitlines() == [
        f"origin · {course} · {day['origin']} · 2 participants, 2 completed",
        "└─ taught by p01 Siân Hughes:",
        f"   second · {course} · {day['second']} · 3 participants, 3 completed",
        "   └─ taught by p01 Dewi Lloyd:",
        f"      third · {course} · {day['third']} · 1 participant, 1 completed",
        f"elsewhere · {course} · {day['elsewhere']} · 1 participant, 1 completed",
    ]
    tree = json.loads(cli(ws, "cascade", "tree", "--json").stdout)
    assert [t["cohort"] for t in tree] == ["origin", "elsewhere"]
    assert tree[0]["taught"][0]["trained_by"] == [
        {"cohort": "origin", "participant": "p01", "name": "Siân Hughes"}
    ]
    assert tree[0]["taught"][0]["taught"][0]["cohort"] == "third"


def test_the_report_counts_generations_and_people_reached(ws):
    report = json.loads(cli(ws, "cascade", "report", "--json").stdout)
    assert report == [{
        "original": "origin", "curriculum": "ips-taster", "participants": 2, "completed": 2,
        "generations": [
            {"generation": 1, "cohorts": ["second"], "participants": 3, "completed": 3},
            {"generation": 2, "cohorts": ["third"], "participants": 1, "completed": 1},
        ],
        "reached": 4, "reached_completed": 4,
    }]  # fmt: skip
    text = cli(ws, "cascade", "report").stdout.splitlines()
    assert text[0] == (
        "origin (ips-taster): 2 took part, 2 completed; 2 generations after it reached 4"
        " people, 4 completed"
    )


def test_a_loop_is_refused_and_nothing_changes(ws):
    before = (ws / "cohorts" / "origin" / "cohort.yaml").read_bytes()
    result = cli(ws, "cascade", "add-trainer", "origin", "third:Kai")
    assert (result.exit_code, result.stderr) == (
        1,
        "trainer third:Kai: this would make the lineage loop (origin → second → third →"
        " origin): someone would have trained the person who trained them\n",
    )
    result = cli(ws, "cascade", "add-trainer", "second", "second:p02")
    assert (result.exit_code, result.stderr) == (
        1, "trainer second:p02: a cohort cannot be taught by one of its own participants\n",
    )  # fmt: skip
    assert (ws / "cohorts" / "origin" / "cohort.yaml").read_bytes() == before


def test_a_loop_written_by_hand_is_reported_by_file_and_line(ws):
    path = ws / "cohorts" / "origin" / "cohort.yaml"
    text = path.read_text().replace('trainers: ["Alex Morgan"]', 'trainers: ["third:p01"]')
    path.write_text(text)
    line = text[: text.index("trainers:")].count("\n") + 1
    result = cli(ws, "cascade", "tree")
    assert (result.exit_code, result.stderr) == (
        1,
        f"{path}:{line}:12: trainers[1]: the lineage loops (origin → second → third → origin):"
        " remove this trainer\n",
    )


def test_a_trainer_must_have_completed_an_earlier_cohort(ws):
    cli(ws, "roster", "origin", "add", "Late Comer")  # on the roster, never attended
    result = cli(ws, "new-cohort", "fourth", "--curriculum", "ips-taster", "--start",
                 str(TODAY), "--trainer", "origin:Late")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        1, "trainer origin:Late: p03 has not completed cohort origin, so cannot be named as"
        " its graduate; give the trainer's name instead\n",
    )  # fmt: skip
    result = cli(ws, "new-cohort", "fourth", "--curriculum", "ips-taster", "--start",
                 str(TODAY - timedelta(days=300)), "--trainer", "third:Kai")  # fmt: skip
    assert result.exit_code == 1
    assert "cohort third ends on" in result.stderr and "not before this cohort starts" in (
        result.stderr
    )
    result = cli(ws, "new-cohort", "fourth", "--curriculum", "ips-taster", "--start",
                 str(TODAY), "--trainer", "nowhere:p01")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        1, "no cohort 'nowhere'; there are: elsewhere, origin, second, third\n",
    )  # fmt: skip
    assert not (ws / "cohorts" / "fourth").exists()


def test_add_trainer_links_an_existing_cohort(ws):
    result = cli(ws, "cascade", "add-trainer", "elsewhere", "origin:Tomasz")
    assert (result.exit_code, result.stdout) == (
        0, "Added trainer origin:p02 to cohort elsewhere.\n",
    )  # fmt: skip
    tree = cli(ws, "cascade", "tree").stdout
    assert "taught by p02 Tomasz Wiśniewski:" in tree


def test_a_cascade_certificate_names_the_trainers_own_certificate(ws):
    assert cli(ws, "certificates", "origin").exit_code == 0
    code = (ws / "cohorts" / "origin" / "certificates.csv").read_text().splitlines()[1][:9]
    assert cli(ws, "certificates", "second").exit_code == 0
    files = sorted((ws / "out" / "second" / "certificates").glob("certificate-p*.pdf"))
    text = " ".join(PdfReader(files[0]).pages[0].extract_text().split())
    assert f"Trained by Siân Hughes (certificate {code}) and Alex Morgan" in text


def test_a_forgotten_trainer_is_no_longer_named(ws):
    assert cli(ws, "forget", "origin", "Siân", "--yes").exit_code == 0
    status = cli(ws, "status", "second").stdout.splitlines()
    assert status[1].endswith(
        "Trainers: a graduate of Intentional Peer Support: taster evening, Alex Morgan"
    )
    assert "Siân" not in cli(ws, "cascade", "tree").stdout
