"""Reading a tagged PDF as a screen reader would: its structure tree and what each part draws.

:func:`structure_of` checks that the tree holds together (every element's parent is the
element that lists it, every marked drawing on a page belongs to exactly one element and
the page's parent-tree entry says so) and returns each element with its type, language,
alternative text and the text it draws, in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader


@dataclass
class Node:
    tag: str
    lang: str | None  # its own /Lang, or the nearest ancestor's
    alt: str | None
    text: str = ""  # everything its own marked drawing shows (not its children's)
    kids: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


@dataclass
class Tagged:
    title: str
    lang: str
    shows_title: bool
    root: Node

    def elements(self, tag: str | None = None) -> list[Node]:
        return [n for n in self.root.walk() if tag is None or n.tag == tag]

    def text_in(self, text: str) -> list[Node]:
        """The elements whose own drawing shows ``text``, outermost first."""
        return [n for n in self.root.walk() if text in n.text]


def structure_of(path: Path | bytes) -> Tagged:
    """The file's structure, checked to hold together (an AssertionError says what does not)."""
    import io

    reader = PdfReader(io.BytesIO(path) if isinstance(path, bytes) else path)
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog, "no structure tree: the file is not tagged"
    assert bool(catalog.get("/MarkInfo", {}).get("/Marked")), "no /MarkInfo /Marked true"
    assert "/Lang" in catalog, "no document language"
    shows = bool(catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle"))
    title = str((reader.metadata or {}).get("/Title") or "")
    tree = catalog["/StructTreeRoot"]
    parent_tree: dict[int, object] = {}
    stack = [tree["/ParentTree"]]
    while stack:
        node = stack.pop().get_object()
        stack.extend(node.get("/Kids", []))
        pairs = list(node.get("/Nums", []))
        parent_tree.update({int(k): v for k, v in zip(pairs[::2], pairs[1::2], strict=True)})
    pages = {p.indirect_reference.idnum: p for p in reader.pages}
    drawn = {number: _marked_text(page) for number, page in pages.items()}
    owners: dict[tuple[int, int], int] = {}  # (page, MCID) -> the element's object number

    def read(reference, parent_number, language, page) -> Node:
        element = reference.get_object()
        number = reference.idnum
        assert element.get("/Type", "/StructElem") == "/StructElem"
        assert element.raw_get("/P").idnum == parent_number, f"element {number}: wrong /P"
        language = str(element["/Lang"]) if "/Lang" in element else language
        page = element.raw_get("/Pg").idnum if "/Pg" in element else page
        node = Node(str(element["/S"]), language, str(element["/Alt"]) if "/Alt" in element
                    else None)  # fmt: skip
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            if isinstance(kid, int) and not hasattr(kid, "idnum"):
                where, mcid = page, int(kid)
            elif hasattr(kid, "idnum") and "/S" in kid.get_object():
                node.kids.append(read(kid, number, language, page))
                continue
            else:
                item = kid.get_object()
                if item.get("/Type") == "/OBJR":
                    continue
                where = item.raw_get("/Pg").idnum if "/Pg" in item else page
                mcid = int(item["/MCID"])
            assert where in pages, f"element {number}: marks on a page not in the file"
            assert (where, mcid) not in owners, f"MCID {mcid} belongs to two elements"
            owners[(where, mcid)] = number
            assert mcid in drawn[where], f"element {number}: MCID {mcid} draws nothing"
            node.text += drawn[where][mcid]
        return node

    tops = tree["/K"]
    root = Node("/StructTreeRoot", None, None)
    for top in tops if isinstance(tops, list) else [tops]:
        root.kids.append(read(top, tree.indirect_reference.idnum, None, None))
    for number, page in pages.items():
        marked = set(drawn[number])
        mine = {mcid for (where, mcid) in owners if where == number}
        assert marked == mine, f"page {number}: MCIDs drawn {sorted(marked - mine)} belong to no element"
        if not marked:
            continue
        row = parent_tree[int(page["/StructParents"])]
        row = row.get_object()
        for mcid in marked:
            assert row[mcid].idnum == owners[(number, mcid)], f"parent tree wrong for MCID {mcid}"
    return Tagged(title, str(catalog["/Lang"]), shows, root)


def _marked_text(page) -> dict[int, str]:
    """The text a page draws inside each piece of marked content, by its MCID ("" if none)."""
    marked: list[int | None] = []
    texts: dict[int, str] = {}

    def before(operator, operands, *_):
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if hasattr(properties, "get") else None
            marked.append(mcid)
            if mcid is not None:
                texts.setdefault(int(mcid), "")
        elif operator == b"BMC":
            marked.append(None)
        elif operator == b"EMC" and marked:
            marked.pop()

    def text(drawn, *_):
        mcid = next((m for m in reversed(marked) if m is not None), None)
        if mcid is not None:
            texts[mcid] += drawn

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {mcid: drawn.strip() for mcid, drawn in texts.items()}
