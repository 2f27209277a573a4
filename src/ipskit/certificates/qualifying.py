"""Who gets a certificate now: those who completed, less those who hold one already."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ipskit.cohorts.certificate_register import (
    Entry,
    current,
)
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core.errors import IpskitError, argument


class Grant(NamedTuple):
    """A certificate to issue, and the one it replaces, if any."""

    participant: Participant
    replaces: Entry | None


@dataclass
class Qualifying:
    """Who gets a certificate now, who has one, and who does not qualify and why."""

    grants: list[Grant] = field(default_factory=list)
    holders: list[tuple[Participant, Entry]] = field(default_factory=list)
    waiting: list[tuple[Participant, tuple[str, ...]]] = field(default_factory=list)
    unprintable: list[Participant] = field(default_factory=list)


def who_qualifies(cohort: Cohort, records: Records, entries: list[Entry], *,
         who: Sequence[str] = (), reissue: bool = False) -> Qualifying:  # fmt: skip
    """Decide who gets a certificate: everyone newly qualified, or just ``who``."""
    from ipskit.cohorts.eligibility import eligibility
    from ipskit.documents.fonts import undrawable

    if reissue and not who:
        raise IpskitError(
            f"{argument('reissue=True')} needs {argument('who')}: name whose certificate to replace"
        )
    chosen = {records.find(w, include_withdrawn=True).id for w in who}
    now = current(entries)
    held: dict[str, list[Entry]] = {}
    for entry in now.values():
        held.setdefault(entry.participant, []).append(entry)
    result = Qualifying()
    for standing in eligibility(cohort, records):
        person = records.participant(standing.participant)
        if chosen and person.id not in chosen:
            continue
        theirs = held.get(person.id, [])
        valid = next((e for e in theirs if e.status == "issued"), None)
        if standing.state != "complete":
            reasons = standing.reasons if standing.state != "withdrawn" else ("withdrawn",)
            result.waiting.append((person, reasons))
        elif valid is not None and not reissue:
            result.holders.append((person, valid))
        elif theirs and valid is None and not reissue:
            revoked = theirs[-1]
            result.waiting.append((person, (
                f"certificate {revoked.code} was {revoked.status} on {revoked.date:%Y-%m-%d};"
                " use --reissue to issue a new one",
            )))  # fmt: skip
        elif undrawable(person.name_on_certificate):
            result.unprintable.append(person)
        else:
            result.grants.append(Grant(person, valid))
    return result
