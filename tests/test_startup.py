"""--help must stay instant: no PDF engine, no validation or template library at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

SLOW = ("weasyprint", "pydantic", "jinja2", "ruamel", "pypdf")


def imported_modules(*args: str, env: dict[str, str] | None = None) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ipskit", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize("args", [("--help",), ("curricula", "--help"), ("--version",)])
def test_help_imports_nothing_slow(args):
    modules = imported_modules(*args)
    assert "ipskit.cli" in modules
    loaded = sorted(m for m in modules if m.split(".")[0] in SLOW)
    assert loaded == []


def test_importing_ipskit_is_light():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ipskit; print(sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('pydantic', 'weasyprint', 'ruamel', 'jinja2', 'typer')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[]\n"


def test_public_api_loads_on_first_use():
    import ipskit

    assert callable(ipskit.load_curriculum)
    assert ipskit.Curriculum.__name__ == "Curriculum"
    with pytest.raises(AttributeError):
        ipskit.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    "args",
    [
        ("cohorts",),
        ("status", "spring"),
        ("attendance", "spring"),
        ("attendance", "spring", "--json"),
        ("roster", "spring", "list"),
        ("attend", "spring", "1", "--all-present"),
    ],
)
def test_everyday_commands_import_no_pdf_engine_nor_validation_library(tmp_path, args):
    import os

    from helpers import make_cohort, make_workspace

    ws = make_workspace(tmp_path)
    make_cohort(ws)
    env = {**os.environ, "IPSKIT_WORKSPACE": str(ws)}
    modules = imported_modules(*args, env=env)
    assert "ipskit.cohorts.records" in modules
    heavy = ("weasyprint", "pydantic", "jinja2", "pypdf", "rich")
    assert sorted(m for m in modules if m.split(".")[0] in heavy and m != "rich") == []
