"""The built-in curricula: the shapes the courses promise, and the floor of their content.

A trainer must be able to run every session from the file alone, so these tests hold the
content to a minimum: timed blocks with real facilitator notes, prompts, homework, role
plays for threes with debriefs, and the safety practice every session needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ipskit.core import yamlio
from ipskit.core.resources import builtin_curricula_dir
from ipskit.courses.curriculum import Curriculum, Daily, Offsets, Weekly, load

FILES = sorted(builtin_curricula_dir().glob("*.yaml"))
COURSES = {path.stem: load(path) for path in FILES}
LONGER = ["ips-10-week", "ips-5-day", "ips-2-day-cascade"]
SAMARITANS = "116 123"


def all_sessions(course: Curriculum):
    yield from course.sessions
    if course.follow_on:
        yield course.follow_on


def text_of(session) -> str:
    parts = [session.content_note or ""]
    for block in session.blocks:
        parts += [block.title, block.facilitator_notes or "", block.participant_text or ""]
    return " ".join(parts)


def test_there_are_four_named_after_their_ids():
    assert {path.stem: course.id for path, course in zip(FILES, COURSES.values(), strict=True)} == {
        "ips-10-week": "ips-10-week",
        "ips-2-day-cascade": "ips-2-day-cascade",
        "ips-5-day": "ips-5-day",
        "ips-taster": "ips-taster",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_both_parsers_read_the_same_data(path, monkeypatch):
    fast = yamlio.load(path).data
    monkeypatch.setitem(sys.modules, "_ruamel_yaml", None)
    assert yamlio.load(path).data == fast


def test_ten_week_course():
    course = COURSES["ips-10-week"]
    assert isinstance(course.schedule, Weekly)
    assert [s.id for s in course.sessions] == [f"week-{n}" for n in range(1, 11)]
    assert [s.length_minutes for s in course.sessions] == [150] * 9 + [180]  # presentations
    for session in course.sessions:
        breaks = [b.minutes for b in session.blocks if b.kind == "break"]
        assert breaks == [15], session.id
    assessment = course.completion.assessment
    assert assessment is not None and assessment.session == "week-10"
    assert "Four Tasks" in assessment.title
    assert len(assessment.guide) >= 5
    assert any(b.kind == "assessment" for b in course.sessions[-1].blocks)
    assert course.contact_hours == 23


def test_five_day_intensive():
    course = COURSES["ips-5-day"]
    assert isinstance(course.schedule, Daily) and course.schedule.weekends is False
    assert len(course.sessions) == 5
    assert course.trainers == 2 and course.max_participants == 30
    for session in course.sessions:
        assert 5.5 * 60 <= session.contact_minutes <= 6.5 * 60, session.id
        assert sum(1 for b in session.blocks if b.kind == "break") >= 3  # lunch and two breaks
    assert course.completion.min_sessions_attended == 5


def test_two_day_cascade():
    course = COURSES["ips-2-day-cascade"]
    assert isinstance(course.schedule, Offsets)
    assert course.schedule.day_offsets == [0, 7]
    assert course.agreement is not None and course.agreement.session == "day-2"
    assert len(course.agreement.commitments) >= 8
    follow = course.follow_on
    assert follow is not None
    assert (follow.every, follow.count, follow.length_minutes) == ("month", 12, 120)
    assert "co-reflection" in text_of(follow).lower()
    assert "log" in (course.sessions[0].homework or "").lower()


def test_taster():
    course = COURSES["ips-taster"]
    (session,) = course.sessions
    assert course.schedule.start_time == "18:00"
    assert session.length_minutes == 120
    assert [b.minutes for b in session.blocks if b.kind == "break"] == [15]
    assert session.contact_minutes == 105
    assert "what happened" in text_of(session).lower()


@pytest.mark.parametrize("course_id", LONGER)
def test_every_session_of_the_longer_courses_meets_the_floor(course_id):
    for session in COURSES[course_id].sessions:
        assert len(session.blocks) >= 6, session.id
        for block in session.blocks:
            words = len((block.facilitator_notes or "").split())
            assert words >= (15 if block.kind == "break" else 25), (session.id, block.title)
        assert len(session.reflection_prompts) >= 3, session.id
        assert session.homework, session.id
        assert len(session.objectives) >= 3, session.id
        assert session.key_ideas, session.id
        assert any(b.kind == "check-in" for b in session.blocks), session.id
        assert any(b.kind == "check-out" for b in session.blocks), session.id


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_every_role_play_is_for_three_with_a_debrief(course_id):
    plays = [play for s in all_sessions(COURSES[course_id]) for _, play in s.role_plays()]
    if course_id != "ips-taster":
        assert plays
    for play in plays:
        assert len(play.scenario.split()) >= 20
        assert len(play.roles) == 3
        assert all(len(role.brief.split()) >= 10 for role in play.roles)
        assert len(play.debrief) >= 3


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_safety_practice_is_part_of_the_sessions(course_id):
    course = COURSES[course_id]
    first, last = course.sessions[0], course.sessions[-1]
    opening = text_of(first).lower()
    assert "agreement" in opening and "confidential" in opening
    assert "step out" in opening
    assert SAMARITANS in text_of(first) and SAMARITANS in text_of(last)
    assert len(course.group_agreement) >= 4
    assert any("step out" in point for point in course.group_agreement)
    for session in all_sessions(course):
        text = text_of(session).lower()
        taught = " ".join(
            [b.title for b in session.blocks] + [play.scenario for _, play in session.role_plays()]
        ).lower()
        if "suicid" in taught or "self-harm" in taught:
            assert session.content_note, session.id
            assert SAMARITANS in text_of(session), session.id
        if any(b.kind == "role-play" for b in session.blocks):
            assert "debrief" in text, session.id


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_each_has_competencies_certificate_wording_and_a_glossary(course_id):
    course = COURSES[course_id]
    assert [c.id for c in course.competencies] == [
        "connection", "learning-together", "worldview", "relationship-focus", "mutuality",
        "hope", "moving-towards", "self-reflection", "feedback", "co-reflection",
    ]  # fmt: skip
    assert course.certificate.heading and course.certificate.statement
    terms = {t.term.lower() for t in course.glossary}
    assert len(terms) >= 8
    assert any("co-reflection" in term for term in terms)


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_the_four_tasks_and_three_principles_are_taught(course_id):
    text = " ".join(text_of(s) for s in COURSES[course_id].sessions).lower()
    for task in ("connection", "worldview", "mutuality", "moving towards"):
        assert task in text, task
    for principle in ("learning", "relationship", "hope"):
        assert principle in text, principle


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_plain_british_wording(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text
    for word in ("patients", "service users are", "symptoms"):
        assert word not in text.lower(), word
