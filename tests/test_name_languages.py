"""A name written in Greek, Arabic or another script that tells its language is marked so.

Documents print names in their own direction already (``dir="auto"``, isolated); here
the name's language goes with it too, so that a screen reader reading a tagged PDF, or
a browser, switches to a voice that can say it. Each name is found in the PDF by the
marked content that draws it, and its language read from the structure element that
holds it: the text and the language checked together, not merely present somewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, run

GREEK, ARABIC = "Ελένη Μαρκάκη", "محمد العلي"
PEOPLE = ("Siân Hughes", GREEK, ARABIC, "Sam Patel")


@pytest.mark.parametrize(
    ("name", "language"),
    [
        (GREEK, "el"),
        (ARABIC, "ar"),
        ("דוד כהן", "he"),
        ("Олена Коваль", "ru"),
        ("김민준", "ko"),
        ("山田 はなこ", "ja"),
        ("王小明", "zh"),
        ("Siân Hughes", None),  # Latin letters: the document's own language
        ("Ελένη Smith", None),  # two scripts: nothing sure
        ("Олена Ελένη", None),
        ("", None),
        ("O'Brien-Ní 3rd", None),
    ],
)
def test_the_script_tells_the_language_only_where_it_is_sure(name, language):
    from ipskit.core.names import script_language

    assert script_language(name) == language


def names_by_language(path: Path) -> list[tuple[str | None, str]]:
    """Each piece of text the PDF's pages draw, with the language of its structure element.

    The text is found by its marked-content id (MCID) in the page's drawing, the language
    by walking the structure tree from the root: an element's /Lang, or its parent's.
    """
    reader = PdfReader(path)
    found: list[tuple[str | None, str]] = []
    languages: dict[tuple[int, int], str | None] = {}  # (page object, MCID): language

    def walk(element, language: str | None, page) -> None:
        element = element.get_object()
        if not hasattr(element, "get"):
            return
        language = str(element["/Lang"]) if "/Lang" in element else language
        page = element.get("/Pg", page)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            if isinstance(kid, int):
                languages[(page.idnum, kid)] = language
            else:
                walk(kid, language, page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None, None)
    for page in reader.pages:
        number = page.indirect_reference.idnum
        found += [(languages.get((number, mcid)), drawn) for mcid, drawn in _marked_text(page)]
    return found


def _marked_text(page) -> list[tuple[int, str]]:
    """The text a page draws inside each piece of marked content, by its MCID."""
    marked: list[int | None] = []
    texts: dict[int, str] = {}

    def before(operator, operands, *_):
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            marked.append(properties.get("/MCID") if hasattr(properties, "get") else None)
        elif operator == b"BMC":
            marked.append(None)
        elif operator == b"EMC" and marked:
            marked.pop()

    def text(drawn, *_):
        mcid = next((m for m in reversed(marked) if m is not None), None)
        if mcid is not None and drawn.strip():
            texts[mcid] = texts.get(mcid, "") + drawn

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return [(mcid, drawn.strip()) for mcid, drawn in texts.items()]


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    ws = make_workspace(tmp_path_factory.mktemp("languages"))
    make_cohort(ws, "spring", "ips-2-day-cascade", None, PEOPLE)
    return ws


@pytest.mark.parametrize(("args", "file", "times"), [
    (("register", "spring"), "registers.pdf", 14),  # a sheet for 2 days and 12 meetings
    (("agreements", "spring"), "agreements.pdf", 1),  # a form each
])  # fmt: skip
def test_each_name_is_read_in_its_own_language(ws, args, file, times):
    result = run("-w", str(ws), *args)
    assert result.exit_code == 0, result.output
    path = ws / "out" / "spring" / file
    drawn = names_by_language(path)
    assert drawn.count(("el", GREEK)) == times
    assert drawn.count(("ar", ARABIC)) == times
    # Latin names, like every other word, are in the document's language (its /Lang).
    assert all(language is None for language, text in drawn if text in ("Siân Hughes", "Sam Patel"))
    assert [language for language, _ in drawn if language not in (None, "el", "ar")] == []
    assert str(PdfReader(path).trailer["/Root"]["/Lang"]) == "en-GB"


def test_the_html_of_a_sheet_marks_the_name_and_keeps_its_direction(ws, tmp_path):
    out = tmp_path / "sheets.html"
    result = run("-w", str(ws), "register", "spring", "1", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f'<td class="name" dir="auto"><bdi lang="ar">{ARABIC}</bdi></td>' in html
    assert f'<bdi lang="el">{GREEK}</bdi>' in html
    assert "<bdi>Siân Hughes</bdi>" in html
