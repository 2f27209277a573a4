"""Erasing a person's personal data from a cohort, on their request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ipskit.cohort import Cohort
from ipskit.records import changing


def forget(cohort: Cohort, who: str, *, documents: Path | None = None) -> tuple[str, list[Path]]:
    """Erase someone from a cohort's files, keeping an anonymous id.

    ``documents`` is the cohort's output folder (``out/COHORT``): the documents there
    that print the person's name are removed too. Returns their id and what was removed.
    """
    from ipskit.certificates import REGISTER_FILE, erase_names, read_register

    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        issued = [e.issued for e in read_register(cohort.file(REGISTER_FILE))
                  if e.participant == person.id]  # fmt: skip
        records.erase(person)
        erase_names(cohort, person.id)
        removed = _remove_documents(documents, person.id, issued) if documents else []
    return person.id, removed


def _remove_documents(folder: Path, pid: str, issued: list[date]) -> list[Path]:
    """The person's own copies, and the files that print everyone's names, deleted.

    Follow-up answers, self-ratings and signatures stay under the anonymous id (they
    are counts and dates, and the cohort's figures depend on them); notes that
    mention the person go, as everywhere.
    """
    patterns = [
        f"workbooks/workbook-{pid}.pdf",
        f"workbooks/workbook-{pid}-large-print.pdf",
        f"certificates/certificate-{pid}-*.pdf",
        "registers.*",
        "register-*.*",
        "agreements*.*",  # the codes of conduct to sign print every name
        f"outbox/*-{pid}.eml",  # messages written by `send --dry-run`
        f"outbox/*-{pid}-*.eml",
    ]
    # The print files of the batches their certificates were in.
    patterns += [f"certificates/certificates-{day.isoformat()}*.pdf" for day in set(issued)]
    removed = []
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                path.unlink()
                removed.append(path)
    return removed
