"""Correcting and removing people on the roster: history rows by id, ids never reused."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from helpers import make_cohort, run
from ipskit.cohorts.changing import changing
from ipskit.cohorts.cohort import open_cohort


@pytest.fixture
def cohort(ws):
    """p01 Siân Hughes, p02 Tomasz Wiśniewski, p03 Amara Okafor, p04 Sam Patel."""
    return make_cohort(ws)


def cli(ws, *args):
    return run("-w", str(ws), "roster", "spring", *args)


def listed(ws):
    return {p["id"]: p for p in json.loads(cli(ws, "list", "--json").stdout)}


def history(cohort):
    """The history's rows after the cohort was made, without their times."""
    rows = list(csv.DictReader(io.StringIO((cohort / "history.csv").read_text("utf-8"))))
    return [[r["action"], r["participant"], r["before"], r["after"], r["note"]]
            for r in rows if r["action"] not in ("created", "added")]  # fmt: skip


def files(cohort):
    return {p.name: p.read_bytes() for p in cohort.iterdir() if p.suffix == ".csv"}


# --- edit -------------------------------------------------------------------------------------


def test_a_garbled_name_is_corrected_and_the_history_says_so_without_the_name(ws, cohort):
    assert cli(ws, "add", "Ma?gorzata Wójcik", "--email", "old@example.org").exit_code == 0
    result = cli(ws, "edit", "p05", "--name", "Małgorzata Wójcik", "--email", "m@example.org")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "p05 Małgorzata Wójcik: name changed (was Ma?gorzata Wójcik)\n"
        "p05 Małgorzata Wójcik: email changed to m@example.org (was old@example.org)\n"
    )
    assert (listed(ws)["p05"]["name"], listed(ws)["p05"]["email"]) == (
        "Małgorzata Wójcik", "m@example.org",
    )  # fmt: skip
    assert history(cohort) == [
        ["edited", "p05", "name", "new name", ""],
        ["edited", "p05", "email", "new email", ""],
    ]
    text = (cohort / "history.csv").read_text("utf-8")
    for private in ("gorzata", "Wójcik", "example.org"):
        assert private not in text


def test_a_certificate_name_is_set_changed_and_cleared(ws, cohort):
    result = cli(ws, "edit", "amara", "--certificate-name", "Amara N. Okafor")
    assert result.stdout == "p03 Amara Okafor: certificate name set to Amara N. Okafor\n"
    # Found by the certificate name too, as everywhere a person is named.
    result = cli(ws, "edit", "amara n", "--certificate-name", "Dr Amara Okafor")
    assert result.stdout == (
        "p03 Amara Okafor: certificate name changed to Dr Amara Okafor (was Amara N. Okafor)\n"
    )
    result = cli(ws, "edit", "p03", "--certificate-name", "")
    assert result.stdout == "p03 Amara Okafor: certificate name cleared (was Dr Amara Okafor)\n"
    assert listed(ws)["p03"]["certificate_name"] == "Amara Okafor"  # the name is printed
    assert history(cohort) == [
        ["edited", "p03", "no certificate name", "new certificate name", ""],
        ["edited", "p03", "certificate name", "new certificate name", ""],
        ["edited", "p03", "certificate name", "no certificate name", ""],
    ]


def test_pronouns_and_email_set_and_cleared_together(ws, cohort):
    result = cli(ws, "edit", "sam", "--pronouns", " they /  them ", "--email", "sam@example.org")
    assert result.stdout == (
        "p04 Sam Patel: email set to sam@example.org\n"
        "p04 Sam Patel: pronouns set to they / them\n"
    )
    result = cli(ws, "edit", "sam", "--pronouns", "", "--email", "")
    assert result.stdout == (
        "p04 Sam Patel: email cleared (was sam@example.org)\n"
        "p04 Sam Patel: pronouns cleared (was they / them)\n"
    )
    assert history(cohort)[-2:] == [
        ["edited", "p04", "email", "no email", ""],
        ["edited", "p04", "pronouns", "no pronouns", ""],
    ]


def test_the_same_values_again_change_nothing(ws, cohort):
    before = files(cohort)
    result = cli(ws, "edit", "p01", "--name", " Siân Hughes ", "--email", "")
    assert result.exit_code == 0
    assert result.stdout == "p01 Siân Hughes: already as given; nothing changed\n"
    assert files(cohort) == before


def test_someone_who_withdrew_can_still_be_corrected(ws, cohort):
    assert cli(ws, "withdraw", "p02", "--date", "2027-01-02").exit_code == 0
    result = cli(ws, "edit", "p02", "--certificate-name", "Tomasz K. Wiśniewski")
    assert result.stdout == (
        "p02 Tomasz Wiśniewski: certificate name set to Tomasz K. Wiśniewski\n"
    )
    assert listed(ws)["p02"]["status"] == "withdrawn"


def test_a_name_someone_else_has_needs_force(ws, cohort):
    before = files(cohort)
    result = cli(ws, "edit", "p04", "--name", "SIAN HUGHES")
    assert result.exit_code == 1
    assert result.stderr == (
        "p01 Siân Hughes on the roster has that name or email already;"
        " use --force to give it to p04 as well\n"
    )
    assert files(cohort) == before
    result = cli(ws, "edit", "p04", "--name", "SIAN HUGHES", "--force")
    assert result.stdout == "p04 SIAN HUGHES: name changed (was Sam Patel)\n"


def test_only_what_changes_is_compared_with_the_others(ws, cohort):
    assert cli(ws, "add", "Sam Patel", "--email", "sam@example.org", "--force").exit_code == 0
    # Two people called Sam Patel already: correcting one's email is not a new duplicate.
    result = cli(ws, "edit", "p04", "--name", "sam patel", "--email", "s.patel@example.org")
    assert result.stdout == (
        "p04 sam patel: name changed (was Sam Patel)\n"
        "p04 sam patel: email set to s.patel@example.org\n"
    )
    result = cli(ws, "edit", "p01", "--email", "SAM@example.org")
    assert result.exit_code == 1
    assert result.stderr == (
        "p05 Sam Patel on the roster has that name or email already;"
        " use --force to give it to p01 as well\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["p01"], "nothing to change: give --name, --certificate-name, --email, --pronouns or"
                  " --name-lang\n"),
        (["nobody", "--name", "X"], "no one on the roster of spring matches 'nobody'\n"),
        (["p99", "--email", ""], "no one on the roster of spring matches 'p99'\n"),
        (["sa", "--name", "X"], "'sa' could be p04 (Sam Patel), p05 (Samira Khan): use the id\n"),
        (["p01", "--name", ""], "a name is empty\n"),
        (["p01", "--name", "Si\x07n"],
         "a name contains a control character (U+0007) at character 3: remove it\n"),
        (["p01", "--name", "Ann\nLee"], "a name contains a line break or control character\n"),
        (["p01", "--name", "x" * 201], "a name is longer than 200 characters\n"),
        (["p01", "--certificate-name", "Ann\u202eLee"],
         "the certificate name contains a right-to-left override (U+202E) at character 4:"
         " remove it\n"),
        (["p01", "--email", "not-an-email"], "the email address is not valid\n"),
        (["p01", "--pronouns", "she\x1bher"],
         "the pronouns field contains a control character (U+001B) at character 4: remove it\n"),
    ],
)  # fmt: skip
def test_bad_edits_are_refused_and_change_nothing(ws, cohort, args, message):
    assert cli(ws, "add", "Samira Khan").exit_code == 0
    before = files(cohort)
    result = cli(ws, "edit", *args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert files(cohort) == before


def test_an_unknown_option_is_a_usage_error(ws, cohort):
    before = files(cohort)
    result = cli(ws, "edit", "p01", "--surname", "X")
    assert result.exit_code == 2
    assert "No such option: --surname" in result.stderr
    assert files(cohort) == before


# --- remove -----------------------------------------------------------------------------------


def test_someone_added_by_mistake_is_removed_and_their_id_is_never_reused(ws, cohort):
    assert cli(ws, "add", "Sam Patel", "--force").stdout == "Added p05 Sam Patel\n"
    result = cli(ws, "remove", "p05")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Removed p05 Sam Patel from the roster of spring\n"
    assert list(listed(ws)) == ["p01", "p02", "p03", "p04"]
    assert history(cohort) == [["removed", "p05", "active", "", ""]]
    # p05 was the last id: the next person still gets a new one, in a later command.
    assert cli(ws, "add", "Zoë Adams").stdout == "Added p06 Zoë Adams\n"
    assert cli(ws, "remove", "zoe").stdout == "Removed p06 Zoë Adams from the roster of spring\n"
    assert cli(ws, "add", "Ann Lee").stdout == "Added p07 Ann Lee\n"
    assert "Zoë" not in (cohort / "history.csv").read_text("utf-8")
    assert "Zoë" not in (cohort / "roster.csv").read_text("utf-8")


def test_an_import_after_a_removal_gives_new_ids_too(ws, cohort, tmp_path):
    assert cli(ws, "remove", "p04").exit_code == 0
    (tmp_path / "more.csv").write_text("Name\nZoë Adams\n", encoding="utf-8")
    result = cli(ws, "import", str(tmp_path / "more.csv"))
    assert result.stdout == "Added 1 participant:\n  p05 Zoë Adams\n"


def test_someone_who_withdrew_before_starting_can_be_removed(ws, cohort):
    assert cli(ws, "withdraw", "p02").exit_code == 0
    assert cli(ws, "remove", "p02").stdout == (
        "Removed p02 Tomasz Wiśniewski from the roster of spring\n"
    )
    assert history(cohort)[-1] == ["removed", "p02", "withdrawn", "", ""]


def _record(ws, kind):
    """Give p02 one record of a kind, as the commands (or the library) would."""
    folder = open_cohort(ws / "cohorts", "spring")
    if kind == "marks":
        assert run("-w", str(ws), "attend", "spring", "1", "--absent", "p02").exit_code == 0
        assert run("-w", str(ws), "attend", "spring", "2", "--present", "p02").exit_code == 0
        return
    with changing(folder) as records:
        person = records.participant("p02")
        if kind == "assessment":
            records.assess(person, "passed", date(2027, 1, 2))
        elif kind == "answers":
            point = folder.settings.followups[0].at
            records.answer(person, point, using_skills=True, trained_others=0,
                           when=date(2027, 1, 2))  # fmt: skip
        elif kind == "ratings":
            records.rate(person, "before", {"connection": 3}, date(2027, 1, 2))
        elif kind == "signed":
            records.sign(person, date(2027, 1, 2))
    if kind == "certificate":
        (folder.folder / "certificates.csv").write_text(
            "code,participant,name_on_certificate,course,hours,issued,sha256,status,date,reason\r\n"
            f"ABCD-EFGH,p02,Tomasz Wiśniewski,Course,20,2027-01-02,{'a' * 64},issued,2027-01-02,\r\n",
            encoding="utf-8",
        )
    if kind == "sent":
        (folder.folder / "sent.csv").write_text(
            "what,participant,sent,message_id\r\n"
            "followup 9w,p02,2027-01-02T10:00:00+00:00,<a@example.org>\r\n",
            encoding="utf-8",
        )


@pytest.mark.parametrize(
    ("kind", "held"),
    [
        ("marks", "2 attendance marks"),
        ("assessment", "an assessment result"),
        ("answers", "follow-up answers"),
        ("ratings", "self-ratings"),
        ("signed", "a signed agreement"),
        ("certificate", "a certificate"),
        ("sent", "emails sent to them"),
    ],
)
def test_anyone_with_a_record_is_withdrawn_not_removed(ws, cohort, kind, held):
    _record(ws, kind)
    before = files(cohort)
    result = cli(ws, "remove", "tomasz")
    assert result.exit_code == 1
    assert result.stderr == (
        f"p02 Tomasz Wiśniewski has {held}, so cannot be removed:"
        " use ipskit roster spring withdraw p02 instead\n"
    )
    assert files(cohort) == before


def test_several_kinds_of_record_are_all_named(ws, cohort):
    _record(ws, "marks")
    _record(ws, "assessment")
    _record(ws, "signed")
    result = cli(ws, "remove", "p02")
    assert result.stderr == (
        "p02 Tomasz Wiśniewski has 2 attendance marks, an assessment result and a signed"
        " agreement, so cannot be removed: use ipskit roster spring withdraw p02 instead\n"
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "no one on the roster of spring matches 'nobody'\n"),
        ("", "'' does not name anyone: give an id such as p01 or a name\n"),
    ],
)
def test_remove_refuses_whom_it_cannot_find(ws, cohort, who, message):
    before = files(cohort)
    result = cli(ws, "remove", who)
    assert result.exit_code == 1
    assert result.stderr == message
    assert files(cohort) == before


def test_someone_removed_is_gone_for_good(ws, cohort):
    assert cli(ws, "remove", "p03").exit_code == 0
    before = files(cohort)
    for args in (("remove", "p03"), ("edit", "p03", "--name", "X"), ("withdraw", "p03")):
        result = cli(ws, *args)
        assert result.exit_code == 1
        assert result.stderr == "no one on the roster of spring matches 'p03'\n"
    assert files(cohort) == before


def test_roster_messages_name_each_person_beside_their_id(ws, cohort):
    result = cli(ws, "add", "Amara Okafor")
    assert result.stderr == (
        "p03 Amara Okafor on the roster has that name or email already;"
        " use --force to add a second person\n"
    )
    assert cli(ws, "withdraw", "p03", "--date", "2027-01-02").stdout == (
        "p03 Amara Okafor has withdrawn (2027-01-02)\n"
    )


def test_a_right_to_left_name_is_isolated_in_each_line(ws, cohort):
    result = cli(ws, "add", "محمد علي")
    assert result.stdout == "Added p05 \u2068محمد علي\u2069\n"
    result = cli(ws, "edit", "p05", "--email", "m@example.org")
    assert result.stdout == "p05 \u2068محمد علي\u2069: email set to m@example.org\n"


def test_help_explains_both_commands(ws, cohort):
    for command, words in (("edit", "never holds the text"), ("remove", "added by mistake")):
        result = cli(ws, command, "--help")
        assert result.exit_code == 0
        assert words in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "args", [("edit", "p01", "--email", "sian@example.org"), ("remove", "p04")]
)
def test_edit_and_remove_stay_instant(ws, cohort, args):
    import os

    from test_startup import imported_modules

    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    modules = imported_modules("roster", "spring", *args, env=env)
    assert "ipskit.cohorts.records" in modules
    heavy = ("weasyprint", "pydantic", "jinja2", "pypdf", "openpyxl")
    assert sorted(m for m in modules if m.split(".")[0] in heavy) == []
