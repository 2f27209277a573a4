"""``ipskit sync``: share a workspace with co-trainers through git, without knowing git.

Each trainer has a copy of the workspace that is a git repository, and the copies meet
in a remote one (a private repository on a git host, or a bare repository on a shared
drive). One sync:

1. refuses what it does not understand: a merge or rebase under way, a git command
   stopped part way, changes to files that are not ipskit's own, records that cannot be
   read, an erasure stopped part way; nothing is changed then;
2. writes the settings git needs to merge a cohort's records row by row (see
   :mod:`ipskit.workspace.git_settings`), and commits ipskit's own files, as the
   trainer's git identity;
3. fetches the remote's changes and merges them. A record file is merged by ipskit (two
   changes to one thing are both kept, as a clash ``ipskit check`` lists); a file git
   cannot merge (the same lines of ``cohort.yaml`` changed two ways) undoes the merge
   whole, leaving the copy as it was, and each such file is named;
4. sends the result, and says what came in, by whom, in counts (never a name).

While records are committed and merged, every cohort's lock is held, so that no ipskit
command changes a file under git's feet; the network is used without them.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ipskit.cohorts.certificate_register import REGISTER_FILE
from ipskit.cohorts.check import Problem
from ipskit.cohorts.cohort import CURRICULUM_FILE, cohort_ids
from ipskit.cohorts.cohort_file import SETTINGS_FILE as COHORT_FILE
from ipskit.cohorts.commit import settle
from ipskit.cohorts.forget import INTENT_FILE
from ipskit.cohorts.incoming import Arrival, arrivals
from ipskit.cohorts.record_types import COMMITTED_FILES
from ipskit.cohorts.sent_log import SENT_FILE
from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.courses import curriculum
from ipskit.workspace import GITIGNORE_FILE, SETTINGS_FILE, Workspace, write_git_settings
from ipskit.workspace.git_settings import GITATTRIBUTES_FILE, git_reason, run_git, work_tree

#: The files of a cohort's folder that are shared: its records and its two settings
#: files. Certificate copies are listed by ``ipskit certificates large-print``.
COHORT_FILES = frozenset({*COMMITTED_FILES, REGISTER_FILE, SENT_FILE, "certificate-copies.csv",
                          COHORT_FILE, CURRICULUM_FILE})  # fmt: skip
#: The workspace's own files at its top, and its folders shared whole.
TOP_FILES = (SETTINGS_FILE, GITIGNORE_FILE, GITATTRIBUTES_FILE)
SHARED_FOLDERS = ("curricula", "templates")
#: What ipskit's own files are, for a trainer told that others are not.
OWN_FILES = ("ipskit.yaml, .gitignore, .gitattributes, the images ipskit.yaml names, each"
             " cohort's records and .yaml files, curricula/ and templates/")  # fmt: skip
#: How many files a refusal names before it counts the rest.
LISTED = 5
#: ``git status`` codes of a file git is still merging.
_UNMERGED = frozenset({"DD", "AU", "UD", "UA", "DU", "AA", "UU"})
_MARKER = re.compile(rb"^<<<<<<< ", re.MULTILINE)
README_SECTION = "see 'Working with a co-trainer' in the README"
SETTLE = "then run ipskit sync again"
#: The git commands sync's messages give a trainer to type.
ABORT_MERGE = "git merge --abort"
BARE_REPOSITORY = "git init --bare"
SAY_WHO = ('git config --global user.name "Your Name"',
           'git config --global user.email "you@example.org"')  # fmt: skip


@dataclass(frozen=True)
class Synced:
    """What one sync did."""

    upstream: str  # the remote copy synced with, as git names it: origin/main
    settings: tuple[str, ...]  # the git settings it had to add
    saved: str  # what it committed here, in words ("2 cohorts changed"), or ""
    arrivals: tuple[Arrival, ...]  # what came in, by cohort and trainer
    sent: bool  # whether the remote copy now holds this copy's changes
    send_error: str  # why they could not be sent, or ""
    clashes: tuple[Problem, ...]  # things changed two ways, to settle


@dataclass(frozen=True)
class _Remote:
    name: str  # origin
    branch: str  # the branch there: main
    tracked: bool  # whether this copy's branch already follows it

    @property
    def ref(self) -> str:
        return f"refs/remotes/{self.name}/{self.branch}"

    def __str__(self) -> str:
        return f"{self.name}/{self.branch}"


def sync(workspace: Workspace, *, computer: str | None = None) -> Synced:
    """Commit ipskit's files, merge the remote copy's changes, send the result.

    ``computer`` names this computer in the commit's message (by default, its host name).
    Refusals and failures before anything is sent raise :class:`IpskitError`; a copy
    whose changes could not be sent says why in :attr:`Synced.send_error`.
    """
    root = workspace.root
    _check_repository(root)
    _check_unfinished(root)
    branch = _branch(root)
    _check_identity(root)
    remote = _remote(root, branch)
    _check_erasures(workspace)
    added = write_git_settings(root)
    with _cohorts_locked(workspace):
        saved = _save(workspace, computer)
    _fetch(root, remote)
    with _cohorts_locked(workspace):
        saved = _save(workspace, computer) or saved
        before = _head(root)
        merged = _merge(root, branch, remote)
    after = _head(root)
    _tidy_deleted(workspace)
    _make_private(root)
    came_in = arrivals(root, before, after) if merged and after else []
    send_error = _send(root, branch, remote)
    return Synced(str(remote), tuple(added), saved, tuple(came_in), not send_error, send_error,
                  tuple(clashes(workspace)))  # fmt: skip


def clashes(workspace: Workspace) -> list[Problem]:
    """What ``ipskit check`` lists as changed two ways, each with what settles it."""
    from ipskit.cohorts import check

    return [p for p in check.check(workspace) if p.kind in ("clash", "merge-conflict")]


# --- what sync refuses --------------------------------------------------------------------------


def _check_repository(root: Path) -> None:
    top = work_tree(root)
    if top is None:
        done = run_git(root, "rev-parse", "--show-toplevel")  # without git: told so here
        if "not a git repository" not in os.fsdecode(done.stderr):
            # Such as a repository on a shared drive that another user owns.
            raise IpskitError(f"{root}: git cannot work here: {git_reason(done)}")
        raise IpskitError(f"{root} is not a git repository: {README_SECTION} to set one up")
    if _same(top, root):
        return
    raise IpskitError(
        f"{root} is inside the git repository {top}: ipskit sync shares a workspace that is"
        f" a repository of its own ({README_SECTION})"
    )


def _same(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or os.path.samefile(one, other)
    except OSError:
        return False


def _git_path(root: Path, name: str) -> Path:
    """A file of git's own for this repository (``MERGE_HEAD``, ``index.lock``)."""
    done = run_git(root, "rev-parse", "--git-path", name)
    return root / os.fsdecode(done.stdout).strip()


def _check_unfinished(root: Path) -> None:
    """Refuse a repository in the middle of something, saying how to finish or undo it."""
    lock = _git_path(root, "index.lock")
    if lock.exists():
        raise IpskitError(
            f"{lock}: another git command is running here, or one was stopped part way: if"
            f" none is running, delete this file, {SETTLE}"
        )
    for name, what, command in (("rebase-merge", "a rebase", "git rebase --abort"),
                                ("rebase-apply", "a rebase", "git rebase --abort"),
                                ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --abort"),
                                ("REVERT_HEAD", "a revert", "git revert --abort")):  # fmt: skip
        if _git_path(root, name).exists():
            raise IpskitError(
                f"{what} is under way in {root}: finish it with git, or run {command} to go"
                f" back to before it, {SETTLE}"
            )
    if not _git_path(root, "MERGE_HEAD").exists():
        return
    changed = _status(root)
    # A record file left unmerged was never merged by ipskit (stopped, or refused): such a
    # merge is done again from the start, never finished with one side's rows alone.
    records = [path for code, path in changed if code in _UNMERGED and _record_file(path)]
    if records:
        raise IpskitError(
            "a merge stopped part way here, before ipskit had merged a cohort's records: run"
            f" {ABORT_MERGE} to go back to before it, {SETTLE}",
            more=[*(f"{path}: not merged" for path in records[:LISTED]), *_more(records)],
        )
    # Files the trainer has put right are taken as they are, and the merge finished.
    marked = [path for _, path in changed if _has_markers(root / path)]
    if marked:
        raise IpskitError(
            "a merge stopped part way here: git could not merge these files, changed in the"
            " same lines on two computers",
            more=[*(f"{path}: keep the lines you want between <<<<<<< and >>>>>>>, and delete"
                    " the marker lines" for path in marked[:LISTED]),
                  *_more(marked),
                  f"{SETTLE} to finish the merge, or run {ABORT_MERGE} to go back to before"
                  " it"],
        )  # fmt: skip


def _record_file(path: str) -> bool:
    """Whether git merges this file with ipskit (as ``.gitattributes`` says)."""
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "cohorts" and parts[2].endswith(".csv")


def _has_markers(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return bool(_MARKER.search(handle.read(2 * 1024 * 1024)))
    except OSError:
        return False


def _more(paths: list[str]) -> list[str]:
    return [f"... and {len(paths) - LISTED} more"] if len(paths) > LISTED else []


def _branch(root: Path) -> str:
    done = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    branch = os.fsdecode(done.stdout).strip()
    if done.returncode != 0 or not branch:
        raise IpskitError(
            f"{root} is not on a branch (a past version was taken out with git): run git"
            f" switch BRANCH with the branch you share (git branch lists them), {SETTLE}"
        )
    return branch


def _config(root: Path, name: str) -> str:
    done = run_git(root, "config", "--get", name)
    return os.fsdecode(done.stdout).strip() if done.returncode == 0 else ""


def _check_identity(root: Path) -> None:
    if _config(root, "user.name") and _config(root, "user.email"):
        return
    raise IpskitError(
        "git does not know who you are, and every change it keeps says who made it: tell it"
        f" once with these two commands, {SETTLE}",
        more=SAY_WHO,
    )


def _remote(root: Path, branch: str) -> _Remote:
    """The remote copy this branch syncs with: the one it follows, or the only remote."""
    name = _config(root, f"branch.{branch}.remote")
    merge = _config(root, f"branch.{branch}.merge")
    if name and name != "." and merge.startswith("refs/heads/"):
        return _Remote(name, merge.removeprefix("refs/heads/"), tracked=True)
    remotes = os.fsdecode(run_git(root, "remote").stdout).split()
    if not remotes:
        raise IpskitError(
            "there is no remote to sync with: add one with git remote add origin URL (a"
            " private repository on your git host, or a folder on a shared drive made with"
            f" {BARE_REPOSITORY}), {SETTLE}; {README_SECTION}"
        )
    if len(remotes) > 1 and "origin" not in remotes:
        raise IpskitError(
            f"this copy has several remotes ({', '.join(remotes)}) and follows none: choose"
            f" one with git push -u REMOTE {branch}, {SETTLE}"
        )
    return _Remote("origin" if "origin" in remotes else remotes[0], branch, tracked=False)


def _check_erasures(workspace: Workspace) -> None:
    for cohort in cohort_ids(workspace.cohorts_dir):
        intent = workspace.cohorts_dir / cohort / INTENT_FILE
        if intent.exists():
            raise IpskitError(
                f"{intent}: an erasure was stopped part way: finish it first (ipskit check"
                f" says how), {SETTLE}"
            )


# --- saving this copy's changes -----------------------------------------------------------------


@contextlib.contextmanager
def _cohorts_locked(workspace: Workspace) -> Iterator[None]:
    """Hold every cohort's lock, having finished any change a kill interrupted."""
    with contextlib.ExitStack() as stack:
        for cohort in cohort_ids(workspace.cohorts_dir):
            folder = workspace.cohorts_dir / cohort
            stack.enter_context(store.locked(folder, f"cohort {cohort}"))
            settle(folder)
        yield


def _status(root: Path) -> list[tuple[str, str]]:
    """Each file git sees changed, with its two-letter code: ``(" M", "ipskit.yaml")``."""
    done = run_git(root, "-c", "core.quotePath=false", "status", "--porcelain=v1", "-z",
                   "--untracked-files=all", "--no-renames")  # fmt: skip
    if done.returncode != 0:
        raise IpskitError(f"{root}: git could not list the changes: {git_reason(done)}")
    entries = [e for e in done.stdout.split(b"\0") if e]
    return [(os.fsdecode(e[:2]), os.fsdecode(e[3:])) for e in entries]


def own_file(path: str, images: frozenset[str] = frozenset()) -> bool:
    """Whether a file of the workspace (by its path in it, with /) is one ipskit shares."""
    if path in TOP_FILES or path in images:
        return True
    parts = path.split("/")
    if parts[0] in SHARED_FOLDERS and len(parts) > 1:
        return True
    return len(parts) == 3 and parts[0] == "cohorts" and parts[2] in COHORT_FILES


def _images(workspace: Workspace) -> frozenset[str]:
    """The logo and signatures ``ipskit.yaml`` names, as paths in the workspace."""
    try:
        settings = workspace.settings
    except IpskitError:
        return frozenset()  # reported as a file that cannot be read
    named = [settings.organisation.logo, *(s.signature for s in settings.signatories)]
    found = set()
    for name in filter(None, named):
        path = Path(name)
        if not path.is_absolute():
            found.add(Path(os.path.normpath(path)).as_posix())
    return frozenset(found)


def _save(workspace: Workspace, computer: str | None) -> str:
    """Commit ipskit's changed files; what was committed, in words, or "" if nothing."""
    root = workspace.root
    changed = _status(root)
    images = _images(workspace)
    foreign = sorted({path for _, path in changed if not own_file(path, images)})
    if foreign:
        count = f"{len(foreign)} other file" + ("s" if len(foreign) > 1 else "")
        raise IpskitError(
            f"ipskit sync saves only ipskit's own files, and {count} changed here: commit"
            " them yourself with git (git add, then git commit), or move them out of the"
            f" workspace, {SETTLE}",
            more=[*(f"{path}: not one of ipskit's files" for path in foreign[:LISTED]),
                  *_more(foreign), f"(ipskit's own files are {OWN_FILES})"],
        )  # fmt: skip
    paths = sorted({path for _, path in changed})
    _check_readable(workspace, paths)
    if paths:
        done = run_git(root, "add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul",
                       stdin=b"\0".join(os.fsencode(p) for p in paths),
                       env={"GIT_LITERAL_PATHSPECS": "1"})  # fmt: skip
        if done.returncode != 0:
            raise IpskitError(f"{root}: git could not take the changes: {git_reason(done)}")
    merging = _git_path(root, "MERGE_HEAD").exists()
    staged = run_git(root, "diff", "--cached", "--quiet").returncode != 0
    if not staged and not merging:
        return ""
    summary, cohorts = _summary(paths)
    host = computer or socket.gethostname().split(".")[0] or "this computer"
    message = (["-m", f"ipskit sync: {summary} changed on {host}"] if not merging
               else ["--no-edit"])  # fmt: skip
    if cohorts and not merging:
        message += ["-m", "Cohorts: " + ", ".join(cohorts)]
    done = run_git(root, "commit", "--quiet", *message)
    if done.returncode != 0:
        raise IpskitError(f"{root}: git could not save the changes: {git_reason(done)}")
    return summary if not merging else "the merge finished by hand"


def _summary(paths: list[str]) -> tuple[str, list[str]]:
    """What changed, in words ("2 cohorts and curricula"), and the cohorts' ids."""
    cohorts = sorted({p.split("/")[1] for p in paths if p.startswith("cohorts/")})
    parts = []
    if cohorts:
        parts.append(f"{len(cohorts)} cohort" + ("s" if len(cohorts) > 1 else ""))
    for folder in SHARED_FOLDERS:
        if any(p.startswith(folder + "/") for p in paths):
            parts.append(folder)
    if any(p.split("/")[0] not in ("cohorts", *SHARED_FOLDERS) for p in paths):
        parts.append("settings")
    if not parts:
        return "nothing", []
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text, cohorts


def _check_readable(workspace: Workspace, paths: list[str]) -> None:
    """Refuse to share a changed file that ipskit cannot read: the other copy could not.

    Only what changed is read, as ``ipskit check`` reads it: a sync must stay quick in a
    workspace of many cohorts.
    """
    root = workspace.root
    found: list[str] = []

    def read(what: Callable[[], object]) -> None:
        try:
            what()
        except IpskitError as error:
            found.extend(error.lines)

    marked = [root / path for path in paths if _has_markers(root / path)]
    found += [f"{path}: git's <<<<<<< and >>>>>>> markers are in it: keep the lines you want"
              " between them, and delete the marker lines" for path in marked]  # fmt: skip
    if SETTINGS_FILE in paths:
        read(lambda: Workspace(root).settings)
    for path in paths:
        if path.startswith("curricula/") and path.endswith(".yaml") and (root / path).is_file():
            read(partial(curriculum.load, root / path))
    for cohort in sorted({p.split("/")[1] for p in paths if _cohort_file(p)}):
        folder = workspace.cohorts_dir / cohort
        if (folder / COHORT_FILE).is_file():
            read(partial(_read_cohort, folder, f"cohorts/{cohort}/{CURRICULUM_FILE}" in paths))
    if found:
        raise IpskitError(
            f"ipskit sync shares only files ipskit can read: fix these first, {SETTLE}",
            more=[*found[:LISTED], *_more(found)],
        )


def _read_cohort(folder: Path, curriculum_too: bool) -> None:
    """Read a cohort's every record file, as a change to it would: errors by file and line."""
    from ipskit.cohorts.certificate_register import read_register
    from ipskit.cohorts.changing import load_whole
    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.cohort_file import parse_settings
    from ipskit.cohorts.sent_log import read_sent

    cohort = Cohort(folder, parse_settings(folder / COHORT_FILE))
    load_whole(cohort)
    read_register(folder / REGISTER_FILE)
    read_sent(folder / SENT_FILE)
    if curriculum_too:
        curriculum.load(folder / CURRICULUM_FILE)


def _cohort_file(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "cohorts"


#: What ipskit keeps beside a cohort's files without sharing it (see ``.gitignore``).
_UNSHARED = (".cohort-cache.json", ".overview-cache.json", ".publish-keys.json", store.LOCK_FILE,
             ".build.lock")  # fmt: skip


def _tidy_deleted(workspace: Workspace) -> None:
    """Take away what is left of a cohort the other copy deleted: caches and locks only.

    Git removes the files it shares, and leaves those it ignores; a folder holding only
    those would look to ``ipskit check`` like a cohort that lost its settings.
    """
    if not workspace.cohorts_dir.is_dir():
        return
    for folder in sorted(workspace.cohorts_dir.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or (folder / COHORT_FILE).exists():
            continue
        names = {path.name for path in folder.iterdir()}
        if names and names <= set(_UNSHARED):
            for name in names:
                with contextlib.suppress(FileNotFoundError):
                    (folder / name).unlink()
            with contextlib.suppress(OSError):
                folder.rmdir()


def _make_private(root: Path) -> None:
    """Make the shared files, and git's copies of them, readable by their owner only.

    ``git clone`` and ``git init`` make files as the trainer's umask says, often readable
    by everyone; git run by sync makes them private (see :func:`run_git`).
    """
    top = [root / name for name in TOP_FILES]
    folders = [root / name for name in (".git", "cohorts", *SHARED_FOLDERS)]
    for path in (root, *top, *folders):
        _private(path)
    for folder in folders:
        for here, subfolders, files in os.walk(folder):
            for name in (*subfolders, *files):
                _private(Path(here, name))


def _private(path: Path) -> None:
    with contextlib.suppress(OSError):  # gone, or another user's: check reports it
        mode = os.lstat(path).st_mode
        if mode & 0o077 and not stat.S_ISLNK(mode):
            os.chmod(path, stat.S_IMODE(mode) & ~0o077)


def _head(root: Path) -> str | None:
    done = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if done.returncode != 0:
        return None  # a repository with no commit yet
    return os.fsdecode(done.stdout).strip() or None


# --- the remote copy ----------------------------------------------------------------------------


def _fetch(root: Path, remote: _Remote) -> None:
    done = run_git(root, "fetch", "--quiet", remote.name)
    if done.returncode != 0:
        raise IpskitError(
            f"could not reach {remote.name} ({git_reason(done)}): nothing was sent or"
            f" received, and your changes are kept here; run ipskit sync again later"
        )


def _has(root: Path, ref: str) -> bool:
    return run_git(root, "rev-parse", "--verify", "--quiet", ref).returncode == 0


def _merge(root: Path, branch: str, remote: _Remote) -> bool:
    """Merge the remote copy's changes; whether there was anything there to merge."""
    if not _has(root, remote.ref):
        return False  # a remote copy with nothing yet: this copy's first sync fills it
    if not remote.tracked:
        run_git(root, "branch", f"--set-upstream-to={remote}", branch)
    done = run_git(root, "merge", "--quiet", "--no-edit", "--ff", "--no-stat", remote.ref)
    if done.returncode == 0:
        return True
    if not _git_path(root, "MERGE_HEAD").exists():
        if "unrelated histories" in os.fsdecode(done.stderr):
            raise IpskitError(
                f"this copy and {remote} were begun apart (ipskit init on each computer?),"
                " so git will not merge them: make this copy with git clone instead"
                f" ({README_SECTION}); nothing was changed"
            )
        raise IpskitError(
            f"could not merge the changes from {remote}: {git_reason(done)}; your changes are"
            " committed here, and nothing else was changed"
        )
    unmerged = sorted({path for code, path in _status(root) if code in _UNMERGED})
    run_git(root, "merge", "--abort")
    said = os.fsdecode(done.stderr).splitlines()
    raise IpskitError(
        f"nothing came in: git could not merge {len(unmerged)} file"
        f"{'s' if len(unmerged) != 1 else ''} changed here and on {remote}, so the merge was"
        " undone (your changes are committed here)",
        more=[*(_unmerged(path, str(remote), said) for path in unmerged[:LISTED]),
              *_more(unmerged),
              f"to settle it, agree which changes to keep, run git merge {remote}, keep the"
              " lines you want between <<<<<<< and >>>>>>> in each file (ipskit check finds"
              f" them), {SETTLE}; {ABORT_MERGE} goes back to before it"],
    )  # fmt: skip


def _unmerged(path: str, remote: str, said: list[str]) -> str:
    """Why a file was not merged: ipskit's reason for a record file, else two edits."""
    if _record_file(path):
        reasons = [line for line in said if line.startswith(path)]
        return reasons[0] if reasons else f"{path}: ipskit could not merge the two versions"
    return f"{path}: changed in the same lines here and on {remote}"


def _send(root: Path, branch: str, remote: _Remote) -> str:
    """Push this copy's changes, if the remote copy lacks any; why not, or ""."""
    if _head(root) is None:
        return ""
    if _has(root, remote.ref):
        ahead = run_git(root, "rev-list", "--count", f"{remote.ref}..HEAD")
        if ahead.returncode == 0 and os.fsdecode(ahead.stdout).strip() == "0":
            return ""
    done = run_git(root, "push", "--quiet", "--set-upstream", remote.name,
                   f"{branch}:refs/heads/{remote.branch}")  # fmt: skip
    if done.returncode == 0:
        return ""
    return (f"could not send your changes to {remote} ({git_reason(done)}): they are"
            " committed here; run ipskit sync again later")  # fmt: skip
