"""Laying out a batch of certificates once and cutting each person's file from it.

The certificates of a batch are laid out as one document per few hundred people (in two
processes for a large batch), written once as PDF/A, and each person's file is cut from
that document. Writing a PDF embeds a subset of every font, which is most of the cost of
a small file: cut files share that work. The document's subsets hold everyone's letters,
so each file gets its own copies of them, cut down again to the glyphs on its page (see
:mod:`ipskit.documents.pdf.fontprune`): about a millisecond each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from pypdf.generic import DictionaryObject

TEMPLATE = "certificate.html"
#: Certificates laid out as one document; larger batches are cut into such chunks.
CHUNK = 250
#: People's boxes to a sheet of the people layer (the template sizes the sheet to hold
#: this many certificates, one above the other).
SHEET = 24
#: From how many certificates a second process pays for its start (about a second).
PARALLEL_FROM = 150


# --- rendering ----------------------------------------------------------------------------------


def render_batch(
    workspace: Workspace, renderer: Any, context: dict[str, Any], meta: dict[str, str]
) -> Iterator[Chunk]:
    """Each chunk of people in turn, laid out: its people's PDFs, and its print objects.

    A large batch is laid out by two worker processes, started first so that they load
    WeasyPrint while the HTML is made; if processes cannot be used, this one does it all.
    """
    from ipskit.documents.render import process_pool

    everyone = context["certificates"]
    pool = process_pool(2) if len(everyone) >= PARALLEL_FROM else None
    background = renderer.html(TEMPLATE, {**context, "layer": "background", "certificates": []})
    jobs: list[Job] = []
    for first in range(0, len(everyone), CHUNK):
        group = everyone[first : first + CHUNK]
        numbered = [{**c, "number": n} for n, c in enumerate(group, start=1)]
        sheets = [numbered[i : i + SHEET] for i in range(0, len(numbered), SHEET)]
        html = renderer.html(TEMPLATE, {**context, "layer": "people", "sheets": sheets})
        jobs.append(Job(background, html, [c["code"] for c in group],
                        [c["target"] for c in group], [c["qr_alt"] for c in group],
                        len(jobs)))  # fmt: skip
    done = 0
    if pool is not None:
        from concurrent.futures.process import BrokenProcessPool

        with pool:
            try:
                futures = [pool.submit(chunk_in_worker, str(workspace.root), job, meta)
                           for job in jobs]  # fmt: skip
                for future in futures:
                    yield future.result()
                    done += 1
            except (BrokenProcessPool, OSError):
                pass  # the rest is made here
    for job in jobs[done:]:
        yield render_chunk(renderer, job, meta)


class Job(NamedTuple):
    """A chunk of certificates to lay out: both layers' HTML, and each person's code."""

    background: str
    people: str
    codes: list[str]
    targets: list[str]  # what each QR code holds
    alts: list[str]  # what each QR code is for, said to a screen reader
    # The chunk's place in the batch, which numbers its objects (a NamedTuple's field
    # cannot be called index: that is a tuple method).
    position: int = 0


def chunk_in_worker(root: str, job: Job, meta: dict[str, str]) -> Chunk:
    """:func:`render_chunk` in a worker process, which imports WeasyPrint itself."""
    from ipskit.documents.render import Renderer

    return render_chunk(Renderer(Workspace(Path(root))), job, meta)


#: Written tagged: each person's file is PDF/A-2a (accessible); the print file, which
#: has no structure tree, PDF/A-2b.
PDF_VARIANT = "pdf/a-2a"
PRODUCER = "ipskit"


def render_chunk(renderer: Any, job: Job, meta: dict[str, str]) -> Chunk:
    """Lay out a chunk, write it once as PDF/A, and cut a file for each certificate.

    The background is laid out once and each person's page is printed over it; their QR
    code is drawn as vector squares in the box the template leaves for it.
    """
    background = renderer.layout(job.background, template=TEMPLATE)
    people = renderer.layout(job.people, template=TEMPLATE)
    where = renderer.path_of(TEMPLATE)
    if len(background.pages) != 1 or len(people.pages) != -(-len(job.codes) // SHEET):
        raise IpskitError(
            f"{where}: a certificate must fit on one page; some ran over: shorten the"
            " wording or the template's content"
        )
    places = []
    for number in range(1, len(job.codes) + 1):
        sheet = (number - 1) // SHEET
        box = people.pages[sheet].anchors.get(f"qr-{number}")  # (left, top, right, bottom)
        if box is None or len(box) != 4:
            raise IpskitError(f"{where}: each certificate needs its QR box, with the id qr-N")
        places.append((sheet, box))
    document = background.copy(background.pages + people.pages)
    document.metadata.title = meta["title"]
    document.metadata.authors = [meta["author"]]
    document.metadata.lang = meta["language"]
    written = bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    return cut(written, job, places, meta)


def split_sheet(content: bytes, unit: float) -> dict[int, list[bytes]]:
    """The drawing of each certificate-high box of a sheet: its content, cut by position.

    WeasyPrint writes one operator a line, and brackets what each box draws in ``q`` and
    ``Q``. Each bracketed group is placed by the rectangles and text positions inside it;
    the largest groups that lie within one box are that box's drawing. What the sheet
    draws across boxes (its own clipping) belongs to no one and is left out.
    """
    root: list[Any] = []
    stack = [root]
    for line in content.split(b"\n"):
        word = line.strip()
        if word == b"q":
            group: list[Any] = []
            stack[-1].append(group)
            stack.append(group)
        elif word == b"Q" and len(stack) > 1:
            stack.pop()
        elif word:
            stack[-1].append(line)
    pieces: dict[int, list[bytes]] = {}

    def boxes(items: list[Any]) -> set[int]:
        found: set[int] = set()
        for item in items:
            if isinstance(item, list):
                found |= boxes(item)
            elif item.endswith((b" re", b" Tm")):
                numbers = item.split()
                try:
                    if numbers[-1] == b"re":
                        middle = float(numbers[-4]) + float(numbers[-2]) / 2
                    else:
                        middle = float(numbers[-2])
                except (ValueError, IndexError):
                    continue  # not the operator line it looked like
                found.add(int(middle // unit))
        return found

    def written(items: list[Any]) -> bytes:
        return (
            b"q\n"
            + b"\n".join(written(item) if isinstance(item, list) else item for item in items)
            + b"\nQ"
        )

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                inside = boxes(item)
                if len(inside) == 1:
                    pieces.setdefault(inside.pop(), []).append(written(item))
                elif inside:
                    walk(item)

    walk(root)
    return pieces


def qr_runs(text: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR code for ``text``: its width in modules, and its runs of dark modules.

    Each run is (row, first column, length). Every copy of a certificate draws the same
    code: error level M, and a fixed mask, which spares segno scoring all eight (the
    slowest part of making a code).
    """
    import segno

    matrix = segno.make(text, error="m", mask=2, micro=False).matrix
    runs = []
    for row, cells in enumerate(matrix):
        column, width = 0, len(cells)
        while column < width:
            if cells[column]:
                end = column
                while end < width and cells[end]:
                    end += 1
                runs.append((row, column, end - column))
                column = end
            else:
                column += 1
    return len(matrix), runs


def qr_operators(text: str, box: tuple[float, float, float, float], page_height: float) -> bytes:
    """PDF operators drawing the QR code for ``text`` in ``box`` (CSS px, from the top)."""
    width, runs = qr_runs(text)
    left, top, right, bottom = box
    size = min(right - left, bottom - top) * 0.75  # CSS px to PDF points
    module = size / width
    x, y = left * 0.75, page_height - top * 0.75
    rects = [f"{column} {row} {length} 1 re" for row, column, length in runs]
    head = f"q 0.114 0.114 0.106 rg {module:.4f} 0 0 {-module:.4f} {x:.3f} {y:.3f} cm\n"
    return (head + "\n".join(rects) + "\nf Q\n").encode("ascii")


class Chunk(NamedTuple):
    """A laid-out chunk: its objects and pages for the print file, and each person's file."""

    objects: list[bytes]  # serialised, numbered within the chunk's span
    pages: list[int]
    intents: str  # the catalog's /OutputIntents, as PDF text ("" if none)
    files: list[bytes]


def cut(pdf: bytes, job: Job, places: list[Any], meta: dict[str, str]) -> Chunk:
    """A file for each person, and the objects of the print file, from one written PDF.

    Page 1 of ``pdf`` is the background, drawn first on every person's page. The other
    pages are the sheets of the people layer: each person's page gets the drawing of
    their own box on a sheet, moved into place, and their QR code. The chunk's objects
    are numbered in its own span (:data:`ipskit.documents.pdf.objects.SPAN`), so that
    the chunks of a batch join into one print file as they are.

    The chunk's fonts hold the letters of everyone in it: each person's file gets its
    own copies of them (same numbers), cut down to what their page shows. The print
    file keeps the chunk's fonts.

    Each person's file is tagged (PDF/A-2a): its structure tree is the background's
    elements and the person's own, read from top to bottom (see :class:`_Reading`).
    """
    from ipskit.documents.pdf import fontprune, structure
    from ipskit.documents.pdf import objects as pdfcut

    source = pdfcut.Source(pdf, job.position * pdfcut.SPAN)
    reader = source.reader
    pruner = fontprune.Pruner(reader)
    pages = reader.pages
    background = pages[0]
    box = [float(v) for v in background.mediabox]
    height = box[3] - box[1]
    number = source.new_number
    tree = number()
    bg_content = pdfcut.content(background)
    bg_shown = pruner.shown(bg_content, background["/Resources"])
    bg_resources = fontprune.trimmed(background["/Resources"], bg_shown)
    bbox = " ".join(f"{v:g}" for v in box)
    # The background is drawn first on every page, as it was written: its marked drawing
    # keeps its numbers (MCIDs), and each person's are numbered after it.
    drawn_first = pdfcut.stream(number(), b"q\n" + bg_content + b"\nQ\n")
    bg_marks = len(structure.mcids(bg_content))
    root = cast("DictionaryObject", reader.trailer["/Root"])
    intents = root.raw_get("/OutputIntents") if "/OutputIntents" in root else None
    intents_text = source.text(intents).decode("latin-1") if intents is not None else ""
    common = source.closure(bg_resources) | (source.closure(intents) if intents else set())
    catalog_text = f"<< /Type /Catalog /Pages {tree} 0 R /Lang {_text(meta['language'])}" + (
        f" /OutputIntents {intents_text}" if intents_text else ""
    )
    unit = height / 0.75  # a certificate's height in CSS px, the unit of the sheets
    sheets = []
    for page in pages[1:]:
        drawing = pdfcut.content(page)
        sheets.append((page, split_sheet(drawing, unit), structure.heights(drawing)))
    reading = _Reading(source, background, structure.heights(bg_content), sheets, unit)
    people: list[tuple[int, list[int], list[pdfcut.Part]]] = []
    swaps: list[dict[int, bytes]] = []  # each person's own copies of the fonts
    trees: list[tuple[list[pdfcut.Part], set[int], int]] = []  # each person's structure
    for target, alt, (index, corners) in zip(job.targets, job.alts, places, strict=True):
        sheet, pieces, _ = sheets[index]
        left, top, right, bottom = corners
        strip = int((top + bottom) / 2 // unit)  # which box of the sheet is this person's
        shift = strip * unit
        page_number = number()
        drawing = (
            f"q\n1 0 0 -1 0 {height:.6f} cm\n0.75 0 0 0.75 0 0 cm\n1 0 0 1 0 {-shift:.6f} cm\n"
        ).encode() + b"\n".join(pieces.get(strip, [])) + b"\nQ\n"  # fmt: skip
        theirs = structure.mcids(drawing)
        renumber = {mcid: bg_marks + n for n, mcid in enumerate(theirs)}
        drawing = structure.renumbered(drawing, renumber)
        own = pdfcut.stream(number(), drawing)
        qr_box = (left, top - shift, right, bottom - shift)
        qr_mark = bg_marks + len(theirs)
        qr = pdfcut.stream(number(), b"/Figure <</MCID %d>> BDC\n" % qr_mark
                           + qr_operators(target, qr_box, height) + b"EMC\n")  # fmt: skip
        shown = pruner.shown(drawing, sheet["/Resources"])
        merged = _merged(fontprune.trimmed(sheet["/Resources"], shown), bg_resources)
        refs = f"{drawn_first.number} 0 R {own.number} 0 R {qr.number} 0 R"
        body = (
            f"<< /Type /Page /Parent {tree} 0 R /MediaBox [{bbox}] /Contents [{refs}]"
            " /StructParents 0 /Resources ".encode()
            + source.text(merged)
            + b" >>"
        )
        needed = source.closure(merged) | common
        people.append((page_number, sorted(needed), [pdfcut.plain(page_number, body), own, qr]))
        fonts = [n for n in needed if pruner.is_font(n)]
        swaps.append({n: source.replaced(n, value) for n, value in
                      pruner.replacements(shown.union(bg_shown), fonts).items()})  # fmt: skip
        figure = (qr_mark, alt, (qr_box[0] * 0.75, height - qr_box[3] * 0.75,
                                 qr_box[2] * 0.75, height - qr_box[1] * 0.75))  # fmt: skip
        trees.append(reading.tree(page_number, index, strip, renumber, figure))
    files = []
    for (page_number, numbers, parts), code, swap, (tagged, extra, struct_root) in zip(
        people, job.codes, swaps, trees, strict=True
    ):
        info, metadata = number(), number()
        subject = f"Certificate {code}, issued by {meta['author']}"
        catalog = number()
        files.append(pdfcut.assemble(
            [swap.get(n) or source.serialised(n) for n in sorted(set(numbers) | extra)],
            [drawn_first, *parts, *tagged,
             pdfcut.plain(tree, f"<< /Type /Pages /Kids [{page_number} 0 R] /Count 1 >>"),
             pdfcut.plain(catalog, catalog_text + f" /Metadata {metadata} 0 R /StructTreeRoot"
                          f" {struct_root} 0 R{pdfcut.TAGGED.decode()} >>"),
             _info(info, meta, subject, code),
             _metadata(metadata, meta, subject, code, "A")],
            root=catalog, info=info,
        ))  # fmt: skip
    everything = sorted(set[int]().union(*(set(numbers) for _, numbers, _ in people)))
    objects = [source.serialised(n) for n in everything]
    objects.append(drawn_first.data)
    objects += [part.data for _, _, parts in people for part in parts]
    return Chunk(objects, [n for n, _, _ in people], intents_text, files)


def _merged(first: Any, second: Any) -> Any:
    """Two resource dictionaries as one (the names of one written PDF mean one thing)."""
    from pypdf.generic import DictionaryObject, NameObject

    merged = DictionaryObject(first)
    for key in second:
        mine, theirs = first.get(key), second.get(key)
        if isinstance(mine, DictionaryObject) and isinstance(theirs, DictionaryObject):
            both = DictionaryObject({k: theirs.raw_get(k) for k in theirs})
            both.update({k: mine.raw_get(k) for k in mine})
            merged[NameObject(key)] = both
        elif key not in first:
            merged[NameObject(key)] = second.raw_get(key)
    return merged


class _Reading:
    """Each person's structure tree: the background's elements and theirs, top to bottom.

    The chunk was written tagged, so its tree has an element for the background page
    (the certificate's shared words) and, on each sheet, one for each person's box (their
    name and code). A person's file reads them in the order they sit on the page: an
    element's place is where its first marked drawing starts. Their QR code is a figure
    whose text says what it is for.
    """

    def __init__(self, source: Any, background: Any, heights: dict[int, float],
                 sheets: list[Any], unit: float) -> None:  # fmt: skip
        from ipskit.documents.pdf.structure import Element

        self.source = source
        self.background = background.indirect_reference.idnum
        self.heights = heights
        self.sheets = [(page.indirect_reference.idnum, tops) for page, _, tops in sheets]
        self.unit = unit
        tree = source.structure
        self.document = tree.top[0] if len(tree.top) == 1 else Element("/Document")
        self.extra = tree.extra
        kids = [k for k in self.document.kids if isinstance(k, Element)] if tree else []
        shared = [k for k in kids if k.pages() == {self.background}]
        # A single section holding the background (the template's <section>): its
        # children are read among the person's.
        self.section = shared[0] if len(shared) == 1 else Element("/Sect", kids=list(shared))
        self.boxes: dict[tuple[int, int], list[Element]] = {}
        for position, (page, tops) in enumerate(self.sheets):
            for kid in kids:
                if kid.pages() == {page}:
                    self._assign(kid, position, tops)
        self.extras: dict[int, bytes] = {}

    def _assign(self, element: Any, sheet: int, tops: dict[int, float]) -> None:
        """File ``element`` (or its parts) under the box of the sheet it draws in."""
        from ipskit.documents.pdf.structure import Element

        strips = {int(tops[m.mcid] // self.unit) for m in element.marks() if m.mcid in tops}
        if len(strips) == 1:
            self.boxes.setdefault((sheet, strips.pop()), []).append(element)
        elif strips:
            for kid in element.kids:
                if isinstance(kid, Element):
                    self._assign(kid, sheet, tops)

    def tree(self, page_number: int, sheet: int, strip: int, renumber: dict[int, int],
             figure: tuple[int, str, tuple[float, ...]]
             ) -> tuple[list[Any], set[int], int]:  # fmt: skip
        """The structure objects of one person's file, what they refer to, and its root."""
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            FloatObject,
            NameObject,
            TextStringObject,
        )

        from ipskit.documents.pdf import objects as pdfcut
        from ipskit.documents.pdf.structure import Element, Marked, Writer, root_object

        source = self.source
        sheet_page, tops = self.sheets[sheet]
        mine = self.boxes.get((sheet, strip), [])
        if len(mine) == 1:  # their box's section: its children are read with the background's
            mine = [k for k in mine[0].kids if isinstance(k, Element)]
        qr_mark, alt, bbox = figure
        layout = DictionaryObject({NameObject("/O"): NameObject("/Layout"),
                                   NameObject("/BBox"): ArrayObject(FloatObject(round(v, 2))
                                                                    for v in bbox)})  # fmt: skip
        code = Element("/Figure", {"/Alt": TextStringObject(alt), "/A": layout},
                       [Marked(-1, qr_mark)])  # fmt: skip
        shift = strip * self.unit

        def top(element: Element) -> float:
            places = [self.heights.get(m.mcid) if m.page == self.background
                      else tops.get(m.mcid, 0.0) - shift if m.page == sheet_page
                      else self.unit for m in element.marks()]  # fmt: skip
            return min((p for p in places if p is not None), default=self.unit)

        shared = [k for k in self.section.kids if isinstance(k, Element)]
        ordered: list[Any] = [*sorted([*shared, *mine], key=top), code]
        section = Element(self.section.tag, self.section.extra, ordered)
        document = Element(self.document.tag, self.document.extra, [section])
        needed: set[int] = set()

        def text(value: Any) -> bytes:
            needed.update(source.closure(value))
            return bytes(source.text(value))

        def place(mark: Marked) -> tuple[int, int] | None:
            if mark.page == self.background:
                return page_number, mark.mcid
            if mark.page == sheet_page and mark.mcid in renumber:
                return page_number, renumber[mark.mcid]
            if mark.page == -1:
                return page_number, mark.mcid
            return None

        writer = Writer(source.new_number, text, place)
        writer.extras = self.extras  # the background's entries, written once per chunk
        root, parent_tree = source.new_number(), source.new_number()
        top_number = writer.add(document, root)
        extra = b"".join(b" " + k.encode() + b" " + text(v) for k, v in self.extra.items())
        parts = [pdfcut.plain(n, data) for n, data in writer.objects]
        parts.append(pdfcut.plain(parent_tree, writer.parent_tree({page_number: 0})))
        parts.append(pdfcut.plain(root, root_object([top_number] if top_number else [],
                                                    parent_tree, 1, extra)))  # fmt: skip
        return parts, needed, root


def combine(chunks: Sequence[Chunk], meta: dict[str, str]) -> bytes:
    """One PDF/A file of every page of the batch, to print: the chunks' objects, joined."""
    from ipskit.documents.pdf import objects as pdfcut

    first = len(chunks) * pdfcut.SPAN  # above every chunk's span
    tree, catalog, info, metadata = first, first + 1, first + 2, first + 3
    kids = [n for chunk in chunks for n in chunk.pages]
    subject = f"Certificates issued by {meta['author']}"
    intents = f" /OutputIntents {chunks[0].intents}" if chunks[0].intents else ""
    catalog_text = (
        f"<< /Type /Catalog /Pages {tree} 0 R /Lang {_text(meta['language'])}{intents}"
        f" /Metadata {metadata} 0 R >>"
    )
    return pdfcut.assemble(
        [data for chunk in chunks for data in chunk.objects],
        [pdfcut.plain(tree, f"<< /Type /Pages /Kids [{' '.join(f'{n} 0 R' for n in kids)}]"
                            f" /Count {len(kids)} >>"),
         pdfcut.plain(catalog, catalog_text),
         _info(info, meta, subject, ""), _metadata(metadata, meta, subject, "")],
        root=catalog, info=info,
    )  # fmt: skip


def _text(value: str) -> str:
    from pypdf.generic import TextStringObject

    from ipskit.documents.pdf.objects import value_bytes

    return value_bytes(TextStringObject(value)).decode("latin-1")


def _info(number: int, meta: dict[str, str], subject: str, keywords: str) -> Any:
    from ipskit.documents.pdf.objects import plain

    fields = {"/Title": meta["title"], "/Author": meta["author"], "/Subject": subject,
              "/Producer": PRODUCER}  # fmt: skip
    if keywords:
        fields["/Keywords"] = keywords
    return plain(number, "<< " + " ".join(f"{k} {_text(v)}" for k, v in fields.items()) + " >>")


def _metadata(number: int, meta: dict[str, str], subject: str, keywords: str,
              conformance: str = "B") -> Any:  # fmt: skip
    from ipskit.documents.pdf.objects import stream

    extra = " /Type /Metadata /Subtype /XML"
    packet = xmp(meta["title"], meta["author"], subject, keywords, conformance)
    return stream(number, packet, extra, compress=False)


def xmp(title: str, author: str, subject: str, keywords: str, conformance: str = "B") -> bytes:
    """The XMP packet PDF/A-2 asks for (level A or B), matching the document information."""
    from xml.sax.saxutils import escape

    keyword = f' pdf:Keywords="{escape(keywords)}"' if keywords else ""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        f' pdfaid:part="2" pdfaid:conformance="{conformance}"/>'
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        f' pdf:Producer="{escape(PRODUCER)}"{keyword}/>'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        f"</dc:title><dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq>"
        '</dc:creator><dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(subject)}</rdf:li></rdf:Alt></dc:description></rdf:Description>"
        '</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")
