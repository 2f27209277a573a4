"""Pages cut from a written PDF into a file of their own, their objects copied as written."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from helpers import pdf_pages_text
from ipskit.documents.pdf.objects import Source, cut

PAGES = """<!DOCTYPE html><html lang="en-GB"><body>
<p>First page. <a href="#later">On to the second</a> or <a href="https://example.org/">away</a>.</p>
<p style="break-before: page" id="later">Second page. <a href="#last">On to the third</a>.</p>
<p style="break-before: page" id="last">Third page.</p>
</body></html>"""


@pytest.fixture(scope="module")
def written() -> bytes:
    from weasyprint import HTML

    return HTML(string=PAGES).write_pdf()


def pieces(data: bytes) -> tuple[PdfReader, list[str], list[list[str]]]:
    """The file read back: its reader, each page's text, and each page's links' targets."""
    reader = PdfReader(io.BytesIO(data))
    links = []
    for page in reader.pages:
        found = []
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/A" in annotation and "/URI" in annotation["/A"]:
                found.append(str(annotation["/A"]["/URI"]))
            else:
                found.append("within")
        links.append(found)
    return reader, [text.strip() for text in pdf_pages_text(io.BytesIO(data))], links


def test_the_pages_cut_are_the_file_with_its_own_title_and_language(written, tmp_path):
    data = cut(Source(written), [1, 2], title="Two of three", author="Wrenmoor", language="cy")
    reader, texts, links = pieces(data)
    assert [t.split(".")[0] for t in texts] == ["Second page", "Third page"]
    assert (reader.metadata.title, reader.metadata.author) == ("Two of three", "Wrenmoor")
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert "/StructTreeRoot" not in reader.trailer["/Root"]
    # The second page's link leads to the third, which is in the file: it is kept.
    assert links == [["within"], []]
    pages = [reader.get_object(n) for n in range(1, int(reader.trailer["/Size"]))]
    assert sum(1 for o in pages if hasattr(o, "get") and o.get("/Type") == "/Page") == 2


def test_a_link_to_a_page_left_out_is_left_out_and_one_to_the_web_kept(written):
    data = cut(Source(written), [0], title="One", author="Wrenmoor", language="en-GB")
    reader, texts, links = pieces(data)
    assert len(texts) == 1 and texts[0].startswith("First page.")
    assert links == [["https://example.org/"]]
    objects = [reader.get_object(n) for n in range(1, int(reader.trailer["/Size"]))]
    # Nothing of the pages left behind came along: one page object, the one cut.
    assert sum(1 for o in objects if hasattr(o, "get") and o.get("/Type") == "/Page") == 1


def test_cuts_from_one_source_do_not_share_numbers(written):
    source = Source(written)
    first = cut(source, [0], title="One", author="A", language="en-GB")
    second = cut(source, [2], title="Three", author="A", language="en-GB")
    assert pieces(first)[1][0].startswith("First page.")
    assert pieces(second)[1] == ["Third page."]
