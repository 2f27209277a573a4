"""What a curriculum's text may point at: the timetable, workbook pages and handouts.

A note never writes a clock time ("back at 19:55"): a cohort that starts half an hour
later would get a timetable saying one thing and notes another. It writes ``[start]``
or ``[end]`` for the session's, and ``[start:ID]`` or ``[end:ID]`` for a block's (a block
with ``id: ID``); the plan prints the cohort's own times. In the same way ``[page:ID]``
names a workbook page and ``[handout:ID]`` a card, sheet or form, so a name that exists
nowhere is refused by ``curricula validate`` instead of sending people to look for it.

:func:`problems` finds what cannot work; :class:`References` writes the text out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import time
from typing import Protocol

from pydantic import BaseModel


class Titled(Protocol):
    """A curriculum, as far as its references go (this module sits below it)."""

    def page_titles(self) -> dict[str, str]:
        """Workbook pages by id, with their titles."""
        ...

    def handout_titles(self) -> dict[str, str]:
        """Handouts by id, with their titles."""
        ...


class _Block(Protocol):
    @property
    def id(self) -> str | None: ...

    @property
    def minutes(self) -> int: ...


class Timed(Protocol):
    """A session, as far as its clock times go."""

    @property
    def blocks(self) -> Sequence[_Block]:
        """Its blocks, in order."""
        ...


#: ``[start]``, ``[end:break]``, ``[page:power-i-noticed]``, ``[handout:word-cards]``.
REFERENCE = re.compile(r"\[(start|end|page|handout)(?::\s*([^\]\s]*))?\s*\]")

#: A clock time written out: 18:30, 9:05, 6pm, 6.30 pm, 7 a.m. (not 116 123, not 1.5 hours).
CLOCK_TIME = re.compile(
    r"(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)"
    r"|(?<![\d.:])(?:1[0-2]|0?[1-9])(?:[.:][0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)(?![a-z])",
    re.IGNORECASE,
)
# Most text has no digit at all: looking for one first is a fast scan, where CLOCK_TIME's
# lookbehinds are tried at every character (a third of the time to load a curriculum).
_DIGIT = re.compile(r"\d")


def clock_time(value: str) -> str | None:
    """The first clock time written out in ``value``, if there is one."""
    if _DIGIT.search(value) is None:
        return None
    written = CLOCK_TIME.search(value)
    return None if written is None else written.group(0)

#: The workbook's own pages (the ids of its parts): a course has those that apply to it,
#: or those its ``workbook:`` lists (see ``Curriculum.page_titles``).
BUILTIN_PAGES = {
    "course-map": "Course map",
    "group-agreement": "Our group agreement",
    "wellbeing-plan": "My wellbeing plan",
    "role-plays": "Role-play observation sheets",
    "self-assessment": "My self-assessment",
    "support": "Where to get support",
}

#: What ipskit prints for any course, from the curriculum and the workspace's settings.
BUILTIN_HANDOUTS = {
    "role-cards": "Role-play cards",
    "support-card": "Support card",
    "certificate-to-follow": "Certificate to follow",
    "contact-sharing": "Sharing contact details",
}


def page_titles(curriculum: Titled) -> dict[str, str]:
    """Every workbook page a text may name, by id, with its title."""
    return curriculum.page_titles()


def handout_titles(curriculum: Titled) -> dict[str, str]:
    """Every handout a text may name, by id, with its title."""
    return curriculum.handout_titles()


def quoted(title: str) -> str:
    """A page's or handout's title as the text prints it."""
    return f"“{title}”"


class References:
    """Writes out a curriculum's references for one course, clock times in its locale."""

    def __init__(self, curriculum: Titled, clock: Callable[[time], str]) -> None:
        self._pages = page_titles(curriculum)
        self._handouts = handout_titles(curriculum)
        self._clock = clock

    def text(
        self, value: str | None, session: Timed | None = None, begin: time | None = None
    ) -> str | None:
        """``value`` with every reference written out; times need the session and its start."""
        if value is None:
            return None

        def written(match: re.Match[str]) -> str:
            kind, target = match.group(1), match.group(2) or ""
            if kind == "page":
                return quoted(self._pages.get(target, target))
            if kind == "handout":
                return quoted(self._handouts.get(target, target))
            if session is None or begin is None:
                return match.group(0)  # refused by problems(): never in a built-in
            moment = block_times(session, begin).get(target)
            if moment is None:
                return match.group(0)
            return self._clock(moment[0] if kind == "start" else moment[1])

        return REFERENCE.sub(written, value)


def named(session: object, kind: str) -> list[str]:
    """The ids of the handouts (``kind="handout"``) or pages a session's text names, in order."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.extend(m.group(2) or "" for m in REFERENCE.finditer(value) if m.group(1) == kind)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    walk(session)
    return list(dict.fromkeys(found))


def block_times(session: Timed, begin: time) -> dict[str, tuple[time, time]]:
    """The start and end of the session (under ``""``) and of each block with an id."""
    minute = first = begin.hour * 60 + begin.minute
    times: dict[str, tuple[time, time]] = {}
    for block in session.blocks:
        end = minute + block.minutes
        if block.id is not None:
            times[block.id] = (_at(minute), _at(end))
        minute = end
    times[""] = (_at(first), _at(minute))
    return times


def _at(minute: int) -> time:
    minute = min(minute, 24 * 60 - 1)
    return time(minute // 60, minute % 60)


# --- what validation refuses ------------------------------------------------------------

Loc = tuple[str | int, ...]


def problems(curriculum: Titled, texts: Iterator[tuple[Loc, str, Timed | None]]
             ) -> list[tuple[Loc, str]]:  # fmt: skip
    """Clock times written out, and references to blocks, pages or handouts that do not exist.

    ``texts`` gives each piece of text, where it is, and the session it belongs to (None
    outside a session, where a clock time cannot be worked out).
    """
    pages, handouts = page_titles(curriculum), handout_titles(curriculum)
    found: list[tuple[Loc, str]] = []
    for loc, value, session in texts:
        written = clock_time(value)
        if written is not None:
            found.append(
                (
                    loc,
                    f"'{written}' is a clock time: write [start], [end],"
                    " [start:BLOCK-ID] or [end:BLOCK-ID] so each cohort gets its own",
                )
            )
        for match in REFERENCE.finditer(value):
            kind, target = match.group(1), match.group(2) or ""
            reference = match.group(0)
            if kind == "page" and target not in pages:
                found.append((loc, f"{reference}: no workbook page has id '{target}'"
                                   f" (pages: {', '.join(sorted(pages))})"))  # fmt: skip
            elif kind == "handout" and target not in handouts:
                found.append((loc, f"{reference}: no handout has id '{target}'"
                                   f" (handouts: {', '.join(sorted(handouts))})"))  # fmt: skip
            elif kind in ("start", "end"):
                if session is None:
                    found.append((loc, f"{reference}: a clock time can only be named in a"
                                       " session's text"))  # fmt: skip
                elif target and target not in {b.id for b in session.blocks if b.id}:
                    found.append((loc, f"{reference}: no block of this session has id"
                                       f" '{target}'"))  # fmt: skip
    return found
