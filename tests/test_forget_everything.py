"""``forget`` after the course: answers, ratings, signatures, outbox, lineage."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each

START = date.today() - timedelta(days=200)


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def test_forget_leaves_no_trace_of_a_name_but_keeps_every_count(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "c", "ips-2-day-cascade", START, (), "--followup", "2w")
    for name, email in (("Siân Hughes", "sian.h@example.org"), ("Dewi Lloyd", "dewi@example.org"),
                        ("Ama Mensah", "ama@example.org")):  # fmt: skip
        assert cli(ws, "roster", "c", "add", name, "--email", email).exit_code == 0
    steps = [
        ("attend", "c", "1", "--all-present"),
        ("attend", "c", "2", "--all-present"),
        ("agreements", "c", "--signed", "p01,p02,p03"),
        ("agreements", "c"),
        ("followup", "record", "c", "Siân", "--at", "2w", "--using-skills", "yes",
         "--trained-others", "2", "--note", "Siân now runs a group"),
        ("followup", "record", "c", "Dewi", "--at", "2w", "--using-skills", "yes",
         "--trained-others", "0", "--note", "co-facilitates with Siân Hughes"),
        ("ratings", "record", "c", "Siân", "connection=2", "--stage", "before"),
        ("ratings", "record", "c", "Siân", "connection=4", "--stage", "after"),
        ("certificates", "c"),
        ("send", "certificates", "c", "--dry-run"),
        ("register", "c"),
    ]  # fmt: skip
    for step in steps:
        result = cli(ws, *step)
        assert result.exit_code == 0, (step, result.output)
    figures_before = json.loads(cli(ws, "followup", "report", "c", "--format", "json").stdout)
    outbox = sorted(p.name for p in (ws / "out" / "c" / "outbox").iterdir())
    assert len(outbox) == 3

    result = cli(ws, "forget", "c", "Siân", "--yes")
    assert result.exit_code == 0, result.output
    listed = result.stdout.splitlines()
    assert "  agreements.pdf" in listed
    assert "  registers.pdf" in listed
    assert any(line.startswith("  outbox/certificate-p01-") for line in listed)
    assert any(line.startswith("  certificates/certificate-p01-") for line in listed)

    for folder in (ws / "cohorts" / "c", ws / "out" / "c"):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for word in ("Siân", "Hughes", "sian.h@example.org"):
                    assert word.encode() not in data, (path, word)
    # Others' messages and answers stay; hers are gone, her counts are not.
    assert sorted(p.name for p in (ws / "out" / "c" / "outbox").iterdir()) == [
        name for name in outbox if "-p01-" not in name
    ]
    answers = (ws / "cohorts" / "c" / "followups.csv").read_text(encoding="utf-8")
    assert "2w,p01," in answers and "co-facilitates with [erased]\n" in answers
    assert json.loads(cli(ws, "followup", "report", "c", "--format", "json").stdout) == (
        figures_before
    )
    ratings = json.loads(cli(ws, "ratings", "report", "c", "--format", "json").stdout)
    connection = ratings["competencies"][0]
    assert (connection["before"], connection["after"]) == (1, 1)
    signed = (ws / "cohorts" / "c" / "agreements.csv").read_text(encoding="utf-8")
    assert "p01," in signed  # a date under an anonymous id: the count of signatures holds
