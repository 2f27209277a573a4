"""One message to one person: who it is from, who it is to, and nothing else in its headers.

Every header holds one line of text or one checked mailbox. A name is shown beside an
address only when the header it makes reads back as exactly that one address, and the
To line holds the one person the message is for.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.record_types import Participant
from ipskit.core.errors import IpskitError, argument
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from email.headerregistry import Address

#: Who dry-run messages are from when ``ipskit.yaml`` has no ``email:`` section; the
#: ``.invalid`` domain is reserved, so nothing can ever be delivered to it.
PLACEHOLDER_ADDRESS = "training@example.invalid"


class Sender(NamedTuple):
    """Who messages are from."""

    header: Address  # the From line
    address: str  # the envelope sender
    reply_to: Address | None
    placeholder: bool


class Letter(NamedTuple):
    """One message to one person."""

    what: str
    participant: str
    address: str
    message: EmailMessage
    file_name: str


def mailbox(name: str, address: str) -> Address:
    """One mailbox for a header line: the address, and the name shown with it if safe.

    Python writes an ASCII display name as it is, and mail programs decode any encoded
    word in it (``=?utf-8?b?...?=``, RFC 2047): a name holding one could be read back as
    more addresses. Such a name, and any name whose header does not read back as exactly
    this one address, is left out; the address alone is always safe.
    """
    from email.headerregistry import Address

    shown = " ".join(name.split())
    if shown and "=?" not in shown:
        candidate = Address(display_name=shown, addr_spec=address)
        if _reads_back(candidate, address):
            return candidate
    return Address(addr_spec=address)


def _reads_back(candidate: Address, address: str) -> bool:
    """Whether a To line written with this mailbox is read as this one address."""
    import email
    from email.policy import SMTP, default

    probe = EmailMessage()
    probe["To"] = candidate
    found = email.message_from_bytes(probe.as_bytes(policy=SMTP), policy=default)["To"]
    return found is not None and [a.addr_spec for a in found.addresses] == [address]


def _settings_mailbox(text: str) -> Address:
    """``Name <address>`` from ``ipskit.yaml`` as a mailbox (its name only if safe)."""
    from email.utils import parseaddr

    name, address = parseaddr(text)
    return mailbox(name, address)


def sender_of(workspace: Workspace, *, dry_run: bool) -> Sender:
    """Who the messages are from: ``email.sender``, or a placeholder for a dry run."""
    email = workspace.settings.email
    if email is None:
        if not dry_run:
            raise IpskitError(
                f"{workspace.settings_path}: add an 'email:' section (host and sender, see"
                f" the README) to send messages, or use {argument('dry_run=True')} to write"
                " them as files"
            )
        name = workspace.settings.organisation.name
        header = mailbox(name, PLACEHOLDER_ADDRESS)
        return Sender(header, PLACEHOLDER_ADDRESS, None, placeholder=True)
    sender = _settings_mailbox(email.sender)
    reply_to = _settings_mailbox(email.reply_to) if email.reply_to else None
    return Sender(sender, sender.addr_spec, reply_to, placeholder=False)


def letter(sender: Sender, person: Participant, subject: str, body: str) -> EmailMessage:
    """A plain-text message to one person, in UTF-8, whose To line holds them alone."""
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["From"] = sender.header
    message["To"] = mailbox(person.name, person.email)
    if sender.reply_to:
        message["Reply-To"] = sender.reply_to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.address.rsplit("@", 1)[1])
    # Quoted-printable keeps any script intact through servers without 8BITMIME.
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message
