"""Sign-in sheets, and the rendering path every document shares: safe whatever it prints."""

from __future__ import annotations

import stat

import pytest
from pypdf import PdfReader

from helpers import HOSTILE, make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.core.errors import IpskitError
from ipskit.core.resources import builtin_templates_dir
from ipskit.documents.signin_sheets import make_registers
from ipskit.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_one_sheet_per_session_with_every_name(ws):
    make_cohort(ws, people=HOSTILE)
    result = run("-w", str(ws), "register", "spring")
    target = ws / "out" / "spring" / "registers.pdf"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 10 sign-in sheets to {target}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    reader = PdfReader(target)
    assert len(reader.pages) == 10
    first = reader.pages[0].extract_text()
    cohort = open_cohort(ws / "cohorts", "spring")
    meeting = cohort.settings.sessions[0]
    assert f"1. {meeting.title}" in first
    assert f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}" in first
    assert "18:30 to 21:00" in first
    squeezed = "".join(first.split())  # long names wrap inside their cell
    for name in HOSTILE[:7]:  # Latin, Greek, Cyrillic extract as written
        assert "".join(name.split()) in squeezed, name
    assert "49" not in first
    assert (
        reader.metadata.title
        == "Sign-in sheets: Intentional Peer Support: ten-week course (spring)"
    )
    assert reader.metadata.author == "Riverside Peer Network"
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged for screen readers
    assert "/EmbeddedFiles" not in catalog.get("/Names", {})
    assert "/AF" not in catalog


def test_one_session_with_initials_only(ws):
    make_cohort(ws, people=("Siân Hughes", "Tomasz Wiśniewski"))
    result = run("-w", str(ws), "register", "spring", "week-3", "--initials", "--blank-rows", "2")
    target = ws / "out" / "spring" / "register-3.pdf"
    assert result.stdout == f"Wrote 1 sign-in sheet to {target}\n"
    text = text_of(target)
    assert "S. H." in text and "T. W." in text
    assert "Siân" not in text and "Hughes" not in text
    assert "Initials" in text


def test_html_is_escaped_and_fetches_nothing_outside(ws):
    make_cohort(ws, people=HOSTILE)
    run("-w", str(ws), "register", "spring", "1", "--format", "html")
    html = (ws / "out" / "spring" / "register-1.html").read_text()
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "&lt;link rel=attachment href=file:///etc/hostname&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "<img src=file" not in html and "<link rel=attachment" not in html


def test_a_recording_fetcher_sees_only_the_template_folders(ws):
    make_cohort(ws, people=HOSTILE)
    workspace = Workspace(ws)
    cohort = open_cohort(ws / "cohorts", "spring")
    renderer = make_registers(workspace, cohort, list(cohort.everything), ws / "out" / "r.pdf")
    fetcher = renderer.last_fetcher
    assert fetcher.refused == []
    assert fetcher.fetched == [str((builtin_templates_dir() / "base.css").resolve())]


def test_a_workspace_template_replaces_the_built_in_one(ws):
    make_cohort(ws, people=("Zoë",))
    original = (builtin_templates_dir() / "register.html").read_text()
    (ws / "templates" / "register.html").write_text(original.replace("Sign-in sheet", "Signing in"))
    run("-w", str(ws), "register", "spring", "1")
    assert "Signing in" in text_of(ws / "out" / "spring" / "register-1.pdf")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{{ ''.__class__.__mro__ }}",
            "{path}:1: the template tries something templates may not do (reaching into Python); only data and filters are allowed",
        ),
        ("<p>{{ nobody }}</p>", "{path}:1: 'nobody' is undefined"),
        (
            "{% for x in %}",
            "{path}:1: unexpected end of template, expected 'end of statement block'.",
        ),
    ],
)
def test_bad_workspace_templates_are_refused_by_name_and_line(ws, template, message):
    make_cohort(ws, people=("Zoë",))
    path = ws / "templates" / "register.html"
    path.write_text(template)
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(message.format(path=path.resolve())[:60])
    assert not (ws / "out" / "spring" / "register-1.pdf").exists()


@pytest.mark.parametrize(
    "resource",
    [
        '<img src="file:///etc/hostname">',
        '<img src="https://example.org/pixel.png">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        '<img src="../../../../etc/hostname">',
    ],
)
def test_fetching_outside_the_allowed_folders_stops_the_document(ws, resource):
    make_cohort(ws, people=("Zoë",))
    path = ws / "templates" / "register.html"
    path.write_text(f"<html><body>{resource}<p>x</p></body></html>")
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path.resolve()}: the document asks for ")
    assert result.stderr.endswith(
        "which ipskit does not fetch: use images and styles inside the templates folder\n"
    )
    assert not (ws / "out" / "spring" / "register-1.pdf").exists()


def test_a_colour_that_is_not_a_colour_is_refused_with_its_line(ws):
    settings = ws / "ipskit.yaml"
    text = settings.read_text().replace(
        "  # colour:", '  colour: "red;background:url(file:///etc/passwd)"\n  # colour:'
    )
    settings.write_text(text)
    make_cohort(ws, people=())
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.exit_code == 1
    line = text[: text.index('colour: "red')].count("\n") + 1
    assert result.stderr.startswith(f"{settings}:{line}:11: organisation.colour:")


def test_an_unwritable_output_leaves_nothing(ws, tmp_path):
    make_cohort(ws, people=("Zoë",))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("-w", str(ws), "register", "spring", "1", "--out", str(blocker / "r.pdf"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{blocker / 'r.pdf'}: cannot write it: part of the path is a file, not a folder;"
        " it is unchanged\n"
    )
    assert blocker.read_text() == "x"


def test_a_logo_from_the_workspace_is_embedded(ws):
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    (ws / "logo.png").write_bytes(png)
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("  # logo:", "  logo: logo.png\n  # logo:"))
    make_cohort(ws, people=("Zoë",))
    assert run("-w", str(ws), "register", "spring", "1").exit_code == 0
    settings.write_text(settings.read_text().replace("logo: logo.png", "logo: ../outside.png"))
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.stderr == "../outside.png: images must be inside the workspace folder\n"


def test_unknown_session(ws):
    make_cohort(ws, people=())
    with pytest.raises(IpskitError):
        open_cohort(ws / "cohorts", "spring").meeting("99")
    assert run("-w", str(ws), "register", "spring", "99").exit_code == 1


def test_a_name_no_font_can_draw_is_warned_about_by_id(ws):
    # U+10FFFD is a private-use character: no installed font draws it anywhere.
    make_cohort(ws, people=("Siân Hughes", "Zoë \U0010fffd Adams", "محمد علي", "Γιώργος"))
    result = run("-w", str(ws), "register", "spring", "1")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: p02: no installed font can draw this name (private-use letters), so it"
        " prints as empty boxes: install a font for it (see the README) and print again\n"
    )
    assert "Zoë" not in result.stderr
