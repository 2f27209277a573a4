"""Issuing certificates: each person who qualifies gets one, recorded for good.

A cohort's certificates are listed in its register (see
:mod:`ipskit.cohorts.certificate_register`), which only ever grows. Issuing lays the
batch out once and cuts each person's file from it (see :mod:`.batch_pdf`); who qualifies
is :mod:`.qualifying`, and checking or revoking a certificate is :mod:`.verifying`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.certificates.batch_pdf import combine, render_batch
from ipskit.certificates.qualifying import Qualifying, who_qualifies
from ipskit.cohorts.certificate_register import (
    REGISTER_FILE,
    Entry,
    append_entries,
    new_code,
    read_register,
    registers,
)
from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort, check_writable
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.dateformat import date_span, plain_date
from ipskit.core.progress import Step
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from ipskit.courses.curriculum import Certificate as CertificateWording

# --- making them ------------------------------------------------------------------------


@dataclass
class Issued:
    """A certificate made in this run."""

    code: str
    participant: str
    path: Path
    sha256: str


@dataclass
class Batch:
    """What a run of ``certificates`` did."""

    issued: list[Issued]
    combined: Path | None
    register: Path
    qualifying: Qualifying
    warnings: list[str]


def hours_number(minutes: int) -> str:
    """'22.5' for 1,350 minutes: hours as the register and the certificate print them."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def hours_text(minutes: int) -> str:
    """'22.5 contact hours'."""
    number = hours_number(minutes)
    return f"{number} contact hour{'' if number == '1' else 's'}"


def verification_target(url: str | None, code: str) -> str:
    """What the QR code holds: the verification address for this code, or the code."""
    if url is None:
        return code
    if "{code}" in url:
        return url.replace("{code}", code)
    # In the fragment: a browser never sends it to the server, so the web host's logs
    # never learn which certificates are checked (see verifysite.py).
    return f"{url.split('#')[0]}#{code}"


def qr_text(url: str | None, code: str, organisation: str) -> str:
    """What a screen reader says of the QR code: what it is for, and what it holds."""
    if url is None:
        return f"QR code: this certificate's code, {code}. To check it, give the code to" \
            f" {organisation}."  # fmt: skip
    where = url.replace("{code}", code) if "{code}" in url else url.split("#")[0]
    return f"QR code: check this certificate at {where} with code {code}"


def _name_size(name: str) -> str:
    """A class for the name's type size, so that any name (200 characters at most) fits."""
    for limit, size in ((34, ""), (52, "long"), (100, "longest")):
        if len(name) <= limit:
            return size
    return "extreme"


@dataclass(frozen=True)
class Person:
    """One certificate to print."""

    code: str
    participant: str
    name: str
    name_lang: str = ""  # the language the trainer chose for the name, if any


def batch_context(workspace: Workspace, cohort: Cohort, people: Sequence[Person],
                  issued: date, renderer: Any) -> dict[str, Any]:  # fmt: skip
    """What the certificate template prints, prepared (it does no work of its own)."""
    from ipskit.courses.curriculum import load
    from ipskit.documents.context import organisation

    settings = workspace.settings
    wording = load(cohort.file(CURRICULUM_FILE)).certificate
    sessions = cohort.settings.sessions
    from ipskit.cohorts.cascade import trainer_names

    trainers = trainer_names(cohort, certified=True)
    trained = " and ".join([", ".join(trainers[:-1]), trainers[-1]] if len(trainers) > 1
                           else trainers)  # fmt: skip
    url = settings.verification_url
    certificates = [
        {"code": person.code, "name": person.name, "name_lang": person.name_lang,
         "size": _name_size(person.name), "target": verification_target(url, person.code),
         "qr_alt": qr_text(url, person.code, settings.organisation.name)}
        for person in people
    ]  # fmt: skip
    check = (
        ["To check it, scan the code or visit", url] if url
        else ["To check it, give its code to", settings.organisation.name]
    )  # fmt: skip
    return {
        "title": certificate_title(wording.heading, cohort),
        "language": settings.locale,
        "organisation": organisation(workspace, renderer),
        "signatories": [
            {"name": s.name, "role": s.role, "signature": renderer.image(s.signature)}
            for s in settings.signatories
        ],
        "course": {
            "heading": wording.heading,
            "statement": statement(wording, accredited=settings.accredited),
            "title": cohort.settings.curriculum_title,
            "dates": date_span(sessions[0].date, sessions[-1].date, settings.locale)
            if sessions
            else "",
            "hours": hours_text(sum(m.contact_minutes for m in sessions)),
            "trainers": f"Trained by {trained}" if trainers else "",
            "issued": plain_date(issued, settings.locale),
            "check": check,
        },
        "certificates": certificates,
    }


def statement(wording: CertificateWording, *, accredited: bool) -> str:
    """The words after the name: the accredited form only for an accredited organisation.

    Only trainers accredited by Intentional Peer Support may call a course an IPS course;
    everyone else's certificates say it is based on the approach (the plain statement).
    """
    if accredited and wording.accredited_statement:
        return wording.accredited_statement
    return wording.statement


def certificate_title(heading: str, cohort: Cohort) -> str:
    """The PDF title: the kind of certificate and the course, never a name."""
    return f"{heading}: {cohort.settings.curriculum_title}"


def issue_certificates(
    workspace: Workspace,
    cohort: Cohort,
    *,
    who: Sequence[str] = (),
    reissue: bool = False,
    out: Path | None = None,
    named_files: bool = False,
    today: date | None = None,
    progress: Step | None = None,
) -> Batch:
    """Issue certificates to everyone newly qualified (or to ``who``), under the lock.

    Each person's PDF is written, then the combined print file, then the register rows:
    a run stopped half way leaves files no register vouches for, never a register entry
    without its file.
    """
    from ipskit.documents.render import Renderer, write_output

    today = today or date.today()
    path = cohort.file(REGISTER_FILE)
    folder = out or workspace.root / "out" / cohort.id / "certificates"
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        check_writable(cohort)
        records = Records.load(cohort)
        entries = read_register(path)
        decided = who_qualifies(cohort, records, entries, who=who, reissue=reissue)
        warnings = [_unprintable(p) for p in decided.unprintable]
        if not decided.grants:
            return Batch([], None, path, decided, warnings)
        taken = {e.code for _, found in registers(workspace) for e in found}
        people = [Person(new_code(taken), g.participant.id, g.participant.name_on_certificate,
                         g.participant.name_lang) for g in decided.grants]  # fmt: skip
        renderer = Renderer(workspace)
        context = batch_context(workspace, cohort, people, today, renderer)
        meta = {"title": context["title"], "author": workspace.settings.organisation.name,
                "language": workspace.settings.locale}  # fmt: skip
        if not folder.is_dir():
            store.make_private_dir(folder)
        issued: list[Issued] = []
        chunks = []
        making = "Making the certificates"
        if progress:
            progress(making, 0, len(people))
        for chunk in render_batch(workspace, renderer, context, meta):
            for data in chunk.files:  # written as each chunk arrives, while the next is laid out
                person = people[len(issued)]
                slug = _slug(person.name) if named_files else None
                target = folder / file_name(person.participant, person.code, slug)
                write_output(target, data, durable=False)  # see sync_files below
                issued.append(Issued(person.code, person.participant, target,
                                     hashlib.sha256(data).hexdigest()))  # fmt: skip
            chunks.append(chunk._replace(files=[]))
            if progress:
                progress(making, len(issued), len(people))
        if progress:
            progress("Writing the file to print them all")
        print_file = _free(folder / f"certificates-{today.isoformat()}.pdf")
        write_output(print_file, combine(chunks, meta), durable=False)
        # The files reach the disk before the register vouches for them.
        store.sync_files([made.path for made in issued] + [print_file])
        course = cohort.settings.curriculum_title
        hours = hours_number(sum(m.contact_minutes for m in cohort.settings.sessions))
        rows = []
        for grant, made, person in zip(decided.grants, issued, people, strict=True):
            if grant.replaces is not None:
                rows.append(
                    grant.replaces._replace(
                        status="superseded", date=today, reason=f"replaced by {made.code}"
                    )
                )
            rows.append(Entry(made.code, made.participant, person.name, course, hours, today,
                              made.sha256, "issued", today, "", path, 0))  # fmt: skip
        append_entries(path, rows)
    return Batch(issued, print_file, path, decided, warnings)


def _unprintable(person: Participant) -> str:
    return (
        f"{person.id}: no installed font can draw the name on their certificate, so none was"
        " issued: install a font for it (see the README) and run certificates again"
    )


def file_name(participant: str, code: str, middle: str | None = None) -> str:
    """A certificate's file name: by id and code, and with --named-files a slug between.

    ``certificate-p03-K7QM-4XTD.pdf``, or ``certificate-p03-Siân-Hughes-K7QM-4XTD.pdf``.
    """
    return f"certificate-{participant}{f'-{middle}' if middle else ''}-{code}.pdf"


def _slug(name: str) -> str:
    words = re.findall(r"\w+", name)
    return "-".join(words)[:60] or "name"


def _free(path: Path) -> Path:
    """``path``, or ``path`` with -2, -3... when a file of that name exists."""
    number = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate
