"""What a cohort's documents were made from, so that a rebuild redoes only what changed.

``out/COHORT/.build.json`` keeps, for each file ipskit made there, the key it was made
under: a SHA-256 of exactly what the document depends on. That is the HTML its template
made (which holds every curriculum text, setting, date and name it prints), its title,
author and language, ipskit's and WeasyPrint's versions, and the content of each
stylesheet, font or image the layout read. It keeps too the SHA-256 of the file as
written, so that a file edited, replaced or deleted since is made again, and the ids of
the people whose names the file prints, so that ``ipskit forget`` finds every file that
names someone. It holds no name and no text of any document.

The record is private, like everything in ``out``, and safe to delete: without it every
document is simply made again. A record that cannot be read (cut short, edited by hand)
counts as none. It is read and written under a lock of its own in the cohort's folder,
which every command that makes the cohort's documents holds while it does.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ipskit.core import store

RECORD = ".build.json"
#: Changes when what ipskit writes for the same inputs changes without a new version.
FORMAT = 1
#: What each file came to on this run: made anew, found as it was, or taken away.
MADE, UNCHANGED, REMOVED = "made", "unchanged", "removed"


def digest(*parts: str | bytes) -> str:
    """The SHA-256 of the parts, each framed by its length so that none runs into another."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(b"%d:" % len(data))
        hasher.update(data)
    return hasher.hexdigest()


@functools.cache
def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("ipskit", "weasyprint"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:  # run from a checkout that is not installed
            found.append(f"{package} unknown")
    return "; ".join([*found, f"record {FORMAT}"])


class Record:
    """The build record of one cohort's ``out`` folder, and what this run did to it.

    ``folders`` are the template folders, workspace first, in which a stylesheet or font
    a layout read is looked for again to tell whether it has changed.
    """

    def __init__(self, folder: Path, folders: Sequence[Path]) -> None:
        self.folder = folder
        self.folders = list(folders)
        self.entries: dict[str, dict[str, Any]] = _read(folder / RECORD)
        #: Each file this run made, found unchanged or removed, in order: (path, what).
        self.outcomes: list[tuple[Path, str]] = []
        #: Entries set (or None: dropped) by this run, to hand from a worker to the saver.
        self.changes: dict[str, dict[str, Any] | None] = {}
        self._versions = _versions()
        self._hashes: dict[Path, str | None] = {}

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is a file this record can keep (one inside its folder)."""
        return path.is_relative_to(self.folder) and path != self.folder / RECORD

    def key(self, *inputs: str | bytes) -> str:
        """The key of a document made from ``inputs``, by this ipskit and WeasyPrint."""
        return digest(self._versions, *inputs)

    def fresh(self, key: str, targets: Sequence[Path]) -> bool:
        """Whether every target is on disk as it was made under ``key``, from the same files."""
        for target in targets:
            entry = self.entries.get(self._name(target))
            if entry is None or entry.get("key") != key:
                return False
            if self._hash(target) != entry.get("sha256"):
                return False
            for name, sha in (entry.get("reads") or {}).items():
                if self._read_hash(name) != sha:
                    return False
        return True

    def info(self, target: Path) -> dict[str, Any]:
        """What was noted when ``target`` was made (counts, warnings), for a rerun to say."""
        entry = self.entries.get(self._name(target)) or {}
        return dict(entry.get("info") or {})

    def made(self, key: str, targets: Sequence[Path], *, reads: Iterable[str] = (),
             people: Iterable[str] = (), info: dict[str, Any] | None = None,
             told: bool = True) -> None:  # fmt: skip
        """Note the targets as just written under ``key``.

        ``reads`` are the files the layout read (absolute paths, as the fetcher gives
        them), ``people`` the participant ids whose names the targets print. A part kept
        for the next build rather than a document (``told`` False) is not in the outcomes.
        """
        read = {name: self._read_hash(name) for name in dict.fromkeys(self._relative(reads))}
        for target in targets:
            self._hashes.pop(target, None)
            entry: dict[str, Any] = {"key": key, "sha256": self._hash(target)}
            if read:
                entry["reads"] = read
            if people:
                entry["people"] = sorted(set(people))
            if info:
                entry["info"] = info
            self._set(target, entry)
            if told:
                self.outcomes.append((target, MADE))

    def unchanged(self, targets: Sequence[Path]) -> None:
        """Note the targets as found as they were made."""
        self.outcomes += [(target, UNCHANGED) for target in targets]

    def removed(self, path: Path) -> None:
        """Note a file taken away (a personal copy of someone no longer on the course)."""
        self._set(path, None)
        self.outcomes.append((path, REMOVED))

    def naming(self, participant: str) -> list[Path]:
        """The recorded files that print this participant's name."""
        return [self.folder / name for name, entry in self.entries.items()
                if participant in (entry.get("people") or ())]  # fmt: skip

    def take(self, changes: dict[str, dict[str, Any] | None],
             outcomes: Iterable[tuple[str, str]]) -> None:  # fmt: skip
        """Take in what another process did to the same record."""
        for name, entry in changes.items():
            self._set(self.folder / name, entry)
        self.outcomes += [(Path(path), what) for path, what in outcomes]

    def save(self) -> None:
        """Write the record, whole and private, if this run changed it."""
        if not self.changes:
            return
        text = json.dumps({"format": FORMAT, "files": self.entries}, indent=1, sort_keys=True)
        store.write_output(self.folder / RECORD, text + "\n")
        self.changes.clear()

    def _set(self, path: Path, entry: dict[str, Any] | None) -> None:
        name = self._name(path)
        if entry is None:
            self.entries.pop(name, None)
        else:
            self.entries[name] = entry
        self.changes[name] = entry

    def _name(self, path: Path) -> str:
        return path.relative_to(self.folder).as_posix()

    def _hash(self, path: Path) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def _relative(self, paths: Iterable[str]) -> Iterator[str]:
        """Each file read, by its name within the template folder it came from."""
        for path in map(Path, paths):
            for folder in self.folders:
                if path.is_relative_to(folder):
                    yield path.relative_to(folder).as_posix()
                    break

    def _read_hash(self, name: str) -> str | None:
        """The SHA-256 of the file a layout would read for ``name`` now, workspace first."""
        from ipskit.documents.template_guard import Refused, find_template_file

        try:
            path = find_template_file(self.folders, name)
        except Refused:
            return None
        return None if path is None else self._hash(path)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {name: entry for name, entry in files.items() if _whole(entry)}


def _whole(entry: Any) -> bool:
    """Whether an entry is as ipskit writes them: one edited by hand is dropped (remade)."""

    def texts(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("reads", {}), dict)
        and texts(list(entry.get("reads", {}).values()))
        and texts(entry.get("people", []))
        and isinstance(entry.get("info", {}), dict)
    )


#: The lock, in the cohort's own folder, that a command making its documents holds: not
#: the cohort's lock, which marking attendance takes while documents are being made.
LOCK = ".build.lock"


@contextmanager
def recording(out: Path, folders: Sequence[Path], cohort: Path) -> Iterator[Record]:
    """The build record of ``out``, held under the documents' lock of ``cohort``'s folder.

    The record is saved at the end, however the block ends: what was made before a
    failure or Ctrl-C is kept on record, since those files are whole. Nothing is written
    (not even the ``out`` folder made) unless something is made.
    """
    with store.locked_by(cohort / LOCK, f"the documents folder of cohort {cohort.name}"):
        record = Record(out, folders)
        try:
            yield record
        finally:
            record.save()
