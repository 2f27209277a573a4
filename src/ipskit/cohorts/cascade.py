"""Cascade lineage: who trained whom, and how far a course has spread.

A cohort's trainer may be a person who completed an earlier cohort, written in
``cohort.yaml`` as ``COHORT:ID`` (``spring-2026:p03``). Those references link cohorts
into a lineage: the cohort the trainer completed, then the cohort they taught, and so on.
An *original* course is one taught by no such graduate. A lineage may not loop: no one
can have trained, in one line, the person who trained them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.cohort import Cohort, all_cohorts, check_id, open_cohort
from ipskit.cohorts.cohort_file import SETTINGS_FILE
from ipskit.core.errors import FileProblemsError, IpskitError, argument

_REFERENCE = re.compile(r"^([a-z0-9][a-z0-9-]{0,59}):\s*(\S.*)$")
_STORED = re.compile(r"^([a-z0-9][a-z0-9-]{0,59}):(p[0-9]{2,})$")


class Reference(NamedTuple):
    """A trainer who is a graduate of an earlier cohort."""

    cohort: str
    participant: str

    def __str__(self) -> str:
        return f"{self.cohort}:{self.participant}"


def looks_like_reference(text: str) -> bool:
    """Whether ``--trainer`` names a graduate (``COHORT:WHO``) rather than a name."""
    return bool(_REFERENCE.match(text.strip()))


def reference(trainer: str) -> Reference | None:
    """The graduate a stored trainer entry names, if it names one."""
    match = _STORED.match(trainer)
    return Reference(match[1], match[2]) if match else None


def resolve_trainer(cohorts_dir: Path, text: str, cohort_id: str, start: date) -> str:
    """``COHORT:WHO`` checked and kept as ``COHORT:ID``.

    The person must have completed that cohort, which must have ended before the new
    cohort starts, and the link must not close a loop.
    """
    from ipskit.cohorts.eligibility import completers
    from ipskit.cohorts.records import Records

    match = _REFERENCE.match(text.strip())
    assert match is not None
    source_id, who = match[1], match[2]
    if source_id == cohort_id:
        raise IpskitError(
            f"trainer {text}: a cohort cannot be taught by one of its own participants"
        )
    check_id(source_id)
    source = open_cohort(cohorts_dir, source_id)
    line = _loop(_graph(all_cohorts(cohorts_dir)), cohort_id, source_id)
    if line:
        raise IpskitError(
            f"trainer {text}: this would make the lineage loop ({line}): someone would"
            " have trained the person who trained them"
        )
    records = Records.load(source)
    person = records.find(who)
    if person.id not in completers(source, records):
        raise IpskitError(
            f"trainer {text}: {person.id} has not completed cohort {source_id}, so cannot"
            " be named as its graduate; give the trainer's name instead"
        )
    if source.settings.sessions[-1].date >= start:
        raise IpskitError(
            f"trainer {text}: cohort {source_id} ends on"
            f" {source.settings.sessions[-1].date}, not before this cohort starts ({start})"
        )
    return str(Reference(source_id, person.id))


def _graph(cohorts: list[Cohort]) -> dict[str, set[str]]:
    """Each cohort's id, and the cohorts taught by its graduates."""
    taught: dict[str, set[str]] = {c.id: set() for c in cohorts}
    for cohort in cohorts:
        for trainer in cohort.settings.trainers:
            ref = reference(trainer)
            if ref:
                taught.setdefault(ref.cohort, set()).add(cohort.id)
    return taught


def _loop(taught: dict[str, set[str]], cohort_id: str, source_id: str) -> str | None:
    """The loop that a graduate of ``source_id`` teaching ``cohort_id`` makes, if it does."""
    chain = _path(taught, cohort_id, source_id)
    return " → ".join([*chain, cohort_id]) if chain else None


def _path(taught: dict[str, set[str]], start: str, goal: str) -> list[str]:
    """Cohorts leading from ``start`` to ``goal`` through graduates who taught, if any."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        here, path = stack.pop()
        if here == goal:
            return path
        if here in seen:
            continue
        seen.add(here)
        stack.extend((after, [*path, after]) for after in sorted(taught.get(here, ())))
    return []


# --- the lineage of a workspace -----------------------------------------------------------


@dataclass
class Node:
    """A cohort in the lineage."""

    cohort: Cohort
    started: int
    completed: int
    trainers: list[tuple[Reference, str]]  # graduates who taught it, with their names
    children: list[Node] = field(default_factory=list)

    @property
    def original(self) -> bool:
        """Taught by no graduate of a cohort in this workspace."""
        return not self.trainers


@dataclass
class Lineage:
    """Every cohort, linked to the cohorts its graduates taught."""

    nodes: dict[str, Node]

    @property
    def roots(self) -> list[Node]:
        """The original courses, by start date."""
        found = [n for n in self.nodes.values() if n.original]
        return sorted(found, key=lambda n: (n.cohort.settings.sessions[0].date, n.cohort.id))

    def generations(self, root: Node) -> list[list[Node]]:
        """The cohorts descended from an original course, generation by generation."""
        levels: list[list[Node]] = []
        current, seen = root.children, {root.cohort.id}
        while current:
            level = [n for n in current if n.cohort.id not in seen]
            if not level:
                break
            seen.update(n.cohort.id for n in level)
            levels.append(level)
            current = [child for n in level for child in n.children]
        return levels


def lineage(cohorts_dir: Path) -> Lineage:
    """The lineage of a workspace; a loop written into a cohort by hand is refused."""
    from ipskit.cohorts.eligibility import completers
    from ipskit.cohorts.records import Records

    cohorts = all_cohorts(cohorts_dir)
    by_id = {c.id: c for c in cohorts}
    nodes: dict[str, Node] = {}
    rosters: dict[str, Records] = {}
    for cohort in cohorts:
        records = rosters[cohort.id] = Records.load(cohort)
        nodes[cohort.id] = Node(
            cohort, started=len(records.roster), completed=len(completers(cohort, records)),
            trainers=[],
        )  # fmt: skip
    for cohort in cohorts:
        for index, trainer in enumerate(cohort.settings.trainers):
            ref = reference(trainer)
            if ref is None:
                continue
            if ref.cohort not in by_id:
                raise _problem(cohort, index, f"no cohort '{ref.cohort}' in this workspace")
            people = {p.id: p for p in rosters[ref.cohort].roster}
            if ref.participant not in people:
                raise _problem(cohort, index, f"cohort {ref.cohort} has no {ref.participant}")
            person = people[ref.participant]
            name = person.name if person.status != "erased" else "(erased)"
            nodes[cohort.id].trainers.append((ref, name))
            parent = nodes[ref.cohort]
            if nodes[cohort.id] not in parent.children:
                parent.children.append(nodes[cohort.id])
    taught = {cohort_id: {c.cohort.id for c in node.children} for cohort_id, node in nodes.items()}
    for cohort in cohorts:
        for index, trainer in enumerate(cohort.settings.trainers):
            ref = reference(trainer)
            line = _loop(taught, cohort.id, ref.cohort) if ref else None
            if line:
                raise _problem(cohort, index, f"the lineage loops ({line}): remove this trainer")
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.cohort.settings.sessions[0].date, n.cohort.id))
    return Lineage(nodes)


def _problem(cohort: Cohort, index: int, message: str) -> FileProblemsError:
    from ipskit.core import yamlio

    path = cohort.folder / SETTINGS_FILE
    doc = yamlio.load(path)
    return FileProblemsError([doc.problem(("trainers", index), message)])


def trainer_entry(cohorts_dir: Path, text: str, cohort_id: str, start: date, *,
                  option: str | None = None) -> str:  # fmt: skip
    """A trainer as given: a name, or someone who completed a cohort, as it is kept.

    ``COHORT:WHO`` (e.g. ``spring-2026:p03``, or part of their name) names a participant
    of an earlier cohort who met its completion rules; it is kept as ``COHORT:ID``.
    """
    from ipskit.core.names import check_name

    if looks_like_reference(text):
        return resolve_trainer(cohorts_dir, text, cohort_id, start)
    try:
        return check_name(text, "a trainer's name")
    except ValueError as error:
        raise IpskitError(f"{option or argument('trainers')}: {error}") from None


def add_trainer(cohorts_dir: Path, cohort_id: str, text: str) -> str:
    """Add a trainer to an existing cohort (a name, or ``COHORT:WHO``); return the entry."""
    from ipskit.cohorts.cohort import check_writable
    from ipskit.cohorts.cohort_file import write_settings
    from ipskit.core import store

    cohort = open_cohort(cohorts_dir, cohort_id)
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        cohort = open_cohort(cohorts_dir, cohort_id)
        check_writable(cohort)
        start = cohort.settings.sessions[0].date
        entry = trainer_entry(cohorts_dir, text, cohort.id, start, option="trainer")
        if entry in cohort.settings.trainers:
            raise IpskitError(f"{entry} is already a trainer of cohort {cohort.id}")
        settings = cohort.settings._replace(trainers=(*cohort.settings.trainers, entry))
        write_settings(cohort.folder, settings)
    return entry


def trainer_names(cohort: Cohort, *, certified: bool = False) -> list[str]:
    """The cohort's trainers as printed: graduates by name, others as written.

    With ``certified``, a graduate's name is followed by their own certificate's code,
    so a cascade course's certificate names the trainer's certification.
    """
    names = []
    for trainer in cohort.settings.trainers:
        ref = reference(trainer)
        names.append(trainer if ref is None else _graduate(cohort, ref, certified=certified))
    return names


def _graduate(cohort: Cohort, ref: Reference, *, certified: bool) -> str:
    from ipskit.cohorts.records import Records

    cohorts_dir = cohort.folder.parent
    try:
        source = open_cohort(cohorts_dir, ref.cohort)
        person = Records.load(source).participant(ref.participant)
    except IpskitError:
        return f"a graduate of {ref.cohort}"
    if person.status == "erased":
        return f"a graduate of {source.settings.curriculum_title}"
    name = person.name_on_certificate
    if not certified:
        return name
    from ipskit.cohorts.certificate_register import REGISTER_FILE, current, read_register

    held = [
        e for e in current(read_register(source.file(REGISTER_FILE))).values()
        if e.participant == ref.participant and e.status == "issued"
    ]  # fmt: skip
    return f"{name} (certificate {held[-1].code})" if held else name
