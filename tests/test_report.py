"""``ipskit report``: the figures a funder asks for, counted right, and never a name."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from helpers import HOSTILE, MINI, as_excel_reads, make_workspace, run, weekday_on_or_after

TODAY = date.today()
#: When each course starts: a year and more ago, some months ago, weeks ago, and later.
STARTS = {
    "early": weekday_on_or_after(TODAY - timedelta(days=400), 1),
    "autumn": weekday_on_or_after(TODAY - timedelta(days=120), 1),
    "cascade": weekday_on_or_after(TODAY - timedelta(days=140), 5),
    "mini": weekday_on_or_after(TODAY - timedelta(days=6), 2),  # its second evening is later
    "planned": weekday_on_or_after(TODAY + timedelta(days=30), 1),
    "empty": weekday_on_or_after(TODAY - timedelta(days=60), 3),  # no one ever booked
}
FOLLOWUP_HEADER = "point,participant,answered,using_skills,trained_others,note\n"
PID = re.compile(r"\bp[0-9]{2,}\b")


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def new_cohort(ws: Path, cohort_id: str, curriculum: str, people, *extra: str) -> None:
    ok("-w", str(ws), "new-cohort", cohort_id, "--curriculum", curriculum,
       "--start", STARTS[cohort_id].isoformat(), *extra)  # fmt: skip
    for person in people:
        ok("-w", str(ws), "roster", cohort_id, "add", person)


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    """Five courses: two tasters and one to come, a small course under way, a cascade."""
    ws = make_workspace(tmp_path_factory.mktemp("report"))
    w = ("-w", str(ws))
    # A workspace curriculum whose title a spreadsheet would run as a formula.
    (ws / "curricula" / "mini.yaml").write_text(
        MINI.replace("title: A small course", 'title: "=1+2 small course"'), encoding="utf-8"
    )

    new_cohort(ws, "early", "ips-taster", ["Ann Early", "Bob Early", "Cy Early"])
    ok(*w, "attend", "early", "1", "--all-present", "--late", "Cy")

    # Nine hostile names, then Sam Patel: p01-p10.
    new_cohort(ws, "autumn", "ips-taster", [*HOSTILE, "Sam Patel"], "--followup", "2w")
    ok(*w, "attend", "autumn", "1", "--all-present", "--absent", "p09", "--excused", "p10")
    ok(*w, "roster", "autumn", "withdraw", "p08")
    ok(*w, "certificates", "autumn")
    codes = [row["code"] for row in rows(ws / "cohorts" / "autumn" / "certificates.csv")]
    ok(*w, "certificates", "revoke", codes[0], "--reason", "issued in error")
    ok(*w, "certificates", "autumn", "--participant", "p02", "--reissue")
    ok(*w, "forget", "autumn", "p03", "--yes")
    (ws / "cohorts" / "autumn" / "followups.csv").write_text(
        FOLLOWUP_HEADER
        + "2w,p01,{d},yes,2,\n2w,p02,{d},yes,0,\n2w,p03,{d},no,0,\n2w,p04,{d},yes,5,\n"
        "2w,p09,{d},no,1,\n".format(d=TODAY.isoformat()),
        encoding="utf-8",
    )

    new_cohort(ws, "cascade", "ips-2-day-cascade", ["Cas One", "Cas Two", "Cas Three"])
    ok(*w, "attend", "cascade", "1", "--all-present")
    ok(*w, "attend", "cascade", "2", "--all-present", "--absent", "Three")
    ok(*w, "attend", "cascade", "3", "--all-present")  # the first support-group meeting

    new_cohort(ws, "mini", "mini", ["Mo Mini", "Nia Mini", "Oz Mini", "Pat Mini"])
    ok(*w, "attend", "mini", "1", "--present", "Mo", "--late", "Nia", "--absent", "Oz",
       "--excused", "Pat")  # fmt: skip
    ok(*w, "attend", "mini", "2", "--excused", "Oz")  # ahead: the evening is not held yet

    new_cohort(ws, "planned", "ips-taster", ["Quinn Later"])
    new_cohort(ws, "empty", "ips-taster", [])
    return ws


def rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def settings(folder: Path) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((folder / "cohort.yaml").read_text(encoding="utf-8"))


def count(folder: Path) -> dict[str, float]:
    """One course's figures, counted straight from its files, without ipskit."""
    cohort = settings(folder)
    roster = rows(folder / "roster.csv")
    marks = rows(folder / "attendance.csv")
    minutes = {str(s["number"]): s["contact_minutes"] for s in cohort["sessions"]}
    every = cohort["sessions"] + cohort["meetings"]
    dates = {str(m["number"]): date.fromisoformat(str(m["date"])) for m in every}
    held = {m["session"] for m in marks if dates[m["session"]] <= TODAY}
    late = cohort["completion"]["late_counts_as"] == "attended"
    attended = [m for m in marks if m["status"] == "present" or (m["status"] == "late" and late)]
    came = {m["participant"] for m in marks if m["session"] in minutes
            and (m["status"] in ("present", "late") or m["made_up"] == "yes")}  # fmt: skip
    register = rows(folder / "certificates.csv")
    latest = {row["code"]: row for row in register}
    certified = {r["participant"] for r in register if r["status"] == "issued"}
    valid = {r["participant"] for r in latest.values() if r["status"] == "issued"}
    return {
        "booked": len(roster),
        "started": len(came),
        "booked_did_not_attend": len(roster) - len(came),
        "withdrawn": sum(1 for p in roster if p["status"] == "withdrawn" and p["id"] in came),
        "contact_hours": sum(minutes[s] for s in held if s in minutes) / 60,
        "participant_hours": sum(minutes.get(m["session"], 0) for m in attended) / 60,
        "support_group_meetings_held": len(held - set(minutes)),
        "people_certified": len(certified),
        "certified_valid_now": len(valid),
        "certified_revoked": len(certified - valid),
        "certificates_reissued": len({r["code"] for r in register if r["status"] == "issued"})
        - len(certified),
    }


def report(ws: Path, *args: str):
    return run("-w", str(ws), "report", *args)


def report_json(ws: Path, *args: str) -> dict:
    return json.loads(ok("-w", str(ws), "report", "--format", "json", *args))


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def no_one_named(text: str) -> None:
    everyone = (*HOSTILE, "Sam Patel", "Ann Early", "Cas One", "Mo Mini", "Quinn Later")
    for name in everyone:
        assert name not in text, name
    for part in ("passwd", "hostname", "Siân", "Łukasz", "Олена", "محمد", "דוד"):
        assert part not in text, part
    assert not PID.search(text), PID.search(text)


# --- the counts --------------------------------------------------------------------------


def test_json_counts_equal_a_count_made_from_the_files(ws):
    data = report_json(ws)
    by_id = {c["curriculum"]: c for c in data["courses"]}
    assert sorted(by_id) == ["ips-2-day-cascade", "ips-taster", "mini"]
    groups = {"ips-taster": ["early", "autumn"], "ips-2-day-cascade": ["cascade"],
              "mini": ["mini"]}  # fmt: skip
    for curriculum, cohorts in groups.items():
        counted = [count(ws / "cohorts" / c) for c in cohorts]
        for key in counted[0]:
            expected = sum(c[key] for c in counted)
            assert by_id[curriculum][key] == pytest.approx(expected, abs=0.005), (curriculum, key)
    totals = data["totals"]
    everything = [count(ws / "cohorts" / c) for c in ("early", "autumn", "cascade", "mini")]
    for key in everything[0]:
        assert totals[key] == pytest.approx(sum(c[key] for c in everything), abs=0.005), key


def test_the_figures_of_each_kind_of_person_and_session(ws):
    taster, cascade, mini = (
        next(c for c in report_json(ws)["courses"] if c["curriculum"] == cid)
        for cid in ("ips-taster", "ips-2-day-cascade", "mini")
    )
    # early: 3 booked and started, all completed (late counts). autumn: 10 booked, of
    # whom p09 was absent and p10 sent apologies, so 8 started: p08 came and then
    # withdrew, p03 was erased after completing (still counted): 7 completed.
    assert taster["courses_run"] == 2 and taster["courses_planned"] == 1
    assert (taster["booked"], taster["booked_did_not_attend"], taster["started"]) == (13, 2, 11)
    assert (taster["completed"], taster["withdrawn"]) == (10, 1)
    assert taster["completion_percent"] == 90.9  # of the 11 who came, not the 13 booked
    assert taster["contact_hours"] == 3.5  # two evenings of 1.75 contact hours
    assert taster["participant_hours"] == pytest.approx(1.75 * 11)  # 3 + 8 (p08 came)
    # Seven people certified (p08 had withdrawn and got none); p01's was revoked, p02's
    # reissued (one person, two certificates); p03's stays valid after erasure.
    assert (
        taster["people_certified"],
        taster["certified_valid_now"],
        taster["certified_revoked"],
        taster["certificates_reissued"],
    ) == (7, 6, 1, 1)
    # mini: evening one held (present, late, absent, apologies), evening two to come.
    minutes = settings(ws / "cohorts" / "mini")["sessions"][0]["contact_minutes"]
    assert mini["contact_hours"] == round(minutes / 60, 2)
    assert mini["participant_hours"] == round(2 * minutes / 60, 2)
    # Oz (absent) and Pat (apologies) have not come yet: booked, not (yet) started.
    assert (mini["booked"], mini["started"], mini["completed"], mini["withdrawn"]) == (4, 2, 2, 0)
    assert mini["booked_did_not_attend"] == 2
    assert mini["completion_percent"] == 100.0 and mini["courses_running"] == 1
    # the cascade: both days held, one of its monthly meetings so far; the meetings are
    # after the course, which has ended.
    assert cascade["support_group_meetings_held"] == 1
    assert cascade["courses_running"] == 0


def test_follow_up_figures_equal_a_count_from_the_answers(ws):
    data = report_json(ws)
    answers = rows(ws / "cohorts" / "autumn" / "followups.csv")
    completed = {"p01", "p02", "p03", "p04", "p05", "p06", "p07"}
    asked = completed | {a["participant"] for a in answers}
    expected = {
        "point": "2w",
        "label": "2 weeks after",
        "courses": 1,
        "asked": len(asked),
        "reached": len(answers),
        "using_skills": sum(a["using_skills"] == "yes" for a in answers),
        "using_skills_percent": round(100 * 3 / 5, 1),
        "trained_others": sum(int(a["trained_others"]) > 0 for a in answers),
        "people_trained": sum(int(a["trained_others"]) for a in answers),
    }
    assert expected["asked"] == 8 and expected["people_trained"] == 8
    assert data["followups"] == [expected]
    taster = next(c for c in data["courses"] if c["curriculum"] == "ips-taster")
    assert taster["followups"] == [expected]


def test_json_says_which_courses_it_counts_and_when(ws):
    data = report_json(ws)
    assert data["organisation"] == "Riverside Peer Network"
    assert data["generated"] == TODAY.isoformat()
    assert data["period"] == {
        "from": None,
        "to": None,
        "description": "Courses that started at any time",
        "rule": "a course counts in the period when its first session falls in it",
    }
    assert list(data) == ["organisation", "period", "generated", "courses", "totals",
                          "followups", "not_counted"]  # fmt: skip
    assert data["totals"]["courses_run"] == 4 and data["totals"]["courses_planned"] == 1
    assert run("-w", str(ws), "report", "--json").stdout == ok(
        "-w", str(ws), "report", "--format", "json"
    )


def test_the_table_shows_the_same_totals(ws):
    out = ok("-w", str(ws), "report")
    data = report_json(ws)["totals"]
    lines = out.splitlines()
    assert lines[0] == "Riverside Peer Network: training delivered, all courses"
    assert lines[1] == f"Courses that started at any time · counted on {TODAY.day} {TODAY:%B %Y}"
    totals = [line.split() for line in lines if line.startswith("Total ")]
    courses, people, hours, certificates = totals
    assert courses == ["Total", str(data["courses_run"]), str(data["courses_planned"])]
    assert people == ["Total", str(data["booked"]), str(data["booked_did_not_attend"]),
                      str(data["started"]), str(data["completed"]),
                      f"{data['completion_percent']:.1f}%", str(data["withdrawn"])]  # fmt: skip
    assert hours == ["Total", f"{data['contact_hours']:g}", f"{data['participant_hours']:g}",
                     str(data["support_group_meetings_held"])]  # fmt: skip
    assert certificates == ["Total", "7", "6", "1", "1"]
    # Courses by their titles, not their ids.
    assert any(line.startswith("Intentional Peer Support: taster evening ") for line in lines)
    assert not any(line.startswith("ips-taster") for line in lines)
    followups = out.split("\nFollow-ups\n")[1].splitlines()
    assert re.split(r"  +", followups[1]) == ["2 weeks after", "1", "8", "5", "3 (60.0%)", "3", "8"]
    words = " ".join(out.split())
    assert "1 course still running: completion figures are not final." in words
    assert "A course counts in the period when its first session falls in it" in words


# --- the period ----------------------------------------------------------------------------


def test_from_and_to_filter_courses_by_their_first_session(ws):
    early, autumn = STARTS["early"], STARTS["autumn"]
    only_early = report_json(ws, "--to", early.isoformat())
    assert [c["curriculum"] for c in only_early["courses"]] == ["ips-taster"]
    assert only_early["totals"]["started"] == 3 and only_early["followups"] == []
    # Both ends are included, and British dates are understood.
    just_autumn = report_json(ws, "--from", f"{autumn:%d/%m/%Y}", "--to", autumn.isoformat())
    assert just_autumn["period"]["from"] == just_autumn["period"]["to"] == autumn.isoformat()
    assert just_autumn["totals"]["started"] == 8
    assert just_autumn["totals"]["booked"] == 10
    assert just_autumn["totals"]["people_certified"] == 7
    assert len(just_autumn["followups"]) == 1
    # Courses yet to start count as planned only.
    later = report_json(ws, "--from", (TODAY + timedelta(days=1)).isoformat())
    assert later["totals"]["courses_run"] == 0 and later["totals"]["courses_planned"] == 1
    assert later["totals"]["started"] == 0
    after = early + timedelta(days=1)
    since = report_json(ws, "--from", after.isoformat())
    assert since["totals"]["courses_run"] == 3
    assert since["period"]["description"] == (
        f"Courses that started from {after.day} {after:%B %Y}"
    )


def test_the_period_is_named_in_the_header(ws):
    out = ok("-w", str(ws), "report", "--from", "2020-04-01", "--to", "2020-06-30")
    assert out.splitlines()[:2] == [
        "Riverside Peer Network: training delivered, 1 April 2020 to 30 June 2020",
        f"Courses that started from 1 April 2020 to 30 June 2020 · counted on"
        f" {TODAY.day} {TODAY:%B %Y}",
    ]
    assert "No course started in this period." in out
    help_text = " ".join(run("report", "--help").stdout.split())
    assert "A course counts in the period when its first session falls in it" in help_text


def test_a_bad_date_is_a_usage_error(ws):
    result = report(ws, "--from", "2026-02-30")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --from: '2026-02-30' is not a date:"
        " write it as 2027-03-04 or 04/03/2027"
    )
    result = report(ws, "--from", "2027-04-01", "--to", "2027-03-31")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --from: the period ends (2027-03-31) before it starts"
        " (2027-04-01)"
    )


def test_an_empty_workspace_says_there_is_nothing_to_report(tmp_path):
    ws = make_workspace(tmp_path)
    for fmt in ("table", "json", "csv", "pdf"):
        result = report(ws, "--format", fmt)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "no cohorts in this workspace yet, so nothing to report:"
            " start one with 'ipskit new-cohort'\n"
        )
    assert not (ws / "out").exists()


# --- CSV ----------------------------------------------------------------------------------


def test_csv_is_one_table_with_a_total_row_and_no_live_formulas(ws):
    text = as_excel_reads(ok("-w", str(ws), "report", "--format", "csv"))
    table = list(csv.reader(io.StringIO(text, newline="")))
    header, body = table[0], table[1:]
    assert header[:3] == ["curriculum", "title", "courses_run"]
    assert header[-5:] == ["followup_2w_asked", "followup_2w_reached", "followup_2w_using_skills",
                           "followup_2w_trained_others", "followup_2w_people_trained"]  # fmt: skip
    assert [row[0] for row in body] == ["ips-2-day-cascade", "ips-taster", "mini", "total"]
    for row in table:
        assert len(row) == len(header)
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell
    mini = dict(zip(header, body[2], strict=True))
    assert mini["title"] == "'=1+2 small course"
    total = dict(zip(header, body[3], strict=True))
    data = report_json(ws)["totals"]
    assert total["started"] == str(data["started"])
    assert total["completion_percent"] == f"{data['completion_percent']:g}"
    assert total["followup_2w_reached"] == "5"
    assert mini["followup_2w_reached"] == ""  # mini has no follow-up point


def test_out_writes_a_file_instead_of_stdout(ws, tmp_path):
    target = tmp_path / "figures.csv"
    assert ok("-w", str(ws), "report", "-f", "csv", "--out", str(target)) == (
        f"Wrote the report to {target}\n"
    )
    written = target.read_bytes().decode("utf-8")
    assert "\r\n" in written  # as spreadsheets expect
    assert written.replace("\r\n", "\n") == ok("-w", str(ws), "report", "-f", "csv")


# --- names never appear -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_no_name_or_participant_id_in_any_format(ws, fmt):
    result = report(ws, "--format", fmt)
    assert result.exit_code == 0
    no_one_named(result.output)


# --- PDF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(ws) -> tuple[Path, str]:
    result = run("-w", str(ws), "report", "--format", "pdf")
    assert result.exit_code == 0, result.output
    return ws / "out" / "report.pdf", result.stdout


def test_the_pdf_is_written_to_out_and_holds_the_figures(ws, pdf):
    path, stdout = pdf
    assert stdout == f"Wrote the report to {path}\n"
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= 2
    text = text_of(path)
    data = report_json(ws)["totals"]
    for part in (
        "Training delivered, all courses",
        "Courses that started at any time",
        "Riverside Peer Network",
        "Intentional Peer Support: taster evening",
        "=1+2 small course",  # text in a PDF, not a formula
        f"{data['started']} people started",
        f"{data['people_certified']} people certified",
        f"{data['completion_percent']:.1f}%",
        f"{data['contact_hours']:g}",
        "2 weeks after",
        "Reached: 5 of 8",
        "Using the skills: 3",
        "Trained others: 3",
        "Counts only: this report holds no names",
        "All courses {courses_run} {courses_planned} {booked} {booked_did_not_attend} {started}"
        " {completed} {completion_percent}% {withdrawn}".format(**data),
        "All courses {contact_hours:g} {participant_hours:g} {support_group_meetings_held}"
        " {people_certified} {certified_valid_now} {certified_revoked}"
        " {certificates_reissued}".format(**data),
        "2 weeks after 1 8 5 3 60.0% 3 8",
    ):
        assert part in text, part
    assert "{{" not in text


def test_every_format_gives_the_same_figures_a_careful_person_would(ws, pdf, tmp_path):
    """A taster with no-shows, a reissue and a revocation, and an empty course, everywhere.

    The taster evenings: 13 booked, of whom 2 never came (11 started) and 10 completed;
    7 people certified, one of them twice (a reissue), one revoked. The empty course is
    over with no one on it: left out of the counts, and said to be.
    """
    title = "Intentional Peer Support: taster evening"
    expected = {"booked": 13, "booked_did_not_attend": 2, "started": 11, "completed": 10,
                "completion_percent": 90.9, "withdrawn": 1, "people_certified": 7,
                "certified_valid_now": 6, "certified_revoked": 1,
                "certificates_reissued": 1}  # fmt: skip
    data = report_json(ws)
    taster = next(c for c in data["courses"] if c["curriculum"] == "ips-taster")
    assert taster["title"] == title
    assert {k: taster[k] for k in expected} == expected
    assert data["not_counted"] == 1
    # CSV: the same numbers, the id and the title.
    table = list(csv.reader(io.StringIO(as_excel_reads(ok("-w", str(ws), "report", "-f", "csv")))))
    row = dict(zip(table[0], next(r for r in table if r[0] == "ips-taster"), strict=True))
    assert row["title"] == title
    assert {k: row[k] for k in expected} == {k: f"{v:g}" for k, v in expected.items()}
    # The workbook: the same numbers as numbers, the completion a fraction shown as 90.9%.
    book = tmp_path / "figures.xlsx"
    ok("-w", str(ws), "report", "-f", "xlsx", "--out", str(book))
    sheet = openpyxl.load_workbook(book).active
    heads = [cell.value for cell in sheet[1]]
    taster_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "ips-taster")
    line = {head: cell.value for head, cell in zip(heads, taster_row, strict=True)}
    assert line["title"] == title
    assert line["completion_percent"] == pytest.approx(0.909, abs=5e-4)
    assert taster_row[heads.index("completion_percent")].number_format == "0.0%"
    counts = {k: v for k, v in expected.items() if k != "completion_percent"}
    assert {k: line[k] for k in counts} == counts
    assert all(type(line[k]) is int for k in counts)
    # The table: by title, the percentage as everywhere else.
    out = ok("-w", str(ws), "report")
    rows_of_taster = [line.removeprefix(title).split() for line in out.splitlines()
                      if line.startswith(title + " ")]  # fmt: skip
    assert len(rows_of_taster) == 4  # courses, people, hours, certificates
    people, certificates = rows_of_taster[1], rows_of_taster[3]
    assert people == ["13", "2", "11", "10", "90.9%", "1"]
    assert certificates == ["7", "6", "1", "1"]
    assert "Not counted: 1 course in the period whose sessions are over" in " ".join(out.split())
    # The PDF: the same rows.
    text = text_of(pdf[0])
    assert f"{title} 2 1 13 2 11 10 90.9% 1" in text
    assert f"{title} 3.5 19.25 0 7 6 1 1" in text
    assert "Not counted: 1 course in the period" in text
    assert "13 people started" not in text and "11 people started" not in text  # totals only


#: Each heading of the funder report, and text of what it heads: they share a page.
HEADED = (
    ("Courses and people", "Booked, did not attend"),
    ("Courses and people", "All courses"),
    ("Hours, meetings and certificates", "Certificates reissued"),
    ("After the course: follow-ups", "People they trained"),
    ("After the course: follow-ups", "weeks after"),
    ("Follow-ups at a glance", "Reached: "),
    ("Follow-ups at a glance", "The grey band"),
    ("End-of-course evaluations", "Statement Answers 1 2 3 4 5 Average"),
)


def no_heading_parted(path: Path) -> int:
    """Assert that no heading of a report is on another page than what it heads."""
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]
    for heading, content in HEADED:
        found = [n for n, page in enumerate(pages) if heading in page]
        assert len(found) <= 1, heading
        if found:
            assert content in pages[found[0]], (heading, content, found[0] + 1)
    return len(pages)


def test_no_table_or_chart_is_parted_from_its_heading(pdf, demo_build):
    assert no_heading_parted(pdf[0]) >= 1
    # The demo's report runs to several pages: a chart at the foot of one is moved, with
    # its heading, to the next.
    demo_report = demo_build[0] / "out" / "report.pdf"
    assert no_heading_parted(demo_report) > 2
    text = text_of(demo_report)
    for heading, _ in HEADED:
        assert heading in text, heading


def test_the_pdf_names_no_one_and_its_metadata_neither(pdf):
    path, _ = pdf
    no_one_named(text_of(path))
    meta = PdfReader(path).metadata
    assert meta.title == "Training delivered, all courses"
    assert meta.author == "Riverside Peer Network"


def test_a_pdf_for_a_period_is_named_after_it(ws):
    out = ok("-w", str(ws), "report", "-f", "pdf", "--from", "2020-04-01", "--to", "2020-06-30")
    path = ws / "out" / "report-2020-04-01-2020-06-30.pdf"
    assert out == f"Wrote the report to {path}\n"
    text = text_of(path)
    assert "Training delivered, 1 April 2020 to 30 June 2020" in text
    assert "No course started in this period." in text
    assert PdfReader(path).metadata.title == "Training delivered, 1 April 2020 to 30 June 2020"


# --- end-of-course evaluations -------------------------------------------------------------

EVALUATION_FORM = """\
evaluation:
  session: two
  questions:
    - {id: safe, text: I felt safe in the group}
    - {id: learned, text: I learned something I will use}
    - {id: recommend, text: I would recommend this course to a friend}
"""


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> Path:
    """Two courses of one curriculum with evaluation forms, one planned, one never run."""
    from helpers import make_cohort

    ws = make_workspace(tmp_path_factory.mktemp("evaluated"))
    (ws / "curricula" / "mini.yaml").write_text(MINI + EVALUATION_FORM, encoding="utf-8")
    days = {"first": 40, "second": 20, "never": 60, "later": -30}
    for cohort, ago in days.items():
        make_cohort(ws, cohort, "mini", TODAY - timedelta(days=ago), ("Ann Early", "Bob Early"))
    for cohort in ("first", "second"):
        ok("-w", str(ws), "attend", cohort, "1", "--all-present")
    forms = {"first": [("safe=5", "learned=4"), ("safe=4",)], "second": [("safe=2", "recommend=5")],
             "never": [("safe=1",)] * 3, "later": [("safe=1",)] * 3}  # fmt: skip
    for cohort, answers in forms.items():
        for form in answers:
            ok("-w", str(ws), "evaluations", cohort, "add", *form)
    return ws


def test_no_evaluation_section_until_someone_answers(ws):
    assert all(c["evaluation"] is None for c in report_json(ws)["courses"])
    assert "Evaluations" not in ok("-w", str(ws), "report")
    assert "evaluation_responses" not in ok("-w", str(ws), "report", "--format", "csv")


def test_evaluations_are_added_up_across_a_curriculums_courses_run(evaluated):
    (mini,) = report_json(evaluated)["courses"]
    # Only the two courses run count: the planned one and the one never run do not.
    assert mini["evaluation"] == {
        "courses": 2,
        "responses": 3,
        "questions": [
            {"question": "safe", "text": "I felt safe in the group", "answers": 3,
             "ratings": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}, "average": 3.67},
            # One answer each: neither its rating nor an average can be shown.
            {"question": "learned", "text": "I learned something I will use", "answers": 1,
             "ratings": None, "average": None},
            {"question": "recommend", "text": "I would recommend this course to a friend",
             "answers": 1, "ratings": None, "average": None},
        ],
    }  # fmt: skip


def test_the_table_and_csv_show_the_evaluations_with_small_numbers_hidden(evaluated):
    out = ok("-w", str(evaluated), "report")
    part = out.split("\nEvaluations: 1 (not at all) to 5 (very much), counts and averages only\n")
    lines = [" ".join(line.split()) for line in part[1].splitlines()]
    assert lines[:5] == [
        "A small course: 3 responses from 2 courses",
        "Statement Answers 1 2 3 4 5 Average",
        "I felt safe in the group 3 0 1 0 1 1 3.67",
        "I learned something I will use 1 – – – – – –",
        "I would recommend this course to a friend 1 – – – – – –",
    ]
    assert lines[5] == "Counts and averages of fewer than 3 answers are not shown (–)."
    exported = as_excel_reads(ok("-w", str(evaluated), "report", "-f", "csv"))
    table = list(csv.reader(io.StringIO(exported)))
    header, mini, total = table
    figures = dict(zip(header, mini, strict=True))
    assert [figures[f"evaluation_safe_{n}"] for n in
            ("answers", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "average")] == [
        "3", "0", "1", "0", "1", "1", "3.67"]  # fmt: skip
    assert figures["evaluation_learned_answers"] == "1"
    assert figures["evaluation_learned_average"] == figures["evaluation_learned_rated_5"] == ""
    totals = dict(zip(header, total, strict=True))
    assert totals["evaluation_responses"] == "3" and totals["evaluation_safe_average"] == ""


def test_the_pdf_shows_the_evaluations_and_names_no_one(evaluated):
    result = run("-w", str(evaluated), "report", "--format", "pdf")
    assert result.exit_code == 0, result.output
    text = text_of(evaluated / "out" / "report.pdf")
    for part in ("End-of-course evaluations", "3 forms from 2 courses",
                 "I felt safe in the group 3 0 1 0 1 1 3.67",
                 "I learned something I will use 1 – – – – – –",
                 "Where fewer than 3 people answered a statement"):  # fmt: skip
        assert part in text, part
    assert "Ann Early" not in text and not PID.search(text)


def figures_alt(path: Path) -> list[str | None]:
    """The alternative text of each figure in a tagged PDF's structure tree, in order."""
    found: list[str | None] = []

    def walk(element) -> None:
        element = element.get_object()
        if not hasattr(element, "get"):
            return  # a marked-content number: no element of its own
        if element.get("/S") == "/Figure":
            alt = element.get("/Alt")
            found.append(None if alt is None else str(alt))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            walk(kid)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_chart_says_what_it_shows_to_a_screen_reader(pdf, demo_build):
    """The chart is a figure whose alternative text gives its figures, not only its title."""
    for path in (pdf[0], demo_build[0] / "out" / "report.pdf"):
        alts = figures_alt(path)
        assert alts and None not in alts, alts
        chart = next(alt for alt in alts if alt.startswith("Follow-ups: "))
        assert "Reached: " in chart and "Using the skills: " in chart, chart
    demo_chart = next(a for a in figures_alt(demo_build[0] / "out" / "report.pdf")
                      if a.startswith("Follow-ups: "))  # fmt: skip
    assert "9 weeks after: Reached: 10 of 13; Using the skills: 8; Trained others: 2." in demo_chart
