"""Writing files so that nothing is ever half-written or readable by others.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the old file, and the folder is fsynced: a crash leaves the old file or the
new one, never a torn one. Workspace files hold or sit beside personal data, so they are
created readable by their owner only. A write the machine refuses (a full or read-only
disk, a folder one may not write in) is an :class:`IpskitError` naming the path, with the
old file left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ipskit.core.errors import IpskitError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
#: Every temporary file or folder ipskit makes is named ``.ipskit-tmp-PID-...``, so that
#: a sweep can tell one a running process is writing from one a killed process left.
TEMP_PREFIX = ".ipskit-tmp-"


#: Names Windows gives to devices: a file or folder called ``con`` or ``nul.csv`` cannot be
#: made there, or opens the device instead; workspaces are shared with Windows laptops.
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)


def windows_reserved(name: str) -> bool:
    """Whether Windows reserves this file name for a device, in any case and extension."""
    return name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_DEVICES


def temp_prefix() -> str:
    """The prefix of this process's temporary files: ``.ipskit-tmp-PID-``."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


#: What the machine meant, in words a trainer can act on (by errno's names: Windows
#: lacks some of them).
_REASONS = {
    getattr(errno, name): words
    for name, words in (
        ("ENOSPC", "the disk is full"),
        ("EDQUOT", "the disk quota is used up"),
        ("EROFS", "the disk is read-only"),
        ("EACCES", "permission denied"),
        ("EPERM", "permission denied"),
        ("EIO", "the disk reported an error"),
        ("ENOTDIR", "part of the path is a file, not a folder"),
        ("EISDIR", "it is a folder"),
        ("ENAMETOOLONG", "the name is too long"),
        ("EMFILE", "too many files are open"),
        ("ENOENT", "no such file or folder"),
        ("EEXIST", "a file of that name is in the way"),
    )
    if hasattr(errno, name)
}


def reason(error: OSError) -> str:
    """Why the machine refused, in plain words (never the data being written)."""
    return _REASONS.get(error.errno or 0) or (error.strerror or type(error).__name__).lower()


class Refused(IpskitError, OSError):
    """The machine refused to write: one line for the trainer, naming the path.

    Still an :class:`OSError`, so that code which lets a cache go unwritten on a
    read-only disk (``contextlib.suppress(OSError)``) goes on doing so.
    """

    def __init__(self, message: str, error: OSError) -> None:
        super().__init__(message)
        self.errno, self.strerror, self.filename = error.errno, reason(error), error.filename

    def __str__(self) -> str:
        return str(self.args[0])


def cannot(path: Path | str, what: str, error: OSError, after: str = "") -> Refused:
    """``PATH: cannot WHAT: REASON[; AFTER]``: a machine's refusal as one line."""
    return Refused(f"{path}: cannot {what}: {reason(error)}{f'; {after}' if after else ''}", error)


def make_private_dir(path: Path) -> None:
    """Create a folder (and its parents) readable by its owner only."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    folder = path
    try:
        for folder in reversed(missing):  # each folder ipskit makes is private, parents too
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            folder.chmod(PRIVATE_DIR)
        folder = path
        path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        path.chmod(PRIVATE_DIR)
    except OSError as error:
        if error.errno == errno.EEXIST and folder != path:  # a file where a folder should be
            folder, error = path, NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        raise cannot(folder, "make this folder", error) from None


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
    try:
        fd, temp = tempfile.mkstemp(prefix=temp_prefix(), dir=folder)
    except OSError as error:
        raise cannot(path, "write it", error, "it is unchanged") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise cannot(path, "write it", error, "it is unchanged") from None
        raise
    if durable:
        try:
            fsync_dir(folder)
        except OSError as error:
            raise cannot(path, "be sure it was saved", error, "check it is whole") from None


def write_output(
    target: Path, data: str | bytes, *, durable: bool = True, make_folder: bool = True
) -> None:
    """Write a file a command makes (``--out`` or the workspace's ``out`` folder).

    The one way every document, calendar, report and schema is written: whole or not
    at all (:func:`write_atomic`), privately, and a refusal is one line naming
    ``target``: ``TARGET: cannot write it: REASON; it is unchanged``. A missing folder
    is made, privately (unless ``make_folder`` is False); one the user already has keeps
    its permissions. ``durable=False`` leaves flushing to the caller (:func:`sync_files`).
    """
    if make_folder:
        try:
            if not target.parent.is_dir():
                make_private_dir(target.parent)
        except OSError as error:
            if error.errno == errno.EEXIST:  # a file stands where one of its folders would be
                error = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
            raise cannot(target, "write it", error, "it is unchanged") from None
    write_atomic(target, data, durable=durable)


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
        fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (files made, renamed or removed in it) durable."""
    if os.name == "nt":  # a folder cannot be opened there, and NTFS journals its renames
        return
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


@contextlib.contextmanager
def locked_by(path: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``path``, as :func:`locked` holds a folder's, sweeping nothing."""
    with _os_lock(path, what):
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
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    except OSError as error:
        raise cannot(path, "open the lock file", error, "nothing was changed") from None
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


def sweep_temporary_files(folder: Path) -> list[Path]:
    """Remove what interrupted writes left in ``folder``; returns what was removed.

    A temporary file of a process that is still running is its write in progress, and
    is left alone; one of a process that has ended is a leftover (it may hold a whole
    certificate or roster), and goes.
    """
    removed = []
    for leftover in folder.glob(TEMP_PREFIX + "*"):
        if in_progress(leftover):
            continue
        with contextlib.suppress(FileNotFoundError):
            if leftover.is_dir() and not leftover.is_symlink():
                import shutil

                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            removed.append(leftover)
    return removed


def sweep_leftovers(root: Path) -> list[Path]:
    """Remove the leftovers of interrupted writes anywhere under ``root`` (a workspace)."""
    removed = []
    for folder, subfolders, files in os.walk(root):
        # Leftover folders are removed whole; nothing inside them is walked.
        kept = [name for name in subfolders if not name.startswith(TEMP_PREFIX)]
        # The walk has listed the folder already: list it again only if there is a leftover.
        if len(kept) < len(subfolders) or any(name.startswith(TEMP_PREFIX) for name in files):
            removed += sweep_temporary_files(Path(folder))
        subfolders[:] = kept
    return removed


def in_progress(path: Path) -> bool:
    """Whether a temporary file is a write another running process is making now."""
    owner = path.name[len(TEMP_PREFIX) :].split("-", 1)[0]
    if not owner.isdigit():  # named before names carried the process id
        return False
    pid = int(owner)
    if pid == os.getpid():
        return False  # this process is not writing it now: a sweep runs between writes
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's, or no such number
        return pid < 2**22
    return True


def readable_by_others(folder: Path) -> list[Path]:
    """Files and folders under ``folder`` that someone other than the owner can read."""
    exposed = []
    for path in (folder, *sorted(folder.rglob("*"))):
        if path.name == LOCK_FILE:
            continue
        if path.stat().st_mode & 0o077:
            exposed.append(path)
    return exposed
