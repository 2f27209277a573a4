"""ipskit send: each person gets their own certificate or invitation, once, from a real server."""

from __future__ import annotations

import email
import email.policy
import hashlib
import shutil
import socket
import ssl
import stat
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from helpers import make_cohort, make_workspace, run

SENDER = "training@wrenmoor.example.org"
COURSE = "Intentional Peer Support: taster evening"
#: name, email ("" for none); p04 misses the evening, p05 withdraws after completing.
PEOPLE = (
    ("Siân Hughes", "sian@example.org"),
    ("Tomasz Wiśniewski", ""),
    ("Γιώργος Παπαδόπουλος", "giorgos@example.org"),
    ("Sam Patel", "sam@example.org"),
    ("Amara Okafor", "amara@example.org"),
)
EMAILS = {f"p0{n}": address for n, (_name, address) in enumerate(PEOPLE, start=1) if address}


class Inbox:
    """An aiosmtpd handler that keeps every message and can refuse some addresses."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.logins: list[tuple[bytes, bytes]] = []
        self.encrypted: list[bool] = []
        self.sessions: list[object] = []  # one per connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        implicit = server.transport.get_extra_info("ssl_object") is not None  # security: ssl
        self.encrypted.append(session.ssl is not None or implicit)
        self.sessions.append(session)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"trainer", PASSWORD)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(c, policy=email.policy.default) for _, _, c in self.received
        ]


PASSWORD = b"c0rrect-h0rse-Battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def auth_server():
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
        auth_required=True, auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed TLS certificate for 127.0.0.1, and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request, certificate):
    """A server that speaks TLS, by STARTTLS or from the first byte (security: ssl)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inbox = Inbox()
    if request.param == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    else:
        options = {"ssl_context": context}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    inbox.port = controller.port
    inbox.security = request.param
    yield inbox
    controller.stop()


def configure(ws: Path, port: int, more: str = "", security: str = "none") -> None:
    settings = ws / "ipskit.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "email:\n  host: 127.0.0.1\n"
        + f"  port: {port}\n  security: {security}\n"
        + f'  sender: "Wrenmoor Peer Support <{SENDER}>"\n'
        + more,
        encoding="utf-8",
    )


def add_people(ws: Path, cohort: str) -> None:
    for name, address in PEOPLE:
        extra = ("--email", address) if address else ()
        assert run("-w", str(ws), "roster", cohort, "add", name, *extra).exit_code == 0


@pytest.fixture(scope="module")
def issued_workspace(tmp_path_factory):
    """A taster evening with certificates for p01, p02, p03 and p05; p05 then withdrew."""
    ws = make_workspace(tmp_path_factory.mktemp("send"))
    make_cohort(ws, "taster", "ips-taster", None, ())
    add_people(ws, "taster")
    assert run("-w", str(ws), "attend", "taster", "1", "--all-present").exit_code == 0
    assert run("-w", str(ws), "attend", "taster", "1", "--absent", "p04").exit_code == 0
    result = run("-w", str(ws), "certificates", "taster")
    assert result.exit_code == 0, result.output
    assert run("-w", str(ws), "roster", "taster", "withdraw", "p05").exit_code == 0
    return ws


@pytest.fixture
def ws(issued_workspace, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(issued_workspace, copy)
    return copy


def register(ws: Path) -> dict[str, tuple[str, str]]:
    """participant → (code, sha256), from the register."""
    lines = (ws / "cohorts" / "taster" / "certificates.csv").read_text().splitlines()[1:]
    return {row[1]: (row[0], row[6]) for row in (line.split(",") for line in lines)}


def sent_rows(ws: Path, cohort: str = "taster") -> list[list[str]]:
    path = ws / "cohorts" / cohort / "sent.csv"
    lines = path.read_text().splitlines()
    assert lines[0] == "what,participant,sent,message_id"
    return [line.split(",") for line in lines[1:]]


def send(ws: Path, *args: str):
    return run("-w", str(ws), "send", *args)


# --- certificates ---------------------------------------------------------------------------


def test_each_person_receives_exactly_their_own_certificate(ws, server):
    configure(ws, server.port)
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Sent 2 certificates for cohort taster.\n"
        "Not sent:\n"
        "  p02 has no email address\n"
        "  p05 has withdrawn: not emailed\n"
    )
    assert result.stderr == ""
    codes = register(ws)
    by_address = {address: pid for pid, address in EMAILS.items()}
    seen = []
    for (mail_from, rcpt_tos, _), message in zip(server.received, server.messages(), strict=True):
        (to,) = message["To"].addresses
        pid = by_address[to.addr_spec]
        seen.append(pid)
        assert rcpt_tos == [EMAILS[pid]] and mail_from == SENDER
        code, sha = codes[pid]
        (attachment,) = message.iter_attachments()
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"certificate-{code}.pdf"
        assert hashlib.sha256(attachment.get_content()).hexdigest() == sha
        assert message["Subject"] == f"Your certificate: {COURSE}"
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["Message-ID"].endswith("@wrenmoor.example.org>")
        assert message["Date"] is not None
        body = message.get_body(("plain",)).get_content()
        assert f"Its code is {code}." in body and COURSE in body
        # No one receives anyone else's certificate, name or code.
        others = [c for p, (c, _) in codes.items() if p != pid]
        assert not any(other in message.as_string() for other in others)
    assert sorted(seen) == ["p01", "p03"]
    assert len({id(session) for session in server.sessions}) == 1  # one connection per run
    assert server.encrypted == [False, False]  # security: none, on this computer only
    greek = next(m for m in server.messages() if "giorgos" in str(m["To"]))
    assert greek["To"].addresses[0].display_name == "Γιώργος Παπαδόπουλος"
    assert "Hello Γιώργος Παπαδόπουλος," in greek.get_body(("plain",)).get_content()
    rows = sent_rows(ws)
    assert [(r[0], r[1]) for r in rows] == [
        (f"certificate {codes['p01'][0]}", "p01"), (f"certificate {codes['p03'][0]}", "p03"),
    ]  # fmt: skip
    ids = {m["Message-ID"] for m in server.messages()}
    assert {r[3] for r in rows} == ids
    log = ws / "cohorts" / "taster" / "sent.csv"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "@example.org" not in text and "Siân" not in text


def test_a_second_run_sends_nothing_and_says_so(ws, server):
    configure(ws, server.port)
    assert send(ws, "certificates", "taster").exit_code == 0
    assert len(server.received) == 2
    before = (ws / "cohorts" / "taster" / "sent.csv").read_bytes()
    again = send(ws, "certificates", "taster")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:2] == [
        "Nothing to send for cohort taster.",
        "Skipped 2 already sent (listed in ws/cohorts/taster/sent.csv).",
    ]
    assert len(server.received) == 2
    assert (ws / "cohorts" / "taster" / "sent.csv").read_bytes() == before


def test_participant_sends_only_to_them(ws, server):
    configure(ws, server.port)
    result = send(ws, "certificates", "taster", "--participant", "Γιώργος")
    assert result.stdout == "Sent 1 certificate for cohort taster.\n"
    (message,) = server.messages()
    assert message["To"].addresses[0].addr_spec == "giorgos@example.org"
    result = send(ws, "certificates", "taster")
    assert result.stdout.startswith("Sent 1 certificate for cohort taster.\nSkipped 1 already")
    assert len(server.received) == 2


def test_a_missing_or_changed_file_is_listed_and_not_sent(ws, server):
    configure(ws, server.port)
    codes = register(ws)
    folder = ws / "out" / "taster" / "certificates"
    (folder / f"certificate-p01-{codes['p01'][0]}.pdf").unlink()
    with (folder / f"certificate-p03-{codes['p03'][0]}.pdf").open("ab") as handle:
        handle.write(b"%")
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 0, result.output
    remake = "remake it with ipskit certificates taster --reissue --participant"
    assert result.stdout == (
        "Nothing to send for cohort taster.\n"
        "Not sent:\n"
        f"  p01: certificate {codes['p01'][0]} is missing from out/taster/certificates;"
        f" {remake} p01\n"
        "  p02 has no email address\n"
        f"  p03: certificate {codes['p03'][0]} in out/taster/certificates was changed;"
        f" {remake} p03\n"
        "  p05 has withdrawn: not emailed\n"
    )
    assert server.received == []
    assert not (ws / "cohorts" / "taster" / "sent.csv").exists()


def test_dry_run_writes_private_eml_files_and_sends_and_records_nothing(ws, server):
    configure(ws, server.port, '  reply_to: "Course team <courses@wrenmoor.example.org>"\n')
    codes = register(ws)
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 0, result.output
    outbox = Path("ws/out/taster/outbox")
    names = [f"certificate-p01-{codes['p01'][0]}.eml", f"certificate-p03-{codes['p03'][0]}.eml"]
    assert result.stdout == (
        f"Wrote 2 messages to {outbox} (nothing was sent):\n"
        + "".join(f"  {outbox / name}\n" for name in names)
        + "Not sent:\n  p02 has no email address\n  p05 has withdrawn: not emailed\n"
    )
    assert server.received == []
    assert not (ws / "cohorts" / "taster" / "sent.csv").exists()
    folder = ws / "out" / "taster" / "outbox"
    assert sorted(p.name for p in folder.iterdir()) == names
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name, pid in zip(names, ("p01", "p03"), strict=True):
        path = folder / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["To"].addresses[0].addr_spec == EMAILS[pid]
        assert message["Reply-To"].addresses[0].addr_spec == "courses@wrenmoor.example.org"
        (attachment,) = message.iter_attachments()
        assert hashlib.sha256(attachment.get_content()).hexdigest() == codes[pid][1]
    # A real run afterwards still sends both: the dry run recorded nothing.
    assert send(ws, "certificates", "taster").stdout.startswith("Sent 2 certificates")


def test_without_email_settings_a_dry_run_uses_a_placeholder_and_sending_says_what_to_add(ws):
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "ipskit.yaml has no email: section, so these messages are from a placeholder address,"
        " training@example.invalid; add email: (see the README) to send them."
    )
    path = next((ws / "out" / "taster" / "outbox").glob("certificate-p01-*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(message["From"]) == "Riverside Peer Network <training@example.invalid>"
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{ws.resolve() / 'ipskit.yaml'}: add an 'email:' section (host and sender, see the"
        " README) to send messages, or use --dry-run to write them as files\n"
    )


def test_a_refused_recipient_is_reported_by_id_and_the_others_are_sent(ws, server):
    configure(ws, server.port)
    server.refuse = {"sian@example.org"}
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Sent 1 certificate for cohort taster.\n"
        "Not sent:\n"
        "  p02 has no email address\n"
        "  p05 has withdrawn: not emailed\n"
        "  p01: the mail server refused their address (550); check it on the roster\n"
    )
    assert [rcpt for _, rcpt, _ in server.received] == [["giorgos@example.org"]]
    assert [r[1] for r in sent_rows(ws)] == ["p03"]
    server.refuse = set()
    assert send(ws, "certificates", "taster").stdout.startswith("Sent 1 certificate")
    assert [r[1] for r in sent_rows(ws)] == ["p03", "p01"]


def test_no_server_is_a_one_line_error_and_nothing_is_recorded(ws):
    port = free_port()
    configure(ws, port)
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr == f"could not reach the mail server 127.0.0.1:{port}: Connection refused\n"
    )
    assert not (ws / "cohorts" / "taster" / "sent.csv").exists()


def test_a_sent_log_broken_by_hand_is_refused_by_line_before_anything_is_sent(ws, server):
    configure(ws, server.port)
    log = ws / "cohorts" / "taster" / "sent.csv"
    text = (
        "what,participant,sent,message_id\r\n"
        "certificate ABCD-EFGH,p01,2027-03-04T18:30:00+00:00,<1@wrenmoor.example.org>\r\n"
        "certificate ABCD-EFGH,Siân,2027-03-04T18:30:00+00:00,<2@wrenmoor.example.org>\r\n"
    )
    log.write_bytes(text.encode())
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{ws.resolve() / 'cohorts' / 'taster' / 'sent.csv'}:3:"
        " the participant must be an id such as p01\n"
    )
    assert server.received == []
    assert log.read_bytes() == text.encode()


def test_messages_go_encrypted_to_a_server_whose_certificate_is_trusted(
    ws, tls_server, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trusted, as a real CA would be
    configure(ws, tls_server.port, security=tls_server.security)
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Sent 2 certificates for cohort taster.\n")
    assert tls_server.encrypted == [True, True]


def test_a_server_whose_certificate_is_not_trusted_is_refused(ws, tls_server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    configure(ws, tls_server.port, security=tls_server.security)
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"could not reach the mail server 127.0.0.1:{tls_server.port}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in line
    assert tls_server.received == []
    assert not (ws / "cohorts" / "taster" / "sent.csv").exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_password_comes_from_the_environment_and_is_written_nowhere(
    ws, auth_server, monkeypatch
):
    configure(ws, auth_server.port, "  username: trainer\n")
    monkeypatch.delenv("IPSKIT_SMTP_PASSWORD", raising=False)
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "no password for trainer at 127.0.0.1: set the environment variable IPSKIT_SMTP_PASSWORD, or "
    )
    assert auth_server.received == [] and auth_server.logins == []

    monkeypatch.setenv("IPSKIT_SMTP_PASSWORD", "not-the-password")
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"the mail server 127.0.0.1:{auth_server.port} refused the login for trainer (535)"
    )
    assert auth_server.received == []
    assert not (ws / "cohorts" / "taster" / "sent.csv").exists()

    monkeypatch.setenv("IPSKIT_SMTP_PASSWORD", PASSWORD.decode())
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 0, result.output
    assert len(auth_server.received) == 2
    assert auth_server.logins[-1] == (b"trainer", PASSWORD)
    assert PASSWORD.decode() not in result.output
    for path in ws.rglob("*"):
        if path.is_file():
            assert PASSWORD not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ("  password: hunter2\n", "unknown key 'password' in email"),
        ("", "security: none is only for a mail server on this computer"),
    ],
)
def test_email_settings_are_checked(ws, more, message):
    settings = ws / "ipskit.yaml"
    host = "127.0.0.1" if more else "smtp.wrenmoor.example.org"
    settings.write_text(
        settings.read_text()
        + f"email:\n  host: {host}\n  security: none\n  sender: {SENDER}\n"
        + more
    )
    result = send(ws, "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{ws.resolve() / 'ipskit.yaml'}:")
    assert message in result.stderr


# --- follow-up invitations -----------------------------------------------------------------


@pytest.fixture
def followup_ws(tmp_path) -> Path:
    """A taster with a 2-week follow-up long past: p01, p02, p03 and p05 completed, p04 not."""
    ws = make_workspace(tmp_path)
    make_cohort(ws, "spring", "ips-taster", None, (), "--followup", "2w")
    add_people(ws, "spring")
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0
    assert run("-w", str(ws), "attend", "spring", "1", "--absent", "p04").exit_code == 0
    return ws


def answer(ws: Path, cohort: str, pid: str) -> None:
    result = run("-w", str(ws), "followup", "record", cohort, pid, "--at", "2w",
                 "--using-skills", "yes", "--trained-others", "0")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_followups_invite_each_completer_once_and_not_those_who_answered(followup_ws, server):
    ws = followup_ws
    configure(ws, server.port)
    answer(ws, "spring", "p03")
    result = send(ws, "followups")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Sent 2 follow-up invitations for cohort spring.\nNot sent:\n  p02 has no email address\n"
    )
    assert sorted(r for _, (r,), _ in server.received) == ["amara@example.org", "sian@example.org"]
    for message in server.messages():
        assert message["Subject"] == f"How are things since {COURSE}?"
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        name = message["To"].addresses[0].display_name
        assert body.startswith(f"Hello {name},\n")
        for part in ("2-week follow-up", "Are you using what you learned on the course",
                     "share it with anyone, or to teach it", "how many people",
                     "simply reply to this email", "no need to explain anything personal",
                     "Riverside Peer Network", "116 123"):  # fmt: skip
            assert part in " ".join(body.split()), part
    assert [(r[0], r[1]) for r in sent_rows(ws, "spring")] == [
        ("followup 2w", "p01"), ("followup 2w", "p05"),
    ]  # fmt: skip

    again = send(ws, "followups", "spring")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[:2] == [
        "Nothing to send for cohort spring.",
        "Skipped 2 already sent (listed in ws/cohorts/spring/sent.csv).",
    ]
    assert len(server.received) == 2


def test_an_address_that_cannot_be_used_is_listed_and_the_rest_go(followup_ws, server):
    ws = followup_ws
    result = run(
        "-w", str(ws), "roster", "spring", "add", "Jo Bloggs", "--email", "jo(x)@example.org"
    )
    assert result.exit_code == 0, result.output
    assert run("-w", str(ws), "attend", "spring", "1", "--present", "p06").exit_code == 0
    configure(ws, server.port)
    result = send(ws, "followups", "spring")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Sent 3 follow-up invitations for cohort spring.\n"
        "Not sent:\n"
        "  p02 has no email address\n"
        "  p06: their email address cannot be used; check it\n"
    )
    assert "example.org" not in result.stdout
    assert len(server.received) == 3


def test_when_two_points_have_come_only_the_later_invitation_goes(tmp_path, server):
    ws = make_workspace(tmp_path)
    points = ("--followup", "2w", "--followup", "4w", "--followup", "12m")
    make_cohort(ws, "autumn", "ips-taster", None, ("Siân Hughes",), *points)
    assert (
        run(
            "-w", str(ws), "roster", "autumn", "add", "Amara Okafor", "--email", "amara@example.org"
        ).exit_code
        == 0
    )
    assert run("-w", str(ws), "attend", "autumn", "1", "--all-present").exit_code == 0
    configure(ws, server.port)
    result = send(ws, "followups")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Sent 1 follow-up invitation for cohort autumn.",
        "Not sending the 2w invitations: a later follow-up has come since.",
        "Not sent:",
        "  p01 has no email address",
    ]
    assert lines[4].startswith("The next follow-up is 12m for cohort autumn, on ")
    assert [(r[0], r[1]) for r in sent_rows(ws, "autumn")] == [("followup 4w", "p02")]
    assert "4-week follow-up" in server.messages()[0].get_body(("plain",)).get_content()


def test_followups_dry_run_writes_one_file_each(followup_ws, server):
    ws = followup_ws
    configure(ws, server.port)
    result = send(ws, "followups", "spring", "--dry-run")
    assert result.exit_code == 0, result.output
    folder = ws / "out" / "spring" / "outbox"
    assert sorted(p.name for p in folder.iterdir()) == [
        "followup-2w-p01.eml", "followup-2w-p03.eml", "followup-2w-p05.eml",
    ]  # fmt: skip
    assert server.received == []
    assert not (ws / "cohorts" / "spring" / "sent.csv").exists()


def test_a_cohort_without_follow_ups_has_none_due(ws, server):
    configure(ws, server.port)
    result = send(ws, "followups", "taster")
    assert result.exit_code == 0, result.output
    assert result.stdout == "No follow-up invitations are due for cohort taster.\n"
    assert server.received == []


# --- the words, from templates a workspace can replace ------------------------------------


def email_template(ws: Path, name: str, text: str) -> Path:
    path = ws / "templates" / "email" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def written(ws: Path, pattern: str) -> email.message.EmailMessage:
    path = next((ws / "out" / "taster" / "outbox").glob(pattern))
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_workspace_template_replaces_the_certificate_email(ws):
    email_template(ws, "certificate.txt", (
        "Subject: Votre certificat : {{ course }}\n\n"
        "Bonjour {{ name }},\n\n"
        "Félicitations ! Votre certificat pour {{ course }} est joint à ce message"
        " ({{ attachment }}) & son code est {{ code }}.\n\n"
        "  Gardez-le précieusement.\n\n"
        "Bien à vous,\n{{ organisation }}\n"
    ))  # fmt: skip
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 0, result.output
    code = register(ws)["p01"][0]
    message = written(ws, "certificate-p01-*.eml")
    assert message["Subject"] == f"Votre certificat : {COURSE}"
    assert text_of(message) == (
        "Bonjour Siân Hughes,\n\n"
        "Félicitations ! Votre certificat pour Intentional Peer Support: taster\n"
        f"evening est joint à ce message (certificate-{code}.pdf) & son code\n"
        f"est {code}.\n\n"
        "  Gardez-le précieusement.\n\n"
        "Bien à vous,\nRiverside Peer Network\n"
    )
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == f"certificate-{code}.pdf"


def test_the_built_in_certificate_email_reads_as_before(ws):
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 0, result.output
    code = register(ws)["p01"][0]
    message = written(ws, "certificate-p01-*.eml")
    assert message["Subject"] == f"Your certificate: {COURSE}"
    assert text_of(message) == (
        "Hello Siân Hughes,\n\n"
        "Congratulations on completing Intentional Peer Support: taster evening.\n"
        "Your certificate is attached to this email as a PDF\n"
        f"(certificate-{code}.pdf), ready to keep or to print.\n\n"
        f"Its code is {code}. Anyone you show it to can check that it is\n"
        "genuine by giving this code to Riverside Peer Network.\n\n"
        "Thank you for everything you brought to the course. We hope what you\n"
        "learned together stays with you.\n\n"
        "If anything on it is not right, such as how your name is written, just\n"
        "reply to this email and we will put it right.\n\n"
        "With warm wishes,\nRiverside Peer Network\n"
    )


@pytest.mark.hostile
def test_settings_text_in_an_email_template_stays_text_and_adds_no_header(ws):
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "organisation:\n",
        'organisation:\n  contact: "Tea & <b>cake</b>\\nBcc: victim@example.org\\n\\nTo: x@y.org"\n',
    ), encoding="utf-8")  # fmt: skip
    email_template(ws, "certificate.txt", (
        "Subject: News from {{ contact }}\n\n"
        "{{ contact }}\n\n"
        "{{ '{{ 7*7 }}' }} {{ name }}\n"
    ))  # fmt: skip
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 0, result.output
    raw = next((ws / "out" / "taster" / "outbox").glob("certificate-p01-*.eml")).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "News from Tea & <b>cake</b> Bcc: victim@example.org To: x@y.org"
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == [EMAILS["p01"]]
    # In the message, the contact is kept as written: its lines stay one paragraph.
    assert text_of(message) == (
        "Tea & <b>cake</b>\nBcc: victim@example.org\n\nTo: x@y.org\n\n{{ 7*7 }} Siân Hughes\n"
    )


def test_an_email_template_without_a_subject_is_refused_and_nothing_is_written(ws):
    path = email_template(ws, "certificate.txt", "Hello {{ name }},\n")
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path.resolve()}: an email template starts with its subject, on a line of its own:"
        " Subject: ...\n"
    )
    assert not (ws / "out" / "taster" / "outbox").exists()


@pytest.mark.hostile
def test_an_email_template_that_reaches_into_python_is_refused(ws):
    path = email_template(ws, "followup.txt", "Subject: Hi\n\n{{ ''.__class__.__mro__ }}\n")
    email_template(ws, "certificate.txt", "Subject: Hi\n\n{% include 'email/followup.txt' %}\n")
    result = send(ws, "certificates", "taster", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path.resolve()}:3: the template tries something templates may not do (reaching"
        " into Python); only data and filters are allowed\n"
    )
