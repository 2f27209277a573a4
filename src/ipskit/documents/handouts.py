"""Handouts: every card, slip, sheet and form a course's sessions call for, to print and cut.

A session calls for a handout by naming it in its text or materials (``[handout:ID]``);
a session with a role play always gets its role cards. Each is printed, session by
session, in the quantity the group needs (its people, its threes, its trainers); those
no session names come once at the end, for the course as a whole.

Cards and slips are laid out several to an A4 page on a grid of thin grey lines to cut
along, with crop marks in the margin; a card whose text would not fit is printed a size
larger (two to a page, then a page of its own) rather than cut short. Sheets and forms
are a page each, their questions given the rest of the page to write in. The first
pages say what to print for each session, how many, and on which pages.

Most pages are copies of another (thirty evaluation forms, seven pages of support
cards): each different page is laid out once and printed as often as it is needed,
which makes a pack of a hundred pages or more several times quicker. The list of what
to print is laid out on its own, once the pages are counted, and put in front.

Nothing here names a person: the roster is read only for how many people there are.
Role cards carry one role's brief each, so that each person sees only their own.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ipskit.cohorts.course import Course
from ipskit.core.dateformat import clock, long_date
from ipskit.core.errors import IpskitError, NotFoundError
from ipskit.core.progress import Step
from ipskit.courses import references
from ipskit.courses.curriculum import Handout, SessionBase, start_time
from ipskit.courses.quantities import Copies, Group, copies
from ipskit.documents.context import organisation, paragraphs
from ipskit.documents.render import Renderer, write_output
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.documents.build_record import Record

TEMPLATE = "handouts.html"
FILE = "handouts.pdf"
FOLDER = "handouts"

#: Cards of each size on an A4 page, as (columns, rows), and each one's size in mm: the
#: grid fills the page inside its margins (190 by 270 mm), so neighbours share a cut.
#: handouts.css sizes the cells to match.
GRID = {"slip": (2, 4), "card": (2, 2), "large": (1, 2)}
CELL = {"slip": (95.0, 67.5), "card": (95.0, 135.0), "large": (190.0, 135.0)}
#: The next size up, for a card whose text does not fit its own.
LARGER = {"slip": "card", "card": "large", "large": "page"}


class Room(NamedTuple):
    """A card size's type and padding (handouts.css), for estimating what fits."""

    characters: int  # in a line of its body text
    line: float  # the height of that line, in mm
    top: float  # its padding above the text, in mm
    bottom: float  # and below, in mm
    writing_lines: int  # ruled lines under each question
    rule: float  # the gap between them, in mm
    foot: float  # the height of the line at its foot (role cards, support cards), in mm


class Measures(NamedTuple):
    """What one size of type makes of the cards and forms (handouts.css)."""

    room: dict[str, Room]  # by card size
    #: A card's headings and labels take its ``lines`` of body text times this: in large
    #: print they are set less far above the body text.
    headings: float
    smallest: dict[str, str]  # a card size that is printed a size larger instead
    #: The rows of the contact-sharing form: on its first page (under the explanation),
    #: and on each page after it.
    contact_rows: tuple[int, int]


#: Measured on the built-in template.
ORDINARY = Measures(
    {
        "slip": Room(50, 3.9, 5.5, 4.5, 2, 6.5, 5.5),
        "card": Room(46, 4.3, 7.0, 6.0, 3, 7.0, 5.5),
        "large": Room(92, 4.8, 8.0, 7.0, 3, 7.0, 5.5),
    },
    1.0, {}, (18, 21),
)  # fmt: skip
#: 18pt type. A slip would hold a line or two of it: slips are printed as cards.
LARGE_PRINT = Measures(
    {
        "slip": Room(21, 9.2, 7.0, 6.0, 3, 11.0, 17.0),
        "card": Room(21, 9.2, 7.0, 6.0, 3, 11.0, 17.0),
        "large": Room(50, 9.2, 8.0, 7.0, 3, 11.0, 9.0),
    },
    0.7, {"slip": "card"}, (9, 12),
)  # fmt: skip
#: How far over a card's room its estimate may go (the estimate is generous) before the
#: next size up is taken. One that then turns out too full is moved up once laid out.
SLACK = 1.06
#: The card pages' top margin, in mm (handouts.css).
CUT_TOP = 12.0

KINDS = {
    "slip": "Slips, 8 to a page",
    "card": "Cards, 4 to a page",
    "large": "Large cards, 2 to a page",
    "page": "Cards, a page each (too long for a smaller card)",
    "sheet": "Sheet, A4",
    "form": "Form, A4",
}
#: The contact-sharing form's spare rows, for someone who joins late.
CONTACT_SPARE = 2
#: The longest item of a set of cards that is printed large (a word or a short phrase).
BIG = 32
#: An evaluation form of more statements than this sets them closer together.
COMPACT = 10



def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- what each session calls for ----------------------------------------------------------


@dataclass
class Slot:
    """A session, or the course as a whole, and the handouts printed for it."""

    number: int | None  # None: for the course as a whole
    title: str
    label: str  # what each printed page says it is for: "Session 3"
    session: SessionBase | None = None
    session_id: str | None = None
    begin: time | None = None
    when: str | None = None
    handouts: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The section's name in the document and, with --per-session, its file's."""
        return "course" if self.number is None else f"session-{self.number:02d}"


def slots(course: Course, locale: str) -> list[Slot]:
    """Each session (and the meetings after the course) with what it calls for, in order.

    Then, when there is anything left, the course as a whole: the handouts no session
    names, printed once.
    """
    curriculum = course.curriculum
    begin = start_time(curriculum.schedule.start_time)
    found: list[Slot] = []
    for number, session in enumerate(curriculum.sessions, start=1):
        meeting = course.meeting(session.id)
        found.append(
            Slot(
                number, session.title, f"Session {number}", session, session.id,
                meeting.start if meeting else begin,
                long_date(meeting.date, locale) if meeting else None,
            )
        )  # fmt: skip
    follow = curriculum.follow_on
    if follow is not None:
        first = course.meeting(f"{follow.id}-1")
        own = start_time(follow.start_time) if follow.start_time else begin
        found.append(
            Slot(
                len(found) + 1, f"{follow.title} (each of the {follow.count} meetings)",
                follow.title, follow, follow.id, first.start if first else own,
            )
        )  # fmt: skip
    placed: set[str] = set()
    for slot in found:
        assert slot.session is not None
        slot.handouts = references.named(slot.session, "handout")
        if any(True for _ in slot.session.role_plays()) and "role-cards" not in slot.handouts:
            slot.handouts.append("role-cards")  # a role play always needs its cards
        placed.update(slot.handouts)
    # Role cards belong to a session's role plays: there are none for the course as such.
    rest = [h for h in references.handout_titles(curriculum) if h not in placed | {"role-cards"}]
    if rest:
        found.append(Slot(None, "For the course", "For the course", handouts=rest))
    return found


def chosen(course: Course, found: list[Slot], ref: str) -> Slot:
    """The session ``ref`` names: a number or an id, as the cohort numbers its meetings.

    Any of the meetings after the course (``support-group-3``) is their one slot.
    """
    sessions = [slot for slot in found if slot.number is not None]
    follow = course.curriculum.follow_on
    if course.cohort is not None:
        meeting = course.cohort.meeting(ref)  # or an error naming the cohort's numbers
        wanted = follow.id if meeting.follow_on and follow is not None else meeting.id
    else:
        wanted = ref.strip().lower()
        if follow is not None and re.fullmatch(rf"{re.escape(follow.id)}-\d+", wanted):
            wanted = follow.id
    for slot in sessions:
        if wanted in (str(slot.number), slot.session_id):
            return slot
    raise NotFoundError(
        f"curriculum {course.name} has no session '{ref}': give a number from 1 to"
        f" {len(sessions)} or an id such as {sessions[0].session_id}"
    )


def which(course: Course, ref: str) -> int:
    """The number of the session ``ref`` names (a number or an id), or an error."""
    number = chosen(course, slots(course, "en-GB"), ref).number
    assert number is not None
    return number


# --- cards, sheets and the pages they are printed on -------------------------------------


class Card(NamedTuple):
    """One card's data for the template, and what it needs room for."""

    data: dict[str, Any]
    text: list[str]  # paragraphs of body text
    lines: float = 0  # headings, labels and the foot, in lines of body text
    prompts: Sequence[str] = ()


def _needs(card: Card, size: str, measures: Measures) -> float:
    """The height, in mm, a card's text takes at a size, from its top.

    An estimate, usually a tenth or so over what the layout makes of it (measured on
    the built-in template), which saves laying pages out twice.
    """
    room = measures.room[size]
    text = sum(math.ceil(len(part) / room.characters) + 0.4 for part in card.text)
    lines = card.lines * measures.headings + text
    height = room.top + lines * room.line
    for prompt in card.prompts:
        height += math.ceil(len(prompt) / room.characters) * room.line
        height += room.writing_lines * room.rule + 1.5
    return height


def _room(card: dict[str, Any], size: str, measures: Measures) -> float:
    """The height, in mm, a card's text may take at a size: down to its foot."""
    room = measures.room[size]
    return CELL[size][1] - room.bottom - (room.foot if card.get("foot") else 0)


def _size(cards: list[Card], smallest: str, measures: Measures) -> str:
    """The smallest size, from ``smallest`` up, that every one of the cards seems to fit."""
    size = measures.smallest.get(smallest, smallest)
    while size != "page" and any(
        _needs(c, size, measures) > _room(c.data, size, measures) * SLACK for c in cards
    ):
        size = LARGER[size]
    return size


def _whole(cell: dict[str, Any], style: str = "") -> dict[str, Any]:
    """A page holding one sheet, form or card; ``style`` the classes of its box."""
    return {"size": "page", "cells": [cell], "places": [], "style": style}


def _card_pages(cards: list[dict[str, Any]], size: str) -> list[dict[str, Any]]:
    """Cards on pages of their size, in order; the last page's spare places left empty."""
    if size == "page":  # a card too long for any card: a page of its own
        return [_whole(card, f"card {card['design']}" + (" fill" if card.get("prompts") else ""))
                for card in cards]  # fmt: skip
    columns, rows = GRID[size]
    width, height = CELL[size]
    # Where each card's top left corner is (handouts.css puts it there: class at-N).
    places = [(width * (n % columns), height * (n // columns)) for n in range(columns * rows)]
    per_page = columns * rows
    return [
        {"size": size, "cells": cards[first : first + per_page], "places": places,
         "style": ""}
        for first in range(0, len(cards), per_page)
    ]  # fmt: skip


def _resize(part: dict[str, Any], size: str) -> None:
    """Lay a part's cards out at another size."""
    pages = [page for run in part["cards"] for page in _card_pages(run, size)]
    part.update(size=size, kind=KINDS[size], runs=_runs(pages), pages=len(pages))
    cut = " · cut along the grey lines" if size in CELL else ""
    part["label"] = part["where_from"] + cut


def _runs(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pages that follow an identical one folded into it, as a page and its repeats."""
    found: list[dict[str, Any]] = []
    for page in pages:
        key = (page["size"], tuple(id(cell) for cell in page["cells"]))
        if found and found[-1]["key"] == key:
            found[-1]["repeat"] += 1
        else:
            found.append({**page, "key": key, "repeat": 1})
    return found


@dataclass
class Maker:
    """Makes the handouts of one course for one group: the data each part of the page prints."""

    course: Course
    group: Group
    locale: str
    #: The workspace's signposting for the support card: support, named_contact,
    #: supervision, and the organisation's contact.
    signposting: dict[str, str | None]
    measures: Measures = ORDINARY
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.refs = references.References(
            self.course.curriculum, lambda moment: clock(moment, self.locale)
        )
        self.titles = references.handout_titles(self.course.curriculum)
        self.own = {h.id: h for h in self.course.curriculum.handouts}

    def section(self, slot: Slot) -> dict[str, Any] | None:
        """A session's handouts, each in its quantity; None if it has nothing to print."""
        parts = [part for handout in slot.handouts for part in self.parts(slot, handout)]
        if not parts:
            return None
        return {"key": slot.key, "number": slot.number, "title": slot.title,
                "label": slot.label, "when": slot.when, "parts": parts}  # fmt: skip

    def text(self, value: str | None, slot: Slot) -> str:
        """Curriculum text with its references written out for this session."""
        return self.refs.text(value, slot.session, slot.begin) or ""

    def parts(self, slot: Slot, handout_id: str) -> list[dict[str, Any]]:
        """One handout, for one session, in its quantity: the pages to print.

        Usually one part; role cards, one for each of the session's role plays.
        """
        title = self.titles[handout_id]
        if handout_id == "role-cards":
            return self._role_cards(slot, title)
        if handout_id == "evaluation-form":
            return [self._evaluation(slot, title)]
        if handout_id == "contact-sharing":
            return [self._contact_sharing(slot, title)]
        if handout_id == "support-card":
            return [self._cut(slot, handout_id, title, "card", [[self._support()] * self.people])]
        if handout_id == "certificate-to-follow":
            card = Card({"design": "certificate", "foot": bool(self.signposting["contact"])},
                        [self.course.curriculum.title], lines=14)  # fmt: skip
            return [self._cut(slot, handout_id, title, "card", [[card] * self.people])]
        return [self._own(slot, self.own[handout_id])]

    @property
    def people(self) -> int:
        """One for each person."""
        return self.group.count("person")

    def _part(self, slot: Slot, handout_id: str, title: str, kind: str,
              pages: list[dict[str, Any]], note: str | None = None) -> dict[str, Any]:  # fmt: skip
        session = slot.session or self.course.curriculum.sessions[0]
        how_many = "" if handout_id.startswith("role-cards") else \
            copies(self.course.curriculum, session, handout_id, self.group).describe()  # fmt: skip
        return {
            "key": f"{slot.key}-{handout_id}",
            "title": title,
            "kind": KINDS[kind],
            "copies": how_many,
            "note": note,
            "label": f"{title} · {slot.label}",
            "runs": _runs(pages),
            "pages": len(pages),  # as planned; counted again once laid out
        }

    def _cut(self, slot: Slot, handout_id: str, title: str, smallest: str,
             runs: list[list[Card]], note: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Cards at the smallest size every one of them fits, each run starting a page."""
        distinct = list({id(card.data): card for run in runs for card in run}.values())
        part = self._part(slot, handout_id, title, smallest, [], note)
        part["cards"] = [[card.data for card in run] for run in runs]
        part["where_from"] = part["label"]
        _resize(part, _size(distinct, smallest, self.measures))
        return part

    def _role_cards(self, slot: Slot, title: str) -> list[dict[str, Any]]:
        """A part for each role play: its cards, one for each role, for each three."""
        session = slot.session
        plays = list(session.role_plays()) if session is not None else []
        if not plays:
            self.warnings.append(
                f"{slot.label} names the [handout:role-cards] but has no role play:"
                " there are no role cards to print for it"
            )
        parts = []
        for number, (block, scene) in enumerate(plays, start=1):
            scenario = paragraphs(self.text(scene.scenario, slot))
            play = self.text(block.title, slot)
            run: list[Card] = []
            for role in scene.roles:
                brief = paragraphs(self.text(role.brief, slot))
                card = Card({"design": "role", "play": play, "scenario": scenario,
                             "role": self.text(role.name, slot), "brief": brief, "foot": True},
                            [play, *scenario, *brief], lines=8)  # fmt: skip
                # A role's cards together: the trainer gives each person the card of the
                # role they take, from its own pile.
                run += [card] * self.group.threes
            note = f"{play}. Give each person only the card of the role they take."
            part = self._cut(slot, f"role-cards-{number}", title, "card", [run], note)
            part["copies"] = Copies(self.group.threes, "three", 1, len(scene.roles)).describe()
            parts.append(part)
        return parts

    def _support(self) -> Card:
        signs = self.signposting
        text = [signs["support"] or "", signs["named_contact"] or "", signs["supervision"] or ""]
        return Card({"design": "support", "foot": bool(signs["contact"])}, text,
                    lines=6 + sum(1 for t in text[1:] if t))  # fmt: skip

    def _own(self, slot: Slot, handout: Handout) -> dict[str, Any]:
        intro = paragraphs(self.text(handout.intro, slot))
        items = [self.text(item, slot) for item in handout.items]
        prompts = [self.text(prompt, slot) for prompt in handout.prompts]
        count = self.group.count(handout.per, handout.count)
        if handout.kind in ("sheet", "form"):
            page = {"design": "sheet", "title": handout.title, "intro": intro,
                    "points": items, "prompts": prompts}  # fmt: skip
            return self._part(slot, handout.id, handout.title, handout.kind,
                              [_whole(page, "fill" if prompts else "")] * count)  # fmt: skip
        base = {"design": "own", "title": handout.title, "intro": intro, "prompts": prompts,
                "foot": False}  # fmt: skip
        if len(items) > 1:
            # A set, one card for each item: all the copies of each card together, so that
            # a guillotined stack falls into piles, one of each to deal to every group.
            # Words or short phrases are printed large, all of a set alike.
            big = max(len(item) for item in items) <= BIG
            cards = [
                Card({**base, "item": item, "big": big},
                     [*intro, item + " " * (len(item) // 4)],  # the item is in larger type
                     lines=9 if big else 2.5, prompts=prompts)
                for item in items
            ]  # fmt: skip
            run = [card for card in cards for _ in range(count)]
        else:
            card = Card({**base, "item": items[0] if items else None, "big": False},
                        [*intro, *items], lines=4.4, prompts=prompts)  # fmt: skip
            run = [card] * count
        return self._cut(slot, handout.id, handout.title, handout.kind, [run])

    def _evaluation(self, slot: Slot, title: str) -> dict[str, Any]:
        evaluation = self.course.curriculum.evaluation
        assert evaluation is not None
        questions = [self.text(q.text, slot) for q in evaluation.questions]
        page = {"design": "evaluation", "title": title, "questions": questions}
        style = "fill compact" if len(questions) > COMPACT else "fill"
        return self._part(slot, "evaluation-form", title, "form",
                          [_whole(page, style)] * self.people)  # fmt: skip

    def _contact_sharing(self, slot: Slot, title: str) -> dict[str, Any]:
        # One form goes round the group: a row for each person, and a spare or two.
        first, later = self.measures.contact_rows
        count = 1 + max(0, math.ceil((self.people + CONTACT_SPARE - first) / later))
        opening = {"design": "contact", "title": title, "first": True, "rows": first}
        after = {"design": "contact", "title": title, "first": False, "rows": later}
        pages = [_whole(opening)] + [_whole(after)] * (count - 1)
        return self._part(slot, "contact-sharing", title, "form", pages)


# --- the document -------------------------------------------------------------------------


class Made(NamedTuple):
    """What making the handouts wrote."""

    renderer: Renderer
    files: list[Path]
    pages: int  # in all the PDFs written (none for HTML)


def make_handouts(
    workspace: Workspace,
    course: Course,
    target: Path,
    *,
    session: str | None = None,
    per_session: bool = False,
    large_print: bool = False,
    as_html: bool = False,
    progress: Step | None = None,
    record: Record | None = None,
) -> Made:
    """Write the handouts to ``target``: one file, or with ``per_session`` a folder of them.

    ``session`` (a number or id) keeps to one session's handouts. With ``per_session``,
    ``target`` is a folder: a file for each session that has something to print
    (session-01.pdf...) and course.pdf for what no session names, each with its own
    list of what to print in front. ``large_print`` sets everything in 18pt type, with
    wider writing lines, on larger cards (and files named session-01-large-print.pdf...);
    the copies are as many. With the cohort's build ``record``, handouts made before
    from the same cards, counts and templates are kept as they are.
    """
    settings = workspace.settings
    locale = settings.locale
    found = slots(course, locale)
    if session is not None:
        found = [chosen(course, found, session)]
    maker = Maker(course, course.group(), locale, {
        "support": settings.support, "named_contact": settings.named_contact,
        "supervision": settings.supervision, "contact": settings.organisation.contact,
    }, LARGE_PRINT if large_print else ORDINARY)  # fmt: skip
    sections = [section for section in map(maker.section, found) if section is not None]
    renderer = Renderer(workspace, progress=progress, what="the handouts", record=record)
    renderer.warnings = list(dict.fromkeys(maker.warnings))
    if not sections:
        raise IpskitError(f"{found[0].label} ({found[0].title}) has nothing to print")
    base = _base(workspace, renderer, course, maker)
    if as_html:
        context = {**base, "sections": sections, "show": "all"}
        _name_runs(sections)
        _number(sections, 2)  # after a page of the list, as a browser may print it
        write_output(target, renderer.html(TEMPLATE, context))
        return Made(renderer, [target], 0)
    suffix = "-large-print" if large_print else ""
    files = [(target / f"{s['key']}{suffix}.pdf", [s]) for s in sections] if per_session \
        else [(target, sections)]  # fmt: skip
    # Every card and count is in the HTML of the whole set: what the files are made from.
    every = copy.deepcopy(sections)
    _name_runs(every)
    _number(every, 2)
    made_from = renderer.html(TEMPLATE, {**base, "sections": every, "show": "all"})
    if renderer.reuse([path for path, _ in files], made_from, template=TEMPLATE,
                      title=base["title"] + (" · per session" if per_session else ""),
                      author=settings.organisation.name, language=locale):  # fmt: skip
        kept = [path for path, _ in files]
        return Made(renderer, kept, sum(renderer.record.info(p).get("pages", 0) for p in kept)
                    if renderer.record else 0)  # fmt: skip
    # Every page is laid out before anything is written: a mistake in a template leaves
    # no half-made folder behind.
    laid = _lay_out_body(renderer, base, sections, maker.measures)
    planned = []
    renderer.what = "the list of what to print"
    for path, its_sections in files:
        cover = _lay_out_cover(renderer, base, its_sections)
        # Each different page once, with how many times it is printed; the list in front
        # once. A sheet that ran over is its pages, printed together.
        groups = [(list(cover.pages), 1)] + [
            (laid[run["id"]], run["repeat"])
            for section in its_sections
            for part in section["parts"]
            for run in part["runs"]
        ]
        title = base["title"]
        if per_session:
            title += f" · {its_sections[0]['label']}"
        planned.append((path, title, cover, groups))
    written: list[int] = []
    for path, title, cover, groups in planned:
        renderer.tell("Writing the handouts", len(written), len(planned) if per_session else None)
        data = _pdf(renderer, cover, [page for pages, _ in groups for page in pages],
                    title=title, author=settings.organisation.name, language=locale)  # fmt: skip
        write_output(path, _repeated(data, [(len(pages), times) for pages, times in groups]))
        written.append(sum(len(pages) * times for pages, times in groups))
        renderer.remember([path], {"pages": written[-1]})
    return Made(renderer, [path for path, *_ in planned], sum(written))


def _pdf(renderer: Renderer, document: Any, pages: list[Any], *, title: str, author: str,
         language: str) -> bytes:  # fmt: skip
    """The pages as a tagged PDF, with the metadata every document has (as Renderer.write).

    They come from more than one laid-out document (the list in front, cards moved up a
    size): WeasyPrint joins them into one.
    """
    joined = document.copy(pages)
    joined.metadata.title = title
    joined.metadata.authors = [author]
    joined.metadata.lang = language
    with renderer.pdf_errors(TEMPLATE):
        data: bytes = joined.write_pdf(pdf_tags=True)
    return data


def _repeated(data: bytes, groups: list[tuple[int, int]]) -> bytes:
    """A PDF with each group of pages followed by its copies, ``(pages, times)`` in order.

    A copy is the same page again: it shares the first one's drawing and fonts, so that
    thirty evaluation forms cost one to write. The copies are added as an update at the
    end of the file, leaving what WeasyPrint wrote as it is: reading all of it back
    would cost more than writing the copies in the first place. The document's
    structure for screen readers describes each different page once.
    """
    import io

    from pypdf import PageObject, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(io.BytesIO(data), incremental=True)
    metadata = dict(writer.metadata or {})
    position = 0
    for length, times in groups:
        first = position
        position += length
        for _ in range(times - 1):
            for page in [writer.pages[n] for n in range(first, first + length)]:
                copy = PageObject(writer)
                for key, value in page.items():
                    if key not in ("/Parent", "/StructParents"):
                        copy[NameObject(key)] = value
                writer.insert_page(copy, position)
                position += 1
    # Written again, changed (pypdf leaves an unchanged one out), so that the update's
    # own trailer points at the title and author: some readers look only there.
    writer.add_metadata({**metadata, "/Creator": "ipskit"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _base(workspace: Workspace, renderer: Renderer, course: Course, maker: Maker
          ) -> dict[str, Any]:  # fmt: skip
    """What every page of the template is given, besides the sections."""
    curriculum = course.curriculum
    group = maker.group
    named = f" ({course.cohort.id})" if course.cohort else ""
    return {
        "title": f"Handouts: {curriculum.title}{named}",
        "language": workspace.settings.locale,
        "organisation": organisation(workspace, renderer),
        "settings": maker.signposting,
        "large_print": maker.measures is LARGE_PRINT,
        "course": {
            "title": curriculum.title,
            "cohort": course.cohort.id if course.cohort else None,
        },  # fmt: skip
        "group": f"Counted for {_plural(group.people, 'participant')} in"
        f" {_plural(group.threes, 'three')}, and {_plural(group.trainers, 'trainer')}.",
    }


def _lay_out_body(renderer: Renderer, base: dict[str, Any], sections: list[dict[str, Any]],
                  measures: Measures) -> dict[str, list[Any]]:  # fmt: skip
    """Lay out each different page once; return each one's laid-out pages, by its id.

    Cards whose text runs into their foot are moved up a size, and only their pages
    laid out again. A page that runs over (a sheet with too much on it) takes more than
    one page: it is counted so, and the trainer is told. In large print a sheet or form
    may well need two pages: its questions then keep the room they have, rather than
    share out what is left of a page, and the trainer is told only of a card that does.
    """
    laid: dict[str, list[Any]] = {}
    waiting = sections
    for _ in range(len(LARGER) + 1):
        _name_runs(sections)
        context = {**base, "sections": waiting, "show": "body"}
        document = renderer.layout(renderer.html(TEMPLATE, context), template=TEMPLATE)
        current: list[Any] = []
        for page in document.pages:
            starts = [key for key in page.anchors if key.startswith("page-")]
            if starts:
                current = laid.setdefault(starts[0], [])
            current.append(page)
        waiting = []
        for section in sections:
            again = []
            for part in section["parts"]:
                before = [run["id"] for run in part["runs"]]
                if _crowded(part, laid, measures):
                    _resize(part, LARGER[part["size"]])
                elif not (measures is LARGE_PRINT and _unfilled(part, laid)):
                    continue
                # Its pages are made anew, under ids that may be those of the old ones.
                for key in before:
                    del laid[key]
                again.append(part)
            if again:
                waiting.append({**section, "parts": again})
        if not waiting:
            break
    for section in sections:
        for part in section["parts"]:
            pages = sum(len(laid[run["id"]]) * run["repeat"] for run in part["runs"])
            expected = measures is LARGE_PRINT and part["kind"] in (KINDS["sheet"], KINDS["form"])
            if pages > part["pages"] and not expected:
                renderer.warnings.append(
                    f"the {part['title']} handout for {section['label']} runs over its page:"
                    " shorten its text in the curriculum"
                )
            part["pages"] = pages
    return laid


def _unfilled(part: dict[str, Any], laid: dict[str, list[Any]]) -> bool:
    """Whether a part has a page whose questions fill it that ran over: if so, unfill it.

    A column that grows to fill a page misplaces what follows it once it runs over
    (its last question stretched down a page of its own, the foot pushed to a third):
    its questions keep their own room instead. Each of the part's pages is made anew.
    """
    over = [len(laid[run["id"]]) > 1 and "fill" in run["style"].split() for run in part["runs"]]
    if not any(over):
        return False
    part["runs"] = [
        {key: value for key, value in run.items() if key != "id"}
        | ({"style": " ".join(c for c in run["style"].split() if c != "fill")} if ran else {})
        for run, ran in zip(part["runs"], over, strict=True)
    ]  # fmt: skip
    return True


def _name_runs(sections: list[dict[str, Any]]) -> None:
    """Give each different page an id, by which its laid-out pages are found.

    A page made anew (its cards at another size) gets an id of its own.
    """
    runs = [run for section in sections for part in section["parts"] for run in part["runs"]]
    taken = [int(run["id"].split("-")[1]) for run in runs if "id" in run]
    number = max(taken, default=0)
    for run in runs:
        if "id" not in run:
            number += 1
            run["id"] = f"page-{number}"


def _crowded(part: dict[str, Any], laid: dict[str, list[Any]], measures: Measures) -> bool:
    """Whether the text of any of a part's cards runs past the room on its card.

    Each card's text ends with a mark (``end-ID-N``); the page says where it landed.
    """
    size = part.get("size")
    if size not in CELL:
        return False
    for run in part["runs"]:
        page = laid[run["id"]][0]
        for number, card in enumerate(run["cells"]):
            mark = page.anchors.get(f"end-{run['id']}-{number + 1}")
            if mark is None:  # it ran off the page altogether
                return True
            end = mark[1] * 25.4 / 96 - CUT_TOP - run["places"][number][1]  # CSS px to mm
            if end > _room(card, size, measures):
                return True
    return False


def _lay_out_cover(renderer: Renderer, base: dict[str, Any], sections: list[dict[str, Any]]
                   ) -> Any:  # fmt: skip
    """Lay out the list of what to print; its page numbers count its own pages too."""
    length = 1
    for _ in range(3):  # its length does not depend on the numbers: twice at most
        _number(sections, length + 1)
        context = {**base, "sections": sections, "show": "cover"}
        cover = renderer.layout(renderer.html(TEMPLATE, context), template=TEMPLATE)
        if len(cover.pages) == length:
            break
        length = len(cover.pages)
    return cover


def _number(sections: list[dict[str, Any]], first: int) -> None:
    """Each part's pages in the file, from page ``first``: '2 (pages 3–4)'."""
    page = first
    for section in sections:
        for part in section["parts"]:
            count = part["pages"]
            where = f"page {page}" if count == 1 else f"pages {page}–{page + count - 1}"
            part["where"] = f"{count} ({where})"
            page += count


def describe_made(made: Made, per_session: bool, target: Path) -> str:
    """The line a command prints about what it wrote."""
    if per_session:
        return f"Wrote {_plural(len(made.files), 'file')} to {target}"
    if not made.pages:  # HTML: pages are for the browser to make
        return f"Wrote the handouts to {target}"
    return f"Wrote {_plural(made.pages, 'page')} of handouts to {target}"
