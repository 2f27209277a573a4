"""Deleting a cohort that never issued anything; a cohort that did is archived instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.cascade import reference
from ipskit.cohorts.certificate_register import REGISTER_FILE
from ipskit.cohorts.cohort import Cohort, all_cohorts, archived_error, open_cohort
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace


class Deletion(NamedTuple):
    """What deleting a cohort removes (or would remove)."""

    cohort: Cohort
    participants: int
    marks: int
    documents: Path | None  # the cohort's folder under out/, where there is one


def deletion(workspace: Workspace, cohort_id: str) -> Deletion:
    """What deleting a cohort would remove; refused once anything was issued for it.

    A certificate register is never removed (a certificate in someone's hands must stay
    verifiable), and a cohort whose graduates train another cohort is part of a cascade.
    """
    cohorts_dir = workspace.cohorts_dir
    cohort = open_cohort(cohorts_dir, cohort_id)
    if cohort.settings.archived:
        raise archived_error(cohort.id)
    if cohort.file(REGISTER_FILE).exists():
        raise IpskitError(
            f"cohort {cohort.id} has issued certificates (its register {REGISTER_FILE} is"
            f" kept for good): archive it instead with ipskit cohorts archive {cohort.id}"
        )
    for other in all_cohorts(cohorts_dir):
        linked = [r for r in map(reference, other.settings.trainers) if r is not None]
        if other.id != cohort.id and any(r.cohort == cohort.id for r in linked):
            raise IpskitError(
                f"cohort {other.id} is trained by people who completed {cohort.id}:"
                f" archive {cohort.id} instead with ipskit cohorts archive {cohort.id}"
            )
    records = Records.load(cohort)
    documents = workspace.root / "out" / cohort.id
    return Deletion(cohort, len(records.roster), len(records.marks),
                    documents if documents.is_dir() else None)  # fmt: skip


def delete_cohort(workspace: Workspace, cohort_id: str) -> Deletion:
    """Remove a cohort that never issued anything: its folder and its documents.

    The folder is first renamed to a temporary name in one step, so that a kill part-way
    through leaves either the whole cohort or a leftover the next command sweeps away.
    """
    found = deletion(workspace, cohort_id)
    folder = found.cohort.folder
    doomed = folder.with_name(f"{store.temp_prefix()}deleted-{cohort_id}")

    def set_aside() -> None:
        try:
            folder.rename(doomed)
        except OSError as error:
            raise store.cannot(folder, "delete the cohort", error, "nothing was changed") from None

    # Windows cannot rename a folder while a file in it (the lock) is open: there the
    # folder is set aside just after the lock is let go.
    under_lock = os.name != "nt"
    with store.locked(folder, f"cohort {cohort_id}"):
        found = deletion(workspace, cohort_id)  # nothing issued since it was asked
        if under_lock:
            set_aside()
    if not under_lock:
        set_aside()
    shutil.rmtree(doomed)
    if found.documents is not None:
        shutil.rmtree(found.documents)
    return found
