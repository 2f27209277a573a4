"""Erasing a person's personal data from a cohort, on their request."""

from __future__ import annotations

from ipskit.cohort import Cohort
from ipskit.records import changing


def forget(cohort: Cohort, who: str) -> str:
    """Erase someone from a cohort's files, keeping an anonymous id; return that id."""
    from ipskit.certificates import erase_names

    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        records.erase(person)
        erase_names(cohort, person.id)
    return person.id
