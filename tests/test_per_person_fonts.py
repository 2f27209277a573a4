"""Each person's PDF holds only what its own page shows, down to the fonts.

Certificates and personal workbooks are laid out together for everyone and cut into one
file per person. These tests read every font of every per-person file as someone
looking for other people's names would: the glyphs with outlines in the embedded
program, the CIDs given widths, the ToUnicode map. Each glyph is read back to its
characters through the batch's own maps, and every character must be on that person's
pages or in the text every copy shares.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, pdf_pages_text, run
from ipskit.documents.fonts import undrawable
from ipskit.documents.pdf.fontprune import _cmap_entries

pytestmark = [pytest.mark.hostile, pytest.mark.slow]

NAMES = ("Siôn Prydderch", "Zofia Kęszycka", "Ελένη Μαρκάκη", "ليلى حداد", "王小明",
         "अनिल कुमार")  # fmt: skip
#: Only names some installed font can draw get a certificate (and a fair test).
PEOPLE = tuple(name for name in NAMES if not undrawable(name))
COHORT = "taster"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A cohort of names in several scripts, with certificates and personal workbooks."""
    ws = make_workspace(tmp_path_factory.mktemp("fonts"))
    make_cohort(ws, COHORT, "ips-taster", None, PEOPLE, "--trainer", "Alex Morgan")
    steps = [
        ("attend", COHORT, "1", "--all-present"),
        ("certificates", COHORT),
        ("build-workbook", COHORT),
        ("build-workbook", COHORT, "--large-print", "--out", str(ws / "out" / "large.pdf")),
        ("build-workbook", COHORT, "--per-participant"),
        ("build-workbook", COHORT, "--per-participant", "--large-print"),
    ]
    for step in steps:
        result = run("-w", str(ws), *step)
        assert result.exit_code == 0, (step, result.output)
    return ws


def certificates(ws: Path) -> list[Path]:
    return sorted((ws / "out" / COHORT / "certificates").glob("certificate-p*.pdf"))


def workbooks(ws: Path) -> list[Path]:
    return sorted((ws / "out" / COHORT / "workbooks").glob("workbook-p*.pdf"))


def print_file(ws: Path) -> Path:
    return next((ws / "out" / COHORT / "certificates").glob("certificates-*.pdf"))


def shared_files(ws: Path) -> list[Path]:
    """The files whose text every copy shares: the workbook with its blank cover."""
    return [ws / "out" / COHORT / "workbook.pdf", ws / "out" / "large.pdf"]


# --- reading fonts as an attacker would ------------------------------------------------------


def objects(reader: PdfReader, data: bytes) -> Iterator[object]:
    """Every object of the file, referenced or not, including those in object streams."""
    numbers = {int(n) for n in re.findall(rb"(?<![0-9])(\d+) 0 obj\b", data)}
    for number in sorted(numbers):
        value = reader.get_object(number)
        if isinstance(value, dict) and value.get("/Type") == "/ObjStm":
            head = value.get_data()[: value["/First"]].split()
            numbers |= {int(n) for n in head[::2]}
    for number in sorted(numbers):
        yield reader.get_object(number)


def fonts_of(path: Path) -> dict[str, dict[str, object]]:
    """Each Type0 font: its ToUnicode map, the CIDs of /W, and the glyphs with outlines.

    A font a file holds twice (the same name) is read as the union of both.
    """
    data = path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    found: dict[str, dict[str, object]] = {}
    for value in objects(reader, data):
        if not isinstance(value, dict) or value.get("/Subtype") != "/Type0":
            continue
        font = found.setdefault(
            str(value["/BaseFont"]), {"map": {}, "cids": set(), "glyphs": set()}
        )
        cmap = value["/ToUnicode"].get_object().get_data()
        font["map"].update({code: _utf16(dst) for code, dst, _ in _cmap_entries(cmap)})
        descendant = value["/DescendantFonts"][0].get_object()
        widths = descendant.get("/W", [])
        index = 0
        while index < len(widths):
            first, following = int(widths[index]), widths[index + 1]
            if isinstance(following, list):
                font["cids"].update(range(first, first + len(following)))
                index += 2
            else:
                font["cids"].update(range(first, int(following) + 1))
                index += 3
        descriptor = descendant["/FontDescriptor"].get_object()
        program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object()
        font["glyphs"].update(outlined(program.get_data()))
    return found


def _utf16(dst: bytes) -> str:
    return bytes.fromhex(dst[1:-1].decode()).decode("utf-16-be")


def outlined(program: bytes) -> set[int]:
    """The glyph ids of a font program that draw something."""
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program))
    order = font.getGlyphOrder()
    if "glyf" in font:
        table = font["glyf"]
        return {gid for gid, name in enumerate(order) if table[name].numberOfContours != 0}
    glyphs = font.getGlyphSet()
    drawn = set()
    for gid, name in enumerate(order):
        pen = RecordingPen()
        glyphs[name].draw(pen)
        if any(operator not in ("moveTo", "closePath", "endPath") for operator, _ in pen.value):
            drawn.add(gid)
    return drawn


def reference_maps(paths: list[Path]) -> dict[str, dict[int, str]]:
    """Glyph id to characters for each font, from every map the batch's files hold."""
    maps: dict[str, dict[int, str]] = {}
    for path in paths:
        for name, font in fonts_of(path).items():
            maps.setdefault(name, {}).update(font["map"])
    return maps


def characters(path: Path, maps: dict[str, dict[int, str]]) -> set[str]:
    """Every character a file's fonts can spell: their maps, widths and glyphs, read back."""
    found: set[str] = set()
    for name, font in fonts_of(path).items():
        found.update("".join(font["map"].values()))
        known = maps.get(name, {})
        for gid in font["cids"] | font["glyphs"]:
            found.update(known.get(gid, ""))  # a glyph no one shows alone (a component)
    return {ch for ch in found if not ch.isspace()}


def text_of(path: Path, pages: slice = slice(None)) -> str:
    return "".join(pdf_pages_text(path)[pages])


def foreign(path: Path, maps: dict[str, dict[int, str]], allowed: str) -> set[str]:
    """The characters a file's fonts hold that are not in ``allowed``."""
    return characters(path, maps) - set(allowed)


# --- the tests -----------------------------------------------------------------------------------


def test_the_batch_holds_names_in_several_scripts(batch):
    assert len(PEOPLE) >= 4  # Latin with accents, Greek, Arabic at least
    assert len(certificates(batch)) == len(PEOPLE)
    assert len(workbooks(batch)) == 2 * len(PEOPLE)


def test_a_certificate_s_fonts_hold_only_its_own_page(batch):
    paths = certificates(batch)
    maps = reference_maps([print_file(batch), *paths])
    for path, name in zip(paths, PEOPLE, strict=True):
        own = text_of(path)
        assert "".join(name.split()) in "".join(own.split()), path.name  # still extractable
        assert foreign(path, maps, own) == set(), path.name


def test_the_check_finds_other_names_in_a_font_shared_by_the_batch(batch):
    """The print file keeps the batch's fonts: read as one person's page, it is caught."""
    combined = print_file(batch)
    maps = reference_maps([combined])
    first_page = text_of(combined, slice(0, 1))
    assert PEOPLE[0] in first_page
    caught = foreign(combined, maps, first_page)
    for name in PEOPLE[1:]:
        assert set(name) - set(first_page) - {" "} <= caught, name


def test_a_workbook_copy_s_fonts_hold_only_its_own_cover_and_the_shared_body(batch):
    paths = workbooks(batch)
    shared = "".join(text_of(path) for path in shared_files(batch))
    maps = reference_maps([*paths, *shared_files(batch)])
    for path in paths:
        number = int(re.match(r"workbook-p(\d+)", path.name)[1])
        cover = text_of(path, slice(0, 1))
        assert "".join(PEOPLE[number - 1].split()) in "".join(cover.split()), path.name
        assert foreign(path, maps, cover + shared) == set(), path.name


def test_without_pruning_a_workbook_copy_would_hold_every_cover_s_letters(batch, monkeypatch):
    """The same check on copies assembled the old way finds the others' names."""
    import ipskit.documents.pdf.fontprune

    monkeypatch.setattr(ipskit.documents.pdf.fontprune.Pruner, "replacements", lambda self, shown, fonts: {})
    monkeypatch.setattr(ipskit.documents.pdf.fontprune, "trimmed", lambda resources, shown: resources)
    out = batch.parent / "unpruned"
    result = run("-w", str(batch), "build-workbook", COHORT, "--per-participant", "--out", str(out))
    assert result.exit_code == 0, result.output
    paths = sorted(out.glob("workbook-p*.pdf"))
    shared = "".join(text_of(path) for path in shared_files(batch))
    maps = reference_maps([*paths, *shared_files(batch)])
    caught = foreign(paths[0], maps, text_of(paths[0], slice(0, 1)) + shared)
    assert set("".join(PEOPLE[1:])) - set(shared) - {" "} <= caught


def test_after_forget_no_one_else_s_file_spells_the_erased_name(batch):
    erased = PEOPLE[0]
    others = "".join(PEOPLE[1:])
    shared = "".join(text_of(path) for path in shared_files(batch))
    unique = set(erased) - set(others) - set(shared) - {" "}
    assert unique  # ô at least: letters only the erased name has
    maps = reference_maps([print_file(batch), *certificates(batch), *workbooks(batch)])
    result = run("-w", str(batch), "forget", COHORT, "p01", "--yes")
    assert result.exit_code == 0, result.output
    remaining = [p for p in [*certificates(batch), *workbooks(batch)] if "-p01" not in p.name]
    assert len(remaining) >= 3 * (len(PEOPLE) - 1)
    everything = sorted((batch / "out").rglob("*.pdf"))  # and whatever else is left or remade
    for path in [*remaining, *(p for p in everything if "-p01" not in p.name)]:
        assert characters(path, maps) & unique == set(), path.name
        assert erased.split()[0] not in text_of(path), path.name


# --- an OpenType (CFF) font, as Noto CJK is, with both subsetters ------------------------------

SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def cff_font(target: Path, text: str) -> None:
    """An OpenType font with CFF outlines for ``text``, drawn from DejaVu Serif's glyphs."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.ttLib import TTFont

    source = TTFont(SERIF)
    cmap, glyphs = source.getBestCmap(), source.getGlyphSet()
    names = list(dict.fromkeys([".notdef", *(cmap[ord(ch)] for ch in sorted(set(text)))]))
    builder = FontBuilder(source["head"].unitsPerEm, isTTF=False)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): cmap[ord(ch)] for ch in set(text)})
    strings = {}
    for name in names:
        pen = T2CharStringPen(glyphs[name].width, glyphs)
        glyphs[name].draw(pen)
        strings[name] = pen.getCharString()
    builder.setupCFF("PeopleCFF-Regular", {"FullName": "People CFF"}, strings, {})
    builder.setupHorizontalMetrics({name: (glyphs[name].width, 0) for name in names})
    builder.setupHorizontalHeader(ascent=928, descent=-236)
    builder.setupNameTable({"familyName": "People CFF", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=928, usWinAscent=928, usWinDescent=236)
    builder.setupPost()
    builder.save(str(target))


@pytest.mark.skipif(not SERIF.exists(), reason="DejaVu Serif is not installed")
@pytest.mark.parametrize("subsetter", ["uharfbuzz", "fontTools"])
def test_an_opentype_cff_font_is_cut_down_to_each_page(tmp_path, monkeypatch, subsetter):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    import ipskit.documents.pdf.fontprune
    from ipskit.documents.pdf.fontprune import Pruner, trimmed

    if subsetter == "fontTools":
        monkeypatch.setattr(ipskit.documents.pdf.fontprune, "_face", lambda data: data)
    names = ("Siôn Prydderch", "Zofia Kęszycka", "Ελένη Μαρκάκη")
    cff_font(tmp_path / "people.otf", "".join(names))
    fonts = FontConfiguration()
    style = CSS(string=f"@font-face {{ font-family: P; src: url({(tmp_path / 'people.otf').as_uri()})"
                "} body { font-family: P } p { break-after: page }", font_config=fonts)  # fmt: skip
    html = "".join(f"<p>{name}</p>" for name in names)
    pdf = HTML(string=html).write_pdf(stylesheets=[style], font_config=fonts)
    reader = PdfReader(io.BytesIO(pdf))
    pruner = Pruner(reader)
    for page, name in zip(reader.pages, names, strict=True):
        shown = pruner.shown(page.get_contents().get_data(), page["/Resources"])
        resources = trimmed(page["/Resources"], shown)
        replaced = pruner.replacements(shown, pruner.fonts_in(resources))
        program = next(v for v in replaced.values() if v.get("/Subtype") == "/OpenType")
        cmap = next(v for n, v in replaced.items() if b"beginbfchar" in _data(v))
        spelt = {_utf16(dst) for _, dst, _ in _cmap_entries(_data(cmap))}
        assert spelt == set(name)
        drawn = outlined(_data(program)) - {0}
        (font,) = [reader.get_object(n) for n in pruner.fonts_in(resources)]
        original = {code: _utf16(dst) for code, dst, _ in _cmap_entries(
            font["/ToUnicode"].get_object().get_data())}  # fmt: skip
        assert {original[gid] for gid in drawn} == set(name) - {" "}


def _data(stream) -> bytes:
    import zlib

    return zlib.decompress(stream._data)


class _Ref:
    """A reference to an object of no file, for content read without one."""

    def __init__(self, idnum: int, value=None) -> None:
        self.idnum, self.value = idnum, value

    def get_object(self):
        return self.value


def test_content_is_read_whatever_way_it_shows_text():
    """Hex and literal strings (escapes, nesting), every showing operator, q/Q, forms."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    from ipskit.documents.pdf.fontprune import Pruner, _Font

    form = DecodedStreamObject()
    form.set_data(b"[<0042>] TJ /F2 9 Tf (in the form) Tj")
    form[NameObject("/Subtype")] = NameObject("/Form")
    resources = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): _Ref(7), NameObject("/F2"): _Ref(8)}),
        NameObject("/XObject"): DictionaryObject({NameObject("/Fm"): _Ref(9, form)}),
    })  # fmt: skip
    content = (
        b"q BT /F1 12 Tf [<0041 00 43> -120 <0044>] TJ ET Q\n"
        b"BT /F2 10 Tf (a\\(b\\)c \\101\\n (nested)) Tj 1 2 (d) \" (e) ' ET\n"
        b"BI /W 2 /H 1 /BPC 8 /CS /G ID \x00(Tj) Tj EI\n"
        b"% (a comment) Tj\n"
        b"q /F1 8 Tf Q <66> Tj /F1 8 Tf /Fm Do\n"  # <66> in F2 again; the form starts in F1
    )
    pruner = Pruner(None)
    pruner._fonts = {7: _Font(width=2), 8: _Font(width=1)}
    shown = pruner.shown(content, resources)
    assert shown.codes[7] == {0x41, 0x43, 0x44, 0x42}
    assert {chr(c) for c in shown.codes[8]} == set("a(b)cA\n nested)def" + "in the form")
    assert shown.fonts == {"/F1", "/F2"} and shown.xobjects == {"/Fm"}
