"""Committing several record files together: all old or all new, whatever stops the writer.

A change writes a record file and history.csv (and erasure up to six files). Each is
first written in full beside its place, as ``.ipskit-commit-TOKEN-NAME``; then one small
journal naming them is written atomically: that is the moment of commit. Then each file
is renamed into place and the journal removed. A kill before the journal leaves the
old files (the staged ones are removed by the next writer); a kill after it leaves a
commit that the next writer finishes (and that readers already read through).
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

from ipskit.cohorts.record_types import COMMITTED_FILES
from ipskit.core import store
from ipskit.core.errors import FileProblemsError, IpskitError

COMMIT_JOURNAL = ".ipskit-commit.json"
STAGED_PREFIX = ".ipskit-commit-"
_TOKEN = re.compile(r"[0-9a-f]{12}")


def commit(folder: Path, files: dict[str, str]) -> None:
    """Replace several files of ``folder`` together: after any crash, all or none.

    The caller holds the folder's lock (or owns a folder no one else can see yet).
    """
    import json

    token = os.urandom(6).hex()
    staged = {name: folder / f"{STAGED_PREFIX}{token}-{name}" for name in files}
    try:
        for name, text in files.items():
            _write_staged(staged[name], text.encode("utf-8"), folder / name)
        journal = json.dumps({"token": token, "files": list(files)})
        try:
            store.write_atomic(folder / COMMIT_JOURNAL, journal)
        except OSError as error:  # the journal is ipskit's own: name a file the trainer knows
            first = folder / next(iter(files))
            raise store.cannot(first, "write it", error, "it is unchanged") from None
    except BaseException:
        for path in staged.values():
            with suppress(FileNotFoundError):
                path.unlink()
        raise
    _install(folder, token, list(files))


def _write_staged(path: Path, data: bytes, target: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     store.PRIVATE_FILE)  # fmt: skip
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise store.cannot(target, "write it", error, "it is unchanged") from None


def _install(folder: Path, token: str, names: list[str]) -> None:
    """Rename a commit's staged files into place, then forget the journal."""
    for name in names:
        with suppress(FileNotFoundError):  # renamed before a kill
            os.replace(folder / f"{STAGED_PREFIX}{token}-{name}", folder / name)
    store.fsync_dir(folder)  # the renames are durable before the journal vouching for them goes
    (folder / COMMIT_JOURNAL).unlink()


def read_journal(folder: Path) -> tuple[str, list[str]] | None:
    """The commit a journal in ``folder`` names, if there is one."""
    import json

    try:
        saved = json.loads((folder / COMMIT_JOURNAL).read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        saved = None
    token = saved.get("token") if isinstance(saved, dict) else None
    names = saved.get("files") if isinstance(saved, dict) else None
    # Checked before any name is made from them: a token such as "/../" would reach out.
    if not (isinstance(token, str) and _TOKEN.fullmatch(token) and isinstance(names, list)
            and all(n in COMMITTED_FILES for n in names)):  # fmt: skip
        message = "not a commit ipskit wrote (edited by hand?): delete it, and the change it"
        raise FileProblemsError([f"{folder / COMMIT_JOURNAL}:1: {message} was finishing with it"])
    return token, names


def settle(folder: Path) -> None:
    """Finish a commit a kill interrupted, and remove the files of one never committed.

    The caller holds the folder's lock.
    """
    found = read_journal(folder)
    if found is not None:
        _install(folder, *found)
    for leftover in folder.glob(STAGED_PREFIX + "*"):
        with suppress(FileNotFoundError):
            leftover.unlink()


def paths_to_read(folder: Path) -> dict[str, Path]:
    """Record files to read from where a commit is still being renamed into place."""
    if not os.path.exists(folder / COMMIT_JOURNAL):
        return {}
    try:
        found = read_journal(folder)
    except IpskitError:
        return {}  # the next writer reports it
    if found is None:
        return {}
    token, names = found
    staged = {name: folder / f"{STAGED_PREFIX}{token}-{name}" for name in names}
    return {name: path for name, path in staged.items() if path.exists()}
