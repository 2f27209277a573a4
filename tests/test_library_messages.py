"""The library's messages name its own arguments; the command line names its options.

And a cohort may be called by any id the rule for ids allows, even a word that
``ipskit certificates`` takes as a command: ``certificates issue COHORT`` reaches it.
"""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import make_cohort, run
from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace

SOURCE = Path(__file__).parent.parent / "src" / "ipskit"
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski")


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def message(call) -> str:
    """Every line of what a library call raised, as a Python caller reads it."""
    with pytest.raises(IpskitError) as caught:
        call()
    return "\n".join(caught.value.lines)


@pytest.fixture
def taster(ws):
    """A one-evening course, held, that everyone attended."""
    make_cohort(ws, "taster", "ips-taster", None, PEOPLE)
    assert cli(ws, "attend", "taster", "1", "--all-present").exit_code == 0
    return ws


# --- what the library says, and what the command line says ---------------------------------


def _init(ws: Path) -> None:
    from ipskit.workspace import init_workspace

    init_workspace(ws.parent / "other", "  ")


def _export(ws: Path) -> None:
    from ipskit.courses.catalogue import export_curriculum

    export_curriculum("ips-taster", Workspace(ws))
    export_curriculum("ips-taster", Workspace(ws))


def _course(ws: Path) -> None:
    from ipskit.cohorts.course import course_for

    course_for(Workspace(ws), None, None)


def _sender(ws: Path) -> None:
    from ipskit.mail.sending import sender_of

    sender_of(Workspace(ws), dry_run=False)


def _revoke(ws: Path) -> None:
    from ipskit.certificates.verifying import revoke

    revoke(Workspace(ws), "ABCD-EFGH", "")


def _venue(ws: Path) -> None:
    from ipskit.cohorts.newcohort import create_cohort

    create_cohort(Workspace(ws), "autumn", "ips-taster", date(2027, 3, 3), venue="Hall\nRoom 2")


def _attend(ws: Path) -> None:
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.marking import attend

    attend(open_cohort(ws / "cohorts", "taster"), "1")


def _reissue(ws: Path) -> None:
    from ipskit.certificates.qualifying import who_qualifies
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.records import Records

    cohort = open_cohort(ws / "cohorts", "taster")
    who_qualifies(cohort, Records.load(cohort), [], reissue=True)


def _no_workspace(ws: Path) -> None:
    from ipskit.workspace import require_workspace

    require_workspace()


CASES = [
    pytest.param(
        _init, "organisation must name the organisation, e.g. organisation='Riverside Peer Network'",
        ("init", "other", "--org", "  "),
        "--org must name the organisation, e.g. --org 'Riverside Peer Network'", id="init",
    ),
    pytest.param(
        _export, "{ws}/curricula/ips-taster.yaml: already exists; use force=True to replace it",
        ("curricula", "export", "ips-taster"),
        "{ws}/curricula/ips-taster.yaml: already exists; use --force to replace it", id="export",
    ),
    pytest.param(
        _course, "name a cohort, or a curriculum with curriculum_id (not both)",
        ("session-plans",),
        "name a cohort, or a curriculum with --curriculum (not both)", id="course",
    ),
    pytest.param(
        _sender,
        "{ws}/ipskit.yaml: add an 'email:' section (host and sender, see the README) to send"
        " messages, or use dry_run=True to write them as files",
        ("send", "certificates", "taster"),
        "{ws}/ipskit.yaml: add an 'email:' section (host and sender, see the README) to send"
        " messages, or use --dry-run to write them as files", id="send",
    ),
    pytest.param(
        _revoke, "give the reason for revoking it with reason=...",
        ("certificates", "revoke", "ABCD-EFGH"),
        "give the reason for revoking it with --reason", id="revoke",
    ),
    pytest.param(
        _venue, "venue must be one line of text",
        ("new-cohort", "autumn", "--curriculum", "ips-taster", "--start", "2027-03-03",
         "--venue", "Hall\nRoom 2"),
        "--venue must be one line of text", id="venue",
    ),
    pytest.param(
        _attend, "say who was there: present, late, absent, excused, made_up or all_present=True",
        ("attend", "taster", "1"),
        "say who was there: --present, --late, --absent, --excused, --made-up or --all-present",
        id="attend",
    ),
    pytest.param(
        _reissue, "reissue=True needs who: name whose certificate to replace",
        ("certificates", "taster", "--reissue"),
        "--reissue needs --participant: name whose certificate to replace", id="reissue",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("call", "said", "args", "shown"), CASES)
def test_the_library_names_arguments_and_the_command_line_names_options(
    taster, call, said, args, shown
):
    where = str(taster.resolve())
    assert message(lambda: call(taster)) == said.format(ws=where)
    result = cli(taster, *args)
    assert (result.exit_code, result.stderr) == (1, shown.format(ws=where) + "\n")


def test_a_missing_workspace_is_named_by_argument_or_by_option(tmp_path):
    assert message(lambda: _no_workspace(tmp_path)) == (
        "no ipskit workspace here: run 'ipskit init --org NAME' first,"
        " or name one with the explicit argument"
    )
    assert run("cohorts").stderr == (
        "no ipskit workspace here: run 'ipskit init --org NAME' first,"
        " or name one with --workspace or IPSKIT_WORKSPACE\n"
    )


def test_an_option_is_named_after_its_argument_unless_the_command_line_says_otherwise():
    from ipskit.cli import option_for

    assert [option_for(s) for s in ("force=True", "late_after", "blank=N", "who", "when")] == [
        "--force", "--late-after", "--blank N", "--participant", "--date",
    ]  # fmt: skip


def _raised_words(path: Path) -> list[tuple[int, str]]:
    """The text of every ``raise`` of a module, with quoted ``'ipskit ...'`` lines left out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, re.sub(r"'ipskit [^']*'", "", part.value)))
    return found


def test_no_message_the_library_raises_names_an_option():
    named = [
        f"{path.relative_to(SOURCE)}:{line}: {text!r}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "cli" not in path.relative_to(SOURCE).parts
        for line, text in _raised_words(path)
        if re.search(r"(?<![\w-])--[a-z]", text)
    ]
    assert named == []


# --- a cohort may be called anything the id rule allows ------------------------------------


def test_the_id_rule_allows_the_words_of_certificates(ws):
    from ipskit.cohorts.cohort import check_new_id
    from ipskit.cohorts.newcohort import create_cohort

    for word in ("revoke", "publish", "issue"):
        assert check_new_id(word) == word
    cohort, _ = create_cohort(Workspace(ws), "revoke", "ips-taster", date(2027, 3, 3))
    assert cohort.id == "revoke"
    for refused in ("Spring", "-spring", "spring_2027", "con", "lpt1"):
        with pytest.raises(IpskitError, match="cannot be a cohort id"):
            check_new_id(refused)


def test_cohorts_named_revoke_and_publish_get_certificates(ws):
    start = date.today() - timedelta(days=30)
    for name in ("revoke", "publish"):
        make_cohort(ws, name, "ips-taster", start, PEOPLE)
        assert cli(ws, "attend", name, "1", "--all-present").exit_code == 0

    planned = cli(ws, "certificates", "issue", "revoke", "--dry-run")
    assert (planned.exit_code, planned.stdout.splitlines()[0]) == (0, "Would issue 2:")
    issued = cli(ws, "certificates", "issue", "publish")
    assert issued.exit_code == 0, issued.output
    assert issued.stdout.startswith("Issued 2 certificates in ")
    assert "publish" in issued.stdout.splitlines()[0]

    # The commands of the same words still do what they always did.
    published = cli(ws, "certificates", "publish")
    assert published.exit_code == 0, published.output
    assert published.stdout.startswith("Published the verification page for 2 certificates")
    register = (ws / "cohorts" / "publish" / "certificates.csv").read_text().splitlines()
    code = register[1].split(",")[0]
    revoked = cli(ws, "certificates", "revoke", code, "--reason", "Issued in error")
    assert (revoked.exit_code, revoked.stdout) == (
        0, f"Revoked certificate {code} (p01): Issued in error\n",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("revoke",), "revoke takes a certificate's code: 'certificates revoke CODE'"
                      " (for a cohort named revoke, 'certificates issue revoke')"),
        (("issue",), "issue takes a cohort: 'certificates issue COHORT'"
                     " (for a cohort named issue, 'certificates issue issue')"),
        (("publish", "x"), "unexpected 'x': publish takes --out DIR only"
                           " (for a cohort named publish, 'certificates issue publish')"),
    ],
)  # fmt: skip
def test_a_word_of_certificates_is_always_its_command(ws, args, shown):
    make_cohort(ws, "revoke", "ips-taster", None, PEOPLE)
    result = cli(ws, "certificates", *args)
    assert (result.exit_code, result.stderr) == (1, shown + "\n")


def test_a_cohort_named_issue_is_reached_with_issue_before_it(ws):
    make_cohort(ws, "issue", "ips-taster", None, PEOPLE)
    assert cli(ws, "attend", "issue", "1", "--all-present").exit_code == 0
    result = cli(ws, "certificates", "issue", "issue", "--dry-run")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, "Would issue 2:")
