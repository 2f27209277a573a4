"""Who gets what: each person's own certificates not yet sent, or their one invitation.

A person is written to only when they may be (not withdrawn, not erased) and their
address can go in a To line exactly as the roster has it; anyone left out gets one
line in the run's outcome, by participant id, never by name or address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.documents.render import Renderer
from ipskit.mail.letters import certificate_letter, followup_letter
from ipskit.mail.messages import Letter, Sender
from ipskit.mail.outcome import Outcome
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.cohorts.followups import Due


def _reachable(person: Participant, outcome: Outcome) -> bool:
    """Whether a person may be emailed; if not, a line saying why (never an address)."""
    if person.status == "erased":
        return False  # nothing of theirs is kept to contact them with, nor should be
    if person.status == "withdrawn":
        outcome.not_sent.append(f"{person.id} has withdrawn: not emailed")
        return False
    if not person.email:
        outcome.not_sent.append(f"{person.id} has no email address")
        return False
    if not _usable(person.email):
        outcome.not_sent.append(f"{person.id}: their email address cannot be used; check it")
        return False
    return True


def _usable(address: str) -> bool:
    """Whether an address can go in a To line exactly as the roster has it."""
    from email.errors import MessageError
    from email.headerregistry import Address

    try:
        return Address(addr_spec=address).addr_spec == address  # "a(b)@x.org" is a@x.org
    except (ValueError, MessageError):
        return False


def certificate_letters(workspace: Workspace, cohort: Cohort, records: Records,
                        sent: set[tuple[str, str]], sender: Sender, outcome: Outcome,
                        who: Sequence[str] = ()) -> list[Letter]:  # fmt: skip
    """Each person's own certificates that stand issued and have not been sent yet."""
    from ipskit.cohorts.certificate_register import REGISTER_FILE, current, read_register

    chosen = {records.find(w, include_withdrawn=True).id for w in who}
    standing = [e for e in current(read_register(cohort.file(REGISTER_FILE))).values()
                if e.status == "issued"]  # fmt: skip
    folder = workspace.root / "out" / cohort.id / "certificates"
    shown = folder.relative_to(workspace.root)
    remake = f"ipskit certificates {cohort.id} --reissue --participant"
    renderer = Renderer(workspace)
    letters = []
    for person in records.roster:
        if chosen and person.id not in chosen:
            continue
        theirs = [e for e in standing if e.participant == person.id]
        waiting = [e for e in theirs if (f"certificate {e.code}", person.id) not in sent]
        outcome.skipped += len(theirs) - len(waiting)
        if not waiting or not _reachable(person, outcome):
            continue
        for entry in waiting:
            pdf = _certificate_file(folder, person.id, entry.code, entry.sha256)
            if not isinstance(pdf, bytes):
                problem = f"is missing from {shown}" if pdf is None else f"in {shown} was changed"
                outcome.not_sent.append(
                    f"{person.id}: certificate {entry.code} {problem};"
                    f" remake it with {remake} {person.id}"
                )
                continue
            letters.append(certificate_letter(workspace, cohort, sender, person, entry.code,
                                              pdf, renderer=renderer))  # fmt: skip
    return letters


def _certificate_file(folder: Path, pid: str, code: str, sha256: str) -> bytes | bool | None:
    """The PDF issued with this code, as ``certificates`` names it.

    None if there is no such file; False if there is, but it is not the one issued.
    """
    found: bool | None = None
    from ipskit.certificates.issuing import file_name

    candidates = [folder / file_name(pid, code)]
    if folder.is_dir():  # --named-files puts the name between the id and the code
        candidates += sorted(folder.glob(file_name(pid, code, "*")))
    for path in candidates:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == sha256:
            return data
        found = False
    return found


def followup_letters(workspace: Workspace, cohort: Cohort, records: Records,
                     sent: set[tuple[str, str]], sender: Sender, outcome: Outcome,
                     dues: Sequence[Due]) -> list[Letter]:  # fmt: skip
    """An invitation for each person still to answer, at the latest point that has come.

    When two points have come and neither invitation went (a run missed), only the later
    one is sent: two messages at once asking the same thing would be a nuisance.
    """
    latest: dict[str, str] = {}
    for item in sorted(dues, key=lambda d: d.point.due):
        for pid in item.waiting:
            earlier = latest.get(pid)
            if earlier is not None and (f"followup {earlier}", pid) not in sent:
                if earlier not in outcome.passed_over:
                    outcome.passed_over.append(earlier)
            latest[pid] = item.point.at
    renderer = Renderer(workspace)
    letters = []
    for person in records.roster:
        at = latest.get(person.id)
        if at is None:
            continue
        if (f"followup {at}", person.id) in sent:
            outcome.skipped += 1
            continue
        if _reachable(person, outcome):
            letters.append(followup_letter(workspace, cohort, sender, person, at,
                                           renderer=renderer))  # fmt: skip
    return letters
