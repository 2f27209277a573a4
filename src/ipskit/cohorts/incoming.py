"""What came in from a co-trainer when a workspace was synced, in a few words per cohort.

Each cohort's ``history.csv`` says what was done (``marked``, ``followed up``...), and its
certificate register what was issued: the rows a sync brought in are those in the files
after it that were not there before. Each row is put down to the trainer whose git commit
added it. History rows name people by id only, and only counts are said here: a sync's
report never prints a participant's name.
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ipskit.cohorts.certificate_register import REGISTER_FILE
from ipskit.cohorts.cohort_file import SETTINGS_FILE
from ipskit.cohorts.record_types import HISTORY_FILE
from ipskit.workspace.git_settings import run_git

#: The files whose new rows say what was done.
_TOLD_BY_ROWS = (HISTORY_FILE, REGISTER_FILE)
#: File names given to git are names, not patterns.
_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}


@dataclass(frozen=True)
class Arrival:
    """What one trainer's changes to one cohort (or one workspace file) amount to."""

    place: str  # a cohort's id, or a file of the workspace such as ipskit.yaml
    author: str  # as git knows them; "" where it cannot be told
    changes: tuple[str, ...]

    def __str__(self) -> str:
        who = f"{self.author} " if self.author else ""
        return f"{self.place}: {who}{'; '.join(self.changes)}"


def arrivals(root: Path, before: str | None, after: str) -> list[Arrival]:
    """What the commits from ``before`` (None: nothing yet) to ``after`` brought in."""
    if before == after:
        return []
    span = f"{before}..{after}" if before else after
    changed = _changed_files(root, before, after)
    told = [p for p in changed if _cohort_of(p) and p.rsplit("/", 1)[1] in _TOLD_BY_ROWS]
    added_by = _authors_of_lines(root, span, told)
    touched_by = _authors_of_files(root, span, [p for p in changed if p not in told])
    everyone = {a for authors in touched_by.values() for a in authors}
    everyone |= {a for by_line in added_by.values() for authors in by_line.values()
                 for a in authors}  # fmt: skip
    only = next(iter(everyone)) if len(everyone) == 1 else ""

    found: list[Arrival] = []
    cohorts = sorted({c for c in map(_cohort_of, changed) if c})
    for cohort in cohorts:
        rows: dict[str, dict[str, list[list[str]]]] = defaultdict(lambda: defaultdict(list))
        for path in (p for p in told if _cohort_of(p) == cohort):
            kind = path.rsplit("/", 1)[1]
            for line in _new_lines(root, before, after, path):
                authors = added_by.get(path, {}).get(line, [])
                author = authors[0] if authors else only
                rows[author][kind].append(_cells(line))
        files = {p.rsplit("/", 1)[1]: p for p in changed if _cohort_of(p) == cohort}
        created = _is_new(root, before, f"cohorts/{cohort}/{SETTINGS_FILE}")
        gone = not _exists(root, after, f"cohorts/{cohort}/{SETTINGS_FILE}")
        for name in (SETTINGS_FILE, "curriculum.yaml"):
            if name in files and not created and not gone:
                for author in touched_by.get(files[name], [only]):
                    rows[author].setdefault("edited " + name, [])
        if gone:
            for author in {a for p in files.values() for a in touched_by.get(p, [only])}:
                rows[author].setdefault("deleted", [])
        sessions = _session_numbers(root, cohort)
        for author in sorted(rows):
            changes = tuple(_phrases(rows[author], sessions))
            if changes:
                found.append(Arrival(cohort, author, changes))
    for path in changed:
        if _cohort_of(path):
            continue
        what = ("added it" if _is_new(root, before, path)
                else "deleted it" if not _exists(root, after, path) else "changed it")  # fmt: skip
        for author in sorted(touched_by.get(path, [only])):
            found.append(Arrival(path, author, (what,)))
    return found


# --- reading git --------------------------------------------------------------------------------


def _changed_files(root: Path, before: str | None, after: str) -> list[str]:
    if before:
        args = ["diff", "--name-only", "-z", "--no-renames", before, after]
    else:
        args = ["ls-tree", "-r", "--name-only", "-z", after]
    done = run_git(root, "-c", "core.quotePath=false", *args)
    return sorted(os.fsdecode(p) for p in done.stdout.split(b"\0") if p)


def _show(root: Path, rev: str | None, path: str) -> bytes:
    if rev is None:
        return b""
    done = run_git(root, "show", f"{rev}:{path}")
    return done.stdout if done.returncode == 0 else b""


def _exists(root: Path, rev: str | None, path: str) -> bool:
    if rev is None:
        return False
    return run_git(root, "cat-file", "-e", f"{rev}:{path}").returncode == 0


def _is_new(root: Path, before: str | None, path: str) -> bool:
    return not _exists(root, before, path)


def _lines(data: bytes) -> list[str]:
    return [line.rstrip("\r") for line in data.decode("utf-8", "replace").split("\n")]


def _new_lines(root: Path, before: str | None, after: str, path: str) -> list[str]:
    """Lines of ``path`` after that were not there before, in their order (not the header)."""
    new = _lines(_show(root, after, path))
    left = Counter(_lines(_show(root, before, path)))
    found = []
    for line in new[1:]:
        if not line.strip():
            continue
        if left[line]:
            left[line] -= 1
        else:
            found.append(line)
    return found


def _authors_of_lines(root: Path, span: str, paths: list[str]) -> dict[str, dict[str, list[str]]]:
    """For each file, the authors of the commits that added each line, newest first."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not paths:
        return found
    done = run_git(root, "-c", "core.quotePath=false", "log", "--no-merges", "--no-color",
                   "--no-ext-diff", "--no-renames", "-U0", "--format=%x01%an", span, "--",
                   *paths, env=_LITERAL)  # fmt: skip
    author, path, in_hunk = "", "", False
    for raw in done.stdout.split(b"\n"):
        line = raw.decode("utf-8", "replace").rstrip("\r")
        if line.startswith("\x01"):
            author, path, in_hunk = line[1:], "", False
        elif line.startswith("diff --git "):
            path, in_hunk = "", False
        elif not in_hunk and line.startswith("+++ "):
            path = line[4:].removeprefix("b/")
        elif line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line.startswith("+") and path:
            authors = found[path][line[1:]]
            if author not in authors:
                authors.append(author)
    return found


def _authors_of_files(root: Path, span: str, paths: list[str]) -> dict[str, list[str]]:
    """For each file, the authors of the commits that changed it."""
    found: dict[str, list[str]] = defaultdict(list)
    if not paths:
        return found
    done = run_git(root, "-c", "core.quotePath=false", "log", "--no-merges", "--no-renames",
                   "--name-only", "-z", "--format=%x01%an", span, "--", *paths,
                   env=_LITERAL)  # fmt: skip
    author = ""
    for part in done.stdout.split(b"\0"):
        for piece in part.split(b"\n"):
            text = os.fsdecode(piece)
            if text.startswith("\x01"):
                author = text[1:]
            elif text and text in paths and author not in found[text]:
                found[text].append(author)
    return found


def _cohort_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "cohorts" else ""


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _session_numbers(root: Path, cohort: str) -> dict[str, str]:
    """Each session's number by its id (``week-4`` is 4), from the cohort as it now is."""
    from ipskit.cohorts.cohort import open_cohort
    from ipskit.core.errors import IpskitError

    try:
        found = open_cohort(root / "cohorts", cohort)
    except (IpskitError, OSError):
        return {}
    return {m.id: str(m.number) for m in found.everything}


# --- in words -----------------------------------------------------------------------------------


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _phrases(found: dict[str, list[list[str]]], sessions: dict[str, str]) -> Iterator[str]:
    """What a trainer did to a cohort, in the order a course goes, counted."""
    history = found.get(HISTORY_FILE, [])
    by_action: dict[str, list[list[str]]] = defaultdict(list)
    for row in history:
        if len(row) >= 4:
            by_action[row[1]].append(row)

    def n(action: str) -> int:
        return len(by_action.pop(action, []))

    def people(action: str) -> int:
        return len({row[3] for row in by_action.pop(action, [])})

    if "deleted" in found:
        yield "deleted the cohort"
    if n("created"):
        yield "created the cohort"
    for name in (SETTINGS_FILE, "curriculum.yaml"):
        if "edited " + name in found:
            yield f"edited {name}"
    if count := n("added"):
        yield f"added {_count(count, 'person', 'people')}"
    if count := people("edited"):
        yield f"corrected {_count(count, 'roster entry', 'roster entries')}"
    if count := n("removed"):
        yield f"removed {_count(count, 'person', 'people')} added by mistake"
    if count := n("withdrawn"):
        yield f"recorded {_count(count, 'withdrawal')}"
    marks = by_action.pop("marked", [])
    if marks:
        order = list(dict.fromkeys(row[2] for row in marks))
        numbers = [sessions.get(s, s) for s in order]
        numbers.sort(key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
        which = "session" if len(numbers) == 1 else "sessions"
        yield f"marked {which} {_listed(numbers)} ({_count(len(marks), 'mark')})"
    if count := n("assessed"):
        yield f"recorded {_count(count, 'assessment result')}"
    if count := people("agreement"):
        yield f"recorded {_count(count, 'code of conduct agreement')}"
    if count := n("followed up"):
        yield f"recorded {_count(count, 'follow-up answer')}"
    if count := len({(row[2], row[3]) for row in by_action.pop("rated", [])}):
        yield f"recorded {_count(count, 'set')} of self-ratings"
    if count := n("evaluation added") + n("evaluation imported"):
        yield f"recorded {_count(count, 'evaluation response')}"
    if count := n("evaluation removed"):
        yield f"removed {_count(count, 'evaluation response')}"
    yield from _certificates(found.get(REGISTER_FILE, []))
    if count := n("settled"):
        yield f"settled {_count(count, 'clash', 'clashes')}"
    if count := n("erased"):
        yield f"erased {_count(count, 'person', 'people')}'s personal data"
    if count := sum(len(rows) for rows in by_action.values()):
        yield f"made {_count(count, 'other change')}"


def _certificates(rows: Iterable[list[str]]) -> Iterator[str]:
    statuses = Counter(row[7] for row in rows if len(row) > 7)
    for status in ("issued", "superseded", "revoked"):
        if count := statuses[status]:
            yield f"{status} {_count(count, 'certificate')}"
