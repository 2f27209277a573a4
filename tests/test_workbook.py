"""The participant workbook: the course in plain words, with room to write."""

from __future__ import annotations

from collections import Counter

import pytest
from pypdf import PdfReader

from helpers import build_file_tree, make_cohort, make_workspace, pdf_pages_text, run
from ipskit.core.resources import builtin_templates_dir
from ipskit.documents.workbooks import homework_lines, prompt_lines

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each

# A ten-week cohort's workbook and its personal copies are made once, with the other
# documents of that course, in test_documents_together.py: read there.


def pages_of(path) -> list[str]:
    return pdf_pages_text(path)


def cover_of(path) -> str:
    return pdf_pages_text(path)[0]


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_html_escapes_names_and_curriculum_text(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=("Zoë",))
    result = run("-w", str(ws), "build-workbook", "spring", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (ws / "out" / "spring" / "workbook.html").read_text()
    assert '<link rel="stylesheet" href="workbook.css">' in html
    assert "&#34;what&#39;s wrong?&#34;" in html or "&#39;s wrong" in html


def font_sizes(page) -> Counter[float]:
    """Characters drawn at each size, in points, from the text and transformation matrices."""
    sizes: Counter[float] = Counter()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[round(abs(size * tm[3] * cm[3]), 1)] += len(text.strip())

    page.extract_text(visitor_text=visit)
    return sizes


def test_large_print_sets_body_text_at_16pt_or_more(tmp_path):
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "build-workbook", "--curriculum", "ips-taster", "--large-print")
    target = ws / "out" / "ips-taster" / "workbook-large-print.pdf"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the workbook to {target}\n"
    reader = PdfReader(target)
    regular = run("-w", str(ws), "build-workbook", "--curriculum", "ips-taster")
    assert regular.exit_code == 0
    normal = PdfReader(ws / "out" / "ips-taster" / "workbook.pdf")
    assert len(reader.pages) > len(normal.pages)
    page = next(p for p in reader.pages if "What this session is for" in p.extract_text())
    sizes = font_sizes(page)
    body = sizes.most_common(1)[0][0]
    assert body >= 16, sizes
    assert font_sizes(normal.pages[3]).most_common(1)[0][0] < 12
    # Only the running header and page number may be smaller than 16pt.
    assert sum(n for size, n in sizes.items() if size < 16) < 120, sizes


def test_a_curriculum_alone_makes_an_undated_workbook(tmp_path):
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "build-workbook", "--curriculum", "ips-2-day-cascade")
    assert result.exit_code == 0, result.output
    text = squeeze("\n".join(pages_of(ws / "out" / "ips-2-day-cascade" / "workbook.pdf")))
    assert squeeze("Code of conduct") in text
    assert squeeze("Monthly co-reflection group") in text
    assert "2026" not in text and "2027" not in text and "{{" not in text


def test_per_participant_needs_a_cohort(tmp_path):
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "build-workbook", "--curriculum", "ips-taster", "--per-participant")
    assert result.exit_code == 1
    assert result.stderr == "--per-participant needs a cohort: name one instead of --curriculum\n"
    assert not (ws / "out").exists()


def test_naming_neither_or_both_is_refused(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=())
    assert run("-w", str(ws), "build-workbook").exit_code == 1
    both = run("-w", str(ws), "build-workbook", "spring", "--curriculum", "ips-taster")
    assert both.exit_code == 1
    assert "not both" in both.stderr


def test_a_few_copies_are_made_without_a_second_process(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, curriculum="ips-taster", people=("Ana", "Ben"))
    out = tmp_path / "copies"
    result = run("-w", str(ws), "build-workbook", "spring", "--per-participant", "--large-print",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "workbook-p01-large-print.pdf", "workbook-p02-large-print.pdf",
    ]  # fmt: skip
    cover = cover_of(out / "workbook-p02-large-print.pdf")
    assert "Ben" in cover and "Ana" not in cover


def test_a_template_fetching_outside_its_folders_is_refused(tmp_path):
    ws = make_workspace(tmp_path)
    path = ws / "templates" / "workbook.html"
    path.write_text('<html><body><img src="file:///etc/hostname"><p>x</p></body></html>')
    result = run("-w", str(ws), "build-workbook", "--curriculum", "ips-taster")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path.resolve()}: the document asks for ")
    assert not (ws / "out" / "ips-taster" / "workbook.pdf").exists()


#: Headings of the built-in workbook, and the same in French.
FRENCH = {
    "Contents": "Sommaire",
    "Course map": "Plan du cours",
    "Our group agreement": "Notre accord de groupe",
    "My wellbeing plan": "Mon plan de bien-être",
    "My self-assessment": "Mon auto-évaluation",
    "Glossary": "Glossaire",
    "Where to get support": "Où trouver du soutien",
}


#: A course with every part of the workbook but role plays, for the contents' lines.
EVERY_PART = """\
id: every-part
title: A small course
summary: One evening.
audience: Anyone curious.
schedule: {pattern: weekly, start_time: "18:00"}
group_agreement: [What is said here stays here.]
sessions:
  - id: one
    title: First evening
    length_minutes: 60
    aim: Meet each other.
    objectives: [Name the three principles]
    blocks:
      - {kind: welcome, title: Welcome, minutes: 60, facilitator_notes: Greet people.}
competencies:
  - {id: connection, name: Connection, statement: I build connection.}
glossary:
  - {term: Connection, meaning: Being met.}
completion: {min_attendance_percent: 50}
certificate: {heading: Certificate of attendance, statement: took part in a small course}
"""


def test_a_translated_template_gets_its_own_headings_in_the_contents(tmp_path):
    ws = make_workspace(tmp_path)
    build_file_tree(ws, {"curricula": {"every-part.yaml": EVERY_PART}})
    text = (builtin_templates_dir() / "workbook.html").read_text(encoding="utf-8")
    for english, french in FRENCH.items():
        assert text.count(f">{english}</h1>") == 1, english
        text = text.replace(f">{english}</h1>", f">{french}</h1>")
    (ws / "templates" / "workbook.html").write_text(text, encoding="utf-8")
    result = run("-w", str(ws), "build-workbook", "--curriculum", "every-part")
    assert result.exit_code == 0, result.output
    pages = pages_of(ws / "out" / "every-part" / "workbook.pdf")
    lines = pages[1].splitlines()
    assert lines[0] == "Sommaire"
    assert [line.rstrip(" .0123456789") for line in lines[1:-2]] == [
        "Plan du cours", "Notre accord de groupe", "Mon plan de bien-être",
        "Session 1: First evening",
        "Mon auto-évaluation", "Glossaire", "Où trouver du soutien",
    ]  # fmt: skip
    for french in ("Plan du cours", "Glossaire", "Où trouver du soutien"):
        line = next(line for line in lines if line.startswith(french))
        number = int(line.split()[-1])
        assert french in pages[number - 1].splitlines()[:3], (french, number)


def test_a_contents_mark_with_nothing_to_link_to_is_refused(tmp_path):
    ws = make_workspace(tmp_path)
    path = ws / "templates" / "workbook.html"
    path.write_text("<html><body><h1 data-contents>Lost</h1></body></html>", encoding="utf-8")
    result = run("-w", str(ws), "build-workbook", "--curriculum", "ips-taster", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path.resolve()}: a part marked data-contents has no id to link to: give it, or the"
        " section holding it, an id\n"
    )


def test_writing_space_grows_with_the_prompt():
    assert prompt_lines("Why?") == 5
    assert 5 < prompt_lines("x" * 100) <= 10
    assert prompt_lines("x" * 1000) == 10
    assert homework_lines("x" * 10) == 8 and homework_lines("x" * 5000) == 16
