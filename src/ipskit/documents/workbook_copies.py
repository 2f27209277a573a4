"""Each participant's copy of the workbook, put together from the shared body and their cover.

The copies share everything but the cover, so nothing is laid out thirty times: the
body (behind a cover with a blank line for a name) is laid out and written once, while
a second process lays out every cover as one document of one page each; each person's
file is then the body, byte for byte, followed by a small incremental update that gives
its first page their cover.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pypdf.generic import NumberObject


def pdf_bytes(renderer: Renderer, html: str, *, template: str, title: str, author: str,
              language: str) -> bytes:  # fmt: skip
    """Lay out and write a tagged PDF in memory, a part of the copies."""
    document = renderer.layout(html, template=template)
    document.metadata.title = title
    document.metadata.authors = [author]
    document.metadata.lang = language
    renderer.tell(f"Writing {renderer.what}")
    return bytes(document.write_pdf(pdf_tags=True))


def covers_pdf(root: str, html: str, meta: dict[str, str]) -> bytes:
    """The covers document, made in a worker process (which imports WeasyPrint itself)."""
    return pdf_bytes(Renderer(Workspace(Path(root))), html, **meta)


@contextmanager
def covers_aside(root: Path, html: str, meta: dict[str, str]) -> Iterator[Future[Any] | None]:
    """The covers being laid out in a second process while the block runs, or None.

    The worker's pool ends with the block; left by an error or Ctrl-C, it ends the worker
    at once rather than wait for covers no one will use.
    """
    from ipskit.documents.render import process_pool

    pool = process_pool(1)
    if pool is None:  # no processes allowed here: the covers are made in this one
        yield None
        return
    with pool:
        yield pool.submit(covers_pdf, str(root), html, meta)


def finish_covers(future: Future[Any]) -> bytes | None:
    """The covers from the second process; None if it could not make them."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return bytes(future.result())
    except (BrokenProcessPool, OSError):
        return None


def assemble(body: bytes, covers: bytes, count: int, *,
             progress: Step | None = None) -> list[bytes]:  # fmt: skip
    """Each page of ``covers`` in place of the first page of ``body``, as PDF files.

    Each file is the body exactly as written, followed by an incremental update that
    gives its first page the content and resources of one cover: a few kilobytes to
    write rather than a whole PDF, so thirty copies take milliseconds. Only that one
    cover is copied in, with its own copies of the covers' fonts cut down to the glyphs
    it shows, so nobody's copy holds another person's name, not even in a font. The
    blank cover the update replaces stays in the file, unreferenced; it holds no one's
    name. The structure tree (both parts are tagged) is the body's, with the cover's
    elements in place of the blank cover's (see :class:`_Structure`).
    """
    import re

    from pypdf import PdfReader

    from ipskit.documents.pdf import fontprune
    from ipskit.documents.pdf.objects import content

    covers_reader = PdfReader(io.BytesIO(covers))
    if len(covers_reader.pages) != count:  # one ran over its page: numbers would shift
        raise IpskitError("a workbook cover ran over one page: shorten the course title")
    reader = PdfReader(io.BytesIO(body))
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", body)
    if match is None:
        raise IpskitError("the workbook's PDF could not be read back to add the covers")
    trailer = reader.trailer
    first = reader.pages[0]
    if first.indirect_reference is None:  # a page of a read file always has its number
        raise IpskitError("the workbook's PDF could not be read back to add the covers")
    first_number = first.indirect_reference.idnum
    base = body if body.endswith(b"\n") else body + b"\n"
    size = int(cast("NumberObject", trailer["/Size"]))
    pruner = fontprune.Pruner(covers_reader)
    structure = _Structure(reader, covers_reader)
    files: list[bytes] = []
    for cover in covers_reader.pages:
        shown = pruner.shown(content(cover), cover["/Resources"])
        resources = fontprune.trimmed(cover["/Resources"], shown)
        update = _Update(size, len(base), pruner.replacements(shown, pruner.fonts_in(resources)))
        page = {key: value for key, value in first.items()}
        page["/Resources"] = update.copy(resources)
        page["/Contents"] = update.copy(cover.raw_get("/Contents"))
        update.put(first_number, _dictionary(page))
        structure.give(update, cover, first)
        files.append(base + update.finish(trailer, int(match[1])))
        if progress is not None:
            progress("Putting together each person's copy", len(files), count)
    return files


class _Structure:
    """The structure tree of each copy: the body's, its first page's elements the cover's.

    The body's top element (the document) and its parent tree are written again in each
    copy's update, under their own numbers: the document's children are the cover's
    elements, then the body's own after the blank cover, which stay as they are; the
    parent tree's entry for the first page lists the cover's elements.
    """

    def __init__(self, body: Any, covers: Any) -> None:
        from ipskit.documents.pdf.objects import value_bytes
        from ipskit.documents.pdf.structure import Element, Existing, Tree

        self.body, self.covers = Tree(body), Tree(covers)
        self.tagged = bool(self.body and self.covers and len(self.body.top) == 1
                           and self.body.parent_tree_number is not None)  # fmt: skip
        if not self.tagged:
            return
        document = self.body.top[0]
        first = body.pages[0].indirect_reference.idnum
        self.kept: list[Existing] = []
        for kid in document.kids:
            if not isinstance(kid, Element):
                continue  # drawing marked on the document itself: none in WeasyPrint's
            if first in kid.pages():
                continue  # the blank cover's, and the running heads it sets
            if kid.number is None:
                raise IpskitError("the workbook's PDF could not be read back to add the covers")
            self.kept.append(Existing(kid.number))
        self.key = int(body.pages[0].get("/StructParents", 0))
        self.rows = {key: value_bytes(value) for key, value in self.body.parents.items()
                     if key != self.key}  # fmt: skip

    def give(self, update: _Update, cover: Any, first: Any) -> None:
        """Add to ``update`` the structure of the copy whose cover is ``cover``."""
        from ipskit.documents.pdf.objects import value_bytes
        from ipskit.documents.pdf.structure import Element, Writer

        if not self.tagged:
            return
        body = self.body.top[0]
        own_page = cover.indirect_reference.idnum
        first_number = first.indirect_reference.idnum
        mine = [kid for top in self.covers.top for kid in top.kids
                if isinstance(kid, Element) and kid.pages() == {own_page}]  # fmt: skip
        document = Element(body.tag, body.extra, [*mine, *self.kept], body.number)

        def number() -> int:
            update.next += 1
            return update.next - 1

        writer = Writer(
            number, lambda value: value_bytes(update.copy(value)),
            lambda mark: (first_number, mark.mcid) if mark.page == own_page else None,
        )  # fmt: skip
        if self.body.number is None or body.number is None or self.body.parent_tree_number is None:
            return
        writer.add(document, self.body.number, number=body.number)
        for made, text in writer.objects:
            update.put(made, text)
        update.put(self.body.parent_tree_number,
                   writer.parent_tree({first_number: self.key}, kept=self.rows))  # fmt: skip


class _Update:
    """An incremental update: objects appended to a PDF, with their cross-reference stream."""

    def __init__(self, size: int, offset: int, replaced: dict[int, Any]) -> None:
        """Number new objects from ``size``; ``replaced`` stands in for source objects."""
        self.next = size
        self.offset = offset
        self.replaced = replaced
        self.data = bytearray()
        self.where: dict[int, int] = {}
        self.copied: dict[int, int] = {}

    def put(self, number: int, serialised: bytes) -> None:
        self.where[number] = self.offset + len(self.data)
        self.data += b"%d 0 obj\n" % number + serialised + b"\nendobj\n"

    def copy(self, value: Any) -> Any:
        """The value with every object it refers to copied in under a new number."""
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
            StreamObject,
        )

        from ipskit.documents.pdf.objects import value_bytes

        if isinstance(value, IndirectObject):
            if value.idnum not in self.copied:
                number = self.copied[value.idnum] = self.next
                self.next += 1
                target = self.replaced.get(value.idnum) or value.get_object()
                if isinstance(target, DictionaryObject) and target.get("/Type") in (
                    "/Page", "/Pages", "/Catalog",
                ):  # fmt: skip
                    raise IpskitError("a workbook cover refers to other pages")
                copied = self.copy(target)
                if isinstance(target, StreamObject):
                    raw = target._data  # the stream as stored, still compressed
                    copied[NameObject("/Length")] = NumberObject(len(raw))
                    self.put(number, _dictionary(copied) + b"\nstream\n" + raw + b"\nendstream")
                else:
                    self.put(number, value_bytes(copied))
            return IndirectObject(self.copied[value.idnum], 0, None)
        if isinstance(value, DictionaryObject):
            return DictionaryObject({key: self.copy(item) for key, item in value.items()})
        if isinstance(value, ArrayObject):
            return ArrayObject(self.copy(item) for item in value)
        return value

    def finish(self, trailer: Any, previous: int) -> bytes:
        """The update's bytes: its objects, then a cross-reference stream pointing back."""
        xref = self.next
        self.where[xref] = self.offset + len(self.data)
        numbers = sorted(self.where)
        index: list[int] = []
        for number in numbers:
            if index and index[-2] + index[-1] == number:
                index[-1] += 1
            else:
                index += [number, 1]
        rows = b"".join(b"\x01" + self.where[n].to_bytes(4, "big") + b"\x00\x00" for n in numbers)
        root, info = _ref(trailer.raw_get("/Root")), _ref(trailer.raw_get("/Info"))
        head = (
            f"<</Type /XRef /Size {xref + 1} /W [1 4 2] /Index [{' '.join(map(str, index))}]"
            f" /Prev {previous} /Root {root} /Info {info} /Length {len(rows)}>>"
        ).encode()
        self.data += b"%d 0 obj\n" % xref + head + b"\nstream\n" + rows + b"\nendstream\nendobj\n"
        return bytes(self.data) + b"startxref\n%d\n%%%%EOF\n" % self.where[xref]


def _ref(value: Any) -> str:
    return f"{value.idnum} {value.generation} R"


def _dictionary(entries: dict[Any, Any]) -> bytes:
    from pypdf.generic import DictionaryObject, NameObject

    from ipskit.documents.pdf.objects import value_bytes

    return value_bytes(DictionaryObject({NameObject(k): v for k, v in entries.items()}))
