"""The structure tree of a tagged PDF, read once and written again for a file cut from it.

A screen reader finds its way through a PDF by its structure tree: headings, paragraphs,
lists, figures with their text, each pointing at the marked drawing (``/MCID``) on a
page that shows it. WeasyPrint writes that tree for a document it lays out; a file cut
from the document (one session's plan, one person's certificate, a copy with its own
cover) needs its own tree, of the elements that show something on its pages, with their
drawing where it is now. This module reads a tree into plain objects once
(:class:`Tree`) and writes the part a cut file needs (:class:`Writer`): each element
kept is written anew (its parent or its children changed), the rest is left behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: Keys of a structure element that the writer sets itself.
OWN_KEYS = frozenset({"/Type", "/S", "/P", "/K", "/Pg"})


@dataclass(frozen=True)
class Marked:
    """Drawing marked on a page of the source: the page's object number and its MCID."""

    page: int
    mcid: int


@dataclass(frozen=True)
class Annotation:
    """An annotation (a link) that an element stands for, on a page of the source."""

    page: int
    number: int


@dataclass(frozen=True)
class Existing:
    """An element of the file being added to, kept as it is: referred to by number."""

    number: int


@dataclass(eq=False)
class Element:
    """A structure element: its type (``/P``), other entries as read, and its children."""

    tag: str
    extra: dict[str, Any] = field(default_factory=dict)
    kids: list[Element | Marked | Annotation | Existing] = field(default_factory=list)
    number: int | None = None  # its object number in the source, if it has one

    def marks(self) -> Iterator[Marked]:
        """Every marked drawing of the element and of its descendants, in order."""
        for kid in self.kids:
            if isinstance(kid, Marked):
                yield kid
            elif isinstance(kid, Element):
                yield from kid.marks()

    def pages(self) -> set[int]:
        """The source pages the element shows something on."""
        found = {m.page for m in self.marks()}
        found.update(a.page for a in self.annotations())
        return found

    def annotations(self) -> Iterator[Annotation]:
        """Every annotation the element and its descendants stand for."""
        for kid in self.kids:
            if isinstance(kid, Annotation):
                yield kid
            elif isinstance(kid, Element):
                yield from kid.annotations()


class Tree:
    """The structure tree of a PDF, as plain objects: its top elements and its parent tree."""

    def __init__(self, reader: Any) -> None:
        root = reader.trailer["/Root"]
        self.top: list[Element] = []
        #: The parent tree's entries as read: key -> value (an array, or one reference).
        self.parents: dict[int, Any] = {}
        #: The root's entries other than its children and parent tree (/RoleMap...).
        self.extra: dict[str, Any] = {}
        #: The root's and its parent tree's object numbers (None in an untagged PDF).
        self.number: int | None = None
        self.parent_tree_number: int | None = None
        tree = root.get("/StructTreeRoot")
        if tree is None:
            return
        tree = tree.get_object()
        self.number = tree.indirect_reference.idnum if tree.indirect_reference else None
        self.extra = {k: v for k, v in tree.items()
                      if k not in ("/Type", "/K", "/ParentTree", "/ParentTreeNextKey")}  # fmt: skip
        for kid in _listed(tree.raw_get("/K") if "/K" in tree else None):
            element = _read(kid, None)
            if isinstance(element, Element):
                self.top.append(element)
        if "/ParentTree" in tree:
            parent_tree = tree.raw_get("/ParentTree")
            self.parent_tree_number = getattr(parent_tree, "idnum", None)
            _numbers(parent_tree.get_object(), self.parents)

    def __bool__(self) -> bool:
        return bool(self.top)


def _listed(value: Any) -> list[Any]:
    from pypdf.generic import ArrayObject

    if value is None:
        return []
    return list(value) if isinstance(value, ArrayObject) else [value]


def _read(reference: Any, page: int | None) -> Element | Marked | Annotation | None:
    """A kid of an element as read: an element (and everything below it), or a content item.

    Written without recursion: a deep tree (lists in lists) would otherwise reach
    Python's limit.
    """
    from pypdf.generic import DictionaryObject

    made: Element | None = None
    stack: list[tuple[Any, int | None, Element | None]] = [(reference, page, None)]
    while stack:
        value, inherited, parent = stack.pop()
        item: Element | Marked | Annotation | None = None
        if isinstance(value, int) and not hasattr(value, "idnum"):
            item = Marked(inherited, int(value)) if inherited is not None else None
        else:
            found = value.get_object()
            if not isinstance(found, DictionaryObject):
                continue
            kind = found.get("/Type")
            own_page = found.raw_get("/Pg") if "/Pg" in found else None
            where = own_page.idnum if own_page is not None else inherited
            if kind == "/MCR":
                mcid = found.get("/MCID")
                item = Marked(where, int(mcid)) if where is not None and mcid is not None \
                    else None  # fmt: skip
            elif kind == "/OBJR":
                target = found.raw_get("/Obj")
                item = Annotation(where, target.idnum) if where is not None and hasattr(
                    target, "idnum") else None  # fmt: skip
            elif "/S" in found:
                element = Element(str(found["/S"]),
                                  {k: v for k, v in found.items() if k not in OWN_KEYS},
                                  number=getattr(value, "idnum", None))
                kids = _listed(found.raw_get("/K") if "/K" in found else None)
                # Children are pushed last first, so that they are read (and added) in order.
                stack.extend((kid, where, element) for kid in reversed(kids))
                item = element
        if item is None:
            continue
        if parent is None:
            made = item if isinstance(item, Element) else made
            if not isinstance(item, Element):
                return item
        else:
            parent.kids.append(item)
    return made


def _numbers(node: Any, into: dict[int, Any]) -> None:
    """The entries of a number tree (``/Nums``, in ``/Kids`` too)."""
    stack = [node]
    while stack:
        found = stack.pop().get_object()
        stack.extend(found.get("/Kids", []))
        pairs = list(found.get("/Nums", []))
        for key, value in zip(pairs[::2], pairs[1::2], strict=False):
            into[int(key)] = value


class Writer:
    """Elements written for a cut file, and which element each drawing now belongs to.

    ``number()`` gives a new object number, ``text(value)`` writes a value read from the
    source as PDF text, ``place(mark)`` says where a marked drawing is now (the output
    page's number and its MCID there) or None if the file leaves it out, and
    ``annotation(number)`` the output number of a kept annotation, or None.
    """

    def __init__(self, number: Callable[[], int], text: Callable[[Any], bytes],
                 place: Callable[[Marked], tuple[int, int] | None],
                 annotation: Callable[[int], int | None] = lambda number: None,
                 page_of: Callable[[int], int] | None = None) -> None:  # fmt: skip
        self.number = number
        self.text = text
        self.place = place
        self.annotation = annotation
        self.page_of = page_of
        #: The objects written: each number, and its text (without ``N 0 obj``).
        self.objects: list[tuple[int, bytes]] = []
        #: Output page number -> MCID -> the element that owns it.
        self.marks: dict[int, dict[int, int]] = {}
        #: Output annotation number -> the element that stands for it.
        self.annotations: dict[int, int] = {}
        #: Each source element's other entries as written, by its number: a writer may
        #: be given the dictionary of another that wrote the same source's elements.
        self.extras: dict[int, bytes] = {}

    def add(self, element: Element, parent: int, *, number: int | None = None) -> int | None:
        """Write ``element`` (and its descendants) under ``parent``; its number, or None.

        An element with nothing left to show in the cut file is not written, nor are
        its empty descendants.
        """
        shown = self._shown(element)
        if not shown:
            return None
        written: dict[int, int] = {}
        # Numbers first, parents before children, so each knows its parent's number.
        order = [(element, parent)]
        position = 0
        while position < len(order):
            item, above = order[position]
            position += 1
            written[id(item)] = number if item is element and number is not None \
                else self.number()  # fmt: skip
            order.extend((kid, written[id(item)]) for kid in item.kids
                         if isinstance(kid, Element) and id(kid) in shown)  # fmt: skip
        for item, above in order:
            self.objects.append(self._element(item, above, written, shown))
        return written[id(element)]

    def _shown(self, element: Element) -> set[int]:
        """The ids of ``element`` and its descendants that show something in the file."""
        shown: set[int] = set()
        # Bottom up: a parent is shown if any child is.
        order: list[Element] = []
        stack = [element]
        while stack:
            item = stack.pop()
            order.append(item)
            stack.extend(kid for kid in item.kids if isinstance(kid, Element))
        for item in reversed(order):
            for kid in item.kids:
                if (
                    (isinstance(kid, Element) and id(kid) in shown)
                    or isinstance(kid, Existing)
                    or (isinstance(kid, Marked) and self.place(kid) is not None)
                    or (isinstance(kid, Annotation) and self.annotation(kid.number) is not None)
                ):
                    shown.add(id(item))
                    break
        return shown

    def _element(self, element: Element, parent: int, written: dict[int, int],
                 shown: set[int]) -> tuple[int, bytes]:  # fmt: skip
        own = written[id(element)]
        kids: list[str] = []
        page: int | None = None
        for kid in element.kids:
            if isinstance(kid, Element):
                if id(kid) in shown:
                    kids.append(f"{written[id(kid)]} 0 R")
            elif isinstance(kid, Existing):
                kids.append(f"{kid.number} 0 R")
            elif isinstance(kid, Marked):
                placed = self.place(kid)
                if placed is None:
                    continue
                where, mcid = placed
                self.marks.setdefault(where, {})[mcid] = own
                if page is None:
                    page = where
                if where == page:
                    kids.append(str(mcid))
                else:
                    kids.append(f"<< /Type /MCR /Pg {where} 0 R /MCID {mcid} >>")
            else:
                target = self.annotation(kid.number)
                if target is None:
                    continue
                where = self.page_of(kid.page) if self.page_of else kid.page
                self.annotations[target] = own
                kids.append(f"<< /Type /OBJR /Obj {target} 0 R /Pg {where} 0 R >>")
        head = f"<< /Type /StructElem /S {element.tag} /P {parent} 0 R"
        if page is not None:
            head += f" /Pg {page} 0 R"
        body = head.encode() + f" /K [{' '.join(kids)}]".encode() + self._extra(element)
        return own, body + b" >>"

    def _extra(self, element: Element) -> bytes:
        """The element's other entries (/Lang, /Alt, /A...); a source element's, once."""
        if element.number is not None and element.number in self.extras:
            return self.extras[element.number]
        written = b"".join(b" " + key.encode() + b" " + self.text(value)
                           for key, value in element.extra.items())  # fmt: skip
        if element.number is not None:
            self.extras[element.number] = written
        return written

    def parent_tree(self, keys: dict[int, int], *,
                    kept: dict[int, bytes] | None = None) -> bytes:  # fmt: skip
        """The parent tree, each output page's MCIDs' elements under its key.

        ``keys`` gives each output page's /StructParents by its number, and each
        annotation's /StructParent by its number (its element is listed alone).
        ``kept`` adds entries written already, by key.
        """
        entries: dict[int, bytes] = dict(kept or {})
        for page, key in keys.items():
            if page in self.marks:
                owners = self.marks[page]
                row = " ".join(f"{owners[m]} 0 R" if m in owners else "null"
                               for m in range(max(owners) + 1))  # fmt: skip
                entries[key] = f"[{row}]".encode()
            elif page in self.annotations:
                entries[key] = f"{self.annotations[page]} 0 R".encode()
        nums = b" ".join(b"%d " % key + entries[key] for key in sorted(entries))
        return b"<< /Nums [" + nums + b"] >>"


def root_object(top: Iterable[int], parent_tree: int, next_key: int,
                extra: bytes = b"") -> bytes:  # fmt: skip
    """The ``/StructTreeRoot`` of a cut file."""
    kids = " ".join(f"{n} 0 R" for n in top)
    return (
        f"<< /Type /StructTreeRoot /K [{kids}] /ParentTree {parent_tree} 0 R"
        f" /ParentTreeNextKey {next_key}"
    ).encode() + extra + b" >>"


#: A marked-content sequence's opening, as WeasyPrint writes it: tag, then its MCID.
MCID = re.compile(rb"<</MCID (\d+)>>")


def mcids(content: bytes) -> list[int]:
    """The MCIDs a content stream marks, in order."""
    return [int(m) for m in MCID.findall(content)]


def renumbered(content: bytes, numbers: dict[int, int]) -> bytes:
    """A content stream with its MCIDs changed as ``numbers`` says."""
    return MCID.sub(lambda m: b"<</MCID %d>>" % numbers[int(m[1])], content)


def heights(content: bytes) -> dict[int, float]:
    """Where each marked drawing of a page starts, down the page: its MCID -> its top.

    WeasyPrint draws in CSS pixels from the top of the page, so a text matrix's (``Tm``)
    last-but-one number, or a rectangle's (``re``) second, is a place down the page. The
    first such number inside each marked sequence is its place.
    """
    found: dict[int, float] = {}
    current: int | None = None
    for line in content.split(b"\n"):
        match = MCID.search(line)
        if match:
            current = int(match[1])
            continue
        if current is None or current in found:
            continue
        numbers = line.split()
        try:
            if line.endswith(b" Tm"):
                found[current] = float(numbers[-2])
            elif line.endswith(b" re"):
                found[current] = float(numbers[-4])
            elif line.endswith(b" cm"):
                found[current] = float(numbers[-2])
        except (ValueError, IndexError):
            continue
    return found
