"""Tab completion, as the shells ask for it: through the completion environment variables."""

from __future__ import annotations

import os
import subprocess

import pytest

from helpers import IPSKIT, make_cohort, make_workspace, run


def complete(shell: str, line: str, cwd, **extra: str) -> subprocess.CompletedProcess[str]:
    """What ``ipskit`` offers a shell for the command line ``line`` (Tab at its end)."""
    words = line.split(" ")
    env = {**os.environ, "_IPSKIT_COMPLETE": f"complete_{shell}", **extra}
    env.pop("IPSKIT_WORKSPACE", None)
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line}
    return subprocess.run([IPSKIT], env=env, cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("tab"))
    make_cohort(ws, "spring", "ips-taster", None, ("Ann Early",))
    make_cohort(ws, "summer", "ips-taster", None, ("Bo Bright",))
    make_cohort(ws, "autumn", "ips-taster", None, ("Cy Clear",))
    return ws


def test_bash_completes_commands_and_cohort_ids(workspace):
    commands = complete("bash", "ipskit att", workspace)
    assert (commands.returncode, commands.stdout.split(), commands.stderr) == (
        0, ["attend", "attendance"], ""
    )  # fmt: skip
    cohorts = complete("bash", "ipskit attendance ", workspace)
    assert cohorts.stdout.split() == ["autumn", "spring", "summer"]
    assert complete("bash", "ipskit attendance s", workspace).stdout.split() == [
        "spring", "summer"
    ]  # fmt: skip


def test_the_cohort_groups_complete_the_cohort_then_their_commands(workspace):
    for group in ("roster", "evaluations"):
        cohorts = complete("bash", f"ipskit {group} su", workspace)
        assert cohorts.stdout.split() == ["summer"], group
    commands = complete("bash", "ipskit roster spring ", workspace).stdout.split()
    assert {"list", "add", "import", "edit", "remove"} <= set(commands)


def test_zsh_completes_commands_and_cohort_ids(workspace):
    commands = complete("zsh", "ipskit att", workspace)
    assert commands.returncode == 0 and commands.stderr == ""
    assert '"attend":"Mark attendance' in commands.stdout
    assert '"attendance":"Show the attendance grid' in commands.stdout
    cohorts = complete("zsh", "ipskit attendance s", workspace)
    assert '"spring"' in cohorts.stdout and '"summer"' in cohorts.stdout
    assert "autumn" not in cohorts.stdout


def test_fish_completes_commands(workspace):
    found = complete("fish", "ipskit att", workspace, _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert [line.split("\t")[0] for line in found.stdout.splitlines()] == ["attend", "attendance"]


def test_the_workspace_named_on_the_line_is_the_one_completed(workspace, tmp_path):
    found = complete("bash", f"ipskit -w {workspace} status ", tmp_path)
    assert found.stdout.split() == ["autumn", "spring", "summer"]


def test_without_a_workspace_there_is_nothing_to_offer_and_no_error(tmp_path):
    found = complete("bash", "ipskit attendance ", tmp_path)
    assert (found.returncode, found.stdout.strip(), found.stderr) == (0, "", "")


def test_completion_is_installed_from_the_root_and_only_offered_there():
    script = run("--show-completion", "bash")
    assert script.exit_code == 0, (script.output, repr(script.exception))
    assert "_IPSKIT_COMPLETE=complete_bash" in script.stdout
    assert "--install-completion" in run("-h").stdout
    for command in (["attend"], ["init"], ["roster"], ["curricula"], ["send"], ["followup"]):
        assert "completion" not in run(*command, "-h").stdout, command
