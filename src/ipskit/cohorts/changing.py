"""The one way a cohort's records change: under its lock, read afresh, written in one commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ipskit.cohorts.cohort import Cohort, check_writable
from ipskit.cohorts.commit import settle
from ipskit.cohorts.record_types import HISTORY_COLUMNS, HISTORY_FILE
from ipskit.cohorts.records import Records
from ipskit.cohorts.status import remember_overview
from ipskit.core import csvio, store


@contextmanager
def changing(cohort: Cohort) -> Iterator[Records]:
    """Hold the cohort's lock while its records are read, changed and written.

    An archived cohort is refused here, in the one place every change passes (erasure
    does not pass here: a person may be forgotten whatever the cohort's state).
    """
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        check_writable(cohort)
        with changes(cohort) as records:
            yield records


@contextmanager
def changes(cohort: Cohort) -> Iterator[Records]:
    """Read, change and write a cohort's records, for a caller that holds its lock.

    A commit that a kill interrupted is finished first (see :func:`settle`).
    """
    settle(cohort.folder)
    records = load_whole(cohort)
    yield records
    records.save()
    remember_overview(cohort, records)


def load_whole(cohort: Cohort) -> Records:
    """A cohort's records to change: a history broken by hand is refused as well."""
    history = cohort.file(HISTORY_FILE)
    if history.exists():
        for _ in csvio.read_table(history, HISTORY_COLUMNS):
            pass  # refuse to add to a history broken by hand
    return Records.load(cohort)
