"""Adding the people in a spreadsheet list or form answers to a cohort's roster.

The file is read by :func:`ipskit.cohorts.roster_file.read_roster_csv`; here each person
in it is matched against the roster (by name or email), added if new, and flagged if
their name looks garbled. No import takes the roster past the number of people the
course is for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.cohorts.garbled import garbled
from ipskit.cohorts.roster_file import read_roster_csv
from ipskit.core.errors import IpskitError

if TYPE_CHECKING:
    from ipskit.cohorts.record_types import Participant
    from ipskit.cohorts.records import Records


#: The most people one import may bring when the curriculum sets no ``max_participants``:
#: more than any room or online session holds, so a bigger file is the wrong one (a whole
#: mailing list), and it is refused before it costs anything.
MAX_IMPORT = 5000


@dataclass(frozen=True)
class Flag:
    """A name added as it came, which looks garbled: for the coordinator to check."""

    line: int
    participant: str  # the id the person was given
    field: str  # "name" or "certificate_name"
    text: str
    why: str
    probably: str | None  # what it was, where that can be told


@dataclass
class ImportResult:
    """What an import added, what it left out and why, and what it added but flagged.

    Lines, ids and reasons; names only in ``added`` and ``matched`` (for the
    coordinator's own terminal) and in each flag's text.
    """

    added: list[Participant] = dataclasses.field(default_factory=list)
    #: (line, existing id)
    duplicates: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (line, reason)
    flagged: list[Flag] = dataclasses.field(default_factory=list)
    matched: dict[str, Participant] = dataclasses.field(default_factory=dict)  # the duplicates' ids
    lines: dict[str, int] = dataclasses.field(default_factory=dict)  # each added id: its line


def import_people(records: Records, path: Path, *, repair_encoding: bool = False) -> ImportResult:
    """Add everyone in a CSV file or workbook who is not on the roster already.

    No more people than the course is for (its curriculum's ``max_participants``, or
    :data:`MAX_IMPORT`): a longer file is refused as soon as that many rows have been
    read, and an import that would take the roster past it is refused whole. A name that
    looks garbled is added as it is, and flagged.
    """
    from ipskit.core.names import fold

    limit, course = _most_people(records)
    read = read_roster_csv(path, max_people=limit, course=course,
                           repair_encoding=repair_encoding)  # fmt: skip
    result = ImportResult(skipped=[(s.line, s.reason) for s in read.skipped])
    # Each row is looked up in an index of the roster, not compared with everyone on it:
    # 3,000 rows against each other would be 4.5 million comparisons.
    by_name: dict[str, int] = {}  # folded name, or email: the first place on the roster
    by_email: dict[str, int] = {}
    for place, person in enumerate(records.roster):
        if person.status != "erased":
            _index(by_name, by_email, place, person)
    active = sum(p.active for p in records.roster)
    for row in read.people:
        mail = row.email.strip().casefold()
        same = [by_name.get(fold(row.name)), by_email.get(mail) if mail else None]
        if same != [None, None]:
            first = records.roster[min(place for place in same if place is not None)]
            result.duplicates.append((row.line, first.id))
            result.matched[first.id] = first
            continue
        if active + len(result.added) == limit:
            raise IpskitError(
                f"{path}: the roster would hold more than the {limit} people {course};"
                " nothing was changed"
            )
        try:
            added = records.add(row.name, certificate_name=row.certificate_name,
                                email=row.email, pronouns=row.pronouns,
                                name_lang=row.name_lang)  # fmt: skip
        except ValueError as error:
            result.skipped.append((row.line, str(error)))
            continue
        result.added.append(added)
        result.lines[added.id] = row.line
        _index(by_name, by_email, len(records.roster) - 1, added)
        for key in ("name", "certificate_name"):
            text = getattr(added, key)
            found = garbled(text) if text else None
            if found is not None:
                result.flagged.append(Flag(row.line, added.id, key, text, *found))
    return result


def _index(by_name: dict[str, int], by_email: dict[str, int], place: int,
           person: Participant) -> None:  # fmt: skip
    from ipskit.core.names import fold

    by_name.setdefault(fold(person.name), place)
    if person.email:
        by_email.setdefault(person.email.casefold(), place)


def _most_people(records: Records) -> tuple[int, str]:
    """The most people the cohort's course is for, and how to name the course."""
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.courses.catalogue import load_curriculum

    pinned = load_curriculum(records.cohort.file(CURRICULUM_FILE))
    if pinned.max_participants is None:
        return MAX_IMPORT, "an import allows"
    return pinned.max_participants, f"the course {pinned.id} is for"
