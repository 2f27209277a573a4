"""The workbook as a web page for each participant, to fill in on a phone or a computer.

Each copy is one HTML file that needs nothing else: its style and its small script are
written into it, the organisation's logo is a ``data:`` URL, and the page uses the
system's fonts. Its Content-Security-Policy lets it fetch nothing at all and run only
its own script (named by its SHA-256), so a copy opened from an email, a USB stick or a
phone's files app asks no server for anything.

Where the PDF leaves ruled lines to write on, the page has a labelled box to type in
(and the self-assessment has its 1 to 5 scales as buttons). What is typed is kept in the
browser's own storage on that device, under a key of the cohort, the participant's id
and the box, and is never sent anywhere: the page says so, and has a button to clear it.

The page is the same workbook as the PDF (the same prepared context, see
:func:`ipskit.documents.workbooks.workbook_context`), with one cover: its owner's. Its
contents list comes from its own headings, as the PDF's does (see
:mod:`ipskit.documents.contents`), found once for every copy.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.cohorts.course import Course
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.documents.contents import contents_of
from ipskit.documents.render import Renderer, write_output
from ipskit.documents.workbooks import Owner, owners_of, remove_departed, workbook_context
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "workbook-web.html"
#: Read from the template folders (a workspace may replace them) and written into each page.
STYLE = "workbook-web.css"
SCRIPT = "workbook-web.js"


def answers_key(course: Course, owner: Owner) -> str:
    """What the page's answers are kept under in the browser, before each box's own id.

    Every file opened from disk shares one browser storage, so the key names the cohort
    and the person (by id, never by name): two people's copies opened on one device keep
    their answers apart, and a copy made again after a change keeps the answers typed.
    """
    return f"ipskit-workbook:{course.name}:{owner.id}"


def _read(renderer: Renderer, name: str) -> str:
    """A style sheet or script from the template folders, the workspace's first."""
    path = Path(renderer.path_of(name))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise IpskitError(f"{path}: cannot read it: a workbook page needs it") from None


def _page_parts(renderer: Renderer) -> dict[str, Any]:
    """The style and script every page holds, and the policy naming that script alone."""
    from markupsafe import Markup

    style, script = _read(renderer, STYLE), _read(renderer, SCRIPT)
    for name, text, end in ((STYLE, style, "</style"), (SCRIPT, script, "</script")):
        if end in text.lower():
            raise IpskitError(f"{renderer.path_of(name)}: it may not hold '{end}>'")
    sha = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    # Both are files beside the templates, as trusted as the templates: written as they are.
    return {"style": Markup(style), "script": Markup(script), "script_hash": f"sha256-{sha}"}


def make_web_workbooks(
    workspace: Workspace,
    course: Course,
    folder: Path,
    *,
    large_print: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> tuple[Renderer, list[Path]]:
    """Write a web page copy for each active participant into ``folder``, named by their id.

    With the cohort's build ``record`` (and ``folder`` inside its ``out`` folder), a
    copy made before from the same page is kept as it is, and the copy of anyone no
    longer on the course is removed.
    """
    owners = owners_of(course)
    if not owners:
        raise IpskitError(f"cohort {course.name} has no active participants to make copies for")
    kept = record if record is not None and record.holds(folder) else None
    renderer = Renderer(workspace, progress=progress, what="the workbook pages", record=kept)
    context = workbook_context(workspace, renderer, course, large_print=large_print,
                               with_contents=False)  # fmt: skip
    context.update(_page_parts(renderer))

    def page(owner: Owner) -> str:
        return renderer.html(TEMPLATE, {
            **context,
            "owner": {**owner.cover, "id": owner.id},
            "answers_key": answers_key(course, owner),
        })  # fmt: skip

    # The contents are the same in every copy: found in the first.
    context["contents"] = contents_of(page(owners[0]), renderer.path_of(TEMPLATE))
    settings = workspace.settings
    meta = {"template": TEMPLATE, "title": context["title"],
            "author": settings.organisation.name, "language": settings.locale}  # fmt: skip
    suffix = "-large-print" if large_print else ""
    targets = []
    for done, owner in enumerate(owners):
        renderer.tell("Writing the workbook pages", done, len(owners))
        html = page(owner)
        target = folder / f"workbook-{owner.id}{suffix}.html"
        renderer.people = [owner.id]
        if not renderer.reuse([target], html, **meta):
            write_output(target, html)
            renderer.remember([target])
        targets.append(target)
    renderer.tell("Writing the workbook pages", len(owners), len(owners))
    if kept is not None:
        remove_departed(kept, folder, {o.id for o in owners}, suffix, ".html")
    return renderer, targets
