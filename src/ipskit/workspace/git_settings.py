"""What git needs to know to share a workspace between trainers: ipskit's merge of records.

Two trainers' copies of a cohort meet in git. Left to itself, git merges a CSV file line
by line and stops at the first two changes that touch neighbouring rows; ipskit merges a
record file row by row, by its key (see ``ipskit merge-file``). Two settings tell git to:

- ``.gitattributes``, kept in the workspace and shared with it, names the files
  (``cohorts/*/*.csv merge=ipskit``);
- the repository's own git settings (``git config --local``) say what ``ipskit`` runs.
  Git never shares these between copies, so every copy writes its own: ``ipskit init``
  in a folder already under git, ``ipskit check --fix``, and ``ipskit sync`` each time.
  They also keep git's own copies of the records readable by their owner only.

Nothing here asks for, or stores, anything about the trainer's git account.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from ipskit.core import store
from ipskit.core.errors import IpskitError

GITATTRIBUTES_FILE = ".gitattributes"
#: The merge driver's name in git's settings and in ``.gitattributes``.
DRIVER = "ipskit"
DRIVER_NAME = "ipskit's merge of a cohort's records"
#: The lines of ``.gitattributes`` that matter; the comments say what they are for.
ATTRIBUTES = (f"cohorts/*/*.csv merge={DRIVER}",)
GITATTRIBUTES = f"""\
# Written by ipskit: how git merges this workspace when trainers share it.
# A cohort's records are merged row by row, by ipskit, so that two trainers'
# changes to one file are both kept (ipskit check lists any that clash):
{ATTRIBUTES[0]}
"""

NO_GIT = "ipskit sync needs git, which is not installed here: install it from https://git-scm.com"


class GitMissingError(IpskitError):
    """The ``git`` command is not on this computer."""

    def __init__(self) -> None:
        super().__init__(NO_GIT)


def driver_command(python: str | None = None) -> str:
    """The command git runs to merge a record file, quoted for the shell git runs it in.

    The Python running now is named in full (it may live in a folder with spaces): git
    runs the driver without the trainer's shell set-up, so ``ipskit`` may not be on its
    path. Git puts its own quoted file names in place of %O %A %B and %P. Git runs it
    from the top of the workspace, so ``-P`` keeps Python from importing modules found
    there (a ``typer.py`` committed beside the cohorts is never run).
    """
    return f"{shlex.quote(python or sys.executable)} -P -m ipskit merge-file %O %A %B %P"


def git_settings() -> dict[str, str]:
    """The repository settings a shared workspace needs, by name.

    Besides the merge, the files git keeps inside ``.git`` (every version of every
    record) are made readable by their owner only, whatever the trainer's umask.
    """
    return {f"merge.{DRIVER}.name": DRIVER_NAME, f"merge.{DRIVER}.driver": driver_command(),
            "core.sharedRepository": "0600"}  # fmt: skip


def run_git(
    folder: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run git in ``folder``, its output captured as bytes; a missing git is an error.

    Git's messages are asked for in English, so that they can be read; files it makes
    are readable by their owner only, as ipskit's own are (the umask is not used on
    Windows); it never opens an editor. It asks for a password, if it must, on the
    terminal itself, never through ipskit.
    """
    settings = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_EDITOR": ":",
                "GIT_MERGE_AUTOEDIT": "no", **(env or {})}  # fmt: skip
    try:
        process = subprocess.Popen(
            ["git", *args], cwd=folder, env=settings, umask=0o077,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    except FileNotFoundError:
        raise GitMissingError() from None
    with process:
        try:
            out, err = process.communicate(stdin)
        except KeyboardInterrupt:
            # Ctrl-C reached git too: it removes its own locks as it stops, so it is
            # waited for rather than killed, which would leave them behind.
            process.communicate()
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def work_tree(folder: Path) -> Path | None:
    """The top folder of the git repository ``folder`` is in, if it is in one.

    A computer without git has no repository to set up: that is no error here.
    """
    try:
        done = run_git(folder, "rev-parse", "--is-inside-work-tree", "--show-toplevel")
    except GitMissingError:
        return None
    lines = os.fsdecode(done.stdout).splitlines()
    if done.returncode != 0 or len(lines) < 2 or lines[0] != "true":
        return None
    return Path(lines[1])


def write_gitattributes(folder: Path) -> list[str]:
    """Write ``.gitattributes``, adding to one already there what it lacks.

    Returns the lines added. A trainer's own lines are kept as they are.
    """
    path = folder / GITATTRIBUTES_FILE
    try:
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []  # someone else's file, in a form ipskit will not rewrite
    if not old.strip():
        store.write_atomic(path, GITATTRIBUTES)
        return list(ATTRIBUTES)
    have = {" ".join(line.split()) for line in old.splitlines()}
    missing = [line for line in ATTRIBUTES if line not in have]
    if missing:
        added = "".join(f"{line}\n" for line in missing)
        store.write_atomic(path, f"{old.rstrip()}\n\n# Added by ipskit: how git merges a"
                                 f" cohort's records.\n{added}")  # fmt: skip
    return missing


def configure_git(folder: Path) -> list[str]:
    """Set the repository's merge settings where they are missing or out of date.

    Returns the names of those set. Only the repository's own settings are written
    (``git config --local``), never the trainer's global ones.
    """
    changed = []
    for name, value in git_settings().items():
        done = run_git(folder, "config", "--local", "--get", name)
        if done.returncode == 0 and os.fsdecode(done.stdout).rstrip("\n") == value:
            continue
        result = run_git(folder, "config", "--local", name, value)
        if result.returncode != 0:
            raise IpskitError(f"{folder}: git could not save its settings: {git_reason(result)}")
        changed.append(name)
    return changed


def write_git_settings(folder: Path) -> list[str]:
    """Everything git needs to merge the workspace in ``folder``; what was added, in words.

    One line for each place written: ``.gitattributes: cohorts/*/*.csv merge=ipskit``,
    ``git config: merge.ipskit.name, merge.ipskit.driver``. ``.gitattributes`` is written
    whether or not the folder is under git yet (it may be later); git's own settings
    only where there is a repository to hold them.
    """
    added = [f"{GITATTRIBUTES_FILE}: {line}" for line in write_gitattributes(folder)]
    if work_tree(folder) is not None and (names := configure_git(folder)):
        added.append(f"git config: {', '.join(names)}")
    return added


def git_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """Git's own reason for a failure, as one line: its first error, or its last word."""
    lines = [line.strip() for line in os.fsdecode(done.stderr).splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix).rstrip(".")
    return lines[-1].rstrip(".") if lines else f"git stopped with code {done.returncode}"
