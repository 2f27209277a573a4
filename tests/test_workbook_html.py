"""A workbook page for each participant, to fill in on screen: one file each, needing nothing.

``ipskit build-workbook COHORT --per-participant --format html`` writes one HTML file per
person, named by id. The files are read as text (whose name is in which, what they could
fetch) and then opened in a real browser (Debian's chromium through Playwright, as in
test_verify_page.py): what it asks for, what axe-core's WCAG 2.2 AA rules find at a
desktop's and a phone's width, and answers typed, kept over a reload, and cleared.
"""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest

from browser import DESKTOP, PHONE, launched
from helpers import make_cohort, make_workspace, run

PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "محمد علي", "Ελένη Παπαδοπούλου")
COLOUR = "#3d5a80"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour: the organisation's logo."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))  # fmt: skip


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def make_pages(root: Path, curriculum: str = "ips-10-week") -> Path:
    """A workspace with a logo, a colour and a cohort of PEOPLE, and their pages made."""
    ws = make_workspace(root)
    (ws / "logo.png").write_bytes(png(12, 6, (61, 90, 128)))
    settings = ws / "ipskit.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "  # logo: logo.png",
            f'  logo: logo.png\n  colour: "{COLOUR}"\n  contact: "hello@riverside.example"',
        ),
        encoding="utf-8",
    )
    make_cohort(ws, "spring", curriculum, None, PEOPLE)
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The ten-week course's pages, made once: tests only read them (or work on a copy)."""
    root = tmp_path_factory.mktemp("workbook-pages")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return make_pages(root)


@pytest.fixture
def ws(made, tmp_path) -> Path:
    """A copy of the made workspace, for a test that changes it."""
    return Path(shutil.copytree(made, tmp_path / "ws", symlinks=True))


def folder_of(ws: Path) -> Path:
    return ws / "out" / "spring" / "workbooks"


def page_of(ws: Path, pid: str) -> Path:
    return folder_of(ws) / f"workbook-{pid}.html"


# --- the command and its files ----------------------------------------------------------------


def test_one_private_page_per_participant_named_by_id(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "spring", "ips-taster", None, PEOPLE)
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 4 workbooks to {folder_of(ws)}\n"
    assert sorted(p.name for p in folder_of(ws).iterdir()) == [
        "workbook-p01.html", "workbook-p02.html", "workbook-p03.html", "workbook-p04.html",
    ]  # fmt: skip
    for path in folder_of(ws).iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list(ws.rglob(".ipskit-tmp-*"))
    # ipskit build goes on making PDFs alone: the pages are not remembered for it.
    settings = (ws / "cohorts" / "spring" / "cohort.yaml").read_text(encoding="utf-8")
    assert "personal_workbooks" not in settings


def test_each_page_names_its_owner_and_no_one_else(made):
    for number, name in enumerate(PEOPLE, start=1):
        html = page_of(made, f"p{number:02d}").read_text(encoding="utf-8")
        assert name in html
        others = [other for other in PEOPLE if other != name and other in html]
        assert others == [], f"p{number:02d}'s page holds {others}"
        # The other people's ids appear nowhere either (the answers' key is the owner's).
        assert re.findall(r"spring:p0\d", html) == [f"spring:p{number:02d}"]


def test_the_name_is_isolated_and_marked_with_its_language(made):
    html = page_of(made, "p03").read_text(encoding="utf-8")
    assert '<p class="name" dir="auto"><bdi lang="ar">محمد علي</bdi></p>' in html
    html = page_of(made, "p01").read_text(encoding="utf-8")
    assert '<p class="name" dir="auto"><bdi>Siân Hughes</bdi></p>' in html


@pytest.mark.hostile
def test_a_name_that_looks_like_markup_is_printed_as_text(tmp_path):
    ws = make_workspace(tmp_path)
    names = ("</textarea><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}")
    make_cohort(ws, "spring", "ips-taster", None, names)
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 0, result.output
    pages = [page_of(ws, f"p0{n}").read_text(encoding="utf-8") for n in (1, 2, 3)]
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]
    assert "{{ 7*7 }}" in pages[2] and ">49<" not in pages[2]
    for html in pages:
        assert "<img src=x" not in html and "alert(1)</script>" not in html


def test_a_page_refers_to_nothing_outside_itself(made):
    for path in sorted(folder_of(made).iterdir()):
        html = path.read_text(encoding="utf-8")
        for reference in ("http://", "https://", 'src="/', "file:", "@import", "<link"):
            assert reference not in html, (path.name, reference)
        sources = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)
        assert sources, path.name
        assert all(s.startswith(("#", "data:image/png;base64,")) for s in sources), sources
        assert "default-src 'none'" in html
        assert len(re.findall(r"<script\b", html)) == 1


def test_running_it_again_changes_nothing_and_a_withdrawn_person_s_page_goes(ws):
    before = {p.name: p.read_bytes() for p in folder_of(ws).iterdir()}
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Up to date: {folder_of(ws)} (4 copies up to date)\n"
    assert {p.name: p.read_bytes() for p in folder_of(ws).iterdir()} == before
    assert cli(ws, "roster", "spring", "withdraw", "p04").exit_code == 0
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Up to date: {folder_of(ws)} (3 copies up to date;"
        " 1 copy of people no longer on the course removed)\n"
    )
    assert sorted(p.name for p in folder_of(ws).iterdir()) == sorted(before)[:3]


def test_a_page_needs_a_cohort(tmp_path):
    ws = make_workspace(tmp_path)
    result = cli(ws, "build-workbook", "--curriculum", "ips-taster", "--per-participant",
                 "--format", "html")  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "--per-participant needs a cohort: name one instead of --curriculum\n"
    assert not (ws / "out").exists()


def test_a_cohort_with_no_one_on_it_has_no_pages(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws, "spring", "ips-taster", None, ())
    result = cli(ws, "build-workbook", "spring", "--per-participant", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr == "cohort spring has no active participants to make copies for\n"


def test_forget_deletes_the_person_s_page(ws):
    result = cli(ws, "forget", "spring", "p02", "--yes")
    assert result.exit_code == 0, result.output
    assert "  workbooks/workbook-p02.html" in result.stdout.splitlines()
    assert sorted(p.name for p in folder_of(ws).iterdir()) == [
        "workbook-p01.html", "workbook-p03.html", "workbook-p04.html",
    ]  # fmt: skip


@pytest.mark.slow
def test_ipskit_build_leaves_the_pages_be(tmp_path):
    ws = make_pages(tmp_path, "ips-taster")
    before = {p.name: p.read_bytes() for p in folder_of(ws).iterdir()}
    result = cli(ws, "build", "spring")
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in folder_of(ws).glob("*.html")} == before
    assert not list(folder_of(ws).glob("*.pdf"))  # personal copies were never asked for


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    yield from launched()


class Tab:
    """A page in a context of its own, with every request it makes and every error it met."""

    def __init__(self, browser, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.requests: list[str] = []
        self.errors: list[str] = []

        def seen(route) -> None:
            self.requests.append(route.request.url)
            route.continue_()

        self.context.route("**/*", seen)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # A request the page's policy refused is told on the console as an error.
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())


@pytest.fixture
def tab(browser):
    opened = Tab(browser, DESKTOP)
    yield opened
    opened.context.close()
    assert opened.errors == [], opened.errors


def test_the_page_asks_for_nothing_but_itself(tab, made):
    path = page_of(made, "p01")
    tab.open(path)
    tab.page.wait_for_load_state("networkidle")
    assert tab.requests == [path.as_uri()]
    logo = tab.page.locator("img.logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 12


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_wcag_2_2_aa_violation(browser, made, viewport):
    from axe_playwright_python.sync_playwright import Axe

    opened = Tab(browser, viewport)
    try:
        opened.open(page_of(made, "p03"))
        options = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
        results = Axe().run(opened.page, options=options)
        assert results.violations_count == 0, results.generate_report()
        # Readable at a phone's width: nothing wider than the screen to scroll sideways to.
        width = opened.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        assert opened.errors == []
    finally:
        opened.context.close()


OUTLINE = """() => ({
  lang: document.documentElement.lang,
  title: document.title,
  viewport: document.querySelector('meta[name=viewport]').content,
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1])),
  landmarks: ['body > header', 'nav', 'main', 'body > footer']
    .map(s => document.querySelectorAll(s).length),
  contents: [...document.querySelectorAll('nav a')].map(a => a.getAttribute('href')),
  sessions: [...document.querySelectorAll('section.session')].map(s => '#' + s.id),
  unlabelled: [...document.querySelectorAll('textarea, input')]
    .filter(f => !document.querySelector(`label[for="${f.id}"]`)?.textContent.trim())
    .map(f => f.id),
  hidden_labels: [...document.querySelectorAll('label')]
    .filter(l => !l.checkVisibility() || l.getBoundingClientRect().width < 10).length,
  textareas: document.querySelectorAll('textarea').length,
})"""


def test_the_page_is_one_titled_document_with_a_heading_outline(tab, made):
    tab.open(page_of(made, "p01"))
    found = tab.page.evaluate(OUTLINE)
    assert found["lang"] == "en-GB"
    assert (
        found["title"] == "Participant workbook: Intentional Peer Support: ten-week course (spring)"
    )
    assert found["viewport"] == "width=device-width, initial-scale=1"
    levels = found["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skips == []
    assert found["landmarks"] == [1, 1, 1, 1]
    assert len(found["sessions"]) == 10
    assert set(found["sessions"]) <= set(found["contents"])
    assert found["unlabelled"] == []
    assert found["hidden_labels"] == 0
    assert found["textareas"] > 100  # every prompt, homework, log box and note


def answers(page) -> list[str]:
    return [page.input_value(f"#{field}") for field in FIELDS]


FIELDS = ("session-week-1-prompt-1", "page-urge-to-help-log-1-2")


def test_answers_typed_are_there_after_a_reload_and_go_when_cleared(tab, made):
    page = tab.page
    tab.open(page_of(made, "p01"))
    assert answers(page) == ["", ""]
    page.fill(f"#{FIELDS[0]}", "Someone told me what to do.\nI stopped listening.")
    page.locator(f"#{FIELDS[1]}").press_sequentially("Gave advice")
    page.check("#rating-1-before-3")
    page.reload()
    assert answers(page) == ["Someone told me what to do.\nI stopped listening.", "Gave advice"]
    assert page.is_checked("#rating-1-before-3")
    # Another person's page on the same device keeps its own answers.
    tab.open(page_of(made, "p02"))
    assert answers(page) == ["", ""]
    assert not page.is_checked("#rating-1-before-3")
    page.fill(f"#{FIELDS[0]}", "Theirs")

    tab.open(page_of(made, "p01"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#clear-answers")
    assert answers(page)[1] == "Gave advice"  # thought better of it: nothing cleared
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#clear-answers")
    assert answers(page) == ["", ""]
    assert not page.is_checked("#rating-1-before-3")
    assert page.text_content("#answers-status") == "Your answers were cleared from this device."
    page.reload()
    assert answers(page) == ["", ""]
    tab.open(page_of(made, "p02"))
    assert page.input_value(f"#{FIELDS[0]}") == "Theirs"


def test_printed_the_answers_show_and_the_buttons_do_not(tab, made):
    page = tab.page
    tab.open(page_of(made, "p04"))
    page.fill(f"#{FIELDS[0]}", "A line typed to print")
    page.emulate_media(media="print")
    assert not page.is_visible(f"#{FIELDS[0]}")
    copy = page.locator(f"#{FIELDS[0]} + .printed")
    assert copy.is_visible()
    assert copy.text_content() == "A line typed to print"
    assert not page.is_visible("#clear-answers")
    assert not page.is_visible("nav.contents")
