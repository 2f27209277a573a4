"""ipskit sync: two trainers' copies of a workspace kept in step through git.

Each test builds a workspace, commits it, makes a bare repository of it as the remote
(as on a shared drive), and clones that twice: trainer A's copy and trainer B's. Git
runs with a home folder of the test's own, so that nothing reads or changes the real
settings of whoever runs the tests, and no test needs a network.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run

ALEX = "Alex Morgan"  # trainer A
JO = "Jo Rivers"  # trainer B
PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Amara Okafor", "Sam Patel")
HOST = socket.gethostname().split(".")[0]
SYNCED = "Synced: this copy and origin/main hold the same records\n"
SET_UP = ("Set up this copy for sharing: git config: merge.ipskit.name, merge.ipskit.driver,"
          " core.sharedRepository\n")  # fmt: skip


@pytest.fixture(autouse=True)
def _own_git_home(tmp_path, monkeypatch):
    """Git reads no settings but the repositories' own."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def ipskit(folder: Path, *args: str):
    return run("-w", str(folder), *args)


def sync(folder: Path):
    return run("-w", str(folder), "sync")


def clone(remote: Path, folder: Path, name: str | None) -> Path:
    git(remote.parent, "clone", "--quiet", str(remote), str(folder))
    if name:
        git(folder, "config", "user.name", name)
        git(folder, "config", "user.email", f"{name.split()[0].lower()}@example.org")
    return folder


def share(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The workspace ``root`` committed, put in a bare remote, and cloned for A and B."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "-c", "user.name=Start", "-c", "user.email=start@example.org",
        "commit", "--quiet", "-m", "Our workspace")  # fmt: skip
    remote = tmp_path / "shared drive" / "riverside.git"
    remote.parent.mkdir()
    git(tmp_path, "clone", "--quiet", "--bare", str(root), str(remote))
    return clone(remote, tmp_path / "a", ALEX), clone(remote, tmp_path / "b", JO)


@pytest.fixture(scope="session")
def course_made(tmp_path_factory) -> Path:
    """A ten-week course under way: sessions 1 to 7 marked, two people assessed."""
    root = make_workspace(tmp_path_factory.mktemp("course"), "start")
    make_cohort(root, "spring", people=PEOPLE)
    for session in range(1, 8):
        assert ipskit(root, "attend", "spring", str(session), "--all-present").exit_code == 0
    assert ipskit(root, "assessment", "spring", "p01", "p02", "--passed").exit_code == 0
    return root


@pytest.fixture
def course(course_made, tmp_path) -> Path:
    """The course under way, in the test's own folder."""
    root = tmp_path / "start"
    shutil.copytree(course_made, root, symlinks=True)
    return root


@pytest.fixture
def pair(course, tmp_path) -> tuple[Path, Path]:
    return share(course, tmp_path)


def shared_files(folder: Path) -> dict[str, bytes]:
    """Every file git keeps, with its bytes."""
    names = git(folder, "ls-files", "-z").split("\0")
    return {name: (folder / name).read_bytes() for name in names if name}


def assert_the_same(a: Path, b: Path) -> None:
    assert git(a, "status", "--porcelain") == ""
    assert git(b, "status", "--porcelain") == ""
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
    assert shared_files(a) == shared_files(b)


def marks(folder: Path) -> dict[str, dict[str, str]]:
    """Each person's mark for each session, read with ipskit attendance."""
    result = ipskit(folder, "attendance", "spring", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {row["id"]: {str(k): v for k, v in row["marks"].items()} for row in data["participants"]}


def roster(folder: Path) -> list[dict]:
    result = ipskit(folder, "roster", "spring", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def certificate_holders(folder: Path) -> list[str]:
    text = (folder / "cohorts" / "spring" / "certificates.csv").read_text(encoding="utf-8")
    return sorted(line.split(",")[1] for line in text.splitlines()[1:] if ",issued," in line)


def assert_no_names(text: str) -> None:
    for name in PEOPLE:
        assert name not in text
        assert name.split()[0] not in text


# --- the settings git needs -------------------------------------------------------------------


def test_init_writes_gitattributes_and_outside_git_no_git_settings(tmp_path):
    root = make_workspace(tmp_path)
    assert (root / ".gitattributes").read_text() == (
        "# Written by ipskit: how git merges this workspace when trainers share it.\n"
        "# A cohort's records are merged row by row, by ipskit, so that two trainers'\n"
        "# changes to one file are both kept (ipskit check lists any that clash):\n"
        "cohorts/*/*.csv merge=ipskit\n"
    )
    assert stat.S_IMODE((root / ".gitattributes").stat().st_mode) == 0o600
    assert not (root / ".git").exists()


def test_init_in_a_git_repository_sets_the_merge_driver(tmp_path):
    folder = tmp_path / "riverside"
    folder.mkdir()
    git(folder, "init", "--quiet")
    assert run("init", str(folder), "--org", "Riverside Peer Network").exit_code == 0
    assert git(folder, "config", "--local", "merge.ipskit.name") == (
        "ipskit's merge of a cohort's records\n"
    )
    driver = git(folder, "config", "--local", "merge.ipskit.driver")
    assert driver == f"{shlex.quote(sys.executable)} -P -m ipskit merge-file %O %A %B %P\n"
    assert git(folder, "config", "--local", "core.sharedRepository") == "0600\n"
    assert git(folder, "check-attr", "merge", "cohorts/spring/roster.csv") == (
        "cohorts/spring/roster.csv: merge: ipskit\n"
    )
    assert git(folder, "check-attr", "merge", "cohorts/spring/cohort.yaml") == (
        "cohorts/spring/cohort.yaml: merge: unspecified\n"
    )


def test_the_driver_runs_from_a_folder_with_a_space_in_its_name(tmp_path):
    """Git runs the driver through a shell: the Python's path is quoted for it."""
    from ipskit.workspace.git_settings import driver_command

    folder = tmp_path / "my python's home"
    folder.mkdir()
    fake = folder / "python"
    said = tmp_path / "said.txt"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(said))}\n')
    fake.chmod(0o700)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    for key, value in {"user.name": ALEX, "user.email": "a@example.org",
                       "merge.ipskit.driver": driver_command(str(fake))}.items():  # fmt: skip
        git(repo, "config", key, value)
    (repo / ".gitattributes").write_text("cohorts/*/*.csv merge=ipskit\n")
    path = repo / "cohorts" / "spring 2027" / "roster.csv"
    path.parent.mkdir(parents=True)
    path.write_text("id\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "one")
    git(repo, "switch", "--quiet", "-c", "other")
    path.write_text("id\np02\n")
    git(repo, "commit", "--quiet", "-am", "two")
    git(repo, "switch", "--quiet", "main")
    path.write_text("id\np01\n")
    git(repo, "commit", "--quiet", "-am", "three")
    git(repo, "merge", "--quiet", "--no-edit", "other")
    words = said.read_text().splitlines()
    # -P: nothing in the workspace's folder is imported by the Python git runs there.
    assert words[:4] == ["-P", "-m", "ipskit", "merge-file"]
    assert [Path(w).name.startswith(".merge_file_") for w in words[4:7]] == [True] * 3
    assert words[7] == "cohorts/spring 2027/roster.csv"


def test_check_fix_adds_what_an_older_workspace_lacks(tmp_path):
    root = make_workspace(tmp_path)
    (root / ".gitattributes").unlink()
    (root / ".gitignore").write_text("*.bak\nout/\n")
    git(root, "init", "--quiet")
    result = ipskit(root, "check", "--fix")
    assert result.stdout.splitlines()[:4] == [
        "Added to .gitignore: .cohort-cache.json, .overview-cache.json, .publish-keys.json,"
        " .ipskit.lock, .build.lock, .ipskit-tmp-*, .ipskit-commit*, .~lock.*#, ~$*",
        "Added to .gitattributes: cohorts/*/*.csv merge=ipskit",
        "Added to git config: merge.ipskit.name, merge.ipskit.driver, core.sharedRepository",
        f"{root / '.git'}: can be read by other users: run chmod -R go-rwx on it, and git"
        " config core.sharedRepository 0600 to keep it so",
    ]
    again = ipskit(root, "check", "--fix")
    assert "Added" not in again.stdout
    # A trainer's own lines are kept.
    (root / ".gitattributes").write_text("*.docx binary\n")
    result = ipskit(root, "check", "--fix")
    assert result.stdout.startswith("Added to .gitattributes: cohorts/*/*.csv merge=ipskit\n")
    assert (root / ".gitattributes").read_text() == (
        "*.docx binary\n\n# Added by ipskit: how git merges a cohort's records.\n"
        "cohorts/*/*.csv merge=ipskit\n"
    )


def test_a_workspace_without_the_settings_merges_with_git_after_check_fix(tmp_path):
    """A workspace shared before ipskit set git up: check --fix on each copy, then git."""
    root = make_workspace(tmp_path, "start")
    make_cohort(root, "spring", people=PEOPLE)
    (root / ".gitattributes").unlink()
    a, b = share(root, tmp_path)
    assert ipskit(a, "check", "--fix").exit_code in (0, 1)
    git(a, "add", ".gitattributes")
    git(a, "commit", "--quiet", "-m", "Merge records with ipskit")
    git(a, "push", "--quiet")
    git(b, "pull", "--quiet", "--no-rebase")
    fixed = ipskit(b, "check", "--fix")
    assert fixed.stdout.startswith("Added to git config: merge.ipskit.name,"), fixed.stdout
    assert ipskit(a, "attend", "spring", "1", "--present", "p01").exit_code == 0
    assert ipskit(b, "attend", "spring", "1", "--absent", "p02").exit_code == 0
    for folder in (a, b):
        git(folder, "add", "--all")
        git(folder, "commit", "--quiet", "-m", "marks")
    git(a, "push", "--quiet")
    git(b, "pull", "--quiet", "--no-rebase", "--no-edit")  # both changed both files
    assert marks(b)["p01"]["1"] == "present" and marks(b)["p02"]["1"] == "absent"


# --- two trainers, different changes -----------------------------------------------------------


@pytest.mark.slow
def test_different_changes_on_two_copies_all_arrive_in_both(pair):
    a, b = pair
    # A: session 8 for everyone, session 9 for Sam; an assessment; pronouns; a certificate.
    assert ipskit(a, "attend", "spring", "8", "--all-present").exit_code == 0
    assert ipskit(a, "attend", "spring", "9", "--present", "p04").exit_code == 0
    assert ipskit(a, "assessment", "spring", "p03", "--passed").exit_code == 0
    assert ipskit(a, "roster", "spring", "edit", "p03", "--pronouns", "they/them").exit_code == 0
    # B: session 9 for the others, session 10; a follow-up answer; a new name; a certificate.
    assert ipskit(b, "attend", "spring", "9", "--present", "p01,p02",
                  "--absent", "p03").exit_code == 0  # fmt: skip
    assert ipskit(b, "attend", "spring", "10", "--present", "p01").exit_code == 0
    assert ipskit(b, "followup", "record", "spring", "p02", "--at", "3m",
                  "--using-skills", "yes", "--trained-others", "2").exit_code == 0  # fmt: skip
    assert ipskit(b, "roster", "spring", "edit", "p04", "--name", "Sam Patel-Jones").exit_code == 0
    issued_a = ipskit(a, "certificates", "spring", "--participant", "p01")
    assert issued_a.exit_code == 0, issued_a.output
    issued_b = ipskit(b, "certificates", "spring", "--participant", "p02")
    assert issued_b.exit_code == 0, issued_b.output

    first = sync(a)
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{SET_UP}Committed here: 1 cohort\n{SYNCED}"
    second = sync(b)
    assert second.exit_code == 0, second.output
    assert second.stdout == (
        f"{SET_UP}Committed here: 1 cohort\n"
        "Came in from origin/main:\n"
        f"  spring: {ALEX} corrected 1 roster entry; marked sessions 8 and 9 (5 marks);"
        " recorded 1 assessment result; issued 1 certificate\n"
        f"{SYNCED}"
    )
    third = sync(a)
    assert third.exit_code == 0, third.output
    assert third.stdout == (
        "Came in from origin/main:\n"
        f"  spring: {JO} corrected 1 roster entry; marked sessions 9 and 10 (4 marks);"
        " recorded 1 follow-up answer; issued 1 certificate\n"
        f"{SYNCED}"
    )
    for result in (first, second, third):
        assert result.stderr == ""
        assert_no_names(result.stdout)

    assert_the_same(a, b)
    for folder in (a, b):
        got = marks(folder)
        assert {pid: got[pid]["8"] for pid in got} == dict.fromkeys(got, "present")
        assert {pid: got[pid]["9"] for pid in got} == {
            "p01": "present",
            "p02": "present",
            "p03": "absent",
            "p04": "present",
        }
        assert got["p01"]["10"] == "present"
        people = {p["id"]: p for p in roster(folder)}
        assert people["p03"]["pronouns"] == "they/them"
        assert people["p04"]["name"] == "Sam Patel-Jones"
        assert certificate_holders(folder) == ["p01", "p02"]
        check = ipskit(folder, "check")
        assert check.stdout == f"No problems found in {folder}\n", check.stdout
        answers = (folder / "cohorts" / "spring" / "followups.csv").read_text()
        assert ",p02," in answers
    # Git keeps its copies private too.
    assert stat.S_IMODE((a / ".git").stat().st_mode) == 0o700
    assert stat.S_IMODE((b / "cohorts" / "spring" / "roster.csv").stat().st_mode) == 0o600


def test_nothing_changed_anywhere_is_a_quiet_sync(pair):
    a, _ = pair
    assert sync(a).exit_code == 0
    result = sync(a)
    assert result.exit_code == 0
    assert result.stdout == SYNCED


def test_the_commit_says_what_changed_where_and_never_who(pair):
    a, _ = pair
    assert ipskit(a, "roster", "spring", "add", "Zofia Nowak").exit_code == 0
    assert sync(a).exit_code == 0
    log = git(a, "log", "-1", "--format=%an <%ae>%n%s%n%b")
    assert log == (f"{ALEX} <alex@example.org>\nipskit sync: 1 cohort changed on {HOST}\n"
                   "Cohorts: spring\n\n")  # fmt: skip
    assert "Zofia" not in git(a, "log", "--format=%B")


# --- the same thing changed two ways --------------------------------------------------------


@pytest.mark.slow
def test_the_same_thing_changed_two_ways_is_kept_alike_on_both_and_listed(pair):
    a, b = pair
    assert ipskit(a, "attend", "spring", "3", "--late", "p01").exit_code == 0
    assert ipskit(b, "attend", "spring", "3", "--absent", "p01").exit_code == 0
    assert ipskit(a, "roster", "spring", "edit", "p02", "--name", "Tomasz W").exit_code == 0
    assert ipskit(b, "roster", "spring", "edit", "p02", "--name", "Tom Wiśniewski").exit_code == 0
    for folder in (a, b):
        assert ipskit(folder, "attend", "spring", "8", "--all-present").exit_code == 0
        result = ipskit(folder, "certificates", "spring", "--participant", "p02")
        assert result.exit_code == 0, result.output
        assert "Issued 1 certificate" in result.stdout

    assert sync(a).exit_code == 0
    second = sync(b)
    assert second.exit_code == 0, second.output
    third = sync(a)
    assert third.exit_code == 0, third.output
    assert_the_same(a, b)

    listed = ipskit(a, "check")
    assert listed.exit_code == 1
    clashes = listed.stdout.splitlines()[:-1]
    assert len(clashes) == 3, listed.stdout
    assert [line for line in clashes if "ipskit attend spring" in line], clashes
    assert [line for line in clashes if "ipskit roster spring edit p02" in line], clashes
    assert [line for line in clashes if "ipskit certificates keep" in line], clashes
    assert ipskit(b, "check").stdout.splitlines()[:-1] == [
        line.replace(str(a), str(b)) for line in clashes
    ]
    # Each sync that brought a clash says so, with the same lines check gives.
    for result, folder in ((second, b), (third, a)):
        said = result.stdout.splitlines()
        assert said[-1] == ("Synced: this copy and origin/main hold the same records, with 3"
                            " clashes to settle (above)")  # fmt: skip
        listed_here = ipskit(folder, "check").stdout.splitlines()[:-1]
        assert said[-4:-1] == listed_here
        assert_no_names("\n".join(line for line in said if "roster" not in line))


# --- what sync refuses -------------------------------------------------------------------------


def test_a_workspace_that_is_not_a_repository_is_refused(tmp_path):
    root = make_workspace(tmp_path)
    result = sync(root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{root} is not a git repository: see 'Working with a co-trainer' in the README to"
        " set one up\n"
    )


def test_a_computer_without_git_is_told_sync_needs_it(tmp_path, monkeypatch):
    root = make_workspace(tmp_path)
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = sync(root)
    assert result.exit_code == 1
    assert result.stderr == (
        "ipskit sync needs git, which is not installed here: install it from https://git-scm.com\n"
    )


def test_files_that_are_not_ipskits_are_refused_and_nothing_is_committed(pair):
    a, _ = pair
    (a / "notes.txt").write_text("call the venue")
    (a / "cohorts" / "spring" / "minutes.docx").write_bytes(b"PK")
    for n in range(5):
        (a / f"photo-{n}.jpg").write_bytes(b"\xff\xd8")
    assert ipskit(a, "roster", "spring", "add", "Zofia Nowak").exit_code == 0
    head = git(a, "rev-parse", "HEAD")
    result = sync(a)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ipskit sync saves only ipskit's own files, and 7 other files changed here: commit"
        " them yourself with git (git add, then git commit), or move them out of the"
        " workspace, then run ipskit sync again\n"
        "cohorts/spring/minutes.docx: not one of ipskit's files\n"
        "notes.txt: not one of ipskit's files\n"
        "photo-0.jpg: not one of ipskit's files\n"
        "photo-1.jpg: not one of ipskit's files\n"
        "photo-2.jpg: not one of ipskit's files\n"
        "... and 2 more\n"
        "(ipskit's own files are ipskit.yaml, .gitignore, .gitattributes, the images"
        " ipskit.yaml names, each cohort's records and .yaml files, curricula/ and"
        " templates/)\n"
    )
    assert git(a, "rev-parse", "HEAD") == head


def test_a_logo_named_in_the_settings_is_shared(pair):
    a, b = pair
    settings = a / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("# logo: logo.png", "logo: art/logo.png"))
    (a / "art").mkdir()
    (a / "art" / "logo.png").write_bytes(b"\x89PNG")
    (a / "templates").mkdir(exist_ok=True)  # git keeps no empty folder
    (a / "templates" / "certificate.html").write_text("<p>{{ name }}</p>")
    result = sync(a)
    assert result.exit_code == 0, result.output
    assert "Committed here: templates and settings\n" in result.stdout
    assert sync(b).stdout == (
        f"{SET_UP}Came in from origin/main:\n"
        f"  art/logo.png: {ALEX} added it\n"
        f"  ipskit.yaml: {ALEX} changed it\n"
        f"  templates/certificate.html: {ALEX} added it\n"
        f"{SYNCED}"
    )
    assert (b / "art" / "logo.png").read_bytes() == b"\x89PNG"
    assert_the_same(a, b)


def test_a_trainer_git_does_not_know_is_asked_to_say_who_they_are(course, tmp_path):
    a, _ = share(course, tmp_path)
    remote = tmp_path / "shared drive" / "riverside.git"
    nobody = clone(remote, tmp_path / "c", None)
    result = sync(nobody)
    assert result.exit_code == 1
    assert result.stderr == (
        "git does not know who you are, and every change it keeps says who made it: tell it"
        " once with these two commands, then run ipskit sync again\n"
        'git config --global user.name "Your Name"\n'
        'git config --global user.email "you@example.org"\n'
    )


def test_a_repository_with_no_remote_is_told_how_to_add_one(tmp_path):
    root = make_workspace(tmp_path)
    git(root, "init", "--quiet")
    git(root, "config", "user.name", ALEX)
    git(root, "config", "user.email", "alex@example.org")
    result = sync(root)
    assert result.exit_code == 1
    assert result.stderr == (
        "there is no remote to sync with: add one with git remote add origin URL (a private"
        " repository on your git host, or a folder on a shared drive made with git init"
        " --bare), then run ipskit sync again; see 'Working with a co-trainer' in the"
        " README\n"
    )
    assert git(root, "status", "--porcelain") != ""  # nothing was committed


def test_set_up_in_three_commands_then_a_clone_and_a_sync(tmp_path):
    """The README's set-up: a bare repository on a shared drive, git init, sync."""
    root = make_workspace(tmp_path, "riverside")
    make_cohort(root, "spring", people=PEOPLE)
    remote = tmp_path / "shared drive" / "riverside.git"
    remote.parent.mkdir()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "remote", "add", "origin", str(remote))
    git(root, "config", "user.name", ALEX)
    git(root, "config", "user.email", "alex@example.org")
    first = sync(root)
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{SET_UP}Committed here: 1 cohort and settings\n{SYNCED}"
    b = clone(remote, tmp_path / "jo", JO)
    result = sync(b)
    assert result.stdout == f"{SET_UP}{SYNCED}"
    assert_the_same(root, b)
    assert ipskit(b, "check").exit_code == 0  # the clone is made private


def test_a_remote_that_cannot_be_reached_changes_nothing_there(pair, tmp_path):
    a, _ = pair
    git(a, "remote", "set-url", "origin", str(tmp_path / "unplugged drive" / "riverside.git"))
    assert ipskit(a, "roster", "spring", "add", "Zofia Nowak").exit_code == 0
    result = sync(a)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("could not reach origin (")
    assert result.stderr.endswith("): nothing was sent or received, and your changes are kept"
                                  " here; run ipskit sync again later\n")  # fmt: skip
    assert git(a, "status", "--porcelain") == ""  # committed here


def test_a_push_that_fails_says_the_work_is_committed_here(pair, tmp_path):
    a, _ = pair
    hook = tmp_path / "shared drive" / "riverside.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the drive is read-only' >&2\nexit 1\n")
    hook.chmod(0o700)
    assert ipskit(a, "roster", "spring", "add", "Zofia Nowak").exit_code == 0
    result = sync(a)
    assert result.exit_code == 1
    assert result.stdout == f"{SET_UP}Committed here: 1 cohort\n"
    assert result.stderr.startswith("could not send your changes to origin/main (")
    assert result.stderr.endswith("): they are committed here; run ipskit sync again later\n")
    assert result.stderr.count("\n") == 1
    hook.unlink()
    assert sync(a).stdout == SYNCED


def test_a_file_git_cannot_merge_leaves_the_copy_as_it_was(pair):
    a, b = pair
    for folder, venue in ((a, "The Old Library"), (b, "Riverside Hall")):
        path = folder / "cohorts" / "spring" / "cohort.yaml"
        path.write_text(path.read_text().replace("venue: null", f'venue: "{venue}"', 1))
    assert sync(a).exit_code == 0
    before = shared_files(b)
    result = sync(b)
    assert result.exit_code == 1
    assert result.stderr == (
        "nothing came in: git could not merge 1 file changed here and on origin/main, so the"
        " merge was undone (your changes are committed here)\n"
        "cohorts/spring/cohort.yaml: changed in the same lines here and on origin/main\n"
        "to settle it, agree which changes to keep, run git merge origin/main, keep the lines"
        " you want between <<<<<<< and >>>>>>> in each file (ipskit check finds them), then"
        " run ipskit sync again; git merge --abort goes back to before it\n"
    )
    assert git(b, "status", "--porcelain") == ""
    assert shared_files(b) == before
    # Settled by hand as the message says, the next sync finishes the merge.
    subprocess.run(["git", "merge", "origin/main"], cwd=b, capture_output=True)
    again = sync(b)
    assert again.exit_code == 1
    assert again.stderr.startswith("a merge stopped part way here: git could not merge these"
                                   " files, changed in the same lines on two computers\n")  # fmt: skip
    assert "cohorts/spring/cohort.yaml: keep the lines you want between" in again.stderr
    assert again.stderr.endswith("then run ipskit sync again to finish the merge, or run git"
                                 " merge --abort to go back to before it\n")  # fmt: skip
    path = b / "cohorts" / "spring" / "cohort.yaml"
    kept = [line for line in path.read_text().splitlines(keepends=True)
            if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
            and "Riverside Hall" not in line]  # fmt: skip
    path.write_text("".join(kept))
    done = sync(b)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Committed here: the merge finished by hand\n")
    assert sync(a).exit_code == 0
    assert_the_same(a, b)


def test_a_merge_stopped_part_way_is_named_with_the_way_back(pair):
    a, b = pair
    assert ipskit(a, "attend", "spring", "8", "--all-present").exit_code == 0
    assert sync(a).exit_code == 0
    assert ipskit(b, "attend", "spring", "8", "--absent", "p01").exit_code == 0
    git(b, "add", "--all")
    git(b, "commit", "--quiet", "-m", "by hand")
    git(b, "fetch", "--quiet")
    # A merge stopped before ipskit merged the records (here, its driver fails at once):
    # the file holds this copy's rows alone, and finishing the merge would lose A's.
    subprocess.run(["git", "-c", "merge.ipskit.driver=false", "merge", "origin/main"], cwd=b,
                   capture_output=True)  # fmt: skip
    result = sync(b)
    assert result.exit_code == 1
    assert result.stderr == (
        "a merge stopped part way here, before ipskit had merged a cohort's records: run git"
        " merge --abort to go back to before it, then run ipskit sync again\n"
        "cohorts/spring/attendance.csv: not merged\n"
        "cohorts/spring/history.csv: not merged\n"
    )
    git(b, "merge", "--abort")
    done = sync(b)
    assert done.exit_code == 0, done.output
    assert marks(b)["p02"]["8"] == "present"


def test_a_git_command_stopped_part_way_is_named(pair):
    a, _ = pair
    lock = a / ".git" / "index.lock"
    lock.write_text("")
    result = sync(a)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{lock}: another git command is running here, or one was stopped part way: if none"
        " is running, delete this file, then run ipskit sync again\n"
    )


def test_a_past_version_taken_out_is_refused(pair):
    a, _ = pair
    git(a, "checkout", "--quiet", "--detach", "HEAD")
    result = sync(a)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{a} is not on a branch")


def test_a_workspace_inside_a_larger_repository_is_refused(tmp_path):
    git(tmp_path, "init", "--quiet")
    root = make_workspace(tmp_path)
    result = sync(root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{root} is inside the git repository {tmp_path}: ipskit sync shares a workspace"
        " that is a repository of its own (see 'Working with a co-trainer' in the README)\n"
    )


def test_every_file_a_workspace_holds_is_known_as_shared_or_left_out(demo_build):
    """Whatever the demo makes in a cohort is either shared by sync or ignored by git."""
    from ipskit.cohorts.sync import own_file

    demo, _ = demo_build
    ignored = [line for line in (demo / ".gitignore").read_text().splitlines()
               if line and not line.startswith("#")]  # fmt: skip
    import fnmatch

    for path in sorted((demo / "cohorts").rglob("*")):
        if path.is_dir():
            continue
        name = path.relative_to(demo).as_posix()
        left_out = any(fnmatch.fnmatch(path.name, pattern) for pattern in ignored)
        assert own_file(name) or left_out, name


def test_a_record_broken_by_hand_is_not_shared(pair):
    a, _ = pair
    roster = a / "cohorts" / "spring" / "roster.csv"
    roster.write_text(roster.read_text().replace(",active,", ",gone,", 1))
    head = git(a, "rev-parse", "HEAD")
    result = sync(a)
    assert result.exit_code == 1
    assert result.stderr == (
        "ipskit sync shares only files ipskit can read: fix these first, then run ipskit"
        " sync again\n"
        f"{roster}:2: status must be active, withdrawn, erased\n"
    )
    assert git(a, "rev-parse", "HEAD") == head


def test_a_new_cohort_and_several_trainers_are_told_apart(pair, tmp_path):
    a, b = pair
    remote = tmp_path / "shared drive" / "riverside.git"
    c = clone(remote, tmp_path / "c", "Kit Lee")
    make_cohort(b, "autumn", people=PEOPLE[:2])
    assert ipskit(b, "roster", "spring", "withdraw", "p04").exit_code == 0
    assert sync(b).exit_code == 0
    assert ipskit(c, "followup", "record", "spring", "p01", "--at", "3m", "--using-skills",
                  "no", "--trained-others", "0").exit_code == 0  # fmt: skip
    assert ipskit(c, "attend", "spring", "8", "--present", "p01").exit_code == 0
    assert sync(c).exit_code == 0
    result = sync(a)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{SET_UP}"
        "Came in from origin/main:\n"
        f"  autumn: {JO} created the cohort; added 2 people\n"
        f"  spring: {JO} recorded 1 withdrawal\n"
        "  spring: Kit Lee marked session 8 (1 mark); recorded 1 follow-up answer\n"
        f"{SYNCED}"
    )
    assert_the_same(a, c)


def test_a_cohort_deleted_on_one_copy_goes_from_the_other(pair):
    a, b = pair
    make_cohort(b, "autumn", people=PEOPLE[:2])
    assert sync(b).exit_code == 0
    assert sync(a).exit_code == 0
    assert ipskit(a, "status", "autumn").exit_code == 0  # leaves its caches beside it
    assert ipskit(b, "cohorts", "delete", "autumn", "--yes").exit_code == 0
    assert sync(b).stdout == "Committed here: 1 cohort\n" + SYNCED
    result = sync(a)
    assert (
        result.stdout == f"Came in from origin/main:\n  autumn: {JO} deleted the cohort\n{SYNCED}"
    )
    assert not (a / "cohorts" / "autumn").exists()
    assert ipskit(a, "check").exit_code == 0
    assert_the_same(a, b)
