"""The command line: version, help, the one error handler, init and the curricula commands."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys

import pytest

import ipskit
from helpers import MINI, build_file_tree, run
from ipskit.cli import app

BUILTINS = {"ips-10-week": 10, "ips-5-day": 5, "ips-2-day-cascade": 2, "ips-taster": 1}


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"ipskit {ipskit.__version__}\n"


def test_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ipskit", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout == f"ipskit {ipskit.__version__}\n"


def _commands(group, prefix=()):
    """Every command and subcommand, built as the command line builds them."""
    import typer.main

    command = typer.main.get_command(group) if not hasattr(group, "list_commands") else group
    for name in command.list_commands(None):
        sub = command.get_command(None, name)
        yield (*prefix, name), sub
        if hasattr(sub, "list_commands"):
            yield from _commands(sub, (*prefix, name))


def test_every_command_has_a_one_line_help_that_fits():
    commands = list(_commands(app))
    assert {" ".join(path) for path, _ in commands} >= {
        "init",
        "curricula",
        "curricula list",
        "curricula show",
        "curricula validate",
        "curricula schema",
        "curricula export",
    }
    for path, command in commands:
        short = command.get_short_help_str(limit=1000)
        assert short, f"{' '.join(path)} has no help"
        assert len(short) <= 45, f"{' '.join(path)}: help too long for one line: {short}"


def test_help_lists_every_command_in_full():
    result = run("--help")
    assert result.exit_code == 0
    assert re.search(r"\n  init +Create a workspace for your organisation\.\n", result.stdout)
    assert re.search(r"\n  curricula +List, show, check and adapt curricula\.\n", result.stdout)
    commands = result.stdout.split("Commands:\n")[1].splitlines()
    assert [line for line in commands if line.endswith("...")] == []


def test_library_errors_are_one_red_line_without_traceback():
    result = run("curricula", "show", "no-such-course")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "no curriculum 'no-such-course'; there are:"
        " ips-10-week, ips-2-day-cascade, ips-5-day, ips-taster\n"
    )


def test_bugs_show_where_but_no_message_or_personal_data(monkeypatch):
    import ipskit.courses.catalogue

    def broken(*args, **kwargs):
        raise ValueError("Siân Jones <siân@example.org> could not be read")

    monkeypatch.setattr(ipskit.courses.catalogue, "catalogue", broken)
    result = run("curricula", "list")
    assert result.exit_code == 70
    assert result.stderr == (
        "internal error (ValueError at test_cli.py:"
        f"{broken.__code__.co_firstlineno + 1}); please report it."
        " Run again with IPSKIT_DEBUG=1 to see the details.\n"
    )
    assert "Siân" not in result.output


def test_ctrl_c_is_one_line(monkeypatch):
    import ipskit.courses.catalogue

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ipskit.courses.catalogue, "catalogue", interrupted)
    result = run("curricula", "list")
    assert result.exit_code == 130
    assert result.stderr == "stopped: nothing was half-written\n"


def test_usage_errors_keep_their_usual_form():
    result = run("curricula", "show")
    assert result.exit_code == 2
    assert "Missing argument 'ID'" in result.stderr


# --- init --------------------------------------------------------------------------------


def test_init_creates_a_private_workspace(tmp_path):
    result = run("init", "ws", "--org", "Riverside Peer Network")
    assert result.exit_code == 0, result.output
    root = tmp_path / "ws"
    assert result.stdout.startswith(f"Created an ipskit workspace in {root}\n")
    assert sorted(p.name for p in root.iterdir()) == [
        ".gitattributes",
        ".gitignore",
        "cohorts",
        "curricula",
        "ipskit.yaml",
        "templates",
    ]
    for path in [root, root / "cohorts", root / "curricula", root / "templates"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "ipskit.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / ".gitignore").stat().st_mode) == 0o600
    from ipskit.workspace import Workspace

    assert Workspace(root).settings.organisation.name == "Riverside Peer Network"
    assert Workspace(root).settings.locale == "en-GB"


@pytest.mark.parametrize(
    "name", ["Yes", "012", 'Mind: "Cymru" #1', "Cyngor Ffederasiwn Siân & Łukasz", "<b>x</b>"]
)
def test_init_keeps_any_organisation_name_as_text(tmp_path, name):
    assert run("init", "ws", "--org", name).exit_code == 0
    from ipskit.workspace import Workspace

    assert Workspace(tmp_path / "ws").settings.organisation.name == name


def test_init_in_the_current_folder(tmp_path):
    assert run("init", "--org", "Here").exit_code == 0
    assert (tmp_path / "ipskit.yaml").is_file()


def test_init_refuses_an_existing_workspace_and_changes_nothing(tmp_path):
    assert run("init", "ws", "--org", "First").exit_code == 0
    before = (tmp_path / "ws" / "ipskit.yaml").read_bytes()
    result = run("init", "ws", "--org", "Second")
    assert result.exit_code == 1
    assert result.stderr == (
        "ws/ipskit.yaml: a workspace already exists here; nothing was changed\n"
    )
    assert (tmp_path / "ws" / "ipskit.yaml").read_bytes() == before


def test_init_needs_an_organisation():
    result = run("init", "ws")
    assert result.exit_code == 2
    assert "Missing option '--org'" in result.stderr
    result = run("init", "ws", "--org", "  ")
    assert result.exit_code == 1
    assert result.stderr == (
        "--org must name the organisation, e.g. --org 'Riverside Peer Network'\n"
    )


def test_broken_settings_are_reported_with_their_line(tmp_path):
    run("init", "ws", "--org", "Org")
    settings = tmp_path / "ws" / "ipskit.yaml"
    settings.write_text(settings.read_text() + "colour: red\n")
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import Workspace

    with pytest.raises(IpskitError) as caught:
        Workspace(tmp_path / "ws").settings  # noqa: B018
    line = settings.read_text().count("\n")
    assert str(caught.value) == (
        f"{settings}:{line}:1: unknown key 'colour'"
        " (expected one of: organisation, signatories, locale, support, named_contact,"
        " supervision, accredited, timezone, verification_url, email)"
    )


# --- curricula list / show ---------------------------------------------------------------


def test_list_as_json_has_the_four_builtins():
    result = run("curricula", "list", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert {item["id"]: item["sessions"] for item in listed} == BUILTINS
    assert {item["source"] for item in listed} == {"built-in"}
    assert run("curricula", "list", "--json").stdout == result.stdout


def test_list_as_a_table():
    result = run("curricula", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "Title", "Sessions", "Contact", "hours", "Source"]
    ids = [line.split()[0] for line in lines[1:] if line.split()[0].startswith("ips-")]
    assert ids == sorted(BUILTINS)
    assert "10        23             built-in" in lines[1]


def test_workspace_curricula_join_and_replace_builtins(tmp_path):
    run("init", "ws", "--org", "Org")
    build_file_tree(
        tmp_path / "ws" / "curricula",
        {"mini.yaml": MINI, "taster.yaml": MINI.replace("id: mini", "id: ips-taster")},
    )
    result = run("--workspace", "ws", "curricula", "list", "--json")
    assert result.exit_code == 0, result.output
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    assert listed["mini"]["source"] == "workspace"
    assert listed["ips-taster"]["source"] == "workspace"
    assert listed["ips-taster"]["replaces_builtin"] is True
    assert listed["ips-taster"]["sessions"] == 2
    assert listed["ips-5-day"]["source"] == "built-in"


def test_workspace_found_from_a_subfolder_and_from_the_environment(tmp_path, monkeypatch):
    run("init", "ws", "--org", "Org")
    build_file_tree(tmp_path / "ws" / "curricula", {"mini.yaml": MINI})
    monkeypatch.chdir(tmp_path / "ws" / "cohorts")
    assert "mini" in {i["id"] for i in json.loads(run("curricula", "list", "--json").stdout)}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IPSKIT_WORKSPACE", str(tmp_path / "ws"))
    assert "mini" in {i["id"] for i in json.loads(run("curricula", "list", "--json").stdout)}


def test_a_broken_workspace_curriculum_is_reported_and_the_rest_listed(tmp_path):
    run("init", "ws", "--org", "Org")
    build_file_tree(
        tmp_path / "ws" / "curricula",
        {"mini.yaml": MINI, "broken.yaml": MINI.replace("id: mini", "id: other\nid: again")},
    )
    result = run("-w", "ws", "curricula", "list", "--json")
    assert result.exit_code == 1
    assert "mini" in {item["id"] for item in json.loads(result.stdout)}
    broken = tmp_path / "ws" / "curricula" / "broken.yaml"
    assert result.stderr == f"{broken}:2:1: duplicate key 'id' (first at line 1)\n"


def test_not_a_workspace(tmp_path):
    result = run("--workspace", str(tmp_path), "curricula", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path}: not an ipskit workspace (no ipskit.yaml); create one with 'ipskit init'\n"
    )


def test_show_outline_has_timings():
    result = run("curricula", "show", "ips-taster")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith(" [ips-taster]")
    assert lines[1] == (
        "1 session, weekly, from 18:00 · 1.75 contact hours · 1 trainer · up to 25 people"
    )
    assert lines[2] == "Completion: at least 1 of 1 session"
    session = next(line for line in lines if line.startswith("1. "))
    assert session.endswith(" [taster] · 120 min, 1.75 contact hours")
    blocks = lines[lines.index(session) + 1 :]
    assert blocks[0].startswith("  18:00–")
    assert blocks[-1].startswith("  ") and blocks[-1][2:13].endswith("–20:00")
    assert any(" 15 min  break " in line for line in blocks)


def test_show_as_json():
    result = run("curricula", "show", "ips-10-week", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == "ips-10-week"
    assert data["sessions"] == 10
    assert [s["id"] for s in data["curriculum"]["sessions"]] == [f"week-{n}" for n in range(1, 11)]
    assert [s["contact_minutes"] for s in data["curriculum"]["sessions"]] == [135] * 9 + [165]


# --- validate / schema / export ------------------------------------------------------------


def test_validate_as_json(tmp_path):
    build_file_tree(tmp_path, {"good.yaml": MINI, "bad.yaml": MINI + "id: x\n"})
    result = run("curricula", "validate", "good.yaml", "bad.yaml", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": "good.yaml",
            "valid": True,
            "problems": [],
            "id": "mini",
            "sessions": 2,
            "contact_hours": 1.25,
        },
        {
            "file": "bad.yaml",
            "valid": False,
            "problems": [
                f"bad.yaml:{MINI.count(chr(10)) + 1}:1: duplicate key 'id' (first at line 1)"
            ],
        },
    ]
    assert result.stderr == "1 file(s) not valid\n"


def test_schema_is_draft_07_and_accepts_every_builtin():
    import jsonschema
    from ruamel.yaml import YAML

    from ipskit.core.resources import builtin_curricula_dir

    result = run("curricula", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    text = result.stdout
    for newer in ('"$defs"', '"prefixItems"', '"discriminator"', '"const"', '"dependentRequired"'):
        assert newer not in text
    validator = jsonschema.Draft7Validator(schema)
    for path in builtin_curricula_dir().glob("*.yaml"):
        data = YAML(typ="safe").load(path.read_text())
        assert list(validator.iter_errors(data)) == [], path.name
    bad = YAML(typ="safe").load(MINI.replace("audience:", "durration: 3\naudience:"))
    assert [e.validator for e in validator.iter_errors(bad)] == ["additionalProperties"]


def test_schema_to_a_file(tmp_path):
    result = run("curricula", "schema", "--out", "schema.json")
    assert result.exit_code == 0
    assert result.stdout == "Wrote the curriculum schema to schema.json\n"
    assert json.loads((tmp_path / "schema.json").read_text())["title"] == "ipskit curriculum"


@pytest.mark.parametrize("curriculum_id", sorted(BUILTINS))
def test_every_builtin_validates_after_export(tmp_path, curriculum_id):
    run("init", "ws", "--org", "Org")
    result = run("-w", "ws", "curricula", "export", curriculum_id)
    exported = tmp_path / "ws" / "curricula" / f"{curriculum_id}.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Exported {curriculum_id} to {exported}\n"
        f"Edit it, then check it with: ipskit curricula validate {exported}\n"
    )
    text = exported.read_text()
    assert text.startswith("# yaml-language-server: $schema=./curriculum.schema.json\n")
    assert (tmp_path / "ws" / "curricula" / "curriculum.schema.json").is_file()
    validated = run("curricula", "validate", str(exported))
    assert validated.exit_code == 0, validated.output
    listed = {i["id"]: i for i in json.loads(run("-w", "ws", "curricula", "list", "--json").stdout)}
    assert listed[curriculum_id]["source"] == "workspace"
    assert listed[curriculum_id]["replaces_builtin"] is True


def test_export_refuses_to_overwrite(tmp_path):
    run("init", "ws", "--org", "Org")
    assert run("-w", "ws", "curricula", "export", "ips-taster").exit_code == 0
    target = tmp_path / "ws" / "curricula" / "ips-taster.yaml"
    target.write_text("# my changes\n" + target.read_text())
    result = run("-w", "ws", "curricula", "export", "ips-taster")
    assert result.exit_code == 1
    assert result.stderr == f"{target}: already exists; use --force to replace it\n"
    assert target.read_text().startswith("# my changes\n")
    assert run("-w", "ws", "curricula", "export", "ips-taster", "--force").exit_code == 0
    assert not target.read_text().startswith("# my changes\n")


def test_export_to_a_file_outside_a_workspace(tmp_path):
    result = run("curricula", "export", "ips-5-day", "mine.yaml")
    assert result.exit_code == 0
    assert (tmp_path / "mine.yaml").is_file()
    assert run("curricula", "export", "ips-5-day").stderr == (
        "no ipskit workspace here: name a destination file, or run 'ipskit init' first\n"
    )


def test_export_unknown(tmp_path):
    result = run("curricula", "export", "ips-3-day", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "no built-in curriculum 'ips-3-day'; there are:"
        " ips-10-week, ips-2-day-cascade, ips-5-day, ips-taster\n"
    )


def test_every_public_name_is_what_it_says_not_a_module():
    import types

    import ipskit

    for name in ipskit.__all__:
        value = getattr(ipskit, name)
        assert not isinstance(value, types.ModuleType), name
    assert ipskit.followups_due.__module__ == "ipskit.cohorts.followups"
    assert ipskit.standings.__name__ == "eligibility"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("workbook", "build-workbook"), ("sign-in", "register"), ("atend", "attend"),
     ("Attendance", "attendance"), ("plans", "session-plans"),
     ("publish", "certificates publish"), ("sesion-plans", "session-plans")],
)  # fmt: skip
def test_an_unknown_command_suggests_the_one_meant(typed, meant):
    result = run(typed, "spring")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: No such command '{typed}'. Did you mean '{meant}'?"
    )


def test_a_word_like_no_command_gets_no_guess(tmp_path):
    result = run("zzz")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2, "Error: No such command 'zzz'."
    )  # fmt: skip
    assert not list(tmp_path.iterdir())  # and nothing was made


@pytest.mark.parametrize(
    ("command", "shown"),
    [(["register"], ["--blank-rows COUNT", "[default: 4; 0 to 40]", "--format pdf|html",
                     "-o, --out FILE"]),
     (["attend"], ["--present WHO", "--min-minutes MINUTES", "--import FILE"]),
     (["init"], ["--org TEXT"]),
     (["followup", "record"], ["--trained-others COUNT"]),
     ([], ["-w, --workspace FOLDER"])],
)  # fmt: skip
def test_help_names_values_in_words_not_types(command, shown):
    text = " ".join(run(*command, "-h").stdout.split())
    for words in shown:
        assert words in text, words
    assert not re.search(r"<[a-z ]+>|\bx\s*[<>]=|[<>]=\s*x\b", text), text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [(["roster", "spring", "lst"], "list"), (["curricula", "lst"], "list"),
     (["evaluations", "spring", "improt"], "import"), (["followup", "reprot"], "report")],
)  # fmt: skip
def test_a_mistyped_subcommand_suggests_the_one_meant(typed, meant):
    result = run(*typed)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: No such command '{typed[-1]}'. Did you mean '{meant}'?"
    )
