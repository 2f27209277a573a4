"""The README tells the truth: its commands exist, and CI runs its test command."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from helpers import run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def readme_commands() -> list[list[str]]:
    commands = []
    for block in shell_blocks():
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("ipskit "):
                commands.append(shlex.split(line)[1:])
    return commands


def test_readme_set_up_is_two_commands_and_ci_runs_the_test_one():
    setup = README.split("## Set-up")[1].split("###")[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    install, tests = commands
    assert "pip install ." in install and "ipskit " in install
    assert tests == "scripts/test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci
    # The script installs the package with its test tools, then runs the whole suite.
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'" in script
    assert script.rstrip().endswith('exec .venv/bin/pytest "$@"')
    assert os.access(ROOT / "scripts" / "test", os.X_OK)


@pytest.mark.parametrize("args", readme_commands(), ids=" ".join)
def test_every_readme_command_exists(args):
    path = [a for a in args if not a.startswith("-")]
    if not path:
        assert run(*args).exit_code == 0
        return
    words = []
    for word in path:
        words.append(word)
        if run(*words, "--help").exit_code != 0:
            words.pop()
            break
    assert words, args
    result = run(*words, "--help")
    assert result.exit_code == 0
    for option in (a.split("=")[0] for a in args if a.startswith("--")):
        if option in ("--help", "--version"):
            continue
        assert option in result.stdout, f"{' '.join(words)} has no {option}"


def test_readme_lists_every_command():
    from ipskit.cli import app
    from test_cli import _commands

    for path, _ in _commands(app):
        # a group may take an argument before its subcommand: `ipskit roster COHORT list`
        pattern = r"ipskit " + r"( \S+)? ".join(map(re.escape, path)) + r"\b"
        assert re.search(pattern, README), f"README does not show ipskit {' '.join(path)}"


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    from helpers import MINI

    example = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(example) == 1
    assert run("init", "riverside", "--org", "Riverside Peer Network").exit_code == 0
    ws = ["-w", "riverside"]
    assert run(*ws, "new-cohort", "spring-2027", "--curriculum", "ips-5-day",
               "--start", "2026-06-01").exit_code == 0  # fmt: skip
    assert run(*ws, "roster", "spring-2027", "add", "Sam Patel").exit_code == 0
    for session in "12345":
        assert run(*ws, "attend", "spring-2027", session, "--all-present").exit_code == 0
    (tmp_path / "curricula").mkdir()
    (tmp_path / "curricula" / "my-course.yaml").write_text(MINI)
    namespace: dict = {}
    exec(compile(example[0], "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["problems"] == []
    printed = capsys.readouterr().out
    assert "ips-10-week Intentional Peer Support: ten-week course 23" in printed
    assert "p01 complete\n9w 1 1 1\n" in printed
    assert "1 completed of 1\n" in printed
