"""Every file of a workspace read and checked, changing nothing: what ``ipskit check`` says.

A workspace is plain files that people open in spreadsheets, share through git or a
synced folder, and copy between laptops, so it can go wrong in ways no single command
notices: a row broken by hand in a cohort nobody has opened this week, a copy a synced
folder made when two laptops changed the same roster, the markers git leaves in a file
it could not merge, a write stopped part way, a file opened up to other users, a mark
or a name two computers recorded differently (a merge keeps both ways, and the first
stands until someone settles it), a person certified on two computers. Each problem is
one line naming the file (and line, where there is one) and saying what to do.

Nothing here writes, removes, or takes a lock for longer than it takes to see whether
someone else holds it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from datetime import date

    from ipskit.cohorts.certificate_register import Entry
    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.record_types import Assessment, Participant
    from ipskit.cohorts.records import Records

#: Files a spreadsheet program leaves beside a file it has open: LibreOffice's
#: ``.~lock.NAME#`` and Excel's ``~$NAME``.
_SPREADSHEET_LOCK = re.compile(r"^(?:\.~lock\.(?P<libre>.+)#|~\$(?P<excel>.+))$")
#: Copies that sync services make when two computers change a file at once: Dropbox and
#: Nextcloud ("conflicted copy"), Google Drive ("roster (1).csv"), Syncthing.
_CONFLICT_COPY = re.compile(
    r"(?i)^(?P<stem>.+?)(?: \([^()]*conflicted copy[^()]*\)| \(case conflict(?: \d+)?\)"
    r"| \(\d+\)|\.sync-conflict-\d{8}-\d{6}(?:-[A-Z0-9]+)?)(?P<ext>\.[^.]+)?$"
)
#: OneDrive adds the computer's name instead: ``roster-DESKTOP-1A2B.csv``. Windows names
#: computers in capitals, which tells such a copy from a file named ``roster-import.csv``.
_COMPUTER_COPY = re.compile(r"^(?P<stem>[a-z]+)-[A-Z0-9][A-Z0-9-]*(?P<ext>\.[a-z]+)$")
#: What git writes where it could not merge two changes to a file.
_MARKER = re.compile(rb"^<<<<<<< ", re.MULTILINE)
#: A name in which a spreadsheet replaced letters it could not save ("Ma?gorzata"), or
#: UTF-8 read as Windows-1252 ("JosÃ©", "MaÅ‚gorzata").
_GARBLED = re.compile("[?\ufffd]|[ÃÂÅÄ][\u0080-\u00bf\u0152-\u0178\u02c6-\u02dc\u2013-\u203a]")
_TEXT_LIMIT = 2 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workspace, and its fix."""

    #: unreadable, permissions, lock, leftover, conflict-copy, merge-conflict, name, clash
    kind: str
    path: Path
    line: int | None
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"

    def as_json(self) -> dict[str, object]:
        """The problem for ``--format json``."""
        return {"kind": self.kind, "path": str(self.path), "line": self.line,
                "column": self.column, "message": self.message}  # fmt: skip


def check(workspace: Workspace) -> list[Problem]:
    """Every problem found in the workspace, by file and line."""
    root = workspace.root
    entries = list(_walk(root))
    problems = [*_leftovers(entries), *_locks(entries), *_conflict_copies(root, entries)]
    # A file to delete need not be made private first.
    deleted = {p.path for p in problems}
    problems += [p for p in _permissions(entries) if p.path not in deleted]
    merged = list(_merge_conflicts(root, entries))
    problems += merged
    unmerged = {p.path for p in merged}
    # A file git could not merge fails to read too: its markers are the problem to fix.
    problems += [p for p in _records(workspace) if p.path not in unmerged]
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.column or 0, p.message))


# --- the files there are -------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    path: Path
    is_dir: bool
    mode: int


def _walk(root: Path) -> Iterator[_Entry]:
    """Every file and folder of the workspace (not git's own, nor inside a leftover)."""
    yield _Entry(root, True, os.stat(root).st_mode)
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in (*subfolders, *sorted(files)):
            path = Path(folder, name)
            try:
                seen = os.lstat(path)
            except FileNotFoundError:  # removed since the folder was listed
                continue
            is_dir = os.path.isdir(path) and not os.path.islink(path)
            yield _Entry(path, is_dir, seen.st_mode)
        # A leftover folder is reported whole, and git's own folder is judged whole: its
        # insides are not the workspace's files.
        subfolders[:] = [n for n in subfolders
                         if n != ".git" and not n.startswith(store.TEMP_PREFIX)]  # fmt: skip


# --- permissions -----------------------------------------------------------------------------


def _permissions(entries: list[_Entry]) -> Iterator[Problem]:
    opened: list[Path] = []
    for entry in entries:
        if entry.path.name == store.LOCK_FILE or os.path.islink(entry.path):
            continue
        if any(entry.path.is_relative_to(folder) for folder in opened):
            continue  # the folder's fix covers it
        if entry.mode & 0o077:
            if entry.path.name == ".git":
                # It holds every version of every record, and git makes new files in it
                # readable by all unless told otherwise.
                opened.append(entry.path)
                fix = ("can be read by other users: run chmod -R go-rwx on it, and"
                       " git config core.sharedRepository 0600 to keep it so")  # fmt: skip
            elif entry.is_dir:
                opened.append(entry.path)
                fix = "can be read by other users: run chmod -R go-rwx on it"
            else:
                fix = "can be read by other users: run chmod go-rwx on it"
            yield Problem("permissions", entry.path, None, fix)


# --- what stopped writes left ----------------------------------------------------------------


def _leftovers(entries: list[_Entry]) -> Iterator[Problem]:
    from ipskit.cohorts.commit import COMMIT_JOURNAL, STAGED_PREFIX
    from ipskit.cohorts.forget import INTENT_FILE

    journals = {e.path.parent: _journal(e.path.parent) for e in entries
                if e.path.name == COMMIT_JOURNAL}  # fmt: skip
    for entry in entries:
        name, folder = entry.path.name, entry.path.parent
        if name.startswith(store.TEMP_PREFIX):
            if store.in_progress(entry.path):
                continue  # a write going on now
            yield Problem("leftover", entry.path, None,
                          "left by a write that was stopped part way (it may hold personal"
                          " data): delete it")  # fmt: skip
        elif name.startswith(STAGED_PREFIX):
            token = name[len(STAGED_PREFIX):].split("-", 1)[0]
            if journals.get(folder) == token:
                continue  # part of the change reported by its journal
            yield Problem("leftover", entry.path, None,
                          "left by a change that was stopped before it was saved (the files"
                          " beside it are as they were): delete it")  # fmt: skip
        elif name == COMMIT_JOURNAL:
            journal = journals[folder]
            if isinstance(journal, IpskitError):
                yield from _problems(journal, "leftover")
            else:
                yield Problem("leftover", entry.path, None,
                              f"a change to cohort {folder.name} was stopped part way: the"
                              " next command that changes the cohort finishes it")  # fmt: skip
        elif name == INTENT_FILE and folder.parent.name == "cohorts":
            yield from _erasures(entry.path)


def _journal(folder: Path) -> str | IpskitError | None:
    """The token of the change a folder's journal names, or why it names none."""
    from ipskit.cohorts.commit import read_journal

    try:
        found = read_journal(folder)
    except IpskitError as error:
        return error
    return found[0] if found else None


def _erasures(path: Path) -> Iterator[Problem]:
    cohort = path.parent.name
    try:
        saved = json.loads(path.read_bytes())
    except (OSError, ValueError):
        saved = None
    ids = saved.get("erasing") if isinstance(saved, dict) else None
    if not isinstance(ids, list) or not ids or not all(
        isinstance(i, str) and re.fullmatch(r"p[0-9]{2,}", i) for i in ids
    ):
        yield Problem("leftover", path, 1,
                      "not the list of erasures ipskit wrote (edited by hand?): it reads"
                      ' {"erasing": ["p01"]}, with the ids of the people whose erasure'
                      " stopped part way")  # fmt: skip
        return
    for pid in ids:
        yield Problem("leftover", path, None,
                      f"the erasure of {pid} was stopped part way: run ipskit forget"
                      f" {cohort} {pid} --yes to finish it")  # fmt: skip


# --- locks ------------------------------------------------------------------------------------


def _locks(entries: list[_Entry]) -> Iterator[Problem]:
    for entry in entries:
        name = entry.path.name
        if name == store.LOCK_FILE:
            yield from _ipskit_lock(entry)
            continue
        found = _SPREADSHEET_LOCK.match(name)
        if found and not entry.is_dir:
            target = found.group("libre") or found.group("excel")
            yield Problem("lock", entry.path, None,
                          f"{target} is open in a spreadsheet, or was when it stopped: close"
                          " it there before running ipskit (saving it later would undo"
                          " ipskit's changes); if it is closed, delete this lock")  # fmt: skip


def _ipskit_lock(entry: _Entry) -> Iterator[Problem]:
    """A cohort's lock: normal when no one holds it; reported when held, or not a file."""
    if entry.is_dir or not os.path.isfile(entry.path):
        yield Problem("lock", entry.path, None,
                      "not a lock file ipskit can use (it is a folder or a link): delete it")
        return
    try:
        import fcntl
    except ImportError:  # Windows: a lock there cannot be tried without taking it
        return
    try:
        fd = os.open(entry.path, os.O_RDONLY)
    except OSError as error:
        yield Problem("lock", entry.path, None,
                      f"cannot be opened ({store.reason(error)}): delete it")  # fmt: skip
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        yield Problem("lock", entry.path, None,
                      f"cohort {entry.path.parent.name} is being changed by an ipskit command"
                      " running now: run ipskit check again when it has finished")  # fmt: skip
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- copies a synced folder made, and what git could not merge ------------------------------


def _conflict_copies(root: Path, entries: list[_Entry]) -> Iterator[Problem]:
    out = root / "out"
    for entry in entries:
        if entry.is_dir or entry.path.is_relative_to(out):
            continue  # documents are made again from the records
        name = entry.path.name
        found = _CONFLICT_COPY.match(name) or _COMPUTER_COPY.match(name)
        if found is None:
            continue
        original = found.group("stem") + (found.group("ext") or "")
        worded = "onflict" in name  # "conflicted copy", "sync-conflict", "Case Conflict"
        if not worded and not (entry.path.parent / original).exists():
            continue  # "logo (1).png" alone is a file of that name, not a copy
        yield Problem("conflict-copy", entry.path, None,
                      f"a copy of {original} that a synced folder made when two computers"
                      f" changed it at once: put any change it holds into {original} with"
                      " ipskit, then delete the copy")  # fmt: skip


def _merge_conflicts(root: Path, entries: list[_Entry]) -> Iterator[Problem]:
    out = root / "out"
    for entry in entries:
        if not stat.S_ISREG(entry.mode):
            continue  # a link is not followed: it may point anywhere
        if entry.path.is_relative_to(out) or entry.path.name.startswith(store.TEMP_PREFIX):
            continue  # documents ipskit makes again, and leftovers reported already
        try:
            with entry.path.open("rb") as handle:
                data = handle.read(_TEXT_LIMIT)
        except OSError:
            continue
        if b"\x00" in data[:8192] or b"<<<<<<< " not in data:
            continue
        for found in _MARKER.finditer(data):
            line = data.count(b"\n", 0, found.start()) + 1
            yield Problem("merge-conflict", entry.path, line,
                          "git could not merge two changes here: keep the lines you want"
                          " between <<<<<<< and >>>>>>>, delete the marker lines, then run"
                          " ipskit check again")  # fmt: skip


# --- reading every file --------------------------------------------------------------------


def _problems(error: IpskitError, kind: str = "unreadable") -> Iterator[Problem]:
    """An error's lines as problems, each by the file and line it names."""
    for text in error.lines:
        found = re.match(r"^(?P<path>/.+?|[A-Za-z]:\\.+?):(?P<line>\d+)(?::(?P<col>\d+))?: ", text)
        if found:
            column = int(found["col"]) if found["col"] else None
            yield Problem(kind, Path(found["path"]), int(found["line"]), text[found.end():],
                          column)
        else:
            path, _, message = text.partition(": ")
            yield Problem(kind, Path(path), None, message or text)


def _guarded(kind: str, read: Callable[[], object]) -> Iterator[Problem]:
    try:
        read()
    except IpskitError as error:
        yield from _problems(error, kind)


def _records(workspace: Workspace) -> Iterator[Problem]:
    from ipskit.courses import curriculum

    yield from _guarded("unreadable", lambda: workspace.settings)
    if workspace.curricula_dir.is_dir():
        for path in sorted(workspace.curricula_dir.glob("*.yaml")):
            yield from _guarded("unreadable", partial(curriculum.load, path))
    if workspace.cohorts_dir.is_dir():
        for folder in sorted(workspace.cohorts_dir.iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                yield from _cohort(folder)


def _cohort(folder: Path) -> Iterator[Problem]:
    from ipskit.cohorts.certificate_register import REGISTER_FILE, read_register
    from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort
    from ipskit.cohorts.cohort_file import SETTINGS_FILE, parse_settings
    from ipskit.cohorts.record_types import (
        EARLIER_ROSTER_COLUMNS,
        HISTORY_COLUMNS,
        HISTORY_FILE,
        ROSTER_COLUMNS,
        ROSTER_FILE,
    )
    from ipskit.cohorts.records import Records
    from ipskit.cohorts.sent_log import SENT_FILE, read_sent
    from ipskit.core import csvio
    from ipskit.courses import curriculum

    settings_path = folder / SETTINGS_FILE
    if not settings_path.is_file():
        yield Problem("unreadable", folder, None,
                      f"a folder in cohorts with no {SETTINGS_FILE}: restore it from a backup,"
                      " or move the folder out of cohorts if it is not a cohort")  # fmt: skip
        return
    try:
        # Parsed, not read through its cache: reading would write the cache on a miss.
        cohort = Cohort(folder, parse_settings(settings_path))
    except IpskitError as error:
        yield from _problems(error)
        return
    copy = folder / CURRICULUM_FILE
    if copy.is_file():
        yield from _guarded("curriculum", lambda: curriculum.load(copy))
    else:
        yield Problem("curriculum", copy, None,
                      "missing: the cohort's own copy of its curriculum; restore it from a"
                      " backup")  # fmt: skip
    read: list[Records] = []
    loaded = list(_guarded("unreadable", lambda: read.append(Records.load(cohort))))
    yield from loaded
    if read:
        yield from _clashes(cohort, read[0])
    history = folder / HISTORY_FILE
    if history.exists():
        yield from _guarded("unreadable",
                            lambda: list(csvio.read_table(history, HISTORY_COLUMNS)))  # fmt: skip
    register: list[Entry] = []
    yield from _guarded("unreadable",
                        lambda: register.extend(read_register(folder / REGISTER_FILE)))  # fmt: skip
    yield from _rival_certificates(folder / REGISTER_FILE, register)
    yield from _guarded("unreadable", lambda: read_sent(folder / SENT_FILE))
    roster = folder / ROSTER_FILE
    if not loaded and roster.exists():
        rows = csvio.read_rows(roster, ROSTER_COLUMNS, earlier=EARLIER_ROSTER_COLUMNS)
        yield from _garbled(cohort.id, roster, rows)
    if not loaded and copy.is_file():
        yield from _unasked(cohort.id, folder, copy)


def _unasked(cohort: str, folder: Path, copy: Path) -> Iterator[Problem]:
    """Evaluation answers to questions the cohort's form does not ask: they are not counted."""
    from ipskit.cohorts.record_types import EVALUATION_COLUMNS, EVALUATIONS_FILE
    from ipskit.core import csvio
    from ipskit.courses import curriculum

    path = folder / EVALUATIONS_FILE
    if not path.exists():
        return
    try:
        form = curriculum.load(copy).evaluation
    except IpskitError:
        return  # the copy's own problems are reported already
    asked = {q.id for q in form.questions} if form else set()
    for line, row in csvio.read_rows(path, EVALUATION_COLUMNS):
        question = row["question"].strip()
        if question not in asked:
            yield Problem("curriculum", path, line,
                          f"'{question}' is not a question of the evaluation form in"
                          f" {copy.name}, so its answers are not counted: put the question"
                          " back in the form, or take the response out with ipskit"
                          f" evaluations {cohort} remove {row['response'].strip()}")  # fmt: skip


def _garbled(
    cohort: str, path: Path, rows: Iterable[tuple[int, dict[str, str]]]
) -> Iterator[Problem]:
    """Names in which a spreadsheet lost letters, each with the command that puts it right."""
    for line, row in rows:
        if row["status"].strip() == "erased":
            continue
        for column, option in (("name", "--name"), ("certificate_name", "--certificate-name")):
            if _GARBLED.search(row[column]):
                pid = row["id"].strip()
                yield Problem("name", path, line,
                              f"{column}: a spreadsheet lost letters of it (a ? or odd"
                              " characters where a letter was): write it again with ipskit"
                              f" roster {cohort} edit {pid} {option} 'NAME'")  # fmt: skip


# --- what two computers recorded differently -----------------------------------------------


def _clashes(cohort: Cohort, records: Records) -> Iterator[Problem]:
    """Each key recorded more than one way, with the commands that settle it.

    The first way stands; a command that records the key again (with the value that
    stands, or another) leaves it one way. Names are shown, as this is said in the
    trainer's own terminal, and the commands are to be pasted into it.
    """
    from ipskit.cohorts.record_types import (
        AGREEMENTS_FILE,
        ASSESSMENTS_FILE,
        ATTENDANCE_FILE,
        EVALUATIONS_FILE,
        FOLLOWUPS_FILE,
        RATINGS_FILE,
        ROSTER_FILE,
    )

    cid = cohort.id
    current: dict[str, dict[Any, Any]] = {
        ROSTER_FILE: {p.id: p for p in records.roster}, ATTENDANCE_FILE: records.marks,
        ASSESSMENTS_FILE: records.assessments, FOLLOWUPS_FILE: records.answers,
        RATINGS_FILE: records.ratings, AGREEMENTS_FILE: records.signed,
    }  # fmt: skip
    said: dict[str, Callable[[str, Any, Any], str]] = {
        ROSTER_FILE: _roster_clash, ATTENDANCE_FILE: _mark_clash,
        ASSESSMENTS_FILE: _assessment_clash, FOLLOWUPS_FILE: _answer_clash,
        RATINGS_FILE: _rating_clash, AGREEMENTS_FILE: _signature_clash,
    }  # fmt: skip
    for file, keys in records.others.items():
        path = cohort.file(file)
        if file == EVALUATIONS_FILE:
            yield from _response_clashes(cid, path, records, keys)
            continue
        for key, others in keys.items():
            ways = (current[file][key], *(way for _, way in others))
            message = said[file](cid, key, ways)
            yield Problem("clash", path, others[0][0], message)


def _settle_by(ways: tuple[Any, ...], words: list[str], commands: list[str]) -> str:
    """Recorded two ways (present, absent); present stands: to keep it...; for the other..."""
    if len(set(words)) < len(words):
        words = [f"{word} (way {n})" for n, word in enumerate(words, start=1)]
    count = "two" if len(ways) == 2 else str(len(ways))
    text = (f"recorded {count} ways ({', '.join(words)}); {words[0]} stands: to keep it,"
            f" {commands[0]}")  # fmt: skip
    return _and_the_others(text, commands)


def _and_the_others(text: str, commands: list[str]) -> str:
    """``text`` (which gives the first command), then the commands for the other ways."""
    if len(commands) == 2:
        return f"{text}; for the other, {commands[1]}"
    return f"{text}; for another, {' or '.join(commands[1:])}"


def _on(day: date, days: list[date]) -> str:
    """" on 2027-05-12" where the ways were recorded on different days; else nothing."""
    return f" on {day.isoformat()}" if len(set(days)) > 1 else ""


def _mark_clash(cid: str, key: tuple[int, str], ways: tuple[Any, ...]) -> str:
    number, pid = key

    def command(mark: Any) -> str:
        missed = mark.made_up and mark.status in ("absent", "excused")
        made_up = f" --made-up {pid}" if missed else ""
        return f"ipskit attend {cid} {number} --{mark.status} {pid}{made_up}"

    words = [m.status + (" (made up)" if m.made_up else "") for m in ways]
    if len(set(words)) < len(words):  # the same mark with different notes
        words = [f'{word}, note "{m.note}"' if m.note else f"{word}, no note"
                 for word, m in zip(words, ways, strict=True)]  # fmt: skip
    commands = [command(m) for m in ways]
    return f"session {number} for {pid} was {_settle_by(ways, words, commands)}"


def _assessment_clash(cid: str, pid: str, ways: tuple[Assessment, ...]) -> str:
    words = [a.result + _on(a.date, [w.date for w in ways]) for a in ways]
    commands = [f"ipskit assessment {cid} {pid} --{a.result} --date {a.date.isoformat()}"
                for a in ways]  # fmt: skip
    return f"the final assessment of {pid} was {_settle_by(ways, words, commands)}"


def _answer_clash(cid: str, key: tuple[str, str], ways: tuple[Any, ...]) -> str:
    point, pid = key
    words = [("using the skills" if a.using_skills else "not using the skills")
             + f" and trained {a.trained_others}" + _on(a.answered, [w.answered for w in ways])
             for a in ways]  # fmt: skip
    commands = [f"ipskit followup record {cid} {pid} --at {point} --using-skills"
                f" {'yes' if a.using_skills else 'no'} --trained-others {a.trained_others}"
                f" --date {a.answered.isoformat()}" for a in ways]  # fmt: skip
    return f"the {point} follow-up answer of {pid} was {_settle_by(ways, words, commands)}"


def _rating_clash(cid: str, key: tuple[str, str, str], ways: tuple[Any, ...]) -> str:
    stage, pid, competency = key
    words = [str(r.rating) + _on(r.date, [w.date for w in ways]) for r in ways]
    commands = [f"ipskit ratings record {cid} {pid} {competency}={r.rating} --stage {stage}"
                f" --date {r.date.isoformat()}" for r in ways]  # fmt: skip
    return (f"the rating of {competency} by {pid} {stage} the course was"
            f" {_settle_by(ways, words, commands)}")  # fmt: skip


def _signature_clash(cid: str, pid: str, ways: tuple[Any, ...]) -> str:
    words = [f"signed {day.isoformat()}" for day in ways]
    commands = [f"ipskit agreements {cid} --signed {pid} --date {day.isoformat()}"
                for day in ways]  # fmt: skip
    return f"the signature of {pid} was {_settle_by(ways, words, commands)}"


def _roster_clash(cid: str, pid: str, ways: tuple[Participant, ...]) -> str:
    import shlex

    from ipskit.cohorts.record_types import FIELDS
    from ipskit.core.names import isolate

    if any(way.status == "erased" for way in ways):
        return (f"{pid} was erased on one computer and not on the other: finish the erasure"
                f" with ipskit forget {cid} {pid} --yes")  # fmt: skip
    edited = [key for key in FIELDS if len({getattr(way, key) for way in ways}) > 1]
    differ = [f"{FIELDS[key]} ({', '.join(isolate(getattr(w, key)) or 'none' for w in ways)})"
              for key in edited]  # fmt: skip
    if len({(way.status, way.left) for way in ways}) > 1:
        differ.append(f"status ({', '.join(map(_status, ways))})")
    if len({way.added for way in ways}) > 1:
        dates = ", ".join(way.added.isoformat() if way.added else "none" for way in ways)
        differ.append(f"added ({dates})")
    standing = ways[0]

    def edit(way: Participant) -> str:
        keys = edited or ["name"]  # the name given again keeps the entry as it is
        options = " ".join(f"--{key.replace('_', '-')} {shlex.quote(getattr(way, key))}"
                           for key in keys)  # fmt: skip
        return f"ipskit roster {cid} edit {pid} {options}"

    def command(way: Participant) -> str:
        if (way.status, way.left) == (standing.status, standing.left):
            return edit(way)
        if way.status == "withdrawn":
            left = f" --date {way.left.isoformat()}" if way.left else ""
            withdraw = f"ipskit roster {cid} withdraw {pid}{left}"
            return f"{edit(way)}, then {withdraw}" if edited else withdraw
        return (f"{edit(way) + ', then ' if edited else ''}set the status back to active"
                " in roster.csv by hand, and delete the line of the other way")  # fmt: skip

    commands = [edit(standing), *(command(way) for way in ways[1:])]
    count = "two" if len(ways) == 2 else str(len(ways))
    text = (f"{pid} was recorded {count} ways: {', '.join(differ) or 'the same'}; the first"
            f" stands: to keep it, {commands[0]}")  # fmt: skip
    text = _and_the_others(text, commands)
    if _two_people(ways):
        # Each computer gives a newcomer the next free id: two walk-ins added apart
        # share one. Editing would lose one of them; adding again gives a new id.
        other = shlex.quote(ways[1].name)
        text += (f"; if these are two people, each added on one computer, keep the first"
                 f" and add the other again (ipskit roster {cid} add {other}), then"
                 f" record again what the other computer recorded for them")  # fmt: skip
    return text


def _two_people(ways: tuple[Participant, ...]) -> bool:
    """Whether a roster entry's ways name different people: no word of a name in common."""
    words = [{w.casefold() for w in way.name.split()} for way in ways]
    return len(ways) == 2 and not (words[0] & words[1])


def _status(way: Participant) -> str:
    if way.status == "withdrawn" and way.left:
        return f"withdrawn {way.left.isoformat()}"
    return way.status


def _response_clashes(cid: str, path: Path, records: Records,
                      keys: dict[Any, list[tuple[int, int]]]) -> Iterator[Problem]:  # fmt: skip
    """An evaluation response rated two ways: one line a response, its questions together."""
    numbers: dict[int, list[tuple[str, int, list[int]]]] = {}
    for (number, question), others in keys.items():
        ratings = [records.responses[number][question], *(way for _, way in others)]
        numbers.setdefault(number, []).append((question, others[0][0], ratings))
    for number, found in numbers.items():
        questions = ", ".join(f"{q} ({', '.join(map(str, r))})" for q, _, r in found)
        line = min(at for _, at, _ in found)
        yield Problem("clash", path, line,
                      f"response {number} was recorded two ways: {questions}; the first"
                      " stands: to settle it, take the response out with ipskit evaluations"
                      f" {cid} remove {number}, then add the form (or each form) again with"
                      f" ipskit evaluations {cid} add")  # fmt: skip


def _rival_certificates(path: Path, entries: list[Entry]) -> Iterator[Problem]:
    """Someone holding two certificates for the one course: issued on two computers."""
    from ipskit.cohorts.certificate_register import rivals

    for held in rivals(entries):
        codes = [entry.code for entry in held]
        listed = ", ".join(codes[:-1]) + " and " + codes[-1]
        count = "two" if len(codes) == 2 else str(len(codes))
        yield Problem("clash", path, held[-1].line,
                      f"{held[0].participant} has {count} certificates, {listed} (issued on"
                      " two computers): keep one with ipskit certificates keep"
                      f" {codes[0]}")  # fmt: skip
