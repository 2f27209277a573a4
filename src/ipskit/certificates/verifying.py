"""Checking a certificate someone holds, and revoking one."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.certificate_register import (
    REGISTER_FILE,
    Entry,
    append_entries,
    current,
    normal_code,
    read_register,
    registers,
)
from ipskit.cohorts.record_types import check_note
from ipskit.core import store
from ipskit.core.errors import IpskitError, NotFoundError, argument
from ipskit.workspace import Workspace

_CODE_IN_FILE = re.compile(rb"Certificate ([0-9A-Z]{4}-[0-9A-Z]{4})")
#: A certificate file larger than this is not one ipskit made.
MAX_FILE_BYTES = 50 * 1024 * 1024


class Verdict(NamedTuple):
    """What ``verify`` found: genuine, altered, revoked, superseded or unknown."""

    kind: str
    entry: Entry | None
    cohort: str | None = None


#: The exit code of ``ipskit verify`` for each verdict, for scripts.
EXIT_CODES = {"genuine": 0, "altered": 3, "revoked": 4, "superseded": 5, "unknown": 6}


def verify(workspace: Workspace, what: str) -> Verdict:
    """Check a certificate file, or a code, against every register of the workspace."""
    found = registers(workspace)
    latest = {code: (cohort.id, e) for cohort, entries in found
              for code, e in current(entries).items()}  # fmt: skip
    path = Path(what)
    code = normal_code(what)
    if code is not None and not path.is_file():
        if code not in latest:
            return Verdict("unknown", None)
        cohort_id, entry = latest[code]
        return Verdict(_standing(entry), entry, cohort_id)
    if not path.exists():
        raise NotFoundError(f"{what}: no such file, and not a certificate code such as K7QM-4XTD")
    if not path.is_file():
        raise IpskitError(f"{what}: give a certificate's PDF file or its code, not a folder")
    if path.stat().st_size > MAX_FILE_BYTES:
        return Verdict("unknown", None)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for cohort_id, entry in latest.values():
        if entry.sha256 == digest:
            return Verdict(_standing(entry), entry, cohort_id)
    claimed = {m.decode("ascii") for m in _CODE_IN_FILE.findall(data)}
    for code in sorted(claimed):
        if code in latest:
            cohort_id, entry = latest[code]
            return Verdict("altered", entry, cohort_id)
    return Verdict("unknown", None)


def _standing(entry: Entry) -> str:
    return "genuine" if entry.status == "issued" else entry.status


def revoke(workspace: Workspace, code_text: str, reason: str, *,
           today: date | None = None) -> Entry:  # fmt: skip
    """Record that a certificate is revoked, and why; it then verifies as revoked."""
    code = normal_code(code_text)
    if code is None:
        raise IpskitError(f"'{code_text[:40]}' is not a certificate code such as K7QM-4XTD")
    try:
        reason = check_note(reason)
    except ValueError as error:
        raise IpskitError(f"{argument('reason')}: {error}") from None
    if not reason:
        with_reason = argument("reason", "reason=...")
        raise IpskitError(f"give the reason for revoking it with {with_reason}")
    for cohort, entries in registers(workspace):
        if code not in current(entries):
            continue
        with store.locked(cohort.folder, f"cohort {cohort.id}"):
            path = cohort.file(REGISTER_FILE)
            entry = current(read_register(path))[code]
            if entry.status == "revoked":
                when = f"{entry.date:%Y-%m-%d}"
                raise IpskitError(f"certificate {code} was already revoked on {when}")
            revoked = entry._replace(status="revoked", date=today or date.today(), reason=reason)
            append_entries(path, [revoked])
            return revoked
    raise NotFoundError(f"no register in this workspace holds certificate {code}")
