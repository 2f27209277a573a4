"""A cohort's certificate register, ``certificates.csv``, and its codes.

The register only ever grows: a certificate's first row says it was issued (with the
SHA-256 of its PDF); a later row for the same code says it was superseded (by a reissue)
or revoked, when and why. Nothing already written is changed, so the register is also the
history. The one exception is erasure: a forgotten person's name is blanked.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ipskit.cohorts.cohort import Cohort, all_cohorts
from ipskit.core import csvio, store
from ipskit.core.errors import FileProblemsError
from ipskit.workspace import Workspace

REGISTER_FILE = "certificates.csv"
COLUMNS = ("code", "participant", "name_on_certificate", "course", "hours", "issued",
           "sha256", "status", "date", "reason")  # fmt: skip
STATUSES = ("issued", "superseded", "revoked")
#: Crockford's base 32: no I, L, O or U, so a code read aloud or typed is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
_LOOK_ALIKES = str.maketrans("OIL", "011")
_DASHES = str.maketrans(dict.fromkeys([*range(0x2010, 0x2016), 0x2212], "-"))
_LOOSE_CODE = re.compile(rf"^[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}}$", re.IGNORECASE)
_PID = re.compile(r"^p[0-9]{2,}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


class Entry(NamedTuple):
    """A row of a certificate register: an issue, or a later change to its status."""

    code: str
    participant: str
    name: str
    course: str
    hours: str
    issued: date
    sha256: str
    status: str
    date: date
    reason: str
    path: Path
    line: int

    def row(self) -> list[str]:
        """The row as written to the register."""
        return [self.code, self.participant, self.name, self.course, self.hours,
                self.issued.isoformat(), self.sha256, self.status, self.date.isoformat(),
                self.reason]  # fmt: skip


def new_code(taken: set[str]) -> str:
    """A fresh certificate code, e.g. ``K7QM-4XTD``: 40 random bits, never one in use."""
    while True:
        text = "".join(secrets.choice(ALPHABET) for _ in range(8))
        code = f"{text[:4]}-{text[4:]}"
        if code not in taken:
            taken.add(code)
            return code


def normal_code(text: str) -> str | None:
    """A code as people may type it, written properly ("K7QM-4XTD"); or None.

    As the verification page reads one: small letters, spaces anywhere ("mhk5 k0jh"),
    with or without its hyphen, or with a dash a word processor made of it. As
    Crockford's alphabet intends, O is read as 0, and I and L as 1: codes never hold
    those letters, and people misread them so.
    """
    text = "".join(text.split()).translate(_DASHES).upper().translate(_LOOK_ALIKES)
    if not _LOOSE_CODE.match(text):
        return None
    text = text.replace("-", "")
    return f"{text[:4]}-{text[4:]}"


# --- the register -------------------------------------------------------------------------


def read_register(path: Path) -> list[Entry]:
    """A cohort's register, checked row by row; a file broken by hand is refused by line."""
    if not path.exists():
        return []
    entries: list[Entry] = []
    latest: dict[str, Entry] = {}
    for line, row in csvio.read_rows(path, COLUMNS):
        entry = _entry(path, line, row)
        before = latest.get(entry.code)
        if before is None and entry.status != "issued":
            raise _problem(path, line, f"{entry.code} is {entry.status} but was never issued")
        if before is not None:
            if entry.status == "issued":
                raise _problem(path, line, f"{entry.code} is issued twice")
            if before.status == "revoked":
                raise _problem(path, line, f"{entry.code} was revoked on line {before.line}")
            if (entry.participant, entry.sha256, entry.issued) != (
                before.participant, before.sha256, before.issued,
            ):  # fmt: skip
                raise _problem(path, line, f"{entry.code} does not match its row {before.line}")
        latest[entry.code] = entry
        entries.append(entry)
    return entries


def _problem(path: Path, line: int, message: str) -> FileProblemsError:
    return FileProblemsError([f"{path}:{line}: {message}"])


def _entry(path: Path, line: int, row: dict[str, str]) -> Entry:
    from ipskit.core.dates import parse_date

    if not CODE.match(row["code"]):
        raise _problem(path, line, f"'{row['code'][:20]}' is not a certificate code")
    if not _PID.match(row["participant"]):
        raise _problem(path, line, "the participant must be an id such as p01")
    if not _SHA.match(row["sha256"]):
        raise _problem(path, line, "sha256 must be 64 hexadecimal digits")
    if row["status"] not in STATUSES:
        raise _problem(path, line, f"the status must be one of {', '.join(STATUSES)}")
    if not row["name_on_certificate"].strip() or not row["course"].strip():
        raise _problem(path, line, "the name and the course cannot be empty")
    try:
        float(row["hours"])
    except ValueError:
        raise _problem(path, line, "hours must be a number such as 22.5") from None
    dates = []
    for column in ("issued", "date"):
        try:
            dates.append(parse_date(row[column]))
        except ValueError as error:
            raise _problem(path, line, f"{column}: {error}") from None
    return Entry(row["code"], row["participant"], row["name_on_certificate"], row["course"],
                 row["hours"], dates[0], row["sha256"], row["status"], dates[1], row["reason"],
                 path, line)  # fmt: skip


def current(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Each code's latest row: where every certificate stands now."""
    latest: dict[str, Entry] = {}
    for entry in entries:
        latest[entry.code] = entry
    return latest


def rivals(entries: Iterable[Entry]) -> list[list[Entry]]:
    """The certificates that stand side by side for one person, each group in register order.

    A person has one valid certificate for a course: a reissue supersedes the one before.
    Two computers that each issued one, and shared the register since, leave two.
    """
    held: dict[str, list[Entry]] = {}
    for entry in current(entries).values():
        if entry.status == "issued":
            held.setdefault(entry.participant, []).append(entry)
    return [sorted(found, key=lambda e: e.line) for found in held.values() if len(found) > 1]


def keep(workspace: Workspace, code_text: str, *,
         today: date | None = None) -> tuple[Entry, list[Entry]]:  # fmt: skip
    """Keep one of the certificates a person holds side by side; the others are superseded.

    Each other valid certificate of that person in that cohort gets a ``superseded`` row,
    "replaced by CODE", so that it verifies as superseded. Returns the one kept and the
    rows added.
    """
    from ipskit.core.errors import IpskitError, NotFoundError

    code = normal_code(code_text)
    if code is None:
        raise IpskitError(f"'{code_text[:40]}' is not a certificate code such as K7QM-4XTD")
    for cohort, entries in registers(workspace):
        if code not in current(entries):
            continue
        with store.locked(cohort.folder, f"cohort {cohort.id}"):
            path = cohort.file(REGISTER_FILE)
            now = current(read_register(path))
            entry = now[code]
            if entry.status != "issued":
                raise IpskitError(
                    f"certificate {code} was {entry.status} on {entry.date:%Y-%m-%d}, so it"
                    " cannot be the one kept: keep one of the certificates still valid"
                )
            others = [e for e in now.values() if e.participant == entry.participant
                      and e.status == "issued" and e.code != code]  # fmt: skip
            if not others:
                raise IpskitError(
                    f"certificate {code} is the only valid certificate of"
                    f" {entry.participant} in cohort {cohort.id}: there is nothing to choose"
                )
            day = today or date.today()
            rows = [e._replace(status="superseded", date=day, reason=f"replaced by {code}")
                    for e in sorted(others, key=lambda e: e.line)]  # fmt: skip
            append_entries(path, rows)
            return entry, rows
    raise NotFoundError(f"no register in this workspace holds certificate {code}")


def append_entries(path: Path, entries: Sequence[Entry]) -> None:
    """Add rows to the end of a register, leaving every row already there as it was."""
    csvio.append_rows(path, COLUMNS, [e.row() for e in entries])


def erase_names(cohort: Cohort, participant: str | None, finder: Any = None) -> None:
    """Blank a person's name in the cohort's register, on their request to be forgotten.

    ``finder`` (a :class:`ipskit.cohorts.records.NameFinder`) takes their name out of every
    reason too: a trainer types reasons for revoking ("Siôn asked for a new copy"). With
    ``participant`` None only the reasons are scrubbed (a cohort the person trained).
    This is the one change that rewrites the register rather than adding to it: erasure
    outranks an append-only log. Codes, dates and hashes stay, so their certificates
    still verify. The caller holds the cohort's lock.
    """
    path = cohort.file(REGISTER_FILE)
    entries = read_register(path)
    erased = [e._replace(name="[erased]") if e.participant == participant else e
              for e in entries]  # fmt: skip
    if finder is not None:
        erased = [e._replace(reason=finder.sub(e.reason)) for e in erased]
    if erased != entries:
        store.write_atomic(path, csvio.to_text(COLUMNS, [e.row() for e in erased]))


def registers(workspace: Workspace) -> list[tuple[Cohort, list[Entry]]]:
    """Every cohort of the workspace that has issued certificates, with its register."""
    found = []
    for cohort in all_cohorts(workspace.cohorts_dir):
        path = cohort.file(REGISTER_FILE)
        if path.exists():
            found.append((cohort, read_register(path)))
    return found
