"""A name's language given by the trainer (``--name-lang cy``), where its letters cannot tell it.

A Welsh or Irish name is written in Latin letters, like an English one: only the trainer
knows that a screen reader should read "Gwenllian" with a Welsh voice. The roster keeps
the language in a column of its own (a roster written before it is read as it was), and
every document that prints the name marks it with that language, in the HTML and in the
tagged PDF's structure tree.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run
from test_name_languages import names_by_language

WELSH, IRISH, GREEK = "Gwenllian Jones", "Aoife Ní Bhriain", "Ελένη Μαρκάκη"
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel")
OLD_HEADER = "id,name,certificate_name,email,pronouns,status,added,left"
HEADER = OLD_HEADER + ",name_lang"
BAD = "the name language must be a language tag such as cy, ga, ar or zh-Hant\n"


@pytest.fixture
def cohort(ws) -> Path:
    """p01 Siân Hughes, p02 Tomasz Wiśniewski, p03 Amara Okafor, p04 Sam Patel."""
    return make_cohort(ws)


@pytest.fixture
def ws(tmp_path) -> Path:
    return make_workspace(tmp_path)


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


def roster(ws: Path, *args: str):
    return cli(ws, "roster", "spring", *args)


def listed(ws: Path) -> dict[str, dict]:
    return {p["id"]: p for p in json.loads(roster(ws, "list", "--json").stdout)}


def text(path: Path) -> str:
    """A file's text as written, line ends and all."""
    return path.read_bytes().decode("utf-8")


def rows(cohort: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text(cohort / "roster.csv"))))


def files(cohort: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in cohort.iterdir() if p.suffix == ".csv"}


def history(cohort: Path) -> list[list[str]]:
    found = csv.DictReader(io.StringIO((cohort / "history.csv").read_text("utf-8")))
    return [[r["action"], r["participant"], r["before"], r["after"]]
            for r in found if r["action"] == "edited"]  # fmt: skip


# --- the tag ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("cy", "cy"), (" GA ", "ga"), ("zh-hant", "zh-Hant"), ("ZH-HANT-tw", "zh-Hant-TW"),
     ("es-419", "es-419"), ("sr-latn-rs", "sr-Latn-RS"), ("yue", "yue"),
     ("de-CH-1996", "de-CH-1996"), ("en-x-Scouse", "en-x-scouse"), ("", "")],
)  # fmt: skip
def test_a_tag_is_kept_in_its_usual_case(given, stored):
    from ipskit.core.names import check_name_lang

    assert check_name_lang(given) == stored


@pytest.mark.parametrize(
    "given",
    ["Welsh", "c", "cymraeg", "cy_GB", "cy-", "cy--GB", "1a", "x-klingon", "en GB", "ελ",
     "cy-abcdefghi", "cy-" + "-".join(["ab"] * 20), "cy\u202e"],
)  # fmt: skip
def test_anything_but_a_tag_is_refused(given):
    from ipskit.core.names import check_name_lang

    with pytest.raises(ValueError, match="must be a language tag such as cy, ga, ar or zh-Hant"):
        check_name_lang(given)


@pytest.mark.parametrize(
    ("name", "chosen", "language"),
    [(WELSH, "cy", "cy"), (WELSH, "", ""), (GREEK, "", "el"), (GREEK, "en", "en")],
)
def test_the_chosen_language_wins_over_the_script(name, chosen, language):
    from ipskit.core.names import script_language
    from ipskit.documents.render import name_lang

    assert name_lang({"name": name, "name_lang": chosen}) == language
    # A name alone (a template of a workspace's own, written before) goes by its script.
    assert name_lang({"name": name}) == name_lang(name) == (script_language(name) or "")


# --- the command line -------------------------------------------------------------------------


def test_added_with_its_language(ws, cohort):
    result = roster(ws, "add", WELSH, "--name-lang", "CY")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Added p05 {WELSH}\n"
    assert listed(ws)["p05"]["name_lang"] == "cy"
    assert listed(ws)["p01"]["name_lang"] == ""
    assert text(cohort / "roster.csv").startswith(HEADER + "\r\n")
    assert [r["name_lang"] for r in rows(cohort)] == ["", "", "", "", "cy"]
    table = roster(ws, "list").stdout.splitlines()
    assert table[0].split() == ["ID", "Name", "On", "certificate", "Email", "Pronouns", "Name",
                                "language"]  # fmt: skip
    assert table[5].split() == ["p05", "Gwenllian", "Jones", "cy"]


def test_set_changed_and_cleared_the_history_saying_which_field(ws, cohort):
    result = roster(ws, "edit", "p01", "--name-lang", "cy")
    assert (result.exit_code, result.stdout) == (0, "p01 Siân Hughes: name language set to cy\n")
    result = roster(ws, "edit", "sian", "--name-lang", "en-GB")
    assert (result.exit_code, result.stdout) == (
        0, "p01 Siân Hughes: name language changed to en-GB (was cy)\n",
    )  # fmt: skip
    result = roster(ws, "edit", "p01", "--name-lang", "EN-gb")
    assert result.stdout == "p01 Siân Hughes: already as given; nothing changed\n"
    result = roster(ws, "edit", "p01", "--name-lang", "")
    assert (result.exit_code, result.stdout) == (
        0, "p01 Siân Hughes: name language cleared (was en-GB)\n",
    )  # fmt: skip
    assert listed(ws)["p01"]["name_lang"] == ""
    assert history(cohort) == [
        ["edited", "p01", "no name language", "new name language"],
        ["edited", "p01", "name language", "new name language"],
        ["edited", "p01", "name language", "no name language"],
    ]


@pytest.mark.parametrize("args", [("add", WELSH, "--name-lang", "Welsh"),
                                  ("edit", "p01", "--name-lang", "cy_GB"),
                                  ("edit", "p01", "--name", "Siân Jones", "--name-lang", "c")])  # fmt: skip
def test_a_bad_tag_is_refused_and_changes_nothing(ws, cohort, args):
    before = files(cohort)
    result = roster(ws, *args)
    assert result.exit_code == 1
    assert result.stderr == BAD
    assert files(cohort) == before


def test_the_exports_carry_it(ws, cohort, tmp_path):
    assert roster(ws, "add", IRISH, "--name-lang", "ga").exit_code == 0
    out = tmp_path / "roster.csv"
    result = roster(ws, "list", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [(r["id"], r["name_lang"]) for r in exported][-2:] == [("p04", ""), ("p05", "ga")]


# --- the file ---------------------------------------------------------------------------------


def test_a_roster_written_before_the_column_is_read_and_written_whole(ws, cohort):
    old = (
        f"{OLD_HEADER}\r\n"
        "p01,Siân Hughes,,sian@example.org,she/her,active,2027-01-04,\r\n"
        "p02,Tomasz Wiśniewski,Tomasz K. Wiśniewski,,,withdrawn,2027-01-04,2027-02-01\r\n"
        "p03,,,,,erased,2027-01-04,2027-02-03\r\n"
        "p04,Sam Patel,,,,active,2027-01-04,\r\n"
    )
    (cohort / "roster.csv").write_text(old, encoding="utf-8", newline="")
    before = listed(ws)
    assert [p["name_lang"] for p in before.values()] == ["", "", ""]  # p03 erased: not listed
    assert text(cohort / "roster.csv") == old  # reading changes nothing
    assert cli(ws, "check").exit_code == 0
    assert roster(ws, "edit", "p04", "--name-lang", "gu").exit_code == 0
    assert text(cohort / "roster.csv") == (
        f"{HEADER}\r\n"
        "p01,Siân Hughes,,sian@example.org,she/her,active,2027-01-04,,\r\n"
        "p02,Tomasz Wiśniewski,Tomasz K. Wiśniewski,,,withdrawn,2027-01-04,2027-02-01,\r\n"
        "p03,,,,,erased,2027-01-04,2027-02-03,\r\n"
        "p04,Sam Patel,,,,active,2027-01-04,,gu\r\n"
    )
    after = listed(ws)
    assert {pid: {**p, "name_lang": ""} for pid, p in after.items()} == before
    assert after["p04"]["name_lang"] == "gu"


def test_a_row_of_the_old_width_under_the_new_header_is_refused(ws, cohort):
    path = cohort / "roster.csv"
    written = text(path)
    path.write_text(written.replace(",\r\n", "\r\n", 1), encoding="utf-8", newline="")
    result = roster(ws, "list")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:2: expected 9 cells, found 8\n"


def test_check_finds_a_bad_tag_written_by_hand(ws, cohort):
    path = cohort / "roster.csv"
    lines = text(path).split("\r\n")
    assert lines[3].startswith("p03,Amara Okafor,") and lines[3].endswith(",")
    lines[3] += "Yoruba"
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")
    path.chmod(0o600)
    message = (f"{path}:4: name_lang: not a language tag such as cy, ga, ar or zh-Hant:"
               " correct it, or leave the cell empty")  # fmt: skip
    result = cli(ws, "check")
    assert result.exit_code == 1
    assert result.stdout == f"{message}\n1 problem found in {ws}\n"
    before = files(cohort)
    result = roster(ws, "edit", "p03", "--name-lang", "yo")
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert files(cohort) == before
    path.write_text(text(path).replace("Yoruba", "yo"), encoding="utf-8")
    assert cli(ws, "check").exit_code == 0
    assert listed(ws)["p03"]["name_lang"] == "yo"


def test_forget_blanks_it_with_the_name(ws, cohort):
    assert roster(ws, "edit", "p02", "--name-lang", "pl").exit_code == 0
    result = cli(ws, "forget", "spring", "p02", "--yes")
    assert result.exit_code == 0, result.output
    row = rows(cohort)[1]
    assert (row["id"], row["name"], row["status"], row["name_lang"]) == ("p02", "", "erased", "")
    assert ",pl" not in text(cohort / "roster.csv")


# --- import -----------------------------------------------------------------------------------


def test_import_reads_a_name_language_column(ws, cohort, tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text(
        "Full name,Email,Name language (optional)\r\n"
        f"{WELSH},gwen@example.org,cy\r\n"
        f"{IRISH},,GA\r\n"
        "Ann Lee,,\r\n"
        "Bo Chen,,Chinese\r\n",
        encoding="utf-8",
    )
    result = roster(ws, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added 3 participants:\n"
        f"  p05 {WELSH}\n"
        f"  p06 {IRISH}\n"
        "  p07 Ann Lee\n"
        f"  line 5: skipped: {BAD}"
    ).rstrip("\n")  + "\n"
    people = listed(ws)
    assert [people[pid]["name_lang"] for pid in ("p05", "p06", "p07")] == ["cy", "ga", ""]


@pytest.mark.parametrize("heading", ["name_lang", "Name language", "What language is your name in?",
                                     "Language of your name"])  # fmt: skip
def test_the_column_is_found_by_its_heading(heading):
    from ipskit.cohorts.roster_columns import find_layout

    layout = find_layout(["Name", "Email", heading])
    assert layout is not None and layout.name == (0,) and layout.name_lang == 2


# --- documents --------------------------------------------------------------------------------


def test_the_sign_in_sheet_reads_the_name_in_its_language(ws, cohort):
    assert roster(ws, "add", WELSH, "--name-lang", "cy").exit_code == 0
    assert roster(ws, "add", GREEK).exit_code == 0
    # A name in Greek letters chosen to be read as English: the choice wins.
    assert roster(ws, "add", "Νίκος Smith-Παππάς", "--name-lang", "en").exit_code == 0
    result = cli(ws, "register", "spring", "1")
    assert result.exit_code == 0, result.output
    drawn = names_by_language(ws / "out" / "spring" / "register-1.pdf")
    assert ("cy", WELSH) in drawn
    assert ("el", GREEK) in drawn
    assert ("en", "Νίκος Smith-Παππάς") in drawn
    assert (None, "Siân Hughes") in drawn
    html = ws / "sheet.html"
    result = cli(ws, "register", "spring", "1", "--format", "html", "--out", str(html))
    assert result.exit_code == 0, result.output
    assert f'<td class="name" dir="auto"><bdi lang="cy">{WELSH}</bdi></td>' in html.read_text()


def test_a_changed_language_makes_the_sheet_again(ws, cohort):
    assert cli(ws, "register", "spring", "1").stdout.startswith("Wrote 1 sign-in sheet")
    assert cli(ws, "register", "spring", "1").stdout.startswith("Up to date: ")
    assert roster(ws, "edit", "p01", "--name-lang", "cy").exit_code == 0
    assert cli(ws, "register", "spring", "1").stdout.startswith("Wrote 1 sign-in sheet")
    drawn = names_by_language(ws / "out" / "spring" / "register-1.pdf")
    assert ("cy", "Siân Hughes") in drawn
    assert cli(ws, "register", "spring", "1").stdout.startswith("Up to date: ")
    assert roster(ws, "edit", "p01", "--name-lang", "").exit_code == 0
    assert cli(ws, "register", "spring", "1").stdout.startswith("Wrote 1 sign-in sheet")
    assert (None, "Siân Hughes") in names_by_language(ws / "out" / "spring" / "register-1.pdf")


def test_the_forms_covers_and_certificates_carry_it(ws):
    from ipskit.certificates.issuing import Person, batch_context
    from ipskit.cohorts.course import course_for
    from ipskit.cohorts.records import Records
    from ipskit.documents.agreement_forms import agreement_context
    from ipskit.documents.render import Renderer
    from ipskit.documents.workbooks import owners_of, workbook_context
    from ipskit.workspace import Workspace

    make_cohort(ws, "spring", "ips-2-day-cascade", None, PEOPLE)
    assert roster(ws, "edit", "p03", "--name-lang", "yo").exit_code == 0
    assert roster(ws, "edit", "p04", "--certificate-name", GREEK).exit_code == 0
    workspace = Workspace(ws)
    course = course_for(workspace, "spring", None)
    assert course.cohort is not None
    renderer = Renderer(workspace)
    people = Records.load(course.cohort).active

    forms = renderer.html("agreement.html", agreement_context(workspace, renderer, course,
                                                              people, blank=1))  # fmt: skip
    assert '<bdi lang="yo">Amara Okafor</bdi>' in forms
    assert "<bdi>Sam Patel</bdi>" in forms
    covers = workbook_context(workspace, renderer, course, owners=owners_of(course),
                              covers_only=True)  # fmt: skip
    html = renderer.html("workbook.html", covers)
    assert '<bdi lang="yo">Amara Okafor</bdi>' in html
    assert "<bdi>Sam Patel</bdi>" in html
    context = batch_context(
        workspace, course.cohort,
        [Person(f"CODE-{p.id}", p.id, p.name_on_certificate, p.name_lang) for p in people],
        course.cohort.settings.sessions[-1].date, renderer,
    )  # fmt: skip
    sheet = [{**c, "number": n} for n, c in enumerate(context["certificates"], start=1)]
    html = renderer.html("certificate.html", {**context, "layer": "people", "sheets": [sheet]})
    assert '<bdi lang="yo">Amara Okafor</bdi>' in html
    assert f'<bdi lang="el">{GREEK}</bdi>' in html  # the certificate's name, told by its script
