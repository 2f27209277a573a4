"""Writing files so that nothing is ever half-written or readable by others.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the old file, and the folder is fsynced: a crash leaves the old file or the
new one, never a torn one. Workspace files hold or sit beside personal data, so they are
created readable by their owner only.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ipskit.errors import IpskitError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
TEMP_PREFIX = ".ipskit-tmp-"


def make_private_dir(path: Path) -> None:
    """Create a folder (and its parents) readable by its owner only."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):  # each folder ipskit makes is private, parents too
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        folder.chmod(PRIVATE_DIR)
    path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    path.chmod(PRIVATE_DIR)


def write_atomic(
    path: Path, data: str | bytes, *, mode: int = PRIVATE_FILE, durable: bool = True
) -> None:
    """Replace ``path`` with ``data`` in one step: old or new, never a mixture.

    ``durable=False`` skips the fsyncs, for caches that can be rebuilt: after a crash
    they may be lost, never torn.
    """
    import tempfile  # only writers need it; the everyday read commands start faster

    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(folder)


def sync_files(paths: list[Path]) -> None:
    """Make files written with ``durable=False`` durable, all at once.

    One ``sync`` of the whole system costs far less than an fsync for each of a thousand
    files; where there is no ``sync`` (Windows), each file is flushed in turn.
    """
    if hasattr(os, "sync"):
        os.sync()
    else:
        for path in paths:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for folder in dict.fromkeys(path.parent for path in paths):
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


LOCK_FILE = ".ipskit.lock"
LOCK_WAIT_SECONDS = 10


@contextlib.contextmanager
def locked(folder: Path, what: str) -> Iterator[None]:
    """Hold a folder's lock: every read-modify-write of a cohort happens inside one.

    A second ipskit process waits up to ``LOCK_WAIT_SECONDS`` for its turn, then stops
    with a clear message; it never interleaves its writes with the first one's. Stale
    temporary files from an interrupted write are removed once the lock is held.
    """
    with _os_lock(folder / LOCK_FILE, what):
        sweep_temporary_files(folder)
        yield


def _busy(what: str) -> IpskitError:
    return IpskitError(
        f"{what} is busy: another ipskit command is changing it. Try again in a moment."
    )


@contextlib.contextmanager
def _os_lock(path: Path, what: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the filelock package does it with msvcrt
        from filelock import FileLock, Timeout

        lock = FileLock(path, timeout=LOCK_WAIT_SECONDS, mode=PRIVATE_FILE)
        try:
            lock.acquire()
        except Timeout:
            raise _busy(what) from None
        try:
            yield
        finally:
            lock.release()
        return
    # On POSIX, flock() directly: it is what filelock does there, and importing the
    # package would cost a fifth of the time `ipskit attend` may take in all.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(what) from None
                time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def sweep_temporary_files(folder: Path) -> None:
    """Remove what an interrupted write left behind (call only while holding the lock)."""
    for leftover in folder.glob(TEMP_PREFIX + "*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def readable_by_others(folder: Path) -> list[Path]:
    """Files and folders under ``folder`` that someone other than the owner can read."""
    exposed = []
    for path in (folder, *sorted(folder.rglob("*"))):
        if path.name == LOCK_FILE:
            continue
        if path.stat().st_mode & 0o077:
            exposed.append(path)
    return exposed
