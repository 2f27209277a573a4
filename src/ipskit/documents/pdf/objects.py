"""Small PDFs cut from a large one, object by object, without writing anything twice.

A batch of certificates is laid out and written as one PDF: fonts are subset once, which
is most of the cost of writing a PDF. Each person's file then needs only their page and
what it refers to (its fonts, the background every certificate shares). This module
serialises each object of the large PDF once, under its own number, and assembles every
small file from those bytes plus a few objects of its own: a catalog, a page tree, its
metadata. Cutting a file is then a matter of joining bytes, well under a millisecond.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pypdf import PageObject
    from pypdf.generic import NumberObject

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
#: Object numbers each part of a batch may use: the k-th part's objects are numbered
#: from k * SPAN, so that parts made apart can be put in one file without renumbering.
SPAN = 100_000
BACKGROUND = "/IpskitBackground"


class Source:
    """The objects of one PDF, each serialised once, with what each refers to."""

    def __init__(self, data: bytes, shift: int = 0) -> None:
        """Read ``data``; its objects are written ``shift`` numbers up (see :data:`SPAN`)."""
        from pypdf import PdfReader

        self.reader = PdfReader(io.BytesIO(data))
        self.size = self.next = int(cast("NumberObject", self.reader.trailer["/Size"]))
        self.shift = shift
        self._bytes: dict[int, bytes] = {}
        self._refs: dict[int, list[int]] = {}
        self._replaced: dict[tuple[int, int], tuple[Any, bytes]] = {}

    @functools.cached_property
    def pages(self) -> frozenset[int]:
        """The object numbers of the source's pages."""
        return frozenset(_number(page) for page in self.reader.pages)

    @functools.cached_property
    def structure(self) -> Any:
        """The source's structure tree (see :class:`ipskit.documents.pdf.structure.Tree`)."""
        from ipskit.documents.pdf.structure import Tree

        return Tree(self.reader)

    @functools.cached_property
    def destinations(self) -> dict[str, Any]:
        """The source's named destinations (WeasyPrint names each link's target)."""
        return _destinations(self.reader)

    def new_number(self) -> int:
        """A number (as written) for an object that is not in the source."""
        number = self.next + self.shift
        self.next += 1
        if self.next > SPAN:
            raise ValueError("too many objects for one span of numbers")
        return number

    def serialised(self, number: int) -> bytes:
        """``N 0 obj ... endobj`` for an object of the source, under its written number."""
        if number not in self._bytes:
            value = self.reader.get_object(number)
            self._bytes[number] = _object(number + self.shift, self.text(value))
        return self._bytes[number]

    def written(self, number: int) -> int:
        """The number a source object is written under."""
        return number + self.shift

    def text(self, value: Any) -> bytes:
        """A value as PDF text, its references to source objects renumbered as written.

        A reference made for the output (an ``IndirectObject`` of no document) is
        written as it is.
        """
        return _write(self._shifted(value) if self.shift else value)

    def _shifted(self, value: Any) -> Any:
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

        if isinstance(value, IndirectObject):
            if value.pdf is not self.reader:
                return value
            return IndirectObject(value.idnum + self.shift, value.generation, None)
        if isinstance(value, StreamObject):
            copy = StreamObject()
            copy._data = value._data  # the stream as stored, still compressed
            copy.update({k: self._shifted(v) for k, v in value.items() if k != "/Length"})
            return copy
        if isinstance(value, DictionaryObject):
            return DictionaryObject({k: self._shifted(v) for k, v in value.items()})
        if isinstance(value, ArrayObject):
            return ArrayObject(self._shifted(v) for v in value)
        return value

    def closure(self, value: Any) -> set[int]:
        """The numbers of every object ``value`` refers to, directly or not.

        What each object refers to directly is found once and remembered: every page of
        a batch refers to the same fonts, whose width tables are long.
        """
        found: set[int] = set()
        stack = self._refers(value)
        while stack:
            number = stack.pop()
            if number in found:
                continue
            found.add(number)
            if number not in self._refs:
                self._refs[number] = self._refers(self.reader.get_object(number))
            stack.extend(self._refs[number])
        return found

    def _refers(self, value: Any) -> list[int]:
        return references(value, self.reader)

    def replaced(self, number: int, value: Any) -> bytes:
        """``N 0 obj ... endobj`` for ``value`` standing in for a source object in one file.

        Replacements are made once and shared by many files, so each is written once.
        """
        key = (number, id(value))
        if key not in self._replaced:
            self._replaced[key] = (value, _object(number + self.shift, self.text(value)))
        return self._replaced[key][1]


#: What a page may take from the page tree above it, where it does not say it itself.
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def cut(source: Source, indices: Sequence[int], *, title: str, author: str,
        language: str) -> bytes:  # fmt: skip
    """Some pages of the source, by index, as a PDF of their own.

    Each page keeps its drawing, fonts and images as the source wrote them (bytes copied,
    not written again), and any link to a page not in the file is left behind. A tagged
    source gives a tagged file: the elements of its structure tree that show something
    on these pages, in their order (see :mod:`ipskit.documents.pdf.structure`).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    reader = source.reader
    tree, catalog, info = source.new_number(), source.new_number(), source.new_number()
    kept = [reader.pages[index] for index in indices]
    numbers = {_number(page) for page in kept}
    left_out, named = source.pages - numbers, source.destinations
    structure = source.structure
    needed: set[int] = set()
    parts = []
    annotations_kept: set[int] = set()
    keys: dict[int, int] = {}  # a page's or annotation's number -> its key in the parent tree
    for page in kept:
        dropped = ("/Parent", "/Annots") if structure else ("/Parent", "/StructParents", "/Annots")
        own = DictionaryObject({k: v for k, v in page.items() if k not in dropped})
        for key in INHERITED:
            value = _inherited(page, key)
            if key not in own and value is not None:
                own[NameObject(key)] = value
        if structure and "/StructParents" in page:
            keys[source.written(_number(page))] = int(cast("int", page["/StructParents"]))
        annotations = ArrayObject()
        for annotation in page.get("/Annots", []):
            if _elsewhere(annotation, reader, named, left_out):
                continue
            found = annotation.get_object()
            if not isinstance(annotation, IndirectObject):
                annotations.append(_within(annotation, named))
                continue
            annotations_kept.add(annotation.idnum)
            if "/StructParent" in found and structure:
                keys[source.written(annotation.idnum)] = int(found["/StructParent"])
            changed = _within(annotation, named)
            if changed is not annotation:  # written under its own number, changed
                needed |= source.closure(changed)
                parts.append(plain(source.written(annotation.idnum), source.text(changed)))
            annotations.append(annotation)
        if annotations:
            own[NameObject("/Annots")] = annotations
        own[NameObject("/Parent")] = IndirectObject(tree, 0, None)
        needed |= source.closure(own)
        parts.append(plain(source.written(_number(page)), source.text(own)))
    kids = " ".join(f"{source.written(_number(page))} 0 R" for page in kept)
    tagged = b""
    if structure:
        tagged, objects, extra = _structure(source, structure, numbers, annotations_kept, keys)
        needed |= extra
        parts += objects
    parts += [
        plain(tree, f"<< /Type /Pages /Kids [{kids}] /Count {len(kept)} >>"),
        plain(catalog, b"<< /Type /Catalog /Pages %d 0 R /Lang " % tree
              + _write(_text_object(language)) + tagged + b" >>"),
        plain(info, b"<< /Title " + _write(_text_object(title)) + b" /Author "
              + _write(_text_object(author)) + b" >>"),
    ]  # fmt: skip
    made = {part.number for part in parts}
    return assemble([source.serialised(n) for n in sorted(needed - numbers)
                     if source.written(n) not in made],
                    parts, root=catalog, info=info)  # fmt: skip


#: What a tagged file's catalog says besides its tree: that it is tagged, and that a
#: reader shows its title rather than its file name.
TAGGED = b" /MarkInfo << /Marked true >> /ViewerPreferences << /DisplayDocTitle true >>"


def _structure(source: Source, structure: Any, pages: set[int], annotations: set[int],
               keys: dict[int, int]) -> tuple[bytes, list[Part], set[int]]:  # fmt: skip
    """The cut file's structure tree: the catalog's entries, the objects, what they need."""
    from ipskit.documents.pdf.structure import Writer, root_object

    needed: set[int] = set()

    def text(value: Any) -> bytes:
        needed.update(source.closure(value))
        return source.text(value)

    writer = Writer(
        source.new_number, text,
        lambda mark: (source.written(mark.page), mark.mcid) if mark.page in pages else None,
        lambda number: source.written(number) if number in annotations else None,
        source.written,
    )  # fmt: skip
    root, parent_tree = source.new_number(), source.new_number()
    top = [n for n in (writer.add(element, root) for element in structure.top) if n is not None]
    extra = b"".join(b" " + k.encode() + b" " + text(v) for k, v in structure.extra.items())
    made = [plain(n, data) for n, data in writer.objects]
    made.append(plain(parent_tree, writer.parent_tree(keys)))
    next_key = max(keys.values(), default=-1) + 1
    made.append(plain(root, root_object(top, parent_tree, next_key, extra)))
    return b" /StructTreeRoot %d 0 R" % root + TAGGED, made, needed


def _number(page: Any) -> int:
    """A page's object number in its file."""
    return int(page.indirect_reference.idnum)


def _inherited(page: Any, key: str) -> Any:
    node = page
    while node is not None:
        if key in node:
            return node.raw_get(key)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _elsewhere(annotation: Any, reader: Any, named: dict[str, Any],
               left_out: frozenset[int]) -> bool:  # fmt: skip
    """Whether an annotation is a link within the document to a page not in the cut."""
    found = annotation.get_object()
    dest = found.get("/Dest")
    if isinstance(dest, str):
        dest = named.get(dest)
        if dest is None:
            return True
    return bool(set(references(found, reader) + references(dest, reader)) & left_out)


def _within(annotation: Any, named: dict[str, Any]) -> Any:
    """A link to a named place, made to name its page itself: the cut file has no names."""
    from pypdf.generic import DictionaryObject, NameObject

    found = annotation.get_object()
    if not isinstance(found.get("/Dest"), str):
        return annotation
    own = DictionaryObject(found)
    own[NameObject("/Dest")] = named[found["/Dest"]]
    return own


def _destinations(reader: Any) -> dict[str, Any]:
    """The document's named destinations (WeasyPrint names each link's target), by name."""
    found: dict[str, Any] = {}
    names = reader.trailer["/Root"].get("/Names")
    stack = [names.get_object().get("/Dests")] if names is not None else []
    while stack:
        node = stack.pop()
        if node is None:
            continue
        node = node.get_object()
        stack.extend(node.get("/Kids", []))
        pairs = list(node.get("/Names", []))
        for name, value in zip(pairs[::2], pairs[1::2], strict=True):
            value = value.get_object()
            found[str(name)] = value["/D"] if hasattr(value, "keys") else value
    return found


def _text_object(value: str) -> Any:
    from pypdf.generic import TextStringObject

    return TextStringObject(value)


def references(value: Any, reader: Any) -> list[int]:
    """The numbers of the objects of ``reader`` that ``value`` itself refers to.

    A page's parent is left out, and so is a reference made for the output (of no
    document).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    numbers = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.pdf is reader:
                numbers.append(item.idnum)
        elif isinstance(item, DictionaryObject):
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return numbers


@dataclass
class Part:
    """An object made for the small files, with its number and bytes."""

    number: int
    data: bytes


def stream(number: int, content: bytes, extra: str = "", *, compress: bool = True) -> Part:
    """A stream object, deflated where that makes it smaller."""
    body, filters = content, ""
    if compress and len(content) > 64:
        body, filters = zlib.compress(content, 6), " /Filter /FlateDecode"
    head = f"<< /Length {len(body)}{filters}{extra} >>\nstream\n".encode()
    return Part(number, _object(number, head + body + b"\nendstream"))


def plain(number: int, text: str | bytes) -> Part:
    """A non-stream object from its PDF text."""
    return Part(number, _object(number, text.encode() if isinstance(text, str) else text))


def content(page: PageObject) -> bytes:
    """A page's content, its streams joined and decoded; a page without any draws nothing."""
    contents = page.get_contents()
    return b"" if contents is None else contents.get_data()


def value_bytes(value: Any) -> bytes:
    """A pypdf value written as PDF text (references keep their numbers)."""
    return _write(value)


def assemble(shared: Sequence[bytes], parts: Sequence[Part], *, root: int, info: int) -> bytes:
    """A complete PDF from serialised objects: ``shared`` (from a Source) and ``parts``."""
    out = bytearray(HEADER)
    offsets: dict[int, int] = {}
    for data in shared:
        number = int(data[: data.index(b" ")])
        offsets[number] = len(out)
        out += data
    for part in parts:
        offsets[part.number] = len(out)
        out += part.data
    xref = len(out)
    numbers = sorted(offsets)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    run: list[int] = []
    for number in numbers:
        if run and number != run[-1] + 1:
            out += _subsection(run, offsets)
            run = []
        run.append(number)
    if run:
        out += _subsection(run, offsets)
    # The file's identifier, from its content: the same pages make the same bytes, so a
    # document made again from the same inputs is the same file.
    token = hashlib.sha256(out).hexdigest()[:32]
    out += (
        f"trailer\n<< /Size {numbers[-1] + 1} /Root {root} 0 R /Info {info} 0 R"
        f" /ID [<{token}> <{token}>] >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _subsection(run: list[int], offsets: dict[int, int]) -> bytes:
    rows = b"".join(b"%010d 00000 n \n" % offsets[n] for n in run)
    return b"%d %d\n" % (run[0], len(run)) + rows


def _object(number: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % number + body + b"\nendobj\n"


def _write(value: Any) -> bytes:
    out = io.BytesIO()
    value.write_to_stream(out)
    return out.getvalue()
