"""Emailing certificates and follow-up invitations, each person their own, once.

Messages go through the organisation's own mail server (``email:`` in ``ipskit.yaml``),
over one connection per run, encrypted unless the server is on this computer. The
password is never kept in a file: it comes from an environment variable or the system
keyring. With ``dry_run`` the messages are written as ``.eml`` files instead, for a
trainer to look at (or send from their own mail program).

Each cohort keeps a log of what was sent, ``sent.csv``: what (``certificate K7QM-4XTD``,
``followup 9w``), to whom (a participant id, never a name or an address), when, and the
message's Message-ID. Whatever is in the log is never sent again, and a row is added as
soon as each message has gone: a run stopped half way sends only the rest next time.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.cohort import Cohort, check_writable, point_parts
from ipskit.cohorts.records import Participant, Records
from ipskit.cohorts.sent_log import SENT_FILE, read_sent, record_sent
from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.core.names import isolate
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from email.headerregistry import Address
    from smtplib import SMTP

    from ipskit.cohorts.followups import Due
    from ipskit.workspace.settings import Email

KEYRING_SERVICE = "ipskit"
#: Who dry-run messages are from when ``ipskit.yaml`` has no ``email:`` section; the
#: ``.invalid`` domain is reserved, so nothing can ever be delivered to it.
PLACEHOLDER_ADDRESS = "training@example.invalid"
TIMEOUT_SECONDS = 30
WIDTH = 72

# --- what a run did ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened for one cohort: sent (or written), skipped, and who was not reached."""

    cohort: str
    sent: list[tuple[str, str]] = field(default_factory=list)  # (what, participant id)
    written: list[Path] = field(default_factory=list)  # the .eml files of a dry run
    skipped: int = 0  # already in sent.csv
    not_sent: list[str] = field(default_factory=list)  # one line each, by participant id
    passed_over: list[str] = field(default_factory=list)  # follow-up points a later one replaced
    log: Path | None = None  # the cohort's sent.csv
    outbox: Path | None = None  # where a dry run wrote its messages


@dataclass
class Report:
    """What a run of ``send`` did, cohort by cohort."""

    dry_run: bool
    outcomes: list[Outcome]
    placeholder: str | None = None  # the From address used when ipskit.yaml has no email:
    upcoming: tuple[str, str, date] | None = None  # the next follow-up: cohort, point, due


# --- messages -----------------------------------------------------------------------------------


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
                " the README) to send messages, or use --dry-run to write them as files"
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


def _paragraphs(*parts: str | None) -> str:
    """Paragraphs wrapped for a plain-text reader; lines starting with a space kept as they are."""
    out = []
    for part in parts:
        if part is None:
            continue
        lines = part.split("\n")
        if len(lines) > 1 or part.startswith(" "):
            out.append(part)
        else:
            out.append(textwrap.fill(part, WIDTH, break_long_words=False, break_on_hyphens=False))
    return "\n\n".join(out) + "\n"


def _signature(workspace: Workspace, greeting: str) -> str:
    organisation = workspace.settings.organisation
    return "\n".join(line for line in (greeting, organisation.name, organisation.contact) if line)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def certificate_letter(workspace: Workspace, cohort: Cohort, sender: Sender,
                       person: Participant, code: str, pdf: bytes) -> Letter:  # fmt: skip
    """A person's certificate, attached, with a short warm note."""
    from ipskit.certificates.issuing import verification_target

    settings = workspace.settings
    course = cohort.settings.curriculum_title
    organisation = settings.organisation.name
    if settings.verification_url:
        where = verification_target(settings.verification_url, code)
        check = f"Anyone you show it to can check that it is genuine at {where}"
    else:
        check = (
            f"Anyone you show it to can check that it is genuine by giving this code"
            f" to {organisation}."
        )
    attached = f"certificate-{code}.pdf"
    body = _paragraphs(
        f"Hello {isolate(person.name)},",
        f"Congratulations on completing {course}. Your certificate is attached to this"
        f" email as a PDF ({attached}), ready to keep or to print.",
        f"Its code is {code}. {check}",
        "Thank you for everything you brought to the course. We hope what you learned"
        " together stays with you.",
        "If anything on it is not right, such as how your name is written, just reply to"
        " this email and we will put it right.",
        _signature(workspace, "With warm wishes,"),
    )
    message = letter(sender, person, f"Your certificate: {course}", body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attached)
    return Letter(f"certificate {code}", person.id, person.email, message,
                  f"certificate-{person.id}-{code}.eml")  # fmt: skip


def _point_words(at: str) -> str:
    """``9w`` as "9-week", ``12m`` as "12-month"."""
    count, unit = point_parts(at)
    return f"{count}-{unit}"


def followup_letter(workspace: Workspace, cohort: Cohort, sender: Sender,
                    person: Participant, at: str) -> Letter:  # fmt: skip
    """An invitation to say, in a line or two, how things have gone since the course."""
    settings = workspace.settings
    course = cohort.settings.curriculum_title
    last = cohort.settings.sessions[-1].date
    body = _paragraphs(
        f"Hello {isolate(person.name)},",
        f"This is our {_point_words(at)} follow-up for {course}, which ended on {_day(last)}."
        " We get in touch with everyone who took part, to learn how things have gone since"
        " and what helps.",
        "We would love to hear from you about two things:",
        "  1. Are you using what you learned on the course, in any part of your life?\n"
        "  2. Have you gone on to share it with anyone, or to teach it? If so, roughly\n"
        "     how many people?",
        "You can simply reply to this email: a line or two is plenty. There is no pressure"
        " to answer, and no need to explain anything personal. A yes or no and a rough"
        " number are all we ask.",
        "Thank you for being part of the course.",
        _signature(workspace, "Warm wishes,"),
        settings.support,
    )
    message = letter(sender, person, f"How are things since {course}?", body)
    return Letter(f"followup {at}", person.id, person.email, message,
                  f"followup-{at}-{person.id}.eml")  # fmt: skip


# --- choosing what to send ----------------------------------------------------------------------


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
            letters.append(certificate_letter(workspace, cohort, sender, person, entry.code, pdf))
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
    letters = []
    for person in records.roster:
        at = latest.get(person.id)
        if at is None:
            continue
        if (f"followup {at}", person.id) in sent:
            outcome.skipped += 1
            continue
        if _reachable(person, outcome):
            letters.append(followup_letter(workspace, cohort, sender, person, at))
    return letters


# --- delivering ---------------------------------------------------------------------------------


class Refused(Exception):
    """The server would not take one message; the line says who, by id, and why."""


class Outbox:
    """A dry run's post: each message written as an ``.eml`` file, nothing sent."""

    def __init__(self, workspace: Workspace) -> None:
        self.root = workspace.root

    def folder(self, cohort: Cohort) -> Path:
        """Where a cohort's messages are written."""
        return self.root / "out" / cohort.id / "outbox"

    def deliver(self, cohort: Cohort, item: Letter) -> str:
        """Write the message as ``out/COHORT/outbox/NAME.eml``, readable by its owner only."""
        from email.policy import SMTP

        from ipskit.documents.render import write_output

        path = self.folder(cohort) / item.file_name  # write_output makes the folder private
        write_output(path, item.message.as_bytes(policy=SMTP))
        return str(path)


def password(email: Email) -> str | None:
    """The login password: from the environment, else the system keyring; never a file."""
    import os

    if not email.username:
        return None
    secret = os.environ.get(email.password_env)
    if secret:
        return secret
    account = f"{email.username}@{email.host}"
    try:
        import keyring
    except ImportError:
        how = (
            "or install ipskit's keyring extra (pip install 'ipskit[keyring]') and store it"
            f" with: keyring set {KEYRING_SERVICE} {account}"
        )
    else:
        try:
            secret = keyring.get_password(KEYRING_SERVICE, account)
        except Exception:  # noqa: BLE001 - a locked or missing keyring is "no password"
            secret = None
        if secret:
            return secret
        how = f"or store it in the system keyring with: keyring set {KEYRING_SERVICE} {account}"
    raise IpskitError(
        f"no password for {email.username} at {email.host}: set the environment variable"
        f" {email.password_env}, {how}"
    )


def _reason(error: BaseException) -> str:
    import smtplib

    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)  # fmt: skip
        text = f"{error.smtp_code} {text}"
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


class Mailer:
    """The organisation's mail server: one connection per run, opened at the first message."""

    def __init__(self, email: Email) -> None:
        from email.utils import parseaddr

        self.email = email
        self.envelope_from = parseaddr(email.sender)[1]
        self.smtp: SMTP | None = None
        self.count = 0

    @property
    def where(self) -> str:
        """The server as people write it: host:port."""
        return f"{self.email.host}:{self.email.port}"

    def _connect(self) -> SMTP:
        import smtplib
        import ssl

        email = self.email
        secret = password(email)  # before any connection: a missing password stops here
        try:
            if email.security == "ssl":
                smtp: SMTP = smtplib.SMTP_SSL(
                    email.host, email.port, timeout=TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(email.host, email.port, timeout=TIMEOUT_SECONDS)
            try:
                smtp.ehlo()
                if email.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            except BaseException:
                smtp.close()
                raise
        except OSError as error:  # refused, unknown host, timeout, TLS, no STARTTLS
            raise IpskitError(
                f"could not reach the mail server {self.where}: {_reason(error)}"
            ) from None
        if email.username and secret is not None:
            try:
                smtp.login(email.username, secret)
            except smtplib.SMTPAuthenticationError as error:
                smtp.close()
                raise IpskitError(
                    f"the mail server {self.where} refused the login for {email.username}"
                    f" ({error.smtp_code}): check the username in ipskit.yaml and the password"
                    f" in {email.password_env} or the keyring"
                ) from None
            except OSError as error:
                smtp.close()
                raise IpskitError(
                    f"could not log in to the mail server {self.where}: {_reason(error)}"
                ) from None
        return smtp

    def deliver(self, cohort: Cohort, item: Letter) -> str:
        """Send one message; its Message-ID. A refused recipient raises :class:`Refused`."""
        import smtplib

        if self.smtp is None:
            self.smtp = self._connect()
        who = item.participant
        try:
            self.smtp.send_message(item.message, self.envelope_from, [item.address])
        except smtplib.SMTPRecipientsRefused as error:
            # The server's words often quote the address: give only its code.
            codes = ", ".join(str(code) for code, _text in error.recipients.values())
            raise Refused(f"{who}: the mail server refused their address ({codes});"
                          " check it on the roster") from None  # fmt: skip
        except smtplib.SMTPDataError as error:
            raise Refused(
                f"{who}: the mail server refused the message ({error.smtp_code})"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise Refused(f"{who}: the mail server cannot deliver to an address with"
                          " letters outside English") from None  # fmt: skip
        except smtplib.SMTPSenderRefused as error:
            raise IpskitError(
                f"the mail server {self.where} refused the sender {self.envelope_from}"
                f" ({error.smtp_code}): check sender in ipskit.yaml"
            ) from None
        except OSError as error:
            raise IpskitError(
                f"the connection to the mail server {self.where} was lost after"
                f" {self.count} message(s) ({_reason(error)}): those sent are recorded in"
                " sent.csv; run the command again to send the rest"
            ) from None
        self.count += 1
        return str(item.message["Message-ID"])

    def close(self) -> None:
        """Say goodbye to the server, if a connection was opened."""
        import smtplib

        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


@contextmanager
def _post(workspace: Workspace, *, dry_run: bool) -> Iterator[Outbox | Mailer]:
    if dry_run:
        yield Outbox(workspace)
        return
    email = workspace.settings.email
    assert email is not None  # sender_of has said what to add to ipskit.yaml
    mailer = Mailer(email)
    try:
        yield mailer
    finally:
        mailer.close()


def _deliver_all(post: Outbox | Mailer, cohort: Cohort, letters: list[Letter],
                 outcome: Outcome, *, dry_run: bool) -> None:  # fmt: skip
    """Send (or write) each letter; record each one sent as soon as it has gone."""
    log = cohort.file(SENT_FILE)
    for item in letters:
        try:
            result = post.deliver(cohort, item)
        except Refused as refusal:
            outcome.not_sent.append(str(refusal))
            continue
        if dry_run:
            outcome.written.append(Path(result))
            continue
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        record_sent(log, [item.what, item.participant, now, result])
        outcome.sent.append((item.what, item.participant))


# --- the two runs -------------------------------------------------------------------------------


def send_certificates(workspace: Workspace, cohort: Cohort, *, who: Sequence[str] = (),
                      dry_run: bool = False) -> Report:  # fmt: skip
    """Email each person of a cohort their own certificate(s) not sent before.

    Only certificates that stand issued are sent, and only when the PDF is the one the
    register vouches for. ``dry_run`` writes ``.eml`` files and records nothing.
    """
    sender = sender_of(workspace, dry_run=dry_run)
    with _post(workspace, dry_run=dry_run) as post:
        outcome = _outcome(post, cohort)
        with store.locked(cohort.folder, f"cohort {cohort.id}"):
            check_writable(cohort)
            sent = read_sent(cohort.file(SENT_FILE))
            records = Records.load(cohort)
            letters = certificate_letters(workspace, cohort, records, sent, sender, outcome, who)
            _deliver_all(post, cohort, letters, outcome, dry_run=dry_run)
    return Report(dry_run, [outcome], _placeholder(sender))


def send_followups(workspace: Workspace, cohorts: Sequence[Cohort], *,
                   today: date | None = None, dry_run: bool = False) -> Report:  # fmt: skip
    """Invite everyone whose follow-up has come, and who has not answered, to say how it goes.

    Every cohort's ``sent.csv`` is checked before anything is sent.
    """
    from ipskit.cohorts.followups import due

    today = today or date.today()
    sender = sender_of(workspace, dry_run=dry_run)
    waiting = {d.cohort.id for d in due(cohorts, today)}
    chosen = [c for c in cohorts if c.id in waiting]
    for cohort in chosen:
        read_sent(cohort.file(SENT_FILE))
    outcomes = []
    with _post(workspace, dry_run=dry_run) as post:
        for cohort in chosen:
            outcome = _outcome(post, cohort)
            with store.locked(cohort.folder, f"cohort {cohort.id}"):
                sent = read_sent(cohort.file(SENT_FILE))
                records = Records.load(cohort)
                dues = due([cohort], today)  # again, under the lock: answers may have come
                letters = followup_letters(workspace, cohort, records, sent, sender, outcome,
                                           dues)  # fmt: skip
                _deliver_all(post, cohort, letters, outcome, dry_run=dry_run)
            outcomes.append(outcome)
    report = Report(dry_run, outcomes, _placeholder(sender))
    later = sorted((p.due, c.id, p.at) for c in cohorts for p in c.settings.followups
                   if p.due > today)  # fmt: skip
    if later:
        report.upcoming = (later[0][1], later[0][2], later[0][0])
    return report


def _outcome(post: Outbox | Mailer, cohort: Cohort) -> Outcome:
    outbox = post.folder(cohort) if isinstance(post, Outbox) else None
    return Outcome(cohort.id, log=cohort.file(SENT_FILE), outbox=outbox)


def _placeholder(sender: Sender) -> str | None:
    return sender.address if sender.placeholder else None
