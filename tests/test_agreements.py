"""The code of conduct: forms to sign, signatures recorded, and what status says."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from helpers import HOSTILE, make_cohort, make_workspace, run
from ipskit.cli.table import day
from ipskit.cohorts.cohort import open_cohort
from ipskit.cohorts.course import course_for
from ipskit.cohorts.records import Records
from ipskit.documents.agreement_forms import agreement_context
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

CASCADE = "ips-2-day-cascade"
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel", "Ravi Patel")


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def squeeze(text: str) -> str:
    """Text without any white space: words wrap anywhere in a PDF."""
    return "".join(text.split())


def cascade(ws, people=PEOPLE, cohort_id="c1"):
    make_cohort(ws, cohort_id, CASCADE, None, people)
    return open_cohort(ws / "cohorts", cohort_id)


def agreements(ws, *args):
    return run("-w", str(ws), "agreements", *args)


def csv_of(ws, cohort_id="c1") -> str:
    return (ws / "cohorts" / cohort_id / "agreements.csv").read_text(encoding="utf-8")


def day_two(cohort):
    return cohort.meeting("day-2").date


# --- the forms ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_form_a_page_for_each_participant_with_the_code(ws):
    cohort = cascade(ws, HOSTILE)
    result = agreements(ws, "c1")
    target = ws / "out" / "c1" / "agreements.pdf"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 9 forms (9 pages) to {target}\nSigned: 0 of 9\n"
    assert result.stderr == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    reader = PdfReader(target)
    assert len(reader.pages) == 9
    code = course_for(Workspace(ws), "c1", None).curriculum.agreement
    meeting = cohort.meeting("day-2")
    when = f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}"
    pages = [squeeze(page.extract_text()) for page in reader.pages]
    for number, (name, page) in enumerate(zip(HOSTILE, pages, strict=True)):
        if number < 7:  # Latin, Greek and Cyrillic extract as written; Arabic, Hebrew do not
            assert squeeze(name) in page, name
            assert all(squeeze(other) not in page for other in HOSTILE[:7] if other != name)
        assert squeeze(code.title) in page
        assert squeeze(f"2. {meeting.title}") in page
        assert squeeze(when) in page
        for commitment in code.commitments:
            assert squeeze(commitment) in page, commitment
        assert "49" not in page
        assert squeeze("keeps this signed copy safely") in page
        assert "116123" in page  # the support line
    assert reader.metadata.title == "Code of conduct: Intentional Peer Support: two-day course (c1)"
    assert reader.metadata.author == "Riverside Peer Network"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_names_are_text_in_the_html(ws):
    cascade(ws, HOSTILE)
    workspace = Workspace(ws)
    renderer = Renderer(workspace)
    course = course_for(workspace, "c1", None)
    people = Records.load(course.cohort).active
    html = renderer.html("agreement.html", agreement_context(workspace, renderer, course, people))
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "&lt;link rel=attachment href=file:///etc/hostname&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "<img src=file" not in html and "<link rel=attachment" not in html
    # The title is the same on every form, and names no one.
    assert "<title>Code of conduct: Intentional Peer Support: two-day course (c1)</title>" in html


@pytest.mark.slow
def test_blank_forms_for_walk_ins_and_only_those_not_yet_signed(ws):
    cascade(ws)
    target = ws / "out" / "c1" / "agreements.pdf"
    result = agreements(ws, "c1", "--blank", "2")
    assert (
        result.stdout == f"Wrote 7 forms, 2 of them blank (7 pages) to {target}\nSigned: 0 of 5\n"
    )
    pages = [squeeze(p.extract_text()) for p in PdfReader(target).pages]
    assert "SiânHughes" in pages[0] and "RaviPatel" in pages[4]
    for page in pages[5:]:
        assert "Name(pleaseprint)" in page
        assert not any(squeeze(name) in page for name in PEOPLE)
    assert agreements(ws, "c1", "--signed", "p01,p02,p03").exit_code == 0
    out = ws / "forms.pdf"
    result = agreements(ws, "c1", "--unsigned", "--out", str(out))
    assert result.stdout == f"Wrote 2 forms (2 pages) to {out}\nSigned: 3 of 5\n"
    pages = [squeeze(p.extract_text()) for p in PdfReader(out).pages]
    assert "SamPatel" in pages[0] and "RaviPatel" in pages[1]


def test_nothing_to_print(ws):
    cascade(ws, ())
    result = agreements(ws, "c1")
    assert result.exit_code == 1
    assert result.stderr == "cohort c1 has no one on its roster: add people, or use --blank N\n"
    assert agreements(ws, "c1", "--blank", "3").stdout.startswith("Wrote 3 forms, 3 of them blank")
    run("-w", str(ws), "roster", "c1", "add", "Sam Patel")
    agreements(ws, "c1", "--signed", "Sam")
    result = agreements(ws, "c1", "--unsigned")
    assert result.exit_code == 1
    assert result.stderr == (
        "everyone on the course has signed: there is no form to print (--blank N prints empty"
        " ones)\n"
    )


def test_blank_is_bounded(ws):
    cascade(ws)
    result = agreements(ws, "c1", "--blank", "-1")
    assert result.exit_code == 2
    assert not (ws / "out").exists()


def test_a_curriculum_without_a_code_of_conduct(ws):
    make_cohort(ws, "spring", "ips-10-week")
    for args in ((), ("--list",), ("--signed", "p01")):
        result = agreements(ws, "spring", *args)
        assert result.exit_code == 1, args
        assert result.stdout == ""
        assert result.stderr == "the curriculum of cohort spring has no code of conduct to sign\n"
    assert not (ws / "cohorts" / "spring" / "agreements.csv").exists()
    assert not (ws / "out").exists()


# --- recording ---------------------------------------------------------------------------------


def test_record_signatures_on_the_day_of_the_session_and_undo_one(ws):
    cohort = cascade(ws)
    signed = day(day_two(cohort))
    result = agreements(ws, "c1", "--signed", "Siân, p02", "--signed", "Okafor")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"p01 Siân Hughes: signed on {signed}\n"
        f"p02 Tomasz Wiśniewski: signed on {signed}\n"
        f"p03 Amara Okafor: signed on {signed}\n"
        "(The date is that of session 2, day-2, in which the code is signed: give --date if"
        " someone signed on another day.)\n"
        "Signed: 3 of 5\n"
    )
    iso = day_two(cohort).isoformat()
    assert csv_of(ws) == f"participant,signed\np01,{iso}\np02,{iso}\np03,{iso}\n"

    later = day_two(cohort) + timedelta(days=30)
    result = agreements(ws, "c1", "--signed", "Sam", "--signed", "p01", "--date", later.isoformat())
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"p04 Sam Patel: signed on {day(later)}\n"
        f"p01 Siân Hughes: signed on {day(later)} (was {signed})\n"
        "Signed: 4 of 5\n"
    )
    result = agreements(ws, "c1", "--signed", "p04", "--date", f"{later:%d/%m/%Y}")
    assert result.stdout == (
        f"p04 Sam Patel: already recorded as signed on {day(later)}\nSigned: 4 of 5\n"
    )

    result = agreements(ws, "c1", "--not-signed", "Tomasz", "--not-signed", "Ravi")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"p02 Tomasz Wiśniewski: not signed (the signature of {signed} is removed)\n"
        "p05 Ravi Patel: was not recorded as signed; nothing to undo\n"
        "Signed: 3 of 5\n"
    )
    assert csv_of(ws) == (
        f"participant,signed\np01,{later.isoformat()}\np03,{iso}\np04,{later.isoformat()}\n"
    )
    history = (ws / "cohorts" / "c1" / "history.csv").read_text(encoding="utf-8")
    assert f"agreement,,p02,signed {iso},not signed" in history
    assert "Tomasz" not in history


def test_before_the_session_a_signature_is_dated_today(ws):
    start = date.today() + timedelta(days=3)
    make_cohort(ws, "c1", CASCADE, start, ("Siân Hughes",))
    result = agreements(ws, "c1", "--signed", "p01")
    assert result.stdout == f"p01 Siân Hughes: signed on {day(date.today())}\nSigned: 1 of 1\n"
    assert csv_of(ws) == f"participant,signed\np01,{date.today().isoformat()}\n"


def test_a_date_still_to_come_is_refused(ws):
    cascade(ws)
    tomorrow = date.today() + timedelta(days=1)
    result = agreements(ws, "c1", "--signed", "p01", "--date", tomorrow.isoformat())
    assert result.exit_code == 1
    assert result.stderr == (
        f"--date {tomorrow.isoformat()} is still to come: record a signature once it is made\n"
    )
    result = agreements(ws, "c1", "--signed", "p01", "--date", "31/02/2026")
    assert result.exit_code == 2
    assert "'31/02/2026' is not a date" in result.stderr
    assert not (ws / "cohorts" / "c1" / "agreements.csv").exists()


def test_an_ambiguous_name_changes_nothing(ws):
    cascade(ws)
    result = agreements(ws, "c1", "--signed", "Siân", "--signed", "Patel")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "'Patel' could be p04 (Sam Patel), p05 (Ravi Patel): use the id\n"
    assert not (ws / "cohorts" / "c1" / "agreements.csv").exists()
    result = agreements(ws, "c1", "--signed", "Nobody")
    assert result.stderr == "no one on the roster of c1 matches 'Nobody'\n"


def test_one_person_both_ways_changes_nothing(ws):
    cascade(ws)
    result = agreements(ws, "c1", "--signed", "p01", "--not-signed", "Siân")
    assert result.exit_code == 1
    assert result.stderr == "p01 is given as both signed and not signed\n"
    assert not (ws / "cohorts" / "c1" / "agreements.csv").exists()


def test_someone_who_has_withdrawn_cannot_sign(ws):
    cascade(ws)
    assert agreements(ws, "c1", "--signed", "p02").exit_code == 0
    assert run("-w", str(ws), "roster", "c1", "withdraw", "p02").exit_code == 0
    before = csv_of(ws)
    for who in ("p02", "Tomasz"):
        result = agreements(ws, "c1", "--signed", who)
        assert result.exit_code == 1, who
        assert result.stderr == (
            "p02 has withdrawn from the course: only people still on it can sign\n"
        )
    assert csv_of(ws) == before
    # A mistake can still be put right, and only people on the course are counted.
    result = agreements(ws, "c1", "--not-signed", "p02")
    assert result.exit_code == 0
    assert result.stdout.endswith("Signed: 0 of 4\n")
    assert csv_of(ws) == "participant,signed\n"


def test_options_that_do_not_go_together(ws):
    cascade(ws)
    cases = {
        ("--signed", "p01", "--list"): (
            "--signed and --not-signed only record: list or print the forms in another run"
        ),
        ("--not-signed", "p01", "--blank", "2"): (
            "--signed and --not-signed only record: list or print the forms in another run"
        ),
        ("--date", "2026-01-01"): "--date is the day people signed: give it with --signed",
        ("--json", "--unsigned"): (
            "--list shows who has signed: --blank, --unsigned and --out print forms"
        ),
    }
    for args, message in cases.items():
        result = agreements(ws, "c1", *args)
        assert result.exit_code == 1, args
        assert result.stderr == message + "\n"
    assert not (ws / "out").exists()
    assert not (ws / "cohorts" / "c1" / "agreements.csv").exists()


def test_list_as_a_table_and_as_json(ws):
    cohort = cascade(ws, ("Siân Hughes", "<img src=x>", "Amara Okafor"))
    agreements(ws, "c1", "--signed", "p01,Amara")
    signed = day(day_two(cohort))
    result = agreements(ws, "c1", "--list")
    assert result.exit_code == 0
    assert result.stdout == (
        "ID   Name          Signed\n"
        f"p01  Siân Hughes   {signed}\n"
        "p02  <img src=x>   not signed\n"
        f"p03  Amara Okafor  {signed}\n"
        "Signed: 2 of 3\n"
    )
    for args in (("--json",), ("--format", "json"), ("--list", "-f", "json")):
        data = json.loads(agreements(ws, "c1", *args).stdout)
        assert data == {
            "cohort": "c1",
            "agreement": "Code of conduct",
            "session": {"number": 2, "id": "day-2", "date": day_two(cohort).isoformat()},
            "signed": 2,
            "of": 3,
            "participants": [
                {"id": "p01", "name": "Siân Hughes", "signed": day_two(cohort).isoformat()},
                {"id": "p02", "name": "<img src=x>", "signed": None},
                {"id": "p03", "name": "Amara Okafor", "signed": day_two(cohort).isoformat()},
            ],
        }


# --- status ------------------------------------------------------------------------------------


def test_status_shows_the_support_group_and_the_code_of_conduct(ws):
    cohort = cascade(ws)
    today = date.today()
    meetings = cohort.settings.meetings
    held = [m for m in meetings if m.date <= today]
    assert 1 <= len(held) < 12  # the cohort began about four months ago
    upcoming = next(m for m in meetings if m.date >= today)
    assert run("-w", str(ws), "attend", "c1", str(held[0].number), "--all-present").exit_code == 0
    # Apologies ahead of a meeting do not make it held.
    assert run("-w", str(ws), "attend", "c1", upcoming.id, "--excused", "Sam").exit_code == 0
    agreements(ws, "c1", "--signed", "p01,p02,p03")
    result = run("-w", str(ws), "status", "c1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        f"Support group: 1 of 12 meetings held · next {day(upcoming.date)}"
        f" (meeting {upcoming.number}, {upcoming.id})"
    ) in lines
    assert "Code of conduct: 3 of 5 signed" in lines
    assert lines.index("Code of conduct: 3 of 5 signed") < lines.index("")  # above the table

    data = json.loads(run("-w", str(ws), "status", "c1", "--json").stdout)
    assert data["support_group"]["held"] == 1
    assert data["support_group"]["total"] == 12
    assert data["support_group"]["next"]["number"] == upcoming.number
    assert data["support_group"]["next"]["date"] == upcoming.date.isoformat()
    assert data["agreement"] == {"signed": 3, "of": 5}


def test_status_counts_people_on_the_course_before_anyone_signs(ws):
    cascade(ws)
    assert run("-w", str(ws), "roster", "c1", "withdraw", "p05").exit_code == 0
    result = run("-w", str(ws), "status", "c1")
    assert "Code of conduct: 0 of 4 signed" in result.stdout.splitlines()
    assert json.loads(run("-w", str(ws), "status", "c1", "-f", "json").stdout)["agreement"] == {
        "signed": 0,
        "of": 4,
    }


def test_status_of_a_course_with_neither(ws):
    make_cohort(ws, "spring", "ips-10-week")
    result = run("-w", str(ws), "status", "spring")
    assert result.exit_code == 0
    assert "Support group" not in result.stdout
    assert "Code of conduct" not in result.stdout
    data = json.loads(run("-w", str(ws), "status", "spring", "--json").stdout)
    assert data["support_group"] is None
    assert data["agreement"] is None


def test_status_stays_light_with_a_code_of_conduct(ws):
    import os

    from test_startup import imported_modules

    cascade(ws)
    agreements(ws, "c1", "--signed", "p01")
    modules = imported_modules("status", "c1", env={**os.environ, "IPSKIT_WORKSPACE": str(ws)})
    assert "ipskit.cohorts.status" in modules
    heavy = ("weasyprint", "pydantic", "jinja2", "pypdf", "ruamel", "yaml")
    assert sorted(m for m in modules if m.split(".")[0] in heavy) == []
