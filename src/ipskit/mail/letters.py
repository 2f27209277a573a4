"""The words of the two emails: the templates ``email/certificate.txt`` and ``followup.txt``.

A workspace replaces either by a file of the same name in its own ``templates/``, as
for any document. The emails are plain text, so their templates run in a sandbox of
their own without HTML escaping ("&" stays "&"), with ``StrictUndefined`` and the same
loader as every template: no file outside the two template folders, no link.

A template's first line is the subject (``Subject: ...``); the rest is the message,
paragraphs apart by blank lines, each written on one line wrapped at 72 characters for
a plain-text reader. Names and settings are data: a line break inside one keeps its
paragraph as written, and can neither start a paragraph of its own nor reach past the
subject's one line into the headers.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from ipskit.cohorts.cohort import Cohort
from ipskit.cohorts.record_types import Participant
from ipskit.core.dateformat import plain_date
from ipskit.core.errors import IpskitError
from ipskit.core.names import isolate
from ipskit.courses.meetings import point_parts
from ipskit.documents.render import Renderer
from ipskit.mail.messages import Letter, Sender, letter
from ipskit.workspace import Workspace

CERTIFICATE_TEMPLATE = "email/certificate.txt"
FOLLOWUP_TEMPLATE = "email/followup.txt"
WIDTH = 72
SUBJECT = "Subject:"
#: Stands for a line break inside the data while the template's paragraphs are found: a
#: private-use character, which no text of ipskit's own holds.
_BREAK = "\ue000"
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def compose(renderer: Renderer, template: str, values: dict[str, Any]) -> tuple[str, str]:
    """The subject and the body an email template makes of these values."""
    text = renderer.text(template, {key: _data(value) for key, value in values.items()})
    first, _, rest = text.lstrip(" \t\n").partition("\n")
    if not first.startswith(SUBJECT):
        raise IpskitError(
            f"{renderer.path_of(template)}: an email template starts with its subject, on"
            f" a line of its own: {SUBJECT} ..."
        )
    subject = " ".join(first.removeprefix(SUBJECT).replace(_BREAK, " ").split())
    if not subject:
        raise IpskitError(f"{renderer.path_of(template)}: the email's subject is empty")
    return subject, _paragraphs(rest)


def _data(value: Any) -> Any:
    """A value for a template, its line breaks held apart from the template's own."""
    if isinstance(value, str):
        return value.replace(_BREAK, "\ufffd").replace("\n", _BREAK)
    return value


def _paragraphs(text: str) -> str:
    """Paragraphs wrapped for a plain-text reader, at most 72 characters a line.

    A paragraph of several lines, or starting with a space, is kept as it is.
    """
    out = []
    for part in _BLANK_LINES.split(text.strip("\n")):
        if not part.strip():
            continue  # a paragraph the template left out
        if "\n" not in part and _BREAK not in part and not part.startswith(" "):
            part = textwrap.fill(part, WIDTH, break_long_words=False, break_on_hyphens=False)
        out.append(part.replace(_BREAK, "\n"))
    return "\n\n".join(out) + "\n"


def _organisation(workspace: Workspace) -> dict[str, Any]:
    organisation = workspace.settings.organisation
    return {"organisation": organisation.name, "contact": organisation.contact}


def certificate_letter(workspace: Workspace, cohort: Cohort, sender: Sender,
                       person: Participant, code: str, pdf: bytes, *,
                       renderer: Renderer | None = None) -> Letter:  # fmt: skip
    """A person's certificate, attached, with a short warm note."""
    from ipskit.certificates.issuing import verification_target

    url = workspace.settings.verification_url
    attached = f"certificate-{code}.pdf"
    subject, body = compose(renderer or Renderer(workspace), CERTIFICATE_TEMPLATE, {
        "name": isolate(person.name),
        "course": cohort.settings.curriculum_title,
        "code": code,
        "attachment": attached,
        "verify_at": verification_target(url, code) if url else None,
        **_organisation(workspace),
    })  # fmt: skip
    message = letter(sender, person, subject, body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attached)
    return Letter(f"certificate {code}", person.id, person.email, message,
                  f"certificate-{person.id}-{code}.eml")  # fmt: skip


def followup_letter(workspace: Workspace, cohort: Cohort, sender: Sender,
                    person: Participant, at: str, *,
                    renderer: Renderer | None = None) -> Letter:  # fmt: skip
    """An invitation to say, in a line or two, how things have gone since the course."""
    count, unit = point_parts(at)
    subject, body = compose(renderer or Renderer(workspace), FOLLOWUP_TEMPLATE, {
        "name": isolate(person.name),
        "course": cohort.settings.curriculum_title,
        "point": f"{count}-{unit}",  # 9w as "9-week", 12m as "12-month"
        "count": count,
        "unit": unit,
        "ended": plain_date(cohort.settings.sessions[-1].date, workspace.settings.locale),
        "support": workspace.settings.support,
        **_organisation(workspace),
    })  # fmt: skip
    message = letter(sender, person, subject, body)
    return Letter(f"followup {at}", person.id, person.email, message,
                  f"followup-{at}-{person.id}.eml")  # fmt: skip
