"""A large-print copy of an issued certificate, made on request.

Someone with low vision may ask for their certificate in large print. The copy says what
the certificate says (the organisation, the name as it was issued, the course, its dates
and hours, the trainers, the signatories, the issue date, the code and the QR code), on
A4 portrait in type of 16pt and larger. It is laid out on its own, as an ordinary tagged
document: unlike a batch, there is no one else's name to keep out of its fonts.

The copy is not a new certificate: it has the same code, and its SHA-256 is listed
beside the register (see :mod:`.verifying`), so that ``verify`` says of it what it says
of the certificate, and revoking the certificate revokes the copy. Only a current
certificate gets a copy: not one revoked, superseded by a reissue, or whose holder was
erased.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ipskit.certificates.issuing import Person, batch_context, file_name, hours_text
from ipskit.certificates.verifying import COPIES_FILE, Copy, record_copy
from ipskit.cohorts.certificate_register import (
    REGISTER_FILE,
    Entry,
    current,
    normal_code,
    read_register,
    registers,
)
from ipskit.cohorts.cohort import Cohort, check_writable
from ipskit.core import store
from ipskit.core.errors import IpskitError, NotFoundError
from ipskit.core.progress import Step
from ipskit.workspace import Workspace

TEMPLATE = "certificate-large.html"
KIND = "large-print"
#: What :func:`ipskit.cohorts.certificate_register.erase_names` leaves of a name.
_ERASED = "[erased]"


@dataclass
class LargePrint:
    """A large-print copy just made."""

    code: str
    cohort: str
    participant: str
    path: Path
    pages: int
    sha256: str
    listed: Path  # the cohort's list of copies, where its SHA-256 is recorded


def copy_file_name(participant: str, code: str) -> str:
    """``certificate-p03-K7QM-4XTD-large-print.pdf``: by id and code, never by name."""
    return file_name(participant, code).removesuffix(".pdf") + f"-{KIND}.pdf"


def make_large_print(workspace: Workspace, code_text: str, *, out: Path | None = None,
                     today: date | None = None,
                     progress: Step | None = None) -> LargePrint:  # fmt: skip
    """Make a large-print copy of a current certificate, and list it so that it verifies.

    ``out`` is the file to write (or a folder to write it in); by default it goes beside
    the certificates, in ``out/COHORT/certificates``. A certificate that is not current,
    or whose holder was erased, gets a one-line refusal and nothing changes.
    """
    from ipskit.cohorts.records import Records
    from ipskit.documents.render import Renderer

    code = normal_code(code_text)
    if code is None:
        raise IpskitError(f"'{code_text[:40]}' is not a certificate code such as K7QM-4XTD")
    cohort = _holding(workspace, code)
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        check_writable(cohort)
        entries = read_register(cohort.file(REGISTER_FILE))
        entry = current(entries)[code]
        _refuse_if_not_current(cohort, entries, entry)
        person = Records.load(cohort).participant(entry.participant)
        if entry.name == _ERASED or person.status == "erased":
            raise IpskitError(
                f"certificate {code} cannot be copied: {entry.participant} asked to be"
                " forgotten and their name was erased, so there is no name to print (the"
                " certificate they hold still verifies)"
            )
        # The language the trainer gave is for the roster's name: it is the certificate's
        # only while that name is still the one the certificate was issued with.
        name_lang = person.name_lang if person.name_on_certificate == entry.name else ""
        renderer = Renderer(workspace, progress=progress, what="the large-print certificate")
        context = large_print_context(workspace, cohort, entry, name_lang, renderer)
        target = _target(workspace, cohort, entry, out)
        settings = workspace.settings
        organisation = settings.organisation.name
        html = renderer.html(TEMPLATE, context)
        document = renderer.layout(html, template=TEMPLATE)
        # As on every certificate: the code in the file's information, where verify finds
        # what a changed copy claims to be.
        document.metadata.description = f"Certificate {code}, issued by {organisation}"
        document.metadata.keywords = [code]
        renderer.write(document, target, title=context["title"],
                       author=organisation, language=settings.locale)  # fmt: skip
        # The file reaches the disk (write_output is durable) before the list vouches for it.
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        record_copy(cohort, Copy(code, KIND, today or date.today(), digest))
    listed = cohort.file(COPIES_FILE)
    return LargePrint(code, cohort.id, entry.participant, target, len(document.pages), digest,
                      listed)  # fmt: skip


def _holding(workspace: Workspace, code: str) -> Cohort:
    """The cohort whose register holds the code."""
    for cohort, entries in registers(workspace):
        if code in current(entries):
            return cohort
    raise NotFoundError(f"no register in this workspace holds certificate {code}")


def _refuse_if_not_current(cohort: Cohort, entries: list[Entry], entry: Entry) -> None:
    """A revoked or superseded certificate gets no copy: say which, and what to do instead."""
    when = f"{entry.date:%Y-%m-%d}"
    if entry.status == "revoked":
        reissue = f"ipskit certificates {cohort.id} --reissue --participant {entry.participant}"
        raise IpskitError(
            f"certificate {entry.code} was revoked on {when} ({entry.reason}), so it gets no"
            f" large-print copy: to issue a new certificate, '{reissue}'"
        )
    if entry.status == "superseded":
        now = [e for e in current(entries).values()
               if e.participant == entry.participant and e.status == "issued"]  # fmt: skip
        instead = (
            f"make the copy of the current one, 'ipskit certificates large-print {now[-1].code}'"
            if now
            else "no certificate of theirs is current"
        )
        raise IpskitError(
            f"certificate {entry.code} was superseded on {when} ({entry.reason}), so it gets"
            f" no large-print copy: {instead}"
        )


def _target(workspace: Workspace, cohort: Cohort, entry: Entry, out: Path | None) -> Path:
    name = copy_file_name(entry.participant, entry.code)
    if out is None:
        return workspace.root / "out" / cohort.id / "certificates" / name
    return out / name if out.is_dir() else out


def large_print_context(workspace: Workspace, cohort: Cohort, entry: Entry, name_lang: str,
                        renderer: Any) -> dict[str, Any]:  # fmt: skip
    """What the large-print template prints: the certificate's own facts, prepared.

    The batch's context, for the one person; the course and its hours as the register
    recorded them when the certificate was issued.
    """
    person = Person(entry.code, entry.participant, entry.name, name_lang)
    context = batch_context(workspace, cohort, [person], entry.issued, renderer)
    (certificate,) = context.pop("certificates")
    course = {**context["course"], "title": entry.course,
              "hours": hours_text(round(float(entry.hours) * 60))}  # fmt: skip
    return {
        **context,
        "title": f"{course['heading']} (large print): {entry.course}",
        "course": course,
        "certificate": {**certificate, "qr": qr_drawing(certificate["target"])},
    }


def qr_drawing(text: str) -> dict[str, Any]:
    """The QR code for ``text`` as an SVG path of its dark modules, one unit each.

    The same code as on the certificate (error level M, mask 2): the template draws it
    in a ``viewBox`` of ``size`` units, with a quiet zone of its own around it.
    """
    from ipskit.certificates.batch_pdf import qr_runs

    size, runs = qr_runs(text)
    path = "".join(f"M{column} {row}h{length}v1h-{length}z" for row, column, length in runs)
    return {"path": path, "size": size}
