"""What the shape alone cannot catch: sums, ids, references, rules no one could meet."""

from __future__ import annotations

import pytest

from helpers import MINI, run
from ipskit.core.errors import FileProblemsError
from ipskit.courses.curriculum import load, timetable
from ipskit.courses.curriculum import start_time as clock
from test_bad_curricula import position, refused, write


def value_at(text: str, pair: str, occurrence: int = 1) -> str:
    """The 'LINE:COL' of the value in the n-th 'key: value' pair."""
    line, column = position(text, pair, occurrence).split(":")
    return f"{line}:{int(column) + pair.index(': ') + 2}"


def test_blocks_that_do_not_add_up(tmp_path):
    text = MINI.replace("length_minutes: 60", "length_minutes: 75")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '75')}: sessions[1].length_minutes:"
        " the blocks add up to 60 minutes, not 75\n"
    )


def test_duplicate_session_ids(tmp_path):
    text = MINI.replace("id: two", "id: one")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'id: one', 2)}: sessions[2].id:"
        " 'one' appears twice in the session ids\n"
    )


def test_compulsory_session_that_does_not_exist(tmp_path):
    text = MINI.replace(
        "  min_attendance_percent: 50\n",
        "  min_attendance_percent: 50\n  compulsory_sessions: [one, three]\n",
    )
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'three]')}: completion.compulsory_sessions[2]:"
        " no session has id 'three'\n"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "min_attendance_percent: 120",
            "completion.min_attendance_percent: no one can attend 120% of the sessions",
        ),
        (
            "min_sessions_attended: 3",
            "completion.min_sessions_attended: no one can attend 3 sessions of a course of 2",
        ),
    ],
)
def test_rules_no_one_could_meet(tmp_path, rule, message):
    text = MINI.replace("min_attendance_percent: 50", rule)
    path = write(tmp_path, text)
    assert refused(path) == f"{path}:{value_at(text, rule)}: {message}\n"


def test_both_attendance_rules(tmp_path):
    text = MINI.replace(
        "min_attendance_percent: 50", "min_attendance_percent: 50\n  min_sessions_attended: 1"
    )
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'min_sessions_attended: 1')}: completion.min_sessions_attended:"
        " give either min_attendance_percent or min_sessions_attended, not both\n"
    )


def test_negative_percent_is_refused(tmp_path):
    text = MINI.replace("min_attendance_percent: 50", "min_attendance_percent: -5")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '-5')}: completion.min_attendance_percent:"
        " should be greater than or equal to 0\n"
    )


def test_assessment_in_a_session_that_does_not_exist(tmp_path):
    text = MINI.replace(
        "  min_attendance_percent: 50\n",
        "  min_attendance_percent: 50\n  assessment:\n    title: Presentation\n"
        "    session: week-10\n    description: Present the Four Tasks.\n",
    )
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'week-10')}: completion.assessment.session:"
        " no session has id 'week-10'\n"
    )


@pytest.mark.parametrize(
    ("offsets", "problem"),
    [
        ("[0]", "schedule.day_offsets: gives 1 day offsets for 2 sessions"),
        ("[3, 7]", "schedule.day_offsets[1]: the first session's offset must be 0"),
        ("[0, 0]", "schedule.day_offsets[2]: each offset must be later than the one before"),
    ],
)
def test_bad_day_offsets(tmp_path, offsets, problem):
    text = MINI.replace("  pattern: weekly\n", f"  pattern: offsets\n  day_offsets: {offsets}\n")
    path = write(tmp_path, text)
    stderr = refused(path)
    assert stderr.count("\n") == 1
    assert stderr.endswith(f": {problem}\n")


def test_role_play_block_without_a_scene(tmp_path):
    text = MINI.replace("      - kind: check-out", "      - kind: role-play")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'role-play', 2)}: sessions[2].blocks[1].kind:"
        " a role-play block needs a 'role_play'\n"
    )


def test_scene_on_a_block_that_is_not_a_role_play(tmp_path):
    text = MINI.replace("      - kind: role-play", "      - kind: exercise")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'scenario')}: sessions[1].blocks[3].role_play:"
        " only a block of kind 'role-play' can have a 'role_play'\n"
    )


def test_role_play_needs_three_roles(tmp_path):
    text = MINI.replace("            - {name: Observer, brief: Notice connection.}\n", "")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '- {name: Peer')}: sessions[1].blocks[3].role_play.roles:"
        " needs at least 3 item(s)\n"
    )


def test_session_past_midnight(tmp_path):
    text = MINI.replace('start_time: "18:00"', 'start_time: "23:30"')
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'length_minutes: 60')}: sessions[1].length_minutes:"
        " the session would run past midnight\n"
    )


def test_bad_clock_time(tmp_path):
    text = MINI.replace('start_time: "18:00"', 'start_time: "6pm"')
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, chr(34) + '6pm')}: schedule.start_time:"
        ' use the 24-hour clock in quotes, e.g. "18:30"\n'
    )


def test_bad_id(tmp_path):
    text = MINI.replace("id: two", "id: Week Two")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'id: Week Two')}: sessions[2].id:"
        " use lower-case letters, digits and hyphens only, e.g. week-1\n"
    )


def test_unknown_block_kind(tmp_path):
    text = MINI.replace("kind: welcome", "kind: lecture")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'lecture')}: sessions[1].blocks[1].kind: expected 'welcome',"
        " 'check-in', 'teaching', 'exercise', 'role-play', 'discussion', 'break', 'reflection',"
        " 'assessment' or 'check-out'\n"
    )


def test_unknown_schedule_pattern(tmp_path):
    text = MINI.replace("pattern: weekly", "pattern: fortnightly")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'pattern: fortnightly')}: schedule.pattern: expected"
        " 'weekly', 'daily' or 'offsets'\n"
    )


def test_follow_on_id_clashing_with_a_session(tmp_path):
    follow = """\
follow_on:
  id: one
  title: Group
  every: month
  count: 12
  first_after_days: 28
  length_minutes: 30
  aim: Keep going.
  objectives: [Co-reflect]
  blocks:
    - {kind: reflection, title: Round, minutes: 30}
"""
    text = MINI + follow
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{value_at(text, 'id: one', 2)}: follow_on.id: 'one' is already a session's id\n"
    )


def test_contact_hours_leave_out_breaks(tmp_path):
    curriculum = load(write(tmp_path, MINI))
    assert [s.contact_minutes for s in curriculum.sessions] == [45, 30]
    assert curriculum.contact_hours == 1.25


def test_timetable_gives_clock_times(tmp_path):
    curriculum = load(write(tmp_path, MINI))
    rows = timetable(curriculum.sessions[0], clock("18:00"))
    assert [(f"{a:%H:%M}", f"{b:%H:%M}", block.title) for a, b, block in rows] == [
        ("18:00", "18:10", "Welcome"),
        ("18:10", "18:25", "Tea"),
        ("18:25", "19:00", "Practice in threes"),
    ]


def test_validate_reports_each_file(tmp_path):
    good = write(tmp_path, MINI, "good.yaml")
    bad = write(tmp_path, MINI.replace("length_minutes: 30", "length_minutes: 31"), "bad.yaml")
    result = run("curricula", "validate", str(good), str(bad))
    assert result.exit_code == 1
    assert result.stdout == f"{good}: valid (2 sessions, 1.25 contact hours)\n"
    assert result.stderr.startswith(f"{bad}:")
    assert result.stderr.endswith("the blocks add up to 30 minutes, not 31\n")


# --- read once for the same text ------------------------------------------------------


def test_a_curriculum_edited_between_two_reads_is_read_anew(tmp_path):
    # A process reads a curriculum once for the same text (every command reads them all):
    # a file changed in between, even to the same size and within the same second, is
    # read as it is now.
    path = tmp_path / "course.yaml"
    path.write_text(MINI, encoding="utf-8")
    first = load(path)
    assert load(path) is first
    path.write_text(MINI.replace("length_minutes: 60", "length_minutes: 61"), encoding="utf-8")
    with pytest.raises(FileProblemsError):
        load(path)
    path.write_text(MINI.replace("A small course", "A smaller course"), encoding="utf-8")
    assert load(path).title == "A smaller course"
    assert load(path) is not first


def test_the_same_text_in_another_file_is_the_same_curriculum(tmp_path):
    (tmp_path / "a.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MINI, encoding="utf-8")
    assert load(tmp_path / "a.yaml") is load(tmp_path / "b.yaml")
    (tmp_path / "a.yaml").write_text("", encoding="utf-8")
    with pytest.raises(FileProblemsError) as caught:
        load(tmp_path / "a.yaml")
    assert caught.value.lines == (f"{tmp_path / 'a.yaml'}:1:1: the file is empty",)
