"""No code but ipskit's own runs: worker processes ignore the current folder and the workspace.

Large batches of certificates, personal workbooks and the demo are laid out by spawned
worker processes. A trainer who keeps their own scripts beside the workspace must not
have them run: modules named like the standard library's or ipskit's own are planted in
the current folder and in the workspace, and each would leave a mark if it ran.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import IPSKIT, clean_environment, plant

pytestmark = pytest.mark.slow  # worker processes started and documents laid out: seconds each


def build(root: Path, cohort_id: str, people: int) -> Path:
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.workspace import Workspace, init_workspace

    workspace = Workspace(root) if root.exists() else init_workspace(root, "Safe Peer Network")
    start = date.today() - timedelta(days=14)
    create_cohort(workspace, cohort_id, "ips-taster", start, trainers=("Alex Morgan",))
    cohort = open_cohort(workspace.cohorts_dir, cohort_id)
    with changing(cohort) as records:
        for n in range(people):
            records.add(f"Person {n}")
        session = cohort.settings.sessions[0]
        for person in records.active:
            records.set_mark(session, person, "present", made_up=False, note="")
    return workspace.root


@pytest.fixture
def planted(tmp_path):
    """A workspace and a current folder, both with planted modules; and where marks go."""
    marks = tmp_path / "marks"
    here = tmp_path / "here"
    for folder in (marks, here):
        folder.mkdir()
    root = build(here / "ws", "big", 150)  # enough people for two worker processes
    build(root, "small", 8)  # enough personal workbooks for a second process
    plant(here, marks)
    plant(root, marks)
    return here, root, marks


@pytest.mark.hostile
@pytest.mark.parametrize(
    "command",
    [["certificates", "big"], ["build-workbook", "small", "--per-participant"]],
    ids=["certificates", "workbooks"],
)
def test_planted_modules_never_run_in_workers(planted, command):
    here, root, marks = planted
    result = subprocess.run([IPSKIT, "-w", str(root), *command], cwd=here,
                            env=clean_environment(), capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in marks.iterdir()) == []
    assert "a planted module ran" not in result.stdout + result.stderr


@pytest.mark.hostile
def test_planted_modules_never_run_from_the_workspace_as_current_folder(planted):
    here, root, marks = planted
    result = subprocess.run([IPSKIT, "certificates", "big"], cwd=root,
                            env=clean_environment(), capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in marks.iterdir()) == []


def test_the_planted_modules_do_run_when_the_folder_is_on_the_path(planted):
    """The trap works: the same modules, put on the path on purpose, run and leave marks."""
    here, _, marks = planted
    env = {**clean_environment(), "PYTHONPATH": str(here)}
    result = subprocess.run([sys.executable, "-c", "import struct"], cwd=here, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode != 0
    assert (marks / "struct").read_text() == "ran\n"
