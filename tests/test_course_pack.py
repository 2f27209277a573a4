"""A curriculum's references, preparation and staffing: refused when broken, printed right.

Notes name clock times from the timetable, pages of the workbook and handouts by id; the
plan prints the cohort's own times and counts what to print and bring for its group.
"""

from __future__ import annotations

import re

import pytest

from helpers import MINI, make_cohort, make_workspace, pdf_pages_text, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.core.resources import builtin_curricula_dir
from ipskit.courses.curriculum import load, timetable
from test_bad_curricula import position, refused, write
from test_curriculum_checks import value_at

PACK = MINI.replace(
    """      - kind: welcome
        title: Welcome
        minutes: 10
        facilitator_notes: Greet people.
      - kind: break
        title: Tea
        minutes: 15
""",
    """      - kind: welcome
        title: Welcome
        minutes: 10
        facilitator_notes: Greet people. Say we finish at [end] and break at [start:tea].
        materials:
          - "[handout:word-cards]"
          - {item: Marker pens, per: three, count: 2}
          - Flip chart and pens
      - id: tea
        kind: break
        title: Tea
        minutes: 15
        facilitator_notes: Back at [end:tea], please.
""",
).replace(
    """    objectives: [Name the three principles]
""",
    """    objectives: [Name the three principles]
    preparation:
      - Print the [handout:word-cards] and cut them.
      - Put a workbook on every chair, open at [page:reflection-log].
    room: Chairs in a circle, with space at the edges for threes.
    team:
      - {role: Lead trainer, does: Leads the welcome and the role play.}
      - {role: Second trainer, does: Keeps time and joins a three if numbers are odd.}
      - {role: Peer worker, does: "Sits in on a three, ready to step out with anyone.", optional: true}
    online: Use breakout rooms of three; anyone can turn their camera off to step out.
    homework: Fill in [page:reflection-log] before next week.
    materials:
      - Flip chart and pens
      - "[handout:role-cards]"
      - {item: Name badges, per: person}
""",
).replace(
    "statement: took part in a small course\n",
    """statement: took part in a small course
trainers: 2
max_participants: 9
pages:
  - id: reflection-log
    title: My reflection log
    after: one
    columns: [Date, What I noticed]
handouts:
  - id: word-cards
    title: Word cards
    kind: card
    per: three
    items: [Crazy, Service user, Survivor]
""",
)


def test_the_pack_curriculum_is_valid(tmp_path):
    result = run("curricula", "validate", str(write(tmp_path, PACK)))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "written",
    ["Back at 19:55, please.", "We start at 6pm sharp.", "Tea at 7.30 pm."],
)
def test_a_clock_time_written_out_is_refused_where_it_is(tmp_path, written):
    text = PACK.replace("Back at [end:tea], please.", written)
    path = write(tmp_path, text)
    clock = re.search(r"\d+(?::\d\d|\.\d\d)? ?[ap]?m?", written.split("at ", 1)[1]).group(0)
    assert refused(path) == (
        f"{path}:{position(text, written)}: sessions[1].blocks[2].facilitator_notes:"
        f" '{clock.strip()}' is a clock time: write [start], [end], [start:BLOCK-ID] or"
        " [end:BLOCK-ID] so each cohort gets its own\n"
    )


def test_phone_numbers_and_durations_are_not_clock_times(tmp_path):
    text = PACK.replace(
        "Back at [end:tea], please.",
        "Back in 15 minutes. Samaritans, 116 123. Allow 1.5 hours, or 2.30 hours at most.",
    )
    result = run("curricula", "validate", str(write(tmp_path, text)))
    assert result.exit_code == 0, result.output


def test_a_page_that_does_not_exist_is_refused(tmp_path):
    text = PACK.replace("homework: Fill in [page:reflection-log]", "homework: Fill in [page:power]")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'homework: Fill')}: sessions[1].homework: [page:power]: no"
        " workbook page has id 'power' (pages: course-map, group-agreement, reflection-log,"
        " role-plays, support, wellbeing-plan)\n"
    )


def test_a_handout_that_does_not_exist_is_refused(tmp_path):
    text = PACK.replace('- "[handout:word-cards]"', '- "[handout:statement-cards]"')
    path = write(tmp_path, text)
    where = position(text, '"[handout:statement-cards]"')
    assert refused(path) == (
        f"{path}:{where}:"
        " sessions[1].blocks[1].materials[1]: [handout:statement-cards]: no handout has id"
        " 'statement-cards' (handouts: certificate-to-follow, contact-sharing, role-cards,"
        " support-card, word-cards)\n"
    )


def test_a_block_time_of_another_block_or_outside_a_session_is_refused(tmp_path):
    text = PACK.replace("break at [start:tea]", "break at [start:lunch]").replace(
        "summary: Two short evenings.", "summary: Two short evenings, from [start]."
    )
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'summary: Two')}: summary: [start]: a clock time can only"
        " be named in a session's text\n"
        f"{path}:{value_at(text, 'facilitator_notes: Greet')}:"
        " sessions[1].blocks[1].facilitator_notes: [start:lunch]: no block of this session"
        " has id 'lunch'\n"
    )


def test_a_team_the_trainers_cannot_fill_is_refused(tmp_path):
    text = PACK.replace("trainers: 2\n", "trainers: 1\n")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '{role: Second trainer')}: sessions[1].team[2]: 2 roles need"
        " a person, but the course has trainers: 1; make a role optional or raise trainers\n"
    )


def test_ids_ipskit_keeps_for_itself_are_refused(tmp_path):
    text = PACK.replace(
        "handouts:\n", "handouts:\n  - {id: support-card, title: Ours, kind: sheet, intro: Hi}\n"
    ).replace("pages:\n", "pages:\n  - {id: wellbeing-plan, title: Mine, intro: Hello}\n")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'id: wellbeing-plan')}: pages[1].id: 'wellbeing-plan' is one"
        " of the workbook's own pages: choose another id\n"
        f"{path}:{value_at(text, 'id: support-card')}: handouts[1].id: 'support-card' is one"
        " ipskit makes itself: choose another id\n"
    )


# --- the plans print the cohort's times and count for its group ---------------------------


@pytest.fixture
def pack(tmp_path):
    """A workspace whose own curriculum uses every part of the pack, and a cohort of 7."""
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "pack.yaml").write_text(PACK.replace("id: mini", "id: pack"))
    people = tuple(f"Person {n}" for n in range(1, 8))
    make_cohort(ws, "evenings", "pack", None, people, "--time", "18:30")
    return ws


def plan_text(ws, *args: str) -> str:
    result = run("-w", str(ws), "session-plans", "evenings", *args)
    assert result.exit_code == 0, result.output
    name = "preparation.pdf" if "--prep" in args else "session-01.pdf"
    return "\n".join(pdf_pages_text(ws / "out" / "evenings" / "session-plans" / name))


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_notes_print_the_cohort_s_own_times(pack):
    plan = squeeze(plan_text(pack))
    # The cohort starts at 18:30, not the curriculum's 18:00.
    assert "Say we finish at 19:30 and break at 18:40." in plan
    assert "Back at 18:55, please." in plan
    assert "[end" not in plan and "[start" not in plan and "[page" not in plan


def test_the_preparation_sheet_counts_for_the_group(pack):
    plan = squeeze(plan_text(pack))
    for line in (
        "Preparation",
        "Counted for 7 participants in 2 threes and 2 trainers.",
        "Print the “Word cards” and cut them.",
        "Put a workbook on every chair, open at “My reflection log”.",
        "To print",
        "Word cards 2 sets of 3 cards (one for each three)",
        "Role-play cards 2 sets of 3 cards (one for each three)",
        "Marker pens: 4 (2 for each three)",
        "Name badges: 7 (one for each person)",
        "Chairs in a circle, with space at the edges for threes.",
        "Who does what",
        "Lead trainer Leads the welcome and the role play.",
        "Peer worker (if you have one) Sits in on a three",
        "Running it online",
        "Fill in “My reflection log” before next week.",
    ):
        assert line in plan, line
    assert plan.count("Flip chart and pens") == 2  # on the sheet once, and in its block


def test_prep_alone_is_one_file_of_sheets(pack):
    sheets = squeeze(plan_text(pack, "--prep"))
    assert "Preparation · session 1" in sheets and "Preparation · session 2" in sheets
    assert "Word cards 2 sets of 3 cards" in sheets
    assert "Running the session" not in sheets and "Timetable" not in sheets


def test_a_cohort_short_of_trainers_is_told_on_the_sheet(pack):
    ws = pack
    make_cohort(ws, "alone", "pack", None, ("Ann",), "--trainer", "Sam")
    result = run("-w", str(ws), "session-plans", "alone", "--prep")
    assert result.exit_code == 0, result.output
    sheets = squeeze("\n".join(pdf_pages_text(
        ws / "out" / "alone" / "session-plans" / "preparation.pdf")))  # fmt: skip
    assert ("This session needs 2 trainers and the cohort names 1: find another before the"
            " day, or share out the roles below.") in sheets  # fmt: skip


def test_the_safety_box_speaks_of_role_plays_only_where_there_are_some(pack):
    first = squeeze(plan_text(pack))
    second = squeeze("\n".join(
        pdf_pages_text(pack / "out" / "evenings" / "session-plans" / "session-02.pdf")))  # fmt: skip
    assert "debrief every role play" in first
    assert "Keeping the session safe" in second and "debrief every role play" not in second


# --- the built-in courses --------------------------------------------------------------------

CLOCK = re.compile(r"\b([01]\d|2[0-3]):[0-5]\d\b")


def test_a_taster_at_half_past_six_gets_notes_that_match_its_timetable(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "taster", "ips-taster", None, (), "--time", "18:30")
    result = run("-w", str(ws), "session-plans", "taster")
    assert result.exit_code == 0, result.output
    plan = "\n".join(pdf_pages_text(ws / "out" / "taster" / "session-plans" / "session-01.pdf"))
    meeting = open_cohort(ws / "cohorts", "taster").settings.sessions[0]
    session = load(builtin_curricula_dir() / "ips-taster.yaml").sessions[0]
    boundaries = {f"{t:%H:%M}" for a, b, _ in timetable(session, meeting.start) for t in (a, b)}
    assert "18:30" in boundaries and "20:30" in boundaries
    printed = {match.group(0) for match in CLOCK.finditer(plan)}
    assert printed, "the plan prints its times"
    assert printed <= boundaries, sorted(printed - boundaries)


@pytest.mark.parametrize("name", ["ips-10-week", "ips-5-day", "ips-2-day-cascade", "ips-taster"])
def test_every_built_in_states_each_session_s_preparation_team_and_online_notes(name):
    curriculum = load(builtin_curricula_dir() / f"{name}.yaml")
    for session in curriculum.sessions:
        assert session.team, session.id
        assert session.online, session.id
        assert session.preparation, session.id
    assert curriculum.evaluation is not None
    assert curriculum.certificate.accredited_statement
    assert "based on" in curriculum.certificate.statement


def test_a_mistake_in_a_counted_material_is_that_mistake_alone(tmp_path):
    text = PACK.replace("{item: Marker pens, per: three, count: 2}", "{item: Pens, per: persons}")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'persons')}: sessions[1].blocks[1].materials[2].per:"
        " expected 'person', 'three', 'group' or 'trainer'\n"
    )
