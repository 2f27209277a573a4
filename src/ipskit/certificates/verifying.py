"""Checking a certificate someone holds, and revoking one.

A certificate may also have copies made on request (a large-print copy, see
:mod:`.large_print`): each is listed in the cohort's ``certificate-copies.csv`` with its
code, its kind, the day it was made and the SHA-256 of its file, so that ``verify``
knows the copy as it knows the certificate, and says of it what it says of the
certificate: genuine, revoked or superseded. The list holds no names.
"""

from __future__ import annotations

import hashlib
import re
import zlib
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
from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import check_note
from ipskit.core import csvio, store
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError, argument
from ipskit.workspace import Workspace

_CODE_IN_FILE = re.compile(rb"Certificate ([0-9A-Z]{4}-[0-9A-Z]{4})")
#: A certificate file larger than this is not one ipskit made.
MAX_FILE_BYTES = 50 * 1024 * 1024
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_STREAM_START = re.compile(rb">>\s*stream\r?\n")
#: How much of an object stream is unpacked to look for a claimed code: the objects of
#: a one- or two-page document are a few kilobytes.
MAX_OBJECTS_BYTES = 1024 * 1024


#: The copies of a cohort's certificates made on request, beside its register.
COPIES_FILE = "certificate-copies.csv"
COPY_COLUMNS = ("code", "kind", "date", "sha256")
COPY_KINDS = ("large-print",)
_SHA = re.compile(r"^[0-9a-f]{64}$")


class Copy(NamedTuple):
    """A copy of a certificate made on request: which, of what kind, when, and its hash."""

    code: str
    kind: str
    date: date
    sha256: str


class Verdict(NamedTuple):
    """What ``verify`` found: genuine, altered, revoked, superseded or unknown."""

    kind: str
    entry: Entry | None
    cohort: str | None = None
    #: The copy the file is, when it is not the certificate's own file but a copy of it.
    copy: Copy | None = None


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
    for cohort, _ in found:
        for made in read_copies(cohort.file(COPIES_FILE)):
            if made.sha256 == digest and made.code in latest:
                cohort_id, entry = latest[made.code]
                # A copy stands as its certificate stands: revoking one revokes its copies.
                return Verdict(_standing(entry), entry, cohort_id, made)
    claimed = {m.decode("ascii") for m in _claims(data)}
    for code in sorted(claimed):
        if code in latest:
            cohort_id, entry = latest[code]
            return Verdict("altered", entry, cohort_id)
    return Verdict("unknown", None)


def _claims(data: bytes) -> list[bytes]:
    """The codes a file says it is the certificate of, in its information ("Certificate CODE").

    A certificate cut from a batch keeps its information in plain text; a document
    written whole (a large-print copy) packs it into a compressed object stream, which
    is unpacked here, a bounded amount of each.
    """
    found = _CODE_IN_FILE.findall(data)
    if found:
        return found
    for mark in _OBJECT_STREAM.finditer(data):
        start = _STREAM_START.search(data, mark.end(), mark.end() + 1000)
        if start is None:
            continue
        try:
            packed = zlib.decompressobj().decompress(data[start.end() :], MAX_OBJECTS_BYTES)
        except zlib.error:
            continue
        found += _CODE_IN_FILE.findall(packed)
    return found


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


# --- copies made on request ---------------------------------------------------------------


def read_copies(path: Path) -> list[Copy]:
    """A cohort's list of copies, checked row by row; a file broken by hand is refused by line."""
    if not path.exists():
        return []
    return [_copy(path, line, row) for line, row in csvio.read_rows(path, COPY_COLUMNS)]


def _copy(path: Path, line: int, row: dict[str, str]) -> Copy:
    from ipskit.core.dates import parse_date

    def problem(message: str) -> FileProblemsError:
        return FileProblemsError([f"{path}:{line}: {message}"])

    if normal_code(row["code"]) != row["code"]:
        raise problem(f"'{row['code'][:20]}' is not a certificate code")
    if row["kind"] not in COPY_KINDS:
        raise problem(f"the kind must be one of {', '.join(COPY_KINDS)}")
    if not _SHA.match(row["sha256"]):
        raise problem("sha256 must be 64 hexadecimal digits")
    try:
        made = parse_date(row["date"])
    except ValueError as error:
        raise problem(f"date: {error}") from None
    return Copy(row["code"], row["kind"], made, row["sha256"])


def record_copy(cohort: Cohort, made: Copy) -> None:
    """Add a copy to the cohort's list, once (the same file made again is listed once).

    The caller holds the cohort's lock.
    """
    path = cohort.file(COPIES_FILE)
    if any(c.sha256 == made.sha256 and c.code == made.code for c in read_copies(path)):
        return
    csvio.append_rows(path, COPY_COLUMNS,
                      [[made.code, made.kind, made.date.isoformat(), made.sha256]])  # fmt: skip
