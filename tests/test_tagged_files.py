"""Every file handed to one person, or made for one session, is a tagged PDF a screen reader can use.

Each is cut from a larger layout (a batch of certificates, the workbook's body with a
cover each, the combined session plans), and keeps its own structure tree: checked here
to hold together as a reader walks it (:func:`tagged.structure_of`), with a document
language, a title shown in place of the file name, the person's name inside an element
with the name's own language, and a text for every figure (the logo, the QR code).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader

from tagged import Tagged, structure_of

ORGANISATION = "Wrenmoor Peer Support Network"


def roster(demo: Path, cohort: str) -> dict[str, dict[str, str]]:
    with (demo / "cohorts" / cohort / "roster.csv").open(encoding="utf-8", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def expected_language(row: dict[str, str], name: str) -> str | None:
    """The /Lang the name's element should have: the roster's, its script's, or none."""
    from ipskit.core.names import script_language

    return row.get("name_lang") or script_language(name) or None


def per_person(demo: Path) -> list[tuple[Path, str, str | None]]:
    """Each certificate and personal copy of the demo, with the name it shows and its language."""
    found = []
    for cohort in sorted(p.name for p in (demo / "cohorts").iterdir() if p.is_dir()):
        people = roster(demo, cohort)
        out = demo / "out" / cohort
        for path in sorted(out.glob("certificates/certificate-p*.pdf")):
            row = people[path.name.split("-")[1]]
            name = row.get("certificate_name") or row["name"]
            found.append((path, name, expected_language(row, name)))
        for path in sorted(out.glob("workbooks/workbook-p*.pdf")):
            row = people[path.stem.removeprefix("workbook-")]
            found.append((path, row["name"], expected_language(row, row["name"])))
    return found


def check_document(tagged: Tagged, path: Path) -> None:
    assert tagged.lang == "en-GB", path
    assert tagged.shows_title and tagged.title, path
    # Every figure says what it is (a logo, a chart, a QR code): none is left silent.
    for figure in tagged.elements("/Figure"):
        assert figure.alt, f"{path}: a figure without /Alt"


def test_the_demo_has_every_kind_of_per_person_and_per_session_file(demo_build):
    demo, _ = demo_build
    files = per_person(demo)
    kinds = {path.parent.name for path, _, _ in files}
    assert kinds == {"certificates", "workbooks"}
    assert len([f for f in files if f[0].parent.name == "certificates"]) >= 30
    assert list(demo.glob("out/*/session-plans/session-[0-9]*.pdf"))
    # The demo's names include one in Greek letters (its script tells), and some whose
    # language the roster says: Welsh and Irish in Latin letters, Ukrainian in Cyrillic.
    languages = {language for _, _, language in files}
    assert languages - {None} >= {"el", "cy", "ga", "uk"}
    assert {language for path, _, language in files if path.parent.name == "workbooks"} \
        >= {None, "cy"}  # fmt: skip


def test_each_certificate_and_copy_is_tagged_with_the_name_in_its_language(demo_build):
    demo, _ = demo_build
    for path, name, language in per_person(demo):
        tagged = structure_of(path)
        check_document(tagged, path)
        holding = tagged.text_in(name)
        assert holding, f"{path}: the name is in no structure element"
        assert {element.lang for element in holding} == {language}, path
        figures = {f.alt for f in tagged.elements("/Figure")}
        assert ORGANISATION in figures, f"{path}: the logo has no text"
        if path.parent.name == "certificates":
            code = "-".join(path.stem.split("-")[2:])
            assert (
                f"QR code: check this certificate at https://wrenmoor.example.org/verify"
                f" with code {code}"
            ) in figures, path
            assert "pdfaid:conformance=\"A\"" in _xmp(path)


def test_each_session_plan_is_tagged_and_starts_with_its_heading(demo_build):
    demo, _ = demo_build
    plans = sorted(demo.glob("out/*/session-plans/session-[0-9]*.pdf"))
    for path in plans:
        tagged = structure_of(path)
        check_document(tagged, path)
        number = int(path.stem.removeprefix("session-"))
        assert tagged.title.startswith(f"Session plan {number}: ")
        # Its first heading is the session's title (text as drawn: no spaces to compare).
        first = "".join(node.text for node in tagged.elements("/H1")[0].walk())
        title = tagged.title.split(": ", 1)[1]
        assert first.replace(" ", "") == title.replace(" ", ""), (path, first)


def test_a_cut_file_holds_only_its_own_pages_elements(demo_build):
    """The plan for session 2 reads nothing of session 1 or 3: its tree is its pages'."""
    demo, _ = demo_build
    folder = demo / "out" / "ten-week" / "session-plans"
    two = structure_of(folder / "session-02.pdf")
    text = " ".join(node.text for node in two.root.walk())
    whole = PdfReader(folder / "session-plans.pdf")
    assert len(PdfReader(folder / "session-02.pdf").pages) < len(whole.pages)
    titles = _plan_titles(folder)
    assert titles[1] in text
    assert titles[0] not in text and titles[2] not in text


def _plan_titles(folder: Path) -> list[str]:
    return [PdfReader(p).metadata.title.split(": ", 1)[1]
            for p in sorted(folder.glob("session-[0-9]*.pdf"))]  # fmt: skip


def _xmp(path: Path) -> str:
    return PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data().decode()


@pytest.mark.parametrize("arabic", ["محمد العلي"])
def test_a_certificate_in_arabic_letters_reads_right_to_left_in_arabic(ws, arabic):
    """An Arabic name on a certificate: marked ar, and drawn right to left."""
    from helpers import make_cohort, run

    make_cohort(ws, "evening", "ips-taster", None, ("Sam Patel", arabic))
    for number in ("p01", "p02"):
        assert run("-w", str(ws), "attend", "evening", "1", "--present", number).exit_code == 0
    result = run("-w", str(ws), "certificates", "evening")
    assert result.exit_code == 0, result.output
    (path,) = (ws / "out" / "evening" / "certificates").glob("certificate-p02-*.pdf")
    tagged = structure_of(path)
    check_document(tagged, path)
    assert {element.lang for element in tagged.text_in(arabic)} == {"ar"}
    assert "Sam Patel" not in " ".join(node.text for node in tagged.root.walk())


def _strings(path: Path) -> str:
    """Every text string of every object of a PDF (structure, metadata, annotations)."""
    from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

    reader = PdfReader(path)
    numbers = set(reader.xref_objStm) | {n for table in reader.xref.values() for n in table}
    found: list[str] = []
    stack = []
    for number in numbers:
        try:
            stack.append(reader.get_object(number))
        except Exception:  # a free or broken entry holds nothing to read
            continue
    while stack:
        value = stack.pop()
        if isinstance(value, TextStringObject):
            found.append(str(value))
        elif isinstance(value, DictionaryObject):
            stack.extend(value.values())
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    return "\n".join(found)


def test_no_one_else_s_code_or_name_is_in_a_certificate_s_strings(demo_build):
    """The structure of a person's file (a QR code's text, a name's element) is theirs alone."""
    demo, _ = demo_build
    files = [(path, name) for path, name, _ in per_person(demo)
             if path.parent.name == "certificates"]  # fmt: skip
    codes = {path: "-".join(path.stem.split("-")[2:]) for path, _ in files}
    for path, _ in files:
        strings = _strings(path)
        assert codes[path] in strings
        others = [c for p, c in codes.items() if p != path] + [n for p, n in files if p != path]
        assert [other for other in others if other in strings] == [], path
