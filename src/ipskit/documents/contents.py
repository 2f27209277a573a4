"""A document's contents, from the document's own headings.

A template marks what its contents list with ``data-contents``: a heading, or several
parts of one (a kicker and a title), or a section whose line is the attribute's value.
The document is rendered once to find the marks, and again with the contents they make,
so a template in another language gets a contents page in that language, and a
heading changed in one place changes in the contents too.
"""

from __future__ import annotations

from html.parser import HTMLParser

from ipskit.core.errors import IpskitError


def contents_of(html: str, template: str) -> list[dict[str, str]]:
    """The contents of a rendered document: its parts marked ``data-contents``, in order.

    Each line links to the nearest ``id`` on or around a mark, and reads the mark's
    ``data-contents`` value, or else its text; the marks of one part are joined with
    ": " ("Session 1: Welcome").
    """
    found = _Marks()
    found.feed(html)
    found.close()
    if found.unlinked:
        raise IpskitError(
            f"{template}: a part marked data-contents has no id to link to:"
            " give it, or the section holding it, an id"
        )
    lines = []
    for anchor, parts in found.lines.items():
        words = [" ".join(("".join(p) if isinstance(p, list) else p).split()) for p in parts]
        lines.append({"anchor": anchor, "title": ": ".join(w for w in words if w)})
    return lines


#: Elements that never hold others, so have no end tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})  # fmt: skip


class _Marks(HTMLParser):
    """The elements marked ``data-contents`` in a page, by the id they link to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        #: The elements open here: their tag, their id, and their text if it is a line's.
        self.open: list[tuple[str, str | None, list[str] | None]] = []
        self.lines: dict[str, list[str | list[str]]] = {}
        self.unlinked = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        own = found.get("id") or None
        text: list[str] | None = None
        if "data-contents" in found:
            anchor = own or next((i for _, i, _ in reversed(self.open) if i), None)
            if anchor is None:
                self.unlinked += 1
            elif found["data-contents"]:
                self.lines.setdefault(anchor, []).append(found["data-contents"])
            else:
                text = []
                self.lines.setdefault(anchor, []).append(text)
        if tag not in _VOID:
            self.open.append((tag, own, text))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        for _, _, text in self.open:
            if text is not None:
                text.append(data)
