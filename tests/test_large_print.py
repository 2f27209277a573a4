"""Large-print handouts: every card, sheet and form in 18pt type, with room to write."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, pdf_pages_text, run
from ipskit.core.resources import builtin_templates_dir
from test_handouts import HANDS, PEOPLE, squeeze

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "hands.yaml").write_text(HANDS, encoding="utf-8")
    make_cohort(ws, "spring", "hands", None, PEOPLE)
    return ws


def pieces(page) -> list[tuple[float, str]]:
    """Each piece of text a page draws, with its size in points (from its matrices)."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((round(abs(size * tm[3] * cm[3]), 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def body_size(page) -> float:
    """The size most of a page's characters are drawn at."""
    sizes: Counter[float] = Counter()
    for size, text in pieces(page):
        sizes[size] += len(text)
    return sizes.most_common(1)[0][0]


def feet(path) -> list[str]:
    """The label at the foot of each page, or "" on the list of what to print in front."""
    pages = pdf_pages_text(path)
    # The list gives the first handout's pages: those before it are the list's own.
    first = min(int(n) for n in re.findall(r"\(pages? (\d+)", pages[0]))
    return [""] * (first - 1) + [page.strip().splitlines()[-1] for page in pages[first - 1 :]]


def cover_of(path) -> str:
    """The text of the list of what to print, on however many pages it takes."""
    pages = zip(pdf_pages_text(path), feet(path), strict=True)
    return "".join(page for page, foot in pages if not foot)


def counts(path) -> dict[str, int]:
    """How many of each handout a file prints, by words each copy carries once."""
    pages = pdf_pages_text(path)
    text = [squeeze(page).lower() for page in pages]
    return {
        "support": sum(page.count("supportwhenyouneedit") for page in text),
        "role cards": sum(page.count("yourpart:") for page in text),
        "crazy": sum(page.count("crazy") for page in text),
        "feedback": sum(page.count("onethingtotry") for page in text),
        "evaluations": sum(page.count("anythingelseyouwouldliketotellus") for page in text),
        "certificates": sum(page.count("yourcertificateisonitsway") for page in text),
    }


def test_large_print_handouts_are_in_18pt_type_beside_the_others(ws):
    result = run("-w", str(ws), "handouts", "spring", "--large-print")
    target = ws / "out" / "spring" / "handouts-large-print.pdf"
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert result.stdout == f"Wrote {len(reader.pages)} pages of handouts to {target}\n"
    assert result.stderr == ""  # nothing ran over its page
    assert reader.metadata.title == "Handouts: A small course (spring)"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert run("-w", str(ws), "handouts", "spring").exit_code == 0
    ordinary = ws / "out" / "spring" / "handouts.pdf"
    assert sorted(p.name for p in target.parent.glob("handouts*.pdf")) == [
        "handouts-large-print.pdf", "handouts.pdf"]  # fmt: skip
    normal = PdfReader(ordinary)
    assert len(reader.pages) > len(normal.pages)
    # Every page's text is 18pt or so; nothing under 16pt but the label at its foot,
    # which tells the trainer which pile a page belongs to.
    labels = feet(target)
    for number, page in enumerate(reader.pages):
        assert body_size(page) >= 16, number
        for size, text in pieces(page):
            assert size >= 16 or squeeze(text) in squeeze(labels[number]), (number, size, text)
    # The same check on the ordinary handouts fails: their cards are in 9pt or so.
    assert all(body_size(page) < 12 for page in normal.pages[1:])
    assert any(size < 16 for page in normal.pages for size, _ in pieces(page))


def test_every_handout_is_in_large_print_as_many_times(ws):
    assert run("-w", str(ws), "handouts", "spring").exit_code == 0
    assert run("-w", str(ws), "handouts", "spring", "--large-print").exit_code == 0
    ordinary = ws / "out" / "spring" / "handouts.pdf"
    large = ws / "out" / "spring" / "handouts-large-print.pdf"
    # Each handout, for the same session, by its label ("Word cards · Session 1")...
    named = {foot.removesuffix(" · cut along the grey lines") for foot in feet(large)} - {""}
    assert named == {foot.removesuffix(" · cut along the grey lines")
                     for foot in feet(ordinary)} - {""}  # fmt: skip
    for title in ("Support card", "Word cards", "Role-play cards", "Presentation feedback",
                  "End-of-course evaluation", "Certificate to follow", "Sharing contact details",
                  "Power map"):  # fmt: skip
        assert any(label.startswith(f"{title} · ") for label in named), title
    # ...in as many copies, counted for the same group.
    assert counts(large) == counts(ordinary) == {
        "support": 7, "role cards": 6, "crazy": 2, "feedback": 14, "evaluations": 7,
        "certificates": 7,
    }  # fmt: skip
    cover = squeeze(cover_of(large))
    assert squeeze("Counted for 7 participants in 2 threes, and 2 trainers.") in cover
    assert squeeze("14 copies (2 for each person)") in cover
    # A slip would hold a line or two of 18pt type: slips are printed as cards at least.
    assert squeeze("Slips, 8 to a page") in squeeze(cover_of(ordinary))
    assert squeeze("Slips, 8 to a page") not in cover
    # Nothing is cut short: each role's brief is there in full, the times written out.
    text = squeeze("\n".join(pdf_pages_text(large)))
    for brief in ("COMPASS. You are curious about what matters to Mo today. Stop at 19:00.",
                  "LANTERN. You have had a long week and want someone to listen.",
                  "HARBOUR. Notice the moments when connection grows or slips."):  # fmt: skip
        assert squeeze(brief) in text


def test_large_print_one_file_for_each_session(ws):
    result = run("-w", str(ws), "handouts", "spring", "--per-session", "--large-print")
    folder = ws / "out" / "spring" / "handouts"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 3 files to {folder}\n"
    assert run("-w", str(ws), "handouts", "spring", "--per-session").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "course-large-print.pdf", "course.pdf", "session-01-large-print.pdf", "session-01.pdf",
        "session-02-large-print.pdf", "session-02.pdf",
    ]  # fmt: skip
    first = folder / "session-01-large-print.pdf"
    reader = PdfReader(first)
    assert reader.metadata.title == "Handouts: A small course (spring) · Session 1"
    assert all(body_size(page) >= 16 for page in reader.pages)
    assert body_size(PdfReader(folder / "session-01.pdf").pages[1]) < 12
    pages = pdf_pages_text(first)
    assert "Session 1 · First evening" in pages[0] and "Session 2" not in pages[0]
    assert "Power map" not in "\n".join(pages)
    # One session on its own, likewise.
    result = run("-w", str(ws), "handouts", "spring", "--session", "two", "--large-print")
    target = ws / "out" / "spring" / "handouts-session-02-large-print.pdf"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {len(PdfReader(target).pages)} pages of handouts to {target}\n"
    assert all(body_size(page) >= 16 for page in PdfReader(target).pages)


def test_large_print_html_carries_its_styles(ws):
    result = run("-w", str(ws), "handouts", "spring", "--format", "html", "--large-print")
    target = ws / "out" / "spring" / "handouts-large-print.html"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the handouts to {target}\n"
    html = target.read_text(encoding="utf-8")
    assert '<html lang="en-GB" class="large-print">' in html
    assert '<link rel="stylesheet" href="handouts.css">' in html
    assert "Support when you need it" in html and "Power map" in html
    css = (builtin_templates_dir() / "handouts.css").read_text(encoding="utf-8")
    assert "html.large-print { font-size: 18pt;" in css
    assert run("-w", str(ws), "handouts", "spring", "--format", "html").exit_code == 0
    ordinary = (ws / "out" / "spring" / "handouts.html").read_text(encoding="utf-8")
    assert "large-print" not in ordinary


def test_the_help_says_what_large_print_does():
    result = run("handouts", "--help")
    assert result.exit_code == 0
    assert "--large-print" in result.output
    assert "18pt type" in " ".join(result.output.split())
