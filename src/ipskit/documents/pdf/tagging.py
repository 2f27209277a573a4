"""What ipskit adds to the structure WeasyPrint 70 gives a tagged PDF.

Two things a screen reader needs that WeasyPrint leaves out:

- **Each element's language.** WeasyPrint gives the language of the whole document only,
  so a screen reader would read a Greek or Arabic name with the document's voice. Its
  structure tree is built by one function, called for each box with the element made
  for the box's parent: every element it makes for a box with a ``lang`` is given it as
  ``/Lang``.
- **Running heads and page numbers as artifacts.** What the page's margins show (the
  course on every page, "Page 3 of 12") is marked as drawing but belongs to no element,
  which leaves it neither read nor declared decoration, and shifts the parent tree's
  entries for the page (WeasyPrint lists a page's elements without gaps). It is drawn as
  an artifact instead, as decoration repeated on every page is.

:func:`adapt` is called once, when WeasyPrint is first loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Margins:
    """How deep the drawing is inside a page's margin boxes (0: in the page's body)."""

    depth = 0


def adapt() -> None:
    """Change WeasyPrint's tagging as the module says; done once however often called."""
    import pydyf
    from weasyprint import draw
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream, tags

    build = tags._build_box_tree
    if getattr(build, "ipskit", False):
        return

    def build_tree(box: Any, parent: Any, *rest: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return  # drawn as an artifact: nothing of it is marked (see draw_context)
        element = getattr(box, "element", None)
        language = None
        if element is not None and getattr(box, "element_tag", None) not in ("html", "body"):
            language = element.get("lang")
        for made in build(box, parent, *rest):
            if language and "Lang" not in made and made.get("P") == parent.reference:
                made["Lang"] = pydyf.String(language)
            yield made

    drawn = draw.draw_stacking_context

    def draw_context(out: Any, context: Any) -> None:
        if not isinstance(context.box, boxes.MarginBox):
            drawn(out, context)
            return
        _Margins.depth += 1
        try:
            with out.artifact():
                drawn(out, context)
        finally:
            _Margins.depth -= 1

    marked = stream.Stream.marked

    @contextmanager
    def marked_outside_margins(self: Any, box: Any, tag: str) -> Iterator[None]:
        if _Margins.depth:
            yield
            return
        with marked(self, box, tag):
            yield

    build_tree.ipskit = True  # type: ignore[attr-defined]
    tags._build_box_tree = build_tree
    draw.draw_stacking_context = draw_context
    stream.Stream.marked = marked_outside_margins
