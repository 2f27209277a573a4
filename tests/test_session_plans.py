"""Facilitator session plans: dated for a cohort, undated for a curriculum."""

from __future__ import annotations

import pytest

from helpers import make_cohort, make_workspace, pdf_pages_text, run
from ipskit.courses.catalogue import get_curriculum

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def text(path) -> str:
    return "\n".join(pdf_pages_text(path))


def squeeze(value: str) -> str:
    return "".join(value.split())


def test_a_plan_holds_what_a_trainer_needs(ws):
    make_cohort(ws, "taster", "ips-taster", people=())
    run("-w", str(ws), "session-plans", "taster")
    plan = text(ws / "out" / "taster" / "session-plans" / "session-01.pdf")
    session = get_curriculum("ips-taster").sessions[0]
    for part in ("Aim", "By the end, participants can", "Materials", "Keeping the session safe",
                 "Timetable", "Running the session", "Your notes", "116 123"):  # fmt: skip
        assert part in plan, part
    assert squeeze(session.aim) in squeeze(plan)
    assert "18:00–18:10" in plan
    for block in session.blocks:
        assert squeeze(block.title) in squeeze(plan), block.title
    assert "{{" not in plan and "{%" not in plan


def test_undated_plans_from_a_curriculum_include_the_follow_on_meetings(ws):
    result = run("-w", str(ws), "session-plans", "--curriculum", "ips-2-day-cascade")
    folder = ws / "out" / "ips-2-day-cascade" / "session-plans"
    assert result.stdout == f"Wrote 4 files to {folder}\n"
    last = text(folder / "session-03.pdf")
    assert squeeze("Monthly co-reflection group (each of the 12 meetings)") in squeeze(last)
    assert "When" not in text(folder / "session-01.pdf").split("Aim")[0]


def test_html_plans_are_escaped(ws):
    (ws / "ipskit.yaml").write_text(
        (ws / "ipskit.yaml")
        .read_text()
        .replace('name: "Riverside Peer Network"', 'name: "<b>Us</b>"')
    )
    result = run("-w", str(ws), "session-plans", "--curriculum", "ips-taster", "--format", "html")
    html = (ws / "out" / "ips-taster" / "session-plans" / "session-plans.html").read_text()
    assert result.exit_code == 0
    assert "&lt;b&gt;Us&lt;/b&gt;" in html and "<b>Us</b>" not in html


@pytest.mark.parametrize(
    "args", [["session-plans"], ["session-plans", "spring", "--curriculum", "ips-taster"]]
)
def test_a_cohort_or_a_curriculum(ws, args):
    make_cohort(ws, people=())
    result = run("-w", str(ws), *args)
    assert result.exit_code == 1
    assert result.stderr == "name a cohort, or a curriculum with --curriculum (not both)\n"
