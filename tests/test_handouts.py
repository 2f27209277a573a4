"""Handouts: every card, slip, sheet and form the sessions call for, to print and cut."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, pdf_pages_text, run
from ipskit.core.resources import builtin_curricula_dir

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each

#: A small course whose sessions call for every kind of handout. Each role's brief has
#: words of its own (COMPASS, LANTERN, HARBOUR), to find which card carries which.
HANDS = """\
id: hands
title: A small course
summary: Two short evenings.
audience: Anyone curious.
trainers: 2
max_participants: 9
schedule:
  pattern: weekly
  start_time: "18:00"
group_agreement:
  - What is said here stays here.
sessions:
  - id: one
    title: First evening
    length_minutes: 60
    aim: Meet each other.
    objectives: [Name the three principles]
    materials:
      - "[handout:support-card]"
      - Flip chart and pens
    blocks:
      - kind: welcome
        title: Welcome
        minutes: 10
        facilitator_notes: Greet people and hand out the [handout:word-cards].
        materials:
          - "[handout:word-cards]"
          - {item: Marker pens, per: three, count: 2}
      - kind: break
        title: Tea
        minutes: 15
      - kind: role-play
        title: "Role play: a first meeting"
        minutes: 35
        facilitator_notes: Set up groups of three.
        role_play:
          scenario: Two people meet for the first time at a drop-in, over a cup of tea.
          roles:
            - name: Peer supporter
              brief: COMPASS. You are curious about what matters to Mo today. Stop at [end].
            - name: Mo
              brief: LANTERN. You have had a long week and want someone to listen.
            - name: Observer
              brief: HARBOUR. Notice the moments when connection grows or slips.
          debrief: ["What helped?", "What got in the way?"]
  - id: two
    title: Second evening
    length_minutes: 30
    aim: Say goodbye.
    objectives: [Reflect]
    materials:
      - "[handout:feedback-slips]"
      - "[handout:evaluation-form]"
      - "[handout:certificate-to-follow]"
    blocks:
      - kind: check-out
        title: Closing round
        minutes: 30
        facilitator_notes: One word each.
completion:
  min_attendance_percent: 50
certificate:
  heading: Certificate of attendance
  statement: took part in a small course
handouts:
  - id: word-cards
    title: Word cards
    kind: card
    per: three
    intro: Read the word aloud. What does it bring up for you?
    items: [Crazy, Service user, Survivor]
  - id: feedback-slips
    title: Presentation feedback
    kind: slip
    per: person
    count: 2
    prompts: ["What I noticed", "One thing to try"]
  - id: power-map
    title: Power map
    kind: sheet
    per: three
    intro: Draw who holds power in a day of your peer support. Keep it by your [page:support] page.
    items: ["Who decides?", "Who is heard?"]
    prompts: ["Where is the power in this relationship?"]
evaluation:
  session: two
  questions:
    - {id: safe, text: I felt safe to say what I thought.}
    - {id: useful, text: What I learned will be useful in my peer support.}
"""

BRIEFS = {"Peer supporter": "COMPASS", "Mo": "LANTERN", "Observer": "HARBOUR"}
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Dev Patel", "Jo Brown",
          "Kim Lee", "Ann Moss")  # fmt: skip
CONTACT = "hello@riverside.example · 01632 960000"
NAMED = "Sam Ahmed, peer support lead, 01632 960123"
SUPERVISION = "the duty manager on 01632 960456"
#: Paper that is not printed: blank stationery a material may name.
STATIONERY = re.compile(r"flip ?chart (sheets?|paper)|index cards?|blank cards?", re.IGNORECASE)
PAPER = re.compile(r"\b(cards?|slips?|sheets?|forms?|handouts?|leaflets?)\b", re.IGNORECASE)


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "hands.yaml").write_text(HANDS, encoding="utf-8")
    settings = ws / "ipskit.yaml"
    text = settings.read_text(encoding="utf-8").replace(
        '  # contact: "hello@example.org · 0100 000 0000"', f'  contact: "{CONTACT}"'
    )
    settings.write_text(
        text + f'named_contact: "{NAMED}"\nsupervision: "{SUPERVISION}"\n', encoding="utf-8"
    )
    return ws


def squeeze(value: str) -> str:
    return "".join(value.split())


def lines_of(pages: list[str]) -> list[str]:
    return [line.strip() for page in pages for line in page.splitlines()]


def cards_on(path, page: int, columns: int = 2, rows: int = 2) -> list[str]:
    """The text inside each card's place on a page of cards, read by its position."""
    import pypdfium2

    mm = 72 / 25.4
    width, height = 190 / columns, 270 / rows
    document = pypdfium2.PdfDocument(path)
    try:
        text = document[page].get_textpage()
        found = []
        for number in range(columns * rows):
            left = (10 + width * (number % columns)) * mm
            top = 297 * mm - (12 + height * (number // columns)) * mm
            found.append(text.get_text_bounded(left, top - height * mm, left + width * mm, top))
        return found
    finally:
        document.close()


def test_a_cohorts_handouts_session_by_session(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE)
    result = run("-w", str(ws), "handouts", "spring")
    target = ws / "out" / "spring" / "handouts.pdf"
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert result.stdout == f"Wrote {len(reader.pages)} pages of handouts to {target}\n"
    assert reader.metadata.title == "Handouts: A small course (spring)"
    assert reader.metadata.author == "Riverside Peer Network"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    # The copies of pages are an update at the end of the file; its own trailer names
    # the title and author too, for readers that look only at the last one.
    data = target.read_bytes()
    assert b"/Info " in data[data.rindex(b"/Type /XRef") :].split(b"stream")[0]
    pages = pdf_pages_text(target)
    cover = squeeze(pages[0])
    assert squeeze("Counted for 7 participants in 2 threes, and 2 trainers.") in cover
    order = ["Session 1 · First evening", "Support card", "Word cards", "Role-play cards",
             "Session 2 · Second evening", "Presentation feedback", "End-of-course evaluation",
             "Certificate to follow", "For the course", "Sharing contact details", "Power map"]  # fmt: skip
    places = [cover.index(squeeze(part)) for part in order]
    assert places == sorted(places)
    assert squeeze("2 sets of 3 cards (one for each three)") in cover
    assert squeeze("14 copies (2 for each person)") in cover
    # Every page of a handout says at its foot what it is and which session it is for.
    feet = [page.strip().splitlines()[-1] for page in pages[1:]]
    assert "Word cards · Session 1 · cut along the grey lines" in feet
    assert "Role-play cards · Session 1 · cut along the grey lines" in feet
    assert "End-of-course evaluation · Session 2" in feet
    assert "Power map · For the course" in feet
    assert all(" · " in foot for foot in feet)
    # The pages the list gives for each handout are where it is.
    first, last = re.search(r"Wordcards.*?\(pages(\d+)–(\d+)\)", cover).groups()
    for number in range(int(first), int(last) + 1):
        assert feet[number - 2].startswith("Word cards · Session 1"), number
    # References inside handouts are written out: a page's title, the cohort's time.
    text = squeeze("\n".join(pages))
    assert squeeze("Keep it by your “Where to get support” page.") in text
    assert squeeze("Stop at 19:00.") in text
    assert "[" not in text
    # Nothing names a person on the roster.
    for person in PEOPLE:
        assert squeeze(person) not in text
        for word in person.split():
            assert len(word) < 4 or word not in text, word


def test_quantities_follow_the_roster_and_its_threes(ws):
    counts = {}
    for cohort, people in (("small", PEOPLE[:4]), ("large", PEOPLE + ("Ola", "Bea", "Cy"))):
        make_cohort(ws, cohort, "hands", None, people)
        assert run("-w", str(ws), "handouts", cohort).exit_code == 0
        pages = pdf_pages_text(ws / "out" / cohort / "handouts.pdf")
        lines = lines_of(pages)
        counts[cohort] = {
            "support": lines.count("Support when you need it"),
            "crazy": lines.count("Crazy"),
            "slips": lines.count("Presentation feedback"),
            "evaluations": sum("Anything else you would like to tell us" in p for p in pages),
            "certificates": sum(squeeze(p).count("Yourcertificateisonitsway") for p in pages),
            "contact forms": sum("This is optional." in p for p in pages),
            "role cards": sum(squeeze(p).lower().count("yourpart:") for p in pages),
        }
    # 4 people are one three; 10 are three threes. A card for each person, a set of word
    # cards and of role cards for each three, two feedback slips each, one contact form.
    assert counts["small"] == {"support": 4, "crazy": 1, "slips": 8, "evaluations": 4,
                               "certificates": 4, "contact forms": 1, "role cards": 3}  # fmt: skip
    assert counts["large"] == {"support": 10, "crazy": 3, "slips": 20, "evaluations": 10,
                               "certificates": 10, "contact forms": 1, "role cards": 9}  # fmt: skip


def test_each_role_card_carries_its_own_brief_and_no_other(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE)
    assert run("-w", str(ws), "handouts", "spring").exit_code == 0
    target = ws / "out" / "spring" / "handouts.pdf"
    pages = pdf_pages_text(target)
    role_pages = [n for n, page in enumerate(pages)
                  if page.strip().endswith("Role-play cards · Session 1 · cut along the grey lines")]  # fmt: skip
    assert role_pages
    seen = {role: 0 for role in BRIEFS}
    for page in role_pages:
        for card in cards_on(target, page):
            if not card.strip():
                continue  # an empty place at the end of the last page
            assert "Two people meet for the first time" in card
            assert "Role play: a first meeting" in card
            role = next(role for role in BRIEFS if f"your part: {role}".lower() in card.lower())
            seen[role] += 1
            for other, word in BRIEFS.items():
                assert (word in card) == (other == role), (role, other)
    assert seen == {"Peer supporter": 2, "Mo": 2, "Observer": 2}  # one of each for each three


def test_the_support_card_shows_the_workspaces_signposting(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE[:3])
    assert run("-w", str(ws), "handouts", "spring", "--session", "1").exit_code == 0
    target = ws / "out" / "spring" / "handouts-session-01.pdf"
    pages = pdf_pages_text(target)
    support = next(n for n, p in enumerate(pages)
                   if p.strip().endswith("Support card · Session 1 · cut along the grey lines"))  # fmt: skip
    card = squeeze(cards_on(target, support)[0]).lower()  # the labels are in capitals
    for part in ("Support when you need it", "116 123", NAMED, SUPERVISION, CONTACT,
                 "Your named contact", "A worry about someone's safety, or your own"):  # fmt: skip
        assert squeeze(part).lower() in card, part


def test_the_evaluation_form_is_anonymous(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE[:3])
    assert run("-w", str(ws), "handouts", "spring").exit_code == 0
    pages = pdf_pages_text(ws / "out" / "spring" / "handouts.pdf")
    forms = [page for page in pages if "Anything else you would like to tell us" in page]
    assert len(forms) == 3
    form = forms[0]
    for part in ("I felt safe to say what I thought.", "not at all", "very much",
                 "This form is anonymous", "What I learned will be useful in my peer support."):  # fmt: skip
        assert squeeze(part) in squeeze(form), part
    assert "name" not in form.lower()  # no field for one, and no word asking for it
    assert "sign" in form  # it asks people not to sign it


def test_a_curriculum_alone_is_counted_for_its_largest_group(ws):
    result = run("-w", str(ws), "handouts", "--curriculum", "hands")
    target = ws / "out" / "hands" / "handouts.pdf"
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f" pages of handouts to {target}\n")
    pages = pdf_pages_text(target)
    assert squeeze("Counted for 9 participants in 3 threes, and 2 trainers.") in squeeze(pages[0])
    assert lines_of(pages).count("Support when you need it") == 9
    assert "Stop at 19:00." in "\n".join(pages)  # the course's own start time
    assert PdfReader(target).metadata.title == "Handouts: A small course"


def test_one_file_for_each_session(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE)
    result = run("-w", str(ws), "handouts", "spring", "--per-session")
    folder = ws / "out" / "spring" / "handouts"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 3 files to {folder}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["course.pdf", "session-01.pdf",
                                                         "session-02.pdf"]  # fmt: skip
    first = pdf_pages_text(folder / "session-01.pdf")
    assert "Session 1 · First evening" in first[0] and "Session 2" not in first[0]
    assert squeeze("Word cards · Session 1") in squeeze("\n".join(first))
    assert "Power map" not in "\n".join(first)
    course = pdf_pages_text(folder / "course.pdf")
    assert "For the course" in course[0] and "Support card" not in course[0]
    reader = PdfReader(folder / "session-02.pdf")
    assert reader.metadata.title == "Handouts: A small course (spring) · Session 2"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    # One session on its own: only its handouts.
    result = run("-w", str(ws), "handouts", "spring", "--session", "two")
    target = ws / "out" / "spring" / "handouts-session-02.pdf"
    assert result.stdout == f"Wrote {len(PdfReader(target).pages)} pages of handouts to {target}\n"
    text = "\n".join(pdf_pages_text(target))
    assert "Presentation feedback" in text and "Word cards" not in text
    assert "For the course" not in text


def test_a_session_or_curriculum_that_does_not_exist_changes_nothing(ws):
    make_cohort(ws, "spring", "hands", None, PEOPLE[:3])
    result = run("-w", str(ws), "handouts", "spring", "--session", "9")
    assert result.exit_code == 1
    assert result.stderr == (
        "cohort spring has no session '9': give a number from 1 to 2 or an id such as one\n"
    )
    result = run("-w", str(ws), "handouts", "--curriculum", "nope")
    assert result.exit_code == 1
    assert re.fullmatch(r"no curriculum 'nope'; there are: [a-z0-9, -]*\bhands\b[a-z0-9, -]*\n",
                        result.stderr)  # fmt: skip
    result = run("-w", str(ws), "handouts", "spring", "--per-session", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr == "--per-session writes PDFs only: leave out --format html\n"
    assert not (ws / "out").exists()


def test_an_unwritable_output_is_one_line_and_leaves_nothing(ws, tmp_path):
    make_cohort(ws, "spring", "hands", None, PEOPLE[:3])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("-w", str(ws), "handouts", "spring", "--out", str(blocker / "h.pdf"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{blocker / 'h.pdf'}: cannot write it: part of the path is a file, not a folder;"
        " it is unchanged\n"
    )
    result = run("-w", str(ws), "handouts", "spring", "--per-session", "--out", str(blocker / "f"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{blocker / 'f'}")
    assert result.stderr.count("\n") == 1
    assert blocker.read_text() == "x"


def test_curriculum_text_is_printed_as_text(ws):
    (ws / "curricula" / "hands.yaml").write_text(
        HANDS.replace("items: [Crazy, ", 'items: ["<img src=file:///etc/passwd>", '),
        encoding="utf-8",
    )
    result = run("-w", str(ws), "handouts", "--curriculum", "hands", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (ws / "out" / "hands" / "handouts.html").read_text(encoding="utf-8")
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "<img src=file" not in html


# --- the built-in courses -------------------------------------------------------------


def _builtin(name: str):
    from ipskit.courses.curriculum import load

    return load(builtin_curricula_dir() / f"{name}.yaml")


@pytest.mark.parametrize("name", sorted(p.stem for p in builtin_curricula_dir().glob("*.yaml")))
def test_every_handout_a_builtin_course_names_is_printed(tmp_path, name):
    from ipskit.courses import references
    from ipskit.courses.references import REFERENCE, References, handout_titles

    curriculum = _builtin(name)
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "handouts", "--curriculum", name)
    assert result.exit_code == 0, result.output
    pages = pdf_pages_text(ws / "out" / name / "handouts.pdf")
    text = squeeze("\n".join(pages))
    # A role's brief is on its role cards and nowhere else that is handed out.
    written = References(curriculum, lambda moment: f"{moment:%H:%M}")
    briefs = [squeeze(written.text(role.brief) or "")[:80] for session in curriculum.sessions
              for _, scene in session.role_plays() for role in scene.roles]  # fmt: skip
    for number, page in enumerate(pages):
        if "Role-play cards · Session" in page.strip().splitlines()[-1]:
            continue
        assert not [b for b in briefs if b in squeeze(page)], (name, number)
    assert all(brief in text for brief in briefs)
    titles = handout_titles(curriculum)
    sessions = [*curriculum.sessions, *([curriculum.follow_on] if curriculum.follow_on else [])]
    for session in sessions:
        # Whatever its notes, preparation or materials name is printed too.
        for handout in references.named(session, "handout"):
            assert squeeze(titles[handout]) in text, (session.title, handout)
        for material in [*session.materials, *(m for b in session.blocks for m in b.materials)]:
            words = material if isinstance(material, str) else material.item
            named = [m.group(2) for m in REFERENCE.finditer(words) if m.group(1) == "handout"]
            for handout in named:
                assert squeeze(titles[handout]) in text, (session.title, handout)
            if not any(REFERENCE.finditer(words)):  # plain text: something not printed
                unprinted = STATIONERY.sub("", words)
                assert not PAPER.search(unprinted), (session.title, words)
