"""A ten-week cohort of twelve, awkward names and all: every document a course needs.

Session plans, a workbook for each person, sign-in sheets and the calendar are made
through the command line, as a trainer would make them, while every fetch the renderer
is asked for is recorded.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

import ipskit.documents.render
import ipskit.documents.workbooks
from helpers import HOSTILE, make_cohort, make_workspace, pdf_pages_text, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.core.resources import builtin_templates_dir

pytestmark = pytest.mark.slow  # documents laid out and read back: seconds each

PEOPLE = (*HOSTILE, "Dafydd ap Gwilym", "Zoë Ørsted-Nuñez", "Amara Okafor")
LITERAL = "{{ 7*7 }}"  # a name, printed as written: the only braces allowed in the text


def squeeze(text: str) -> str:
    return "".join(text.split())


@cache
def text_of(path: Path) -> str:
    """The PDF's text (once per file: reading a long workbook's text takes seconds)."""
    return "\n".join(pdf_pages_text(path))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The cohort, its four kinds of document, and every fetcher the renderer made."""
    ws = make_workspace(tmp_path_factory.mktemp("together"))
    make_cohort(ws, people=PEOPLE)
    fetchers = []
    original = ipskit.documents.render.url_fetcher

    def recording(folders):
        fetcher = original(folders)
        fetchers.append(fetcher)
        return fetcher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ipskit.documents.render, "url_fetcher", recording)
        # Covers in this process, so that their fetches are recorded too.
        patch.setattr(ipskit.documents.workbooks, "WORKER_FROM", len(PEOPLE) + 1)
        results = {
            "plans": run("-w", str(ws), "session-plans", "spring"),
            "workbook": run("-w", str(ws), "build-workbook", "spring"),
            "workbooks": run("-w", str(ws), "build-workbook", "spring", "--per-participant"),
            "register": run("-w", str(ws), "register", "spring"),
            "calendar": run("-w", str(ws), "calendar", "spring"),
        }
    return ws, results, fetchers


def test_every_kind_of_document_is_made(course):
    ws, results, _ = course
    out = ws / "out" / "spring"
    assert {kind: (r.exit_code, r.stdout) for kind, r in results.items()} == {
        "plans": (0, f"Wrote 11 files to {out / 'session-plans'}\n"),
        "workbook": (0, f"Wrote the workbook to {out / 'workbook.pdf'}\n"),
        "workbooks": (0, f"Wrote 12 workbooks to {out / 'workbooks'}\n"),
        "register": (0, f"Wrote 10 sign-in sheets to {out / 'registers.pdf'}\n"),
        "calendar": (0, f"Wrote 10 events to {out / 'spring.ics'}\n"),
    }
    assert all(r.stderr == "" for r in results.values())


def test_ten_week_plans_one_per_session_and_combined(course):
    # The plans the fixture made (its command's output is checked above): one a session.
    ws, _, _ = course
    folder = ws / "out" / "spring" / "session-plans"
    combined = PdfReader(folder / "session-plans.pdf")
    assert "/StructTreeRoot" in combined.trailer["/Root"]
    settings = open_cohort(ws / "cohorts", "spring").settings
    total = 0
    for meeting in settings.sessions:
        path = folder / f"session-{meeting.number:02d}.pdf"
        reader = PdfReader(path)
        total += len(reader.pages)
        pages = pdf_pages_text(path)
        assert len(pages) == len(reader.pages)
        first = squeeze(pages[0])
        assert squeeze(meeting.title) in first
        assert squeeze(f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}") in first
        footers = [page.strip().splitlines()[-1] for page in pages]
        assert footers == [
            f"Session plan {meeting.number} · for facilitators · page {n}"
            for n in range(1, len(footers) + 1)
        ]
        assert reader.metadata.title == f"Session plan {meeting.number}: {meeting.title}"
    assert total == len(combined.pages)


def pdfs(ws: Path) -> list[Path]:
    return sorted((ws / "out" / "spring").rglob("*.pdf"))


def test_every_session_title_and_date_is_in_every_whole_document(course):
    ws, _, _ = course
    out = ws / "out" / "spring"
    meetings = open_cohort(ws / "cohorts", "spring").settings.sessions
    assert len(meetings) == 10
    copies = sorted((out / "workbooks").glob("*.pdf"))
    # The copies share their pages after the cover byte for byte (as the next tests
    # show), so the first and the last stand for them all.
    wholes = [out / "session-plans" / "session-plans.pdf", out / "registers.pdf"]
    wholes += [copies[0], copies[-1]]
    for path in wholes:
        text = squeeze(text_of(path))
        for meeting in meetings:
            assert squeeze(meeting.title) in text, (path.name, meeting.title)
            day = f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}"
            assert squeeze(day) in text, (path.name, day)


def test_no_template_syntax_reaches_the_page(course):
    ws, _, _ = course
    copies = sorted((ws / "out" / "spring" / "workbooks").glob("*.pdf"))
    for path in [p for p in pdfs(ws) if p not in copies] + [copies[0], copies[-1]]:
        text = text_of(path).replace(LITERAL, "")
        for mark in ("{{", "}}", "{%", "%}", "{#", "#}"):
            assert mark not in text, (path.name, mark)
        assert "Undefined" not in text and "None" not in text.split(), path.name


def test_each_workbook_has_its_owners_name_on_the_cover_and_no_one_elses(course):
    ws, _, _ = course
    folder = ws / "out" / "spring" / "workbooks"
    copies = [folder / f"workbook-p{n:02d}.pdf" for n in range(1, len(PEOPLE) + 1)]
    length = len(PdfReader(copies[0]).pages)
    for path, name in zip(copies, PEOPLE, strict=True):
        reader = PdfReader(path)
        assert len(reader.pages) == length
        cover = squeeze(reader.pages[0].extract_text())
        assert squeeze(name) in cover, name
        assert not [other for other in PEOPLE if other != name and squeeze(other) in cover]
    # Every copy is the same body followed by its own cover: the pages after the cover
    # are the same bytes in each, and hold nobody's name.
    files = [path.read_bytes() for path in copies]
    bodies = {data[: data.index(b"%%EOF") + 5] for data in files}
    assert len(bodies) == 1 and len(next(iter(bodies))) > 0.8 * min(map(len, files))
    for path in (copies[0], copies[-1]):
        after_cover = squeeze(text_of(path).split("This workbook is yours to keep.", 1)[1])
        assert not [name for name in PEOPLE if squeeze(name) in after_cover], path.name


def test_names_are_printed_on_the_sign_in_sheets_not_obeyed(course):
    ws, _, _ = course
    text = squeeze(text_of(ws / "out" / "spring" / "registers.pdf"))
    for name in PEOPLE[:7]:  # scripts that extract in the order they are written
        assert squeeze(name) in text, name
    assert "49" not in text  # {{ 7*7 }} is a name, not a sum


def test_the_calendar_names_sessions_and_no_participant(course):
    ws, _, _ = course
    ics = (ws / "out" / "spring" / "spring.ics").read_bytes().decode("utf-8")
    unfolded = ics.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 10
    for meeting in open_cohort(ws / "cohorts", "spring").settings.sessions:
        assert meeting.title.replace(",", "\\,") in unfolded, meeting.title
    for name in PEOPLE:
        assert name not in unfolded
    for fragment in ("Siân", "Łukasz", "Олена", "محمد", "דוד", "Dafydd", "Okafor"):
        assert fragment not in unfolded


def test_the_renderer_fetched_only_template_files(course):
    ws, _, fetchers = course
    # Session plans, the shared workbook, the copies' body and covers, the sign-in sheets.
    assert len(fetchers) == 5
    allowed = (builtin_templates_dir().resolve(), (ws / "templates").resolve())
    for fetcher in fetchers:
        assert fetcher.refused == []
        assert fetcher.fetched  # the style sheets, at least
        for path in map(Path, fetcher.fetched):
            assert any(path.is_relative_to(folder) for folder in allowed), path
            assert path.suffix == ".css", path


def test_no_pdf_carries_an_embedded_file(course):
    ws, _, _ = course
    paths = pdfs(ws)
    # Plans (combined and each), the shared workbook, the copies, the sign-in sheets, and
    # the copies' body, kept for the next build.
    assert len(paths) == 1 + 10 + 1 + 12 + 1 + 1
    for path in paths:
        reader = PdfReader(path)
        catalog = reader.trailer["/Root"]
        assert "/EmbeddedFiles" not in catalog.get("/Names", {}), path.name
        assert "/AF" not in catalog, path.name
        # No object anywhere, compressed or not, is a file or a file's annotation.
        written = every_object(path.read_bytes())
        assert b"/EmbeddedFile" not in written and b"/FileAttachment" not in written, path.name


def every_object(data: bytes) -> bytes:
    """A PDF's bytes, each deflated stream followed by its inflated contents."""
    inflated = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):  # not deflated: an image, say
            inflated.append(zlib.decompressobj().decompress(memoryview(data)[match.end() :]))
    return b"\n".join(inflated)


# --- the workbook ------------------------------------------------------------------------


def test_the_workbook_holds_every_session_with_its_date(course):
    ws, results, _ = course
    target = ws / "out" / "spring" / "workbook.pdf"
    pages = pdf_pages_text(target)
    text = squeeze("\n".join(pages))
    cohort = open_cohort(ws / "cohorts", "spring")
    for meeting in cohort.settings.sessions:
        assert squeeze(meeting.title) in text, meeting.title
        assert squeeze(f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}") in text
    for heading in ("Contents", "Course map", "Our group agreement", "My wellbeing plan",
                    "Role-play observation sheet", "My self-assessment", "Four Tasks presentation",
                    "Glossary", "Where to get support", "116 123"):  # fmt: skip
        assert squeeze(heading) in text, heading
    assert "{{" not in text and "{%" not in text
    assert "This workbook belongs to" in pages[0]
    cover = squeeze(pages[0])
    assert not [name for name in PEOPLE if squeeze(name) in cover]  # the shared copy names nobody
    reader = PdfReader(target)
    assert reader.metadata.title == (
        "Participant workbook: Intentional Peer Support: ten-week course (spring)"
    )
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert "/EmbeddedFiles" not in catalog.get("/Names", {}) and "/AF" not in catalog


def test_the_contents_page_numbers_point_at_the_sections(course):
    ws, _, _ = course
    pages = pdf_pages_text(ws / "out" / "spring" / "workbook.pdf")
    contents = pages[1]
    for title in ("Course map", "Glossary", "Where to get support"):
        line = next(line for line in contents.splitlines() if line.startswith(title))
        number = int(line.split()[-1])
        assert title in pages[number - 1].splitlines()[:3], (title, number)
        assert f"Page {number} of {len(pages)}" in pages[number - 1]


def test_each_copy_is_the_shared_workbook_with_its_owners_cover(course):
    ws, _, _ = course
    folder = ws / "out" / "spring" / "workbooks"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"workbook-p{n:02d}.pdf" for n in range(1, len(PEOPLE) + 1)]
    shared = pdf_pages_text(ws / "out" / "spring" / "workbook.pdf")
    assert pdf_pages_text(folder / "workbook-p05.pdf")[1:] == shared[1:]  # numbered alike
    for number in range(1, len(PEOPLE) + 1):
        reader = PdfReader(folder / f"workbook-p{number:02d}.pdf")
        assert len(reader.pages) == len(shared)
        # Only this person's cover is added to the shared body: nobody else's name is inside.
        streams = [reader.get_object(n) for n in range(1, int(reader.trailer["/Size"]))]
        contents = [s for s in streams if hasattr(s, "get_data") and not {"/Type", "/Subtype",
                    "/Length1"} & set(s) and b"begincmap" not in s.get_data()]  # fmt: skip
        assert len(contents) == len(shared) + 1  # the pages, and the blank cover replaced


def test_hostile_names_print_literally_on_the_covers(course):
    ws, _, _ = course
    folder = ws / "out" / "spring" / "workbooks"
    assert PEOPLE[0] == "<img src=file:///etc/passwd>" and PEOPLE[2] == LITERAL
    assert "<img src=file:///etc/passwd>" in pdf_pages_text(folder / "workbook-p01.pdf")[0]
    cover = pdf_pages_text(folder / "workbook-p03.pdf")[0]
    assert LITERAL in cover and "49" not in cover
