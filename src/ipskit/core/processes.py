"""Worker processes that run ipskit's own code and nothing else.

Laying out documents is slow and a batch splits into independent parts, so a second
core helps. A worker is a new Python interpreter, spawned rather than forked (forking a
process that has loaded WeasyPrint is not safe). Left to itself, Python starts such a
worker with the current folder first on its import path, and then gives it the parent's
path: a file there named like a standard-library module (a trainer's own ``struct.py``
beside the workspace) would be run inside the worker. So every worker starts with
``PYTHONSAFEPATH`` set (no current folder at start-up) and inherits the parent's import
path without the current folder.

Ctrl-C reaches every process of the terminal's group at once. Workers leave it to the
process that started them: they ignore it, and a pool left by an exception (Ctrl-C among
them) ends its workers at once, rather than waiting for what they are doing. A worker
whose starter was killed outright ends by itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ipskit.core.collector import fewer_collections


def pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` spawned processes, or None where processes cannot be started."""
    import multiprocessing

    try:
        # Making the pool's queues can start multiprocessing's own helper process.
        with clean_start():
            return _SafePool(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker)  # fmt: skip
    except OSError:  # no processes allowed here
        return None


def _start_worker() -> None:
    """In a worker: Ctrl-C is for the process that started it, which ends the workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fewer_collections()
    _end_with(os.getppid())


#: How often a worker looks whether the process that started it is still there.
WATCH_SECONDS = 0.5


def _end_with(parent: int) -> None:
    """End this worker once the process that started it has gone, however it went.

    A command killed outright (``kill -9``, short of memory) cannot end its workers, and
    a worker waiting for work would wait for ever: it holds the write end of its own
    queue, so it never sees the queue close. On POSIX an orphan is given a new parent,
    which a thread notices within half a second.
    """
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="ipskit-parent-watch", daemon=True).start()


class _SafePool(ProcessPoolExecutor):
    """A process pool whose workers start with a clean import path.

    The pool starts a worker inside ``submit`` (on Python 3.11 and later, for spawned
    workers), so that is where the clean path has to be in force too.
    """

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit a call, starting any worker it needs with a clean import path."""
        with clean_start():
            return super().submit(fn, *args, **kwargs)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool | None:
        if kind is None:
            return super().__exit__(kind, error, trace)
        self.stop()  # the work is lost anyway: waiting for it would only delay the error
        return None

    def stop(self) -> None:
        """End the workers now, whatever they are doing, and cancel what has not started."""
        # Python 3.14's terminate_workers() does this; before it, only the private table
        # of worker processes reaches them.
        workers = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join()


@contextlib.contextmanager
def clean_start() -> Iterator[None]:
    """While held, processes started here get no current folder on their import path."""
    saved_path = sys.path[:]
    saved_flag = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    sys.path[:] = import_path(sys.path)
    try:
        yield
    finally:
        sys.path[:] = saved_path
        if saved_flag is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = saved_flag


def import_path(path: list[str]) -> list[str]:
    """``path`` without the current folder, however it is written ('', '.', absolute)."""
    here = os.path.realpath(os.getcwd())
    return [entry for entry in path
            if entry and os.path.realpath(entry) != here]  # fmt: skip
