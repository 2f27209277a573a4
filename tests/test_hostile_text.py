"""Text is text: a name cannot turn its line around, nor add a recipient to an email."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.cli.table import table, width
from ipskit.cohorts.cohort import open_cohort
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core.names import check_name, isolate
from ipskit.documents.render import Renderer
from ipskit.documents.signin_sheets import register_context
from ipskit.mail.messages import PLACEHOLDER_ADDRESS, Sender, letter, mailbox
from ipskit.workspace import Workspace

FSI, PDI = "\u2068", "\u2069"
RLO_NAME = "Evil\u202eexe.pdf"  # reads as "Evilfdp.exe" where nothing isolates it
ENCODED_WORD = "A =?utf-8?b?PHZpY3RpbUBldmlsLm9yZz4s?= B"  # decodes to "A <victim@evil.org>, B"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A workspace with a taster whose 2-week follow-up is due (copied for each test)."""
    ws = make_workspace(tmp_path_factory.mktemp("made"))
    make_cohort(ws, "spring", "ips-taster", None, (), "--followup", "2w")
    return ws


@pytest.fixture
def ws(made, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(made, copy)
    return copy


def roster_bytes(ws) -> bytes:
    path = ws / "cohorts" / "spring" / "roster.csv"
    return path.read_bytes() if path.exists() else b""


# --- refused on input, with the place ------------------------------------------------------------

MARKS = [
    ("Evil\u202eexe.pdf", "a right-to-left override (U+202E) at character 5"),
    ("\u202aAnn Lee", "a left-to-right embedding (U+202A) at character 1"),
    ("Ann\u202b Lee", "a right-to-left embedding (U+202B) at character 4"),
    ("Ann Lee\u202c", "a pop directional formatting (U+202C) at character 8"),
    ("Ann \u202dLee", "a left-to-right override (U+202D) at character 5"),
    ("Ann \u2066Lee", "a left-to-right isolate (U+2066) at character 5"),
    ("Ann \u2067Lee", "a right-to-left isolate (U+2067) at character 5"),
    ("Ann \u2068Lee", "a first strong isolate (U+2068) at character 5"),
    ("Ann Lee\u2069", "a pop directional isolate (U+2069) at character 8"),
    ("A\u200eLee", "a left-to-right mark (U+200E) at character 2"),
    ("A\u200fLee", "a right-to-left mark (U+200F) at character 2"),
    ("محمد\u061c علي", "an Arabic letter mark (U+061C) at character 5"),
    ("Ann\x07Lee", "a control character (U+0007) at character 4"),
    ("Ann\x1bLee", "a control character (U+001B) at character 4"),
    ("Ann\x00Lee", "a control character (U+0000) at character 4"),  # import: not a text file
    ("Ann\x9bLee", "a control character (U+009B) at character 4"),
]


@pytest.mark.hostile
@pytest.mark.parametrize(("name", "what"), MARKS)
def test_roster_add_refuses_a_name_that_steers_the_text_and_says_where(ws, name, what):
    before = roster_bytes(ws)
    result = run("-w", str(ws), "roster", "spring", "add", name)
    assert result.exit_code == 1
    assert result.stderr == f"a name contains {what}: remove it\n"
    assert result.stdout == ""
    assert roster_bytes(ws) == before


@pytest.mark.hostile
def test_roster_add_refuses_such_a_certificate_name(ws):
    before = roster_bytes(ws)
    result = run(
        "-w", str(ws), "roster", "spring", "add", "Ann Lee", "--certificate-name", "  Ann\u202eLee"
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "the certificate name contains a right-to-left override (U+202E) at character 6:"
        " remove it\n"
    )
    assert roster_bytes(ws) == before


@pytest.mark.hostile
def test_pronouns_that_steer_the_text_are_refused_on_add_and_on_import(ws, tmp_path):
    before = roster_bytes(ws)
    result = run("-w", str(ws), "roster", "spring", "add", "Ann Lee", "--pronouns", "she\u202eher")
    assert result.exit_code == 1
    assert result.stderr == (
        "the pronouns field contains a right-to-left override (U+202E) at character 4:"
        " remove it\n"
    )
    assert roster_bytes(ws) == before
    csv = tmp_path / "people.csv"
    csv.write_text("Name,Pronouns\r\nAnn Lee,she/her\r\nBo Chan,they\u2067them\r\n",
                   encoding="utf-8")  # fmt: skip
    result = run("-w", str(ws), "roster", "spring", "import", str(csv))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added 1 participant:\n  p01 Ann Lee\n  line 3: skipped: the pronouns field contains a"
        " right-to-left isolate (U+2067) at character 5: remove it\n"
    )


@pytest.mark.hostile
@pytest.mark.parametrize(("name", "what"), [m for m in MARKS if "\x00" not in m[0]])
def test_roster_import_skips_such_a_name_by_line_and_place(ws, tmp_path, name, what):
    csv = tmp_path / "people.csv"
    csv.write_text(f'Name,Email\r\nAnn Lee,ann@example.org\r\n"{name}",\r\n', encoding="utf-8")
    result = run("-w", str(ws), "roster", "spring", "import", str(csv))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Added 1 participant:\n  p01 Ann Lee\n"
        f"  line 3: skipped: the name contains {what}: remove it\n"
    )
    listed = json.loads(run("-w", str(ws), "roster", "spring", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["Ann Lee"]


@pytest.mark.hostile
def test_a_trainer_name_that_steers_the_text_is_refused(ws):
    result = run(
        "-w", str(ws), "new-cohort", "autumn", "--curriculum", "ips-taster",
        "--start", "2027-03-03", "--trainer", "Ann \u2067Lee",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "--trainer: a trainer's name contains a right-to-left isolate (U+2067) at character 5:"
        " remove it\n"
    )
    assert not (ws / "cohorts" / "autumn").exists()


def test_zero_width_joiners_and_right_to_left_names_are_fine():
    for name in ("می‌خواهم", "क्‍ष", "محمد علي", "דוד לוי", "Zoë Ørsted-Nuñez"):
        assert check_name(name) == name


def test_a_stored_name_keeps_its_marks_but_never_a_control_character():
    assert check_name(RLO_NAME, stored=True) == RLO_NAME
    with pytest.raises(ValueError, match=r"a control character \(U\+0007\) at character 2"):
        check_name("A\x07", stored=True)


# --- isolated wherever it is shown ------------------------------------------------------------------


def test_isolate_wraps_only_what_could_move_its_line():
    assert isolate(RLO_NAME) == FSI + RLO_NAME + PDI
    assert isolate("محمد علي") == FSI + "محمد علي" + PDI
    assert isolate("Zoë O'Brien") == "Zoë O'Brien"
    assert isolate("李小龍") == "李小龍"


@pytest.mark.hostile
def test_a_terminal_table_isolates_such_a_cell_and_keeps_its_columns():
    text = table(["ID", "Name", "Email"], [["p01", RLO_NAME, "a@x.org"], ["p02", "Bo", "b@x.org"]])
    lines = text.splitlines()
    assert lines[1] == f"p01  {FSI}{RLO_NAME}{PDI}  a@x.org"
    assert lines[2] == "p02  Bo" + " " * 9 + "  b@x.org"  # the mark takes no column
    assert width(lines[1]) == width(lines[2])


def write_roster_by_hand(ws, *names: str) -> None:
    rows = "".join(f"p{n:02d},{name},,,,active,2027-01-04,\r\n" for n, name in enumerate(names, 1))
    path = ws / "cohorts" / "spring" / "roster.csv"
    path.write_text(
        "id,name,certificate_name,email,pronouns,status,added,left\r\n" + rows, encoding="utf-8"
    )


@pytest.mark.hostile
def test_a_stored_name_is_isolated_in_the_sign_in_sheet(ws):
    """The sheet's template isolates the name, whatever the roster holds."""
    workspace = Workspace(ws)
    cohort = open_cohort(ws / "cohorts", "spring")
    records = Records.load(cohort)
    records.roster.append(Participant("p01", RLO_NAME))
    records.roster.append(Participant("p02", "محمد علي"))
    renderer = Renderer(workspace)
    context = register_context(workspace, renderer, cohort, records, cohort.settings.sessions[:1])
    html = renderer.html("register.html", context)
    assert f"<bdi>{RLO_NAME}</bdi>" in html
    assert '<bdi lang="ar">محمد علي</bdi>' in html
    assert html.count(RLO_NAME) == 1


@pytest.mark.hostile
def test_a_name_written_into_the_roster_by_hand_is_listed_isolated(ws):
    write_roster_by_hand(ws, RLO_NAME, "Bo Lee")
    result = run("-w", str(ws), "roster", "spring", "list")
    assert result.exit_code == 0, result.output
    assert f"p01  {FSI}{RLO_NAME}{PDI}" in result.stdout
    listed = json.loads(run("-w", str(ws), "roster", "spring", "list", "--json").stdout)
    assert listed[0]["name"] == RLO_NAME  # data stays as it is
    result = run("-w", str(ws), "register", "spring", "1", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (ws / "out" / "spring" / "register-1.html").read_text()
    assert f"<bdi>{RLO_NAME}</bdi>" in html


def test_every_template_isolates_the_names_it_prints():
    """Each place a template prints a person's name, the name is inside a <bdi>.

    A participant's name is marked with its language too: the one the roster gives, else
    the one its script tells.
    """
    from ipskit.core.resources import builtin_templates_dir

    folder = builtin_templates_dir()
    places = {
        "register.html": ['<bdi{% if row|name_lang %} lang="{{ row|name_lang }}"{% endif %}>{{ row.name }}</bdi>'],
        "certificate.html": [
            '<bdi{% if certificate|name_lang %} lang="{{ certificate|name_lang }}"{% endif %}>{{ certificate.name }}</bdi>',
            "<bdi>{{ signatory.name }}</bdi>",
            "{{ people.names(course.trainers) }}",
        ],
        "workbook.html": ['<bdi{% if cover|name_lang %} lang="{{ cover|name_lang }}"{% endif %}>{{ cover.name }}</bdi>'],
        "agreement.html": ['<bdi{% if form|name_lang %} lang="{{ form|name_lang }}"{% endif %}>{{ form.name }}</bdi>'],
        "session-plans.html": ["{{ people.names(course.trainers) }}"],
    }
    for template, needles in places.items():
        text = (folder / template).read_text()
        for needle in needles:
            assert needle in text, (template, needle)
    renderer = Renderer(None)
    made = renderer.env.from_string(
        '{% import "people.html" as people %}{{ people.names(a) }}|{{ people.names(b) }}'
    ).render(a=[RLO_NAME, "<b>Bo</b>"], b="Ann, Bo")
    assert made == f"<bdi>{RLO_NAME}</bdi>, <bdi>&lt;b&gt;Bo&lt;/b&gt;</bdi>|<bdi>Ann, Bo</bdi>"


def test_certificate_file_names_drop_direction_marks():
    from ipskit.certificates.issuing import _slug

    assert _slug(RLO_NAME) == "Evil-exe-pdf"


# --- one recipient, whatever the name ------------------------------------------------------------

HOSTILE_NAMES = [
    ENCODED_WORD,
    "=?utf-8?q?=3Cvictim=40evil=2Eorg=3E=2C?=",
    "A =?UTF-8?B?PHZpY3RpbUBldmlsLm9yZz4s?= =?utf-8?b?PHZpY3RpbUBldmlsLm9yZz4s?= B",
    "Zoë, <victim@evil.org>",
    'Ann "<victim@evil.org>", Lee',
    "Ann\\ Lee <victim@evil.org>",
    "N" + "a" * 190 + "h =?utf-8?b?PHZpY3RpbUBldmlsLm9yZz4s?=",
    RLO_NAME,
]


def written(message) -> email.message.EmailMessage:
    """The message as a mail program reads it after it was written out."""
    raw = message.as_bytes(policy=email.policy.SMTP)
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.hostile
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_cannot_add_a_recipient(name):
    sender = Sender(mailbox("Riverside", PLACEHOLDER_ADDRESS), PLACEHOLDER_ADDRESS, None, True)
    person = Participant("p01", name, email="ann@example.org")
    read = written(letter(sender, person, "Hello", "Hi\n"))
    assert [a.addr_spec for a in read["To"].addresses] == ["ann@example.org"]
    assert "victim" not in read["To"].addresses[0].display_name.replace(name, "")


@pytest.mark.hostile
@pytest.mark.parametrize("name", [ENCODED_WORD, "Evil =?utf-8?b?PHZAZS5vcmc+LA==?= Org"])
def test_an_organisation_name_cannot_add_a_sender(name):
    from_ = mailbox(name, PLACEHOLDER_ADDRESS)
    sender = Sender(from_, PLACEHOLDER_ADDRESS, None, True)
    read = written(letter(sender, Participant("p01", "Ann", email="ann@example.org"), "Hi", "x\n"))
    assert [a.addr_spec for a in read["From"].addresses] == [PLACEHOLDER_ADDRESS]


def test_an_ordinary_name_is_shown_with_the_address():
    for name in ("Siân O'Brien", "Γιώργος Παπαδόπουλος", "محمد علي", 'Ann "Nan" Lee, Jr.'):
        box = mailbox(name, "ann@example.org")
        assert (box.display_name, box.addr_spec) == (name, "ann@example.org")
        read = written(letter(Sender(box, "ann@example.org", None, True), Participant(
            "p01", name, email="ann@example.org"), "Hi", "x\n"))  # fmt: skip
        assert read["To"].addresses[0].display_name == name


def add_completer(ws, name: str) -> None:
    result = run("-w", str(ws), "roster", "spring", "add", name, "--email", "ann@example.org")
    assert result.exit_code == 0, result.output
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0


@pytest.mark.hostile
def test_the_dry_run_eml_of_an_encoded_word_name_has_one_recipient(ws):
    add_completer(ws, ENCODED_WORD)
    result = run("-w", str(ws), "send", "followups", "spring", "--dry-run")
    assert result.exit_code == 0, result.output
    path = ws / "out" / "spring" / "outbox" / "followup-2w-p01.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert len(message["To"].addresses) == 1
    assert message["To"].addresses[0].addr_spec == "ann@example.org"
    assert "victim" not in path.read_text()


class Inbox:
    """An SMTP server's handler that keeps what it was given."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.mark.hostile
def test_a_message_sent_to_an_encoded_word_name_has_one_recipient(ws):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = ws / "ipskit.yaml"
        settings.write_text(
            settings.read_text(encoding="utf-8")
            + f"email:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
            + '  sender: "Riverside <training@example.org>"\n',
            encoding="utf-8",
        )
        add_completer(ws, ENCODED_WORD)
        result = run("-w", str(ws), "send", "followups", "spring")
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    ((recipients, content),) = inbox.received
    assert recipients == ["ann@example.org"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert len(message["To"].addresses) == 1
    assert message["To"].addresses[0].addr_spec == "ann@example.org"
    assert b"victim" not in content


@pytest.mark.hostile
def test_a_stored_name_is_isolated_in_the_greeting_of_an_email(ws):
    from ipskit.mail.letters import followup_letter
    from ipskit.mail.messages import sender_of

    workspace = Workspace(ws)
    cohort = open_cohort(ws / "cohorts", "spring")
    person = Participant("p01", RLO_NAME, email="ann@example.org")
    item = followup_letter(workspace, cohort, sender_of(workspace, dry_run=True), person, "2w")
    body = item.message.get_body(("plain",)).get_content()
    assert body.startswith(f"Hello {FSI}{RLO_NAME}{PDI},\n")


@pytest.mark.hostile
def test_a_signatory_name_that_steers_the_text_is_refused_by_line(ws):
    settings = ws / "ipskit.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace(
        "signatories: []\n", 'signatories:\n  - name: "Ann\\u202eLee"\n    role: Lead trainer\n'
    ), encoding="utf-8")  # fmt: skip
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{settings}:8:11: signatories[1].name: the name contains a right-to-left override"
        " (U+202E) at character 4: remove it\n"
    )
