"""Where messages go: the organisation's mail server, or a dry run's outbox of ``.eml`` files.

The server is the one in ``ipskit.yaml`` (``email:``), reached over one connection per
run, opened at the first message and encrypted unless the server is on this computer.
The password is never kept in a file: it comes from an environment variable or the
system keyring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.cohorts.cohort import Cohort
from ipskit.core.errors import IpskitError
from ipskit.mail.messages import Letter
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from smtplib import SMTP

    from ipskit.workspace.settings import Email

KEYRING_SERVICE = "ipskit"
TIMEOUT_SECONDS = 30


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
            stored: str | None = keyring.get_password(KEYRING_SERVICE, account)
        except Exception:  # noqa: BLE001 - a locked or missing keyring is "no password"
            stored = None
        if stored:
            return stored
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
def open_post(workspace: Workspace, *, dry_run: bool) -> Iterator[Outbox | Mailer]:
    """The outbox for a dry run, else the mail server, closed when the run is done."""
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
