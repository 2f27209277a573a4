"""The workbook's pages: observation sheets without briefs, a course's own pages, its choice.

Most tests build the workbook of a small course of their own, kept in the workspace;
the catalogue then reads no built-in curriculum, so these tests say what the workbook
does whatever the built-in courses hold. The last ones read every built-in course.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import build_file_tree, make_cohort, make_workspace, pdf_pages_text, run
from ipskit.courses.catalogue import catalogue
from ipskit.courses.references import REFERENCE, page_titles
from ipskit.documents.workbooks import column_widths

pytestmark = pytest.mark.slow  # documents laid out and read back: a second or two each

#: A course of two evenings with a role play, three pages of its own, and references.
COURSE = """\
id: practice
title: A practice course
summary: Two evenings of practice. Start with [page:course-map].
audience: Anyone curious.
schedule:
  pattern: weekly
  start_time: "18:00"
group_agreement:
  - What is said here stays here.
sessions:
  - id: one
    title: Noticing connection
    length_minutes: 120
    aim: Meet each other and notice connection.
    objectives: [Name the three principles]
    key_ideas:
      - Connection can slip and be put right, and the tea break ends at [end:tea].
    blocks:
      - kind: welcome
        title: Welcome
        minutes: 15
        facilitator_notes: Greet people.
        participant_text: We meet from [start] to [end].
      - id: tea
        kind: break
        title: Tea
        minutes: 15
      - kind: role-play
        title: A first meeting at the drop-in
        minutes: 90
        facilitator_notes: Groups of three; back together at [end].
        participant_text: After tea, from [start:tea] to [end:tea], and then in threes.
        role_play:
          scenario: >-
            Two people meet for the first time at a drop-in. One has come because a friend
            suggested it. Play the first few minutes, then pause.
          roles:
            - name: Peer supporter
              brief: You notice a strong pull to reassure and to fix things for the other person.
            - name: Sam
              brief: Your sister died last spring and you have told nobody at the drop-in.
            - name: Observer
              brief: Keep an eye on the clock and call the pause after six minutes exactly.
          debrief:
            - What helped the connection?
            - Where did it slip, and what happened next?
    reflection_prompts:
      - When did you last feel listened to?
    homework: Notice the pull to fix this week, and note it on [page:fixing-log].
  - id: two
    title: Where views come from
    length_minutes: 120
    aim: Notice how we come to know what we know.
    objectives: [Reflect]
    blocks:
      - kind: teaching
        title: Roots
        minutes: 60
        participant_text: Our stories shape what we notice.
      - kind: check-out
        title: Closing round
        minutes: 60
        facilitator_notes: One word each.
    homework: Fill in [page:roots] before we meet again.
pages:
  - id: fixing-log
    title: Wanting to fix
    after: one
    intro: Each time you notice the pull to fix, jot it down. No names.
    columns: ["Date", "The moment (no names)", "What I felt pulled to do", "What I did instead"]
    rows: 5
  - id: roots
    title: Where my views come from
    after: one
    intro: Questions to sit with.
    prompts:
      - Which people or places taught you what help looks like?
      - What do you see differently now than ten years ago?
  - id: co-reflection-notes
    title: Notes from co-reflection
    columns: ["Date", "The moment (no names)", "Through the principles and tasks", "What I will try"]
competencies:
  - {id: connection, name: Connection, statement: I notice when connection slips and can repair it.}
glossary:
  - {term: Worldview, meaning: How each of us has come to know what we know.}
completion:
  min_attendance_percent: 50
certificate:
  heading: Certificate of attendance
  statement: took part in a practice course
"""

BRIEFS = [
    "You notice a strong pull to reassure and to fix things for the other person.",
    "Your sister died last spring and you have told nobody at the drop-in.",
    "Keep an eye on the clock and call the pause after six minutes exactly.",
]


@contextmanager
def builtins_left_out(folder: Path) -> Iterator[None]:
    """The catalogue without the built-in curricula: a workspace's own courses only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ipskit.courses.catalogue.builtin_curricula_dir", lambda: folder)
        yield


@pytest.fixture
def own_courses_only(tmp_path_factory) -> Iterator[None]:
    with builtins_left_out(tmp_path_factory.mktemp("no-builtins")):
        yield


def workspace_with(root: Path, course: str) -> Path:
    ws = make_workspace(root)
    build_file_tree(ws, {"curricula": {"course.yaml": course}})
    return ws


def squeeze(text: str) -> str:
    return "".join(text.split())


def build(ws: Path, *args: str) -> list[str]:
    """The workbook of the course in ``ws``, as the text of each page."""
    result = run("-w", str(ws), "build-workbook", *args)
    assert result.exit_code == 0, result.output
    name = args[0] if not args[0].startswith("-") else args[1]
    return pdf_pages_text(ws / "out" / name / "workbook.pdf")


def where(pages: list[str], heading: str) -> int:
    """The number of the page that starts with ``heading`` (under its kicker, if any)."""
    found = [n for n, page in enumerate(pages, 1) if heading in page.splitlines()[:3]]
    assert len(found) == 1, (heading, found)
    return found[0]


@pytest.fixture(scope="module")
def spring(tmp_path_factory) -> tuple[Path, list[str]]:
    """The course run by a cohort that starts at 18:30, with its workbook and two copies."""
    with builtins_left_out(tmp_path_factory.mktemp("no-builtins")):
        ws = workspace_with(tmp_path_factory.mktemp("pages"), COURSE)
        make_cohort(ws, "spring", "practice", None, ("Ana Silva", "Ben Okoro"), "--time", "18:30")
        pages = build(ws, "spring")
        copies = run("-w", str(ws), "build-workbook", "spring", "--per-participant")
        assert copies.exit_code == 0, copies.output
        html = run("-w", str(ws), "build-workbook", "spring", "--format", "html")
        assert html.exit_code == 0, html.output
    return ws, pages


def test_an_observation_sheet_is_a_grid_for_the_observer_and_holds_no_brief(spring):
    ws, pages = spring
    first = where(pages, "A first meeting at the drop-in")
    sheet = pages[first - 1]
    for seen in ("Two people meet for the first time at a drop-in.", "Peer supporter", "Sam",
                 "Observer", "What I saw or heard", "What shifted", "Connection", "Worldview",
                 "Mutuality", "Moving Towards", "Learning rather than helping",
                 "Relationship rather than individual", "Hope rather than fear"):  # fmt: skip
        assert squeeze(seen) in squeeze(sheet), seen
    debrief = pages[first]  # the debrief has a page of its own, after the grid
    assert debrief.splitlines()[0] == "Debrief"
    assert "What helped the connection?" in debrief
    assert "Where did it slip, and what happened next?" in debrief
    assert "What I want to remember" in debrief
    html = (ws / "out" / "spring" / "workbook.html").read_text(encoding="utf-8")
    copies = sorted((ws / "out" / "spring" / "workbooks").glob("workbook-*.pdf"))
    assert len(copies) == 2
    texts = [squeeze("".join(pages))] + [squeeze("".join(pdf_pages_text(c))) for c in copies]
    for brief in BRIEFS:
        assert brief not in html
        assert not any(squeeze(brief) in text for text in texts), brief


def test_a_template_asking_for_a_brief_is_stopped_rather_than_print_it(tmp_path,
                                                                     own_courses_only):  # fmt: skip
    ws = workspace_with(tmp_path, COURSE)
    path = ws / "templates" / "workbook.html"
    path.write_text("<html><body>{% for sheet in role_plays %}{% for role in sheet.roles %}"
                    "<p>{{ role.name }}: {{ role.brief }}</p>{% endfor %}{% endfor %}"
                    "</body></html>", encoding="utf-8")  # fmt: skip
    result = run("-w", str(ws), "build-workbook", "--curriculum", "practice")
    assert result.exit_code == 1
    assert result.stderr == f"{path.resolve()}:1: 'dict object' has no attribute 'brief'\n"
    assert not (ws / "out" / "practice" / "workbook.pdf").exists()


def test_a_log_page_shows_its_column_headings_with_rows_to_write_in(spring):
    ws, pages = spring
    log = pages[where(pages, "Wanting to fix") - 1]
    for heading in ("Date", "The moment (no names)", "What I felt pulled to do",
                    "What I did instead", "Each time you notice the pull to fix"):  # fmt: skip
        assert squeeze(heading) in squeeze(log), heading
    html = (ws / "out" / "spring" / "workbook.html").read_text(encoding="utf-8")
    table = html[html.index('id="page-fixing-log"') :].split("</table>")[0]
    assert table.count("<tr>") == 1 + 5  # the headings, and the five rows asked for
    assert table.count('<th scope="col">') == 4


def test_a_prompts_page_gives_each_question_room(spring):
    _, pages = spring
    page = pages[where(pages, "Where my views come from") - 1]
    assert "Which people or places taught you what help looks like?" in page
    assert "What do you see differently now than ten years ago?" in page


def test_pages_come_after_their_session_and_the_others_before_support(spring):
    _, pages = spring
    one, log, roots, two = (where(pages, h) for h in ("Noticing connection", "Wanting to fix",
                            "Where my views come from", "Where views come from"))  # fmt: skip
    assert one < log < roots < two  # in the curriculum's order, after the session's pages
    notes = where(pages, "Notes from co-reflection")
    assert where(pages, "Glossary") < notes < where(pages, "Where to get support")
    contents = [line.rstrip(" .0123456789") for line in pages[1].splitlines()]
    assert contents[contents.index("Session 1: Noticing connection") + 1 :][:3] == [
        "Wanting to fix", "Where my views come from", "Session 2: Where views come from",
    ]  # fmt: skip


def test_every_reference_is_written_out_with_the_cohort_s_own_times(spring):
    _, pages = spring
    text = "\n".join(pages)
    assert "We meet from 18:30 to 20:30." in text
    assert "After tea, from 18:45 to 19:00, and then in threes." in text
    assert "the tea break ends at 19:00." in text
    assert "note it on “Wanting to fix”." in text
    assert "Fill in “Where my views come from” before we meet again." in text
    assert "Start with “Course map”." in text
    assert "[" not in text


def test_a_course_without_a_cohort_has_the_curriculum_s_times(tmp_path, own_courses_only):
    ws = workspace_with(tmp_path, COURSE)
    text = "\n".join(build(ws, "--curriculum", "practice"))
    assert "We meet from 18:00 to 20:00." in text
    assert "After tea, from 18:15 to 18:30, and then in threes." in text


def test_the_workbook_list_chooses_the_workbook_s_own_pages(tmp_path, own_courses_only):
    chosen = COURSE.replace("competencies:", "workbook: [support]\ncompetencies:")
    ws = workspace_with(tmp_path, chosen.replace("[page:course-map]", "the map"))
    pages = build(ws, "--curriculum", "practice")
    text = squeeze("".join(pages))
    for left_out in ("Course map", "Our group agreement", "My wellbeing plan",
                     "Role-play observation sheet", "What I saw or heard", "My self-assessment",
                     "Glossary"):  # fmt: skip
        assert squeeze(left_out) not in text, left_out
    kept = ["Noticing connection", "Wanting to fix", "Where my views come from",
            "Where views come from", "Notes from co-reflection", "Where to get support"]  # fmt: skip
    numbers = [where(pages, heading) for heading in kept]
    assert numbers == sorted(numbers)
    contents = [line.rstrip(" .0123456789") for line in pages[1].splitlines()[:-2]]
    assert contents == ["Contents", "Session 1: Noticing connection", *kept[1:3],
                        "Session 2: Where views come from", *kept[4:]]  # fmt: skip


#: An evening's taster: one session, a page to take away, and the support page.
TASTER = """\
id: evening
title: An evening taster
summary: One evening.
audience: Anyone.
schedule: {pattern: weekly, start_time: "18:00"}
group_agreement: [What is said here stays here.]
workbook: [support]
sessions:
  - id: evening
    title: A taste of peer support
    length_minutes: 120
    aim: A first taste.
    objectives: [Name the three principles]
    key_ideas: [Peer support is a relationship between equals.]
    blocks:
      - kind: teaching
        title: The principles
        minutes: 120
        participant_text: Three ideas.
    homework: Take [page:taking-away] home with you.
pages:
  - id: taking-away
    title: What I am taking away
    after: evening
    prompts: ["Which idea stayed with you?"]
competencies:
  - {id: connection, name: Connection, statement: I can build connection.}
glossary:
  - {term: Connection, meaning: Being met.}
completion: {min_sessions_attended: 1}
certificate: {heading: Certificate of attendance, statement: took part in a taster evening}
"""


def test_an_evening_s_workbook_is_its_session_its_page_and_support(tmp_path, own_courses_only):
    ws = workspace_with(tmp_path, TASTER)
    pages = build(ws, "--curriculum", "evening")
    assert "This workbook belongs to" in pages[0]
    headings = [line for page in pages[1:] for line in page.splitlines()[:2]]
    assert "Contents" not in headings  # three parts need no contents page
    assert [where(pages, h) for h in ("A taste of peer support", "What I am taking away",
                                     "Where to get support")] == [2, 3, 4]  # fmt: skip
    assert len(pages) == 4
    assert "Take “What I am taking away” home with you." in pages[1]


def test_the_workbook_list_sets_the_order(tmp_path, own_courses_only):
    ordered = "workbook: [wellbeing-plan, course-map, glossary, role-plays, support]\n"
    ws = workspace_with(tmp_path, COURSE.replace("competencies:", ordered + "competencies:"))
    pages = build(ws, "--curriculum", "practice")
    contents = [line.rstrip(" .0123456789") for line in pages[1].splitlines()[1:]]
    assert contents[: contents.index("Where to get support") + 1] == [
        "My wellbeing plan", "Course map", "Session 1: Noticing connection", "Wanting to fix",
        "Where my views come from", "Session 2: Where views come from", "Glossary",
        "Role-play observation sheets", "Notes from co-reflection", "Where to get support",
    ]  # fmt: skip


def test_log_columns_are_as_wide_as_their_headings_need():
    widths = column_widths(["Date", "The moment (no names)", "What I will try"])
    assert sum(widths) == pytest.approx(100, abs=0.05)
    assert widths[0] < widths[2] < widths[1]


# --- the built-in courses ----------------------------------------------------------------


def builtin_ids() -> list[str]:
    from ipskit.core.resources import builtin_curricula_dir

    return sorted(p.stem for p in builtin_curricula_dir().glob("*.yaml"))


@pytest.fixture(scope="module", params=builtin_ids())
def builtin(request, tmp_path_factory):
    """A built-in course's workbook: the demo's, where a demo cohort runs that course.

    The run's demo (conftest.py) has already laid out most built-in courses' workbooks;
    a course no demo cohort runs is laid out here from its curriculum alone.
    """
    from ipskit.cohorts.cohort import all_cohorts

    entry = catalogue().get(request.param)
    demo = request.getfixturevalue("demo_build")[0]
    for cohort in all_cohorts(demo / "cohorts"):
        if cohort.settings.curriculum == request.param:
            return entry, pdf_pages_text(demo / "out" / cohort.id / "workbook.pdf")
    ws = make_workspace(tmp_path_factory.mktemp("builtin"))
    return entry, build(ws, "--curriculum", request.param)


def test_no_role_brief_is_in_a_built_in_workbook(builtin):
    entry, pages = builtin
    text = squeeze("".join(pages))
    briefs = [
        role.brief
        for session in [*entry.curriculum.sessions, entry.curriculum.follow_on]
        if session is not None
        for _, scene in session.role_plays()
        for role in scene.roles
    ]  # fmt: skip
    for brief in briefs:
        middle = squeeze(brief)[len(squeeze(brief)) // 4 :][:60]  # a long, distinctive part
        assert middle not in text, brief


def test_every_page_a_built_in_course_names_is_in_its_workbook(builtin):
    entry, pages = builtin
    titles = page_titles(entry.curriculum)
    named = {m[2] for m in REFERENCE.finditer(entry.path.read_text(encoding="utf-8"))
             if m[1] == "page"}  # fmt: skip
    parts = parts_of(pages)
    missing = [f"{page_id} ({titles.get(page_id)})" for page_id in sorted(named)
               if not has_part(parts, titles.get(page_id, page_id))]  # fmt: skip
    assert not missing, f"{entry.id}: pages named but not in the workbook: {missing}"


def parts_of(pages: list[str]) -> list[str]:
    """The parts a workbook has: its contents' lines, or its pages' headings without them."""
    lines = pages[1].splitlines()
    if lines and lines[0] == "Contents":
        first = int(lines[1].split()[-1])  # the first part's page: the contents end before it
        lines = [line for page in pages[1 : first - 1] for line in page.splitlines()[:-2]]
        return [squeeze(line.rstrip(" .0123456789")) for line in lines[1:]]
    return [squeeze(line) for page in pages[1:] for line in page.splitlines()[:3]]


def has_part(parts: list[str], title: str) -> bool:
    """Whether a part is titled so ("Guide to the final assessment: TITLE" counts too)."""
    return any(part == squeeze(title) or part.endswith(":" + squeeze(title)) for part in parts)
