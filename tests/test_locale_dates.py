"""The workspace's locale writes every date and hour: British by default, any other on request.

``locale:`` in ipskit.yaml decides how dates and times of day read on paper, on the
terminal and in emails. en-GB, the default, is ipskit's own form ("Wednesday 5 March
2031", "18:30 to 20:30"); another locale gets its own (CLDR's, through Babel).
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from helpers import make_cohort, pdf_pages_text, run
from ipskit.cohorts.cohort import open_cohort

#: A Wednesday well ahead, so that every date below can be written out in full.
START = "2031-03-05"

MONTHS = {
    "en-GB": ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"),
    "de-DE": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"),
    "fr-FR": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"),
}  # fmt: skip


def day_month_year(day: date, locale: str) -> str:
    """A date as each locale writes it in a sentence: 5 March 2031, 5. März 2031, 5 mars 2031."""
    month = MONTHS[locale][day.month - 1]
    return f"{day.day}. {month} {day.year}" if locale == "de-DE" else f"{day.day} {month} {day.year}"


def use_locale(ws: Path, locale: str) -> None:
    settings = ws / "ipskit.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "locale: en-GB" in text
    settings.write_text(text.replace("locale: en-GB", f"locale: {locale}"), encoding="utf-8")


def new_taster(ws: Path) -> str:
    """A taster evening on START from 18:30 (two hours); what new-cohort printed."""
    result = run("-w", str(ws), "new-cohort", "taster", "--curriculum", "ips-taster",
                 "--start", START, "--time", "18:30")  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def squeezed(text: str) -> str:
    return " ".join(text.split())


def plan_and_sheet(ws: Path) -> tuple[str, str]:
    """The text of the taster's session plan and sign-in sheet, made as a trainer makes them."""
    for command in ("session-plans", "register"):
        result = run("-w", str(ws), command, "taster")
        assert result.exit_code == 0, result.output
    out = ws / "out" / "taster"
    plan = "\n".join(pdf_pages_text(out / "session-plans" / "session-01.pdf"))
    sheet = "\n".join(pdf_pages_text(out / "registers.pdf"))
    return squeezed(plan), squeezed(sheet)


# --- en-GB, the default: what ipskit has always printed --------------------------------------


def test_british_dates_and_hours_on_the_terminal(ws):
    assert new_taster(ws) == (
        "Created cohort taster (ips-taster): 1 session from Wed 5 Mar 2031 to Wed 5 Mar 2031\n"
        "#  Date            Time         Session  Title\n"
        "1  Wed 5 Mar 2031  18:30–20:30  taster   An introduction to Intentional Peer Support\n"
        f"Folder: {ws / 'cohorts' / 'taster'}\n"
    )
    status = run("-w", str(ws), "status", "taster")
    assert status.exit_code == 0, status.output
    assert "1  Wed 5 Mar 2031  18:30  An introduction" in status.stdout
    listed = run("-w", str(ws), "curricula", "show", "ips-taster")
    assert "1 session, weekly, from 18:00 · 1.75 contact hours" in listed.stdout
    assert "  18:00–18:10   10 min  welcome" in listed.stdout


@pytest.mark.slow
def test_british_dates_and_hours_on_paper(ws):
    new_taster(ws)
    plan, sheet = plan_and_sheet(ws)
    assert "When Wednesday 5 March 2031, 18:30 to 20:30" in plan
    assert "18:30–18:40" in plan  # the timetable
    assert "Date Wednesday 5 March 2031 Time 18:30 to 20:30" in sheet


# --- another locale ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "row", "created"),
    [
        ("de-DE", "1  Mi., 5. März 2031  18:30  An introduction",
         "from Mi., 5. März 2031 to Mi., 5. März 2031"),
        ("fr-FR", "1  mer. 5 mars 2031  18:30  An introduction",
         "from mer. 5 mars 2031 to mer. 5 mars 2031"),
        # CLDR puts a narrow no-break space before AM and PM.
        ("en-US", "1  Wed, Mar 5, 2031  6:30\u202fPM  An introduction",
         "from Wed, Mar 5, 2031 to Wed, Mar 5, 2031"),
    ],
)  # fmt: skip
def test_the_terminal_writes_dates_and_hours_in_the_workspace_locale(ws, locale, row, created):
    use_locale(ws, locale)
    assert created in new_taster(ws).splitlines()[0]
    status = run("-w", str(ws), "status", "taster")
    assert status.exit_code == 0, status.output
    assert row in status.stdout
    assert "Wed 5 Mar" not in status.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("locale", "when", "hours"),
    [
        ("de-DE", "Mittwoch, 5. März 2031", "18:30–20:30 Uhr"),
        ("fr-FR", "mercredi 5 mars 2031", "18:30 – 20:30"),
    ],
)
def test_documents_write_dates_and_hours_in_the_workspace_locale(ws, locale, when, hours):
    use_locale(ws, locale)
    new_taster(ws)
    plan, sheet = plan_and_sheet(ws)
    assert f"When {when}, {hours}" in plan
    assert f"Date {when} Time {hours}" in sheet
    assert "March" not in sheet and "Wednesday" not in sheet


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_a_certificate_gives_its_dates_in_the_workspace_locale(ws, locale):
    make_cohort(ws, "taster", "ips-taster", None, ("Siân Hughes",))
    assert run("-w", str(ws), "attend", "taster", "1", "--all-present").exit_code == 0
    if locale != "en-GB":
        use_locale(ws, locale)
    result = run("-w", str(ws), "certificates", "taster")
    assert result.exit_code == 0, result.output
    (path,) = (ws / "out" / "taster" / "certificates").glob("certificate-p01-*.pdf")
    text = squeezed(pdf_pages_text(path)[0])
    held = open_cohort(ws / "cohorts", "taster").settings.sessions[0].date
    assert day_month_year(held, locale) in text
    assert f"Issued {day_month_year(date.today(), locale)}" in text


@pytest.mark.parametrize("locale", ["en-GB", "de-DE", "fr-FR"])
def test_the_follow_up_email_gives_the_last_day_in_the_workspace_locale(ws, locale):
    make_cohort(ws, "spring", "ips-taster", None, (), "--followup", "2w")
    added = run("-w", str(ws), "roster", "spring", "add", "Siân Hughes", "--email",
                "sian@example.org")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present").exit_code == 0
    if locale != "en-GB":
        use_locale(ws, locale)
    result = run("-w", str(ws), "send", "followups", "spring", "--dry-run")
    assert result.exit_code == 0, result.output
    path = ws / "out" / "spring" / "outbox" / "followup-2w-p01.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = squeezed(message.get_body(("plain",)).get_content())
    last = open_cohort(ws / "cohorts", "spring").settings.sessions[-1].date
    assert f"which ended on {day_month_year(last, locale)}." in body


# --- a locale that is none ----------------------------------------------------------------------


def test_a_locale_ipskit_does_not_know_is_refused_naming_ipskit_yaml(ws):
    new_taster(ws)
    use_locale(ws, "xx-YY")
    why = (
        "locale: 'xx-YY' is not a locale ipskit knows: write a language and region such as"
        " en-GB, en-IE, de-DE or fr-FR\n"
    )
    made = run("-w", str(ws), "session-plans", "taster")
    assert made.exit_code == 1
    assert made.stderr == f"{ws / 'ipskit.yaml'}:12:9: {why}"
    shown = run("-w", str(ws), "status", "taster")
    assert shown.exit_code == 1
    assert shown.stdout == ""
    assert shown.stderr == f"ipskit.yaml: {why}"


# --- British dates cost nothing at start-up ---------------------------------------------------


def imported(args: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "ipskit", *args],
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_babel_is_loaded_only_for_a_locale_other_than_en_gb(ws):
    new_taster(ws)
    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    assert "babel" not in imported(["--help"], env)
    assert "babel" not in imported(["status", "taster"], env)
    use_locale(ws, "de-DE")
    assert "babel" in imported(["status", "taster"], env)
