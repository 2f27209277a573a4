"""The log of what was emailed to a cohort's people, ``sent.csv``.

Each row says what went (``certificate K7QM-4XTD``, ``followup 9w``), to whom (a
participant id, never a name or an address), when, and the message's Message-ID. Whatever
is in the log is never sent again.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ipskit.core import csvio
from ipskit.core.errors import FileProblemsError, IpskitError

SENT_FILE = "sent.csv"
SENT_COLUMNS = ("what", "participant", "sent", "message_id")
_PID = re.compile(r"^p[0-9]{2,}$")
_WHAT = re.compile(r"^(certificate [0-9A-Z]{4}-[0-9A-Z]{4}|followup [1-9][0-9]?[wm])$")
_MESSAGE_ID = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")

def read_sent(path: Path) -> set[tuple[str, str]]:
    """What a cohort's ``sent.csv`` says went, as (what, participant) pairs.

    A file broken by hand is refused with its line, before anything is sent.
    """
    if not path.exists():
        return set()
    done = set()
    for line, row in csvio.read_rows(path, SENT_COLUMNS):
        what, pid = row["what"].strip(), row["participant"].strip()
        if not _WHAT.match(what):
            raise _problem(path, line, "what must be 'certificate CODE' or 'followup POINT'")
        if not _PID.match(pid):
            raise _problem(path, line, "the participant must be an id such as p01")
        try:
            datetime.fromisoformat(row["sent"].strip())
        except ValueError:
            raise _problem(path, line, "sent must be a date and time such as"
                           " 2027-03-04T18:30:00+00:00") from None  # fmt: skip
        if not _MESSAGE_ID.match(row["message_id"].strip()):
            raise _problem(path, line, "message_id must be a Message-ID such as <abc@example.org>")
        done.add((what, pid))
    return done


def _problem(path: Path, line: int, message: str) -> FileProblemsError:
    return FileProblemsError([f"{path}:{line}: {message}"])


def record_sent(path: Path, row: list[str]) -> None:
    """Add one row to the log, rewriting it whole so that it is never half-written."""
    try:
        csvio.append_rows(path, SENT_COLUMNS, [row])
    except OSError as error:
        raise IpskitError(
            f"{path}: the message to {row[1]} went, but cannot be recorded"
            f" ({error.strerror or error}): add the line '{','.join(row)}' by hand"
        ) from None
