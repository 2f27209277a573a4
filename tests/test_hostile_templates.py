"""Workspace templates that reach out of their folders, or ask for too much: one line, no leak.

And the reverse: a workspace's own style sheets are used, and its relative links find
its own files first.
"""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from helpers import make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.core.resources import builtin_templates_dir
from ipskit.documents.signin_sheets import make_registers
from ipskit.workspace import Workspace

SECRET = "SECRET-7f3a-do-not-print"
BUILT_IN = builtin_templates_dir().resolve()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One workspace with a cohort, copied for each test (making it takes a while)."""
    root = tmp_path_factory.mktemp("made")
    ws = make_workspace(root)
    make_cohort(ws, people=("Zoë Adams", "Tomasz Wiśniewski"))
    return ws


@pytest.fixture
def ws(made, tmp_path):
    import shutil

    copy = tmp_path / "ws"
    shutil.copytree(made, copy, symlinks=True)
    (tmp_path / "secret.txt").write_text(SECRET)
    return copy


def folders(ws) -> str:
    return f"{(ws / 'templates').resolve()} or {BUILT_IN}"


def register(ws, *more: str):
    return run("-w", str(ws), "register", "spring", "1", *more)


def override(ws, name: str, text: str):
    path = ws / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path.resolve()


def built_in_with(extra: str, *, before: str = "</body>") -> str:
    """The built-in sign-in sheet with something added (so it still renders)."""
    original = (BUILT_IN / "register.html").read_text()
    assert before in original
    return original.replace(before, extra + before)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def refused_at_its_line(ws, code: str, message: str) -> None:
    """A sign-in sheet override with ``code`` on a line of its own is refused at that line."""
    text = built_in_with(code + "\n")
    path = override(ws, "register.html", text)
    result = register(ws, "--format", "html")
    refused(result, f"{path}:{line_of(text, code)}: {message}", ws)


def refused(result, message: str, ws) -> None:
    """One red line, exactly this, no secret anywhere, and nothing written."""
    assert result.exit_code == 1, result.output
    assert result.stderr == message + "\n"
    assert SECRET not in result.output
    assert "Traceback" not in result.output
    assert not list(ws.glob("out/**/register-1.*"))


# --- the template loader ------------------------------------------------------------------------


@pytest.mark.hostile
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_an_include_of_a_symlink_out_of_the_folder_is_refused(ws, tmp_path, fmt):
    text = built_in_with('<p>{% include "pw.html" %}</p>\n')
    path = override(ws, "register.html", text)
    (ws / "templates" / "pw.html").symlink_to(tmp_path / "secret.txt")
    result = register(ws, "--format", fmt)
    refused(
        result,
        f"{path}:{line_of(text, 'pw.html')}: the template 'pw.html' is a symbolic link"
        f" ({ws.resolve()}/templates/pw.html): templates must be plain files inside"
        f" {folders(ws)}",
        ws,
    )


@pytest.mark.hostile
def test_a_template_that_is_itself_a_symlink_is_refused(ws, tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET + "{{ 1 }}")
    (ws / "templates" / "register.html").symlink_to(tmp_path / "secret.txt")
    result = register(ws, "--format", "html")
    where = f"{ws.resolve()}/templates/register.html"
    refused(
        result,
        f"{where}: the template 'register.html' is a symbolic link ({where}): templates must"
        f" be plain files inside {folders(ws)}",
        ws,
    )


@pytest.mark.hostile
def test_an_include_through_a_symlinked_folder_is_refused(ws, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.html").write_text(SECRET)
    (ws / "templates" / "parts").symlink_to(outside, target_is_directory=True)
    text = built_in_with('{% include "parts/x.html" %}\n')
    path = override(ws, "register.html", text)
    result = register(ws, "--format", "html")
    refused(
        result,
        f"{path}:{line_of(text, 'parts/x.html')}: the template 'parts/x.html' is a symbolic"
        f" link ({ws.resolve()}/templates/parts): templates must be plain files inside"
        f" {folders(ws)}",
        ws,
    )


@pytest.mark.hostile
@pytest.mark.parametrize("name", ["../secret.txt", "../../secret.txt", "a/../../secret.txt"])
def test_an_include_that_climbs_out_is_refused(ws, name):
    refused_at_its_line(
        ws,
        f'{{% include "{name}" %}}',
        f"the template '{name}' is outside the templates folders: templates must be plain"
        f" files inside {folders(ws)}",
    )


@pytest.mark.hostile
def test_an_include_of_an_absolute_path_is_looked_for_inside_the_folders_only(ws):
    code = '{% include "/etc/passwd" %}'
    refused_at_its_line(ws, code, f"no template '/etc/passwd' in {folders(ws)}")


@pytest.mark.hostile
def test_a_missing_include_names_the_including_template_its_line_and_the_missing_one(ws):
    override(ws, "chart.html", "<p>a chart</p>\n\n{% include 'nowhere.html' %}\n")
    text = built_in_with('{% include "chart.html" %}\n')
    override(ws, "register.html", text)
    result = register(ws, "--format", "html")
    chart = (ws / "templates" / "chart.html").resolve()
    refused(result, f"{chart}:3: no template 'nowhere.html' in {folders(ws)}", ws)


def test_an_include_of_a_plain_file_in_the_workspace_works(ws):
    override(ws, "extra.html", "<p>Bring a pen</p>")
    override(ws, "register.html", built_in_with('{% include "extra.html" %}\n'))
    result = register(ws, "--format", "html")
    assert result.exit_code == 0, result.output
    assert "<p>Bring a pen</p>" in (ws / "out" / "spring" / "register-1.html").read_text()


# --- templates asking for too much -------------------------------------------------------------


TOO_MUCH = (
    "the template asks for too much (more than 100,000 items, or a number or text too large to"
    " make): ask for less"
)


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("{{ range(100000000)|list|length }}", TOO_MUCH),
        ("{% for i in range(100000000) %}.{% endfor %}", TOO_MUCH),
        ("{{ 'x' * 10**12 }}", TOO_MUCH),
        ("{{ ['x'] * 100000000 }}", TOO_MUCH),
        ("{{ 2**100000000 }}", TOO_MUCH),
        (
            "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(1) }}",
            "the template calls itself without end (a macro or include that never stops):"
            " give it a way to stop",
        ),
        (
            "{{ 1 / 0 }}",
            "the template stopped with ZeroDivisionError: check that line",
        ),
    ],
)
def test_a_template_asking_for_too_much_is_one_line_naming_it(ws, code, message):
    refused_at_its_line(ws, code, message)


@pytest.mark.hostile
def test_a_template_that_includes_itself_is_one_line(ws):
    refused_at_its_line(
        ws,
        '{% include "register.html" %}',
        "the template calls itself without end (a macro or include that never stops): give"
        " it a way to stop",
    )


def test_a_modest_range_and_product_are_fine(ws):
    override(ws, "register.html", built_in_with("{{ range(1000)|list|length }}-{{ 'ab' * 3 }}"))
    assert register(ws, "--format", "html").exit_code == 0
    assert "1000-ababab" in (ws / "out" / "spring" / "register-1.html").read_text()


# --- what the PDF may fetch ---------------------------------------------------------------------


NOT_FETCHED = "which ipskit does not fetch: use images and styles inside the templates folder"


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("resource", "asked"),
    [
        ('<img src="file:///etc/passwd" alt="">', "file:///etc/passwd"),
        ('<link rel="stylesheet" href="http://example.org/x.css">', "http://example.org/x.css"),
        ('<img src="https://example.org/p.png" alt="">', "https://example.org/p.png"),
        ('<img src="file://localhost/etc/passwd" alt="">', "file://localhost/etc/passwd"),
        ('<p style="background: url(file:///etc/passwd)">x</p>', "file:///etc/passwd"),
    ],
)
def test_a_template_fetching_from_outside_is_one_line(ws, resource, asked):
    path = override(ws, "register.html", built_in_with(resource))
    refused(register(ws), f"{path}: the document asks for {asked}, {NOT_FETCHED}", ws)


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("attachment", "before"),
    [
        ('<a rel="attachment" href="file:///etc/passwd">passwords</a>', "</body>"),
        ('<a rel="attachment" href="base.css">styles</a>', "</body>"),
        ('<a rel="attachment" href="https://example.org/x.bin">x</a>', "</body>"),
        ('<link rel="attachment" href="file:///etc/passwd">', "</head>"),
    ],
)
def test_an_attachment_is_one_line_not_a_traceback(ws, attachment, before):
    path = override(ws, "register.html", built_in_with(attachment, before=before))
    refused(
        register(ws),
        f'{path}: the document attaches a file (rel="attachment"), which ipskit documents'
        " never do: remove it",
        ws,
    )


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("css", "asked"),
    [
        ("@import url(file:///etc/passwd);", "file:///etc/passwd"),
        ('@import "http://example.org/x.css";', "http://example.org/x.css"),
        ("body { background: url(file:///etc/passwd); }", "file:///etc/passwd"),
    ],
)
def test_a_workspace_style_sheet_fetching_from_outside_is_one_line(ws, css, asked):
    override(ws, "base.css", css + "\n" + (BUILT_IN / "base.css").read_text())
    # The sign-in sheet is the built-in one: it is named, with what the style sheet asked.
    message = f"{BUILT_IN / 'register.html'}: the document asks for {asked}, {NOT_FETCHED}"
    refused(register(ws), message, ws)


@pytest.mark.hostile
@pytest.mark.parametrize("name", ["base.css", "mine.css"])
def test_a_symlinked_style_sheet_is_refused(ws, tmp_path, name):
    (tmp_path / "secret.txt").write_text(f"body::after {{ content: '{SECRET}' }}")
    (ws / "templates" / name).symlink_to(tmp_path / "secret.txt")
    text = built_in_with(f'<link rel="stylesheet" href="{name}">', before="</head>")
    path = override(ws, "register.html", text)
    refused(
        register(ws),
        f"{path}: the document asks for {name}, which is a symbolic link"
        f" ({ws.resolve()}/templates/{name}): use images and styles inside the templates"
        " folder",
        ws,
    )


@pytest.mark.hostile
def test_a_missing_style_sheet_is_named(ws):
    text = built_in_with('<link rel="stylesheet" href="nowhere.css">', before="</head>")
    path = override(ws, "register.html", text)
    refused(
        register(ws),
        f"{path}: the document asks for nowhere.css, which is in neither templates folder: use"
        " images and styles inside the templates folder",
        ws,
    )


# --- a workspace's own style sheets --------------------------------------------------------------


def pdf_text(ws) -> str:
    reader = PdfReader(ws / "out" / "spring" / "register-1.pdf")
    return "\n".join(page.extract_text() for page in reader.pages)


def registers(ws):
    cohort = open_cohort(ws / "cohorts", "spring")
    target = ws / "out" / "r.pdf"
    return make_registers(Workspace(ws), cohort, list(cohort.everything)[:1], target)


@pytest.mark.hostile
def test_a_workspace_base_css_replaces_the_built_in_one(ws):
    css = (BUILT_IN / "base.css").read_text() + '\nh1::after { content: " WORKSPACE-STYLE"; }\n'
    override(ws, "base.css", css)
    result = register(ws)
    assert result.exit_code == 0, result.output
    assert "WORKSPACE-STYLE" in pdf_text(ws)
    fetcher = registers(ws).last_fetcher
    assert fetcher.refused == []
    assert fetcher.fetched == [str((ws / "templates" / "base.css").resolve())]


def test_without_an_override_the_built_in_base_css_is_used(ws):
    assert register(ws).exit_code == 0
    assert "WORKSPACE-STYLE" not in pdf_text(ws)
    assert registers(ws).last_fetcher.fetched == [str(BUILT_IN / "base.css")]


@pytest.mark.hostile
def test_relative_links_find_the_workspace_files_first(ws):
    override(ws, "mine.css", '@import "more.css";\nh1::before { content: "MINE "; }\n')
    override(ws, "more.css", 'h1::after { content: " MORE"; }\n')
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        '<rect width="4" height="4"/></svg>'
    )
    override(ws, "pic.svg", svg)
    override(ws, "register.html", built_in_with(
        '<link rel="stylesheet" href="mine.css">', before="</head>"
    ).replace("<body>", '<body><img src="pic.svg" alt="">'))  # fmt: skip
    result = register(ws)
    assert result.exit_code == 0, result.output
    text = pdf_text(ws)
    assert "MINE" in text and "MORE" in text
    fetched = registers(ws).last_fetcher.fetched
    mine = (ws / "templates").resolve()
    assert sorted(fetched) == sorted(
        [str(BUILT_IN / "base.css"), str(mine / "mine.css"), str(mine / "more.css"),
         str(mine / "pic.svg")]
    )  # fmt: skip


@pytest.mark.hostile
@pytest.mark.parametrize("name", ["verify.js", "verify.css", "index.html"])
def test_the_verification_page_copies_no_linked_file(ws, tmp_path, name):
    """The page's files are published on the web: a link must not publish what it points to."""
    (ws / "templates" / "verify").mkdir()
    link = ws / "templates" / "verify" / name
    link.symlink_to(tmp_path / "secret.txt")
    result = run("-w", str(ws), "certificates", "publish")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{link.parent.resolve() / name}: the template 'verify/{name}' is a symbolic link"
        f" ({link.parent.resolve() / name}): templates must be plain files inside {folders(ws)}\n"
    )
    published = ws / "out" / "verify"
    assert not published.exists() or all(
        SECRET not in p.read_text() for p in published.rglob("*") if p.is_file()
    )


@pytest.mark.hostile
def test_a_document_nested_too_deeply_to_lay_out_is_one_line(ws):
    code = "{% for i in range(2000) %}<div>{% endfor %}deep"
    path = override(ws, "register.html", built_in_with(code))
    refused(
        register(ws),
        f"{path}: the document is too large or too deeply nested to lay out: make it smaller",
        ws,
    )


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_ctrl_c_and_exit_are_never_turned_into_a_template_error(stop):
    from ipskit.documents.render import Renderer

    renderer = Renderer(None)
    with pytest.raises(stop), renderer.pdf_errors("register.html"):
        raise stop()


def test_any_other_stop_of_the_pdf_engine_names_the_template():
    from weasyprint.urls import FatalURLFetchingError

    from ipskit.core.errors import IpskitError
    from ipskit.documents.render import Renderer

    renderer = Renderer(None)
    with pytest.raises(IpskitError) as caught, renderer.pdf_errors("register.html"):
        raise FatalURLFetchingError("Error fetching")
    assert str(caught.value) == (
        f"{BUILT_IN / 'register.html'}: the document asks for a resource, which ipskit does"
        " not fetch: use images and styles inside the templates folder"
    )


@pytest.mark.hostile
def test_a_workspace_style_sheet_importing_its_built_in_namesake_is_one_line(ws):
    override(ws, "base.css", '@import "base.css";\nh1 { color: red; }\n')
    refused(
        register(ws),
        f"{BUILT_IN / 'register.html'}: the document asks for base.css, which imports itself: a"
        " file in the workspace's templates replaces the built-in one of that name, so give"
        " yours a name of its own",
        ws,
    )
