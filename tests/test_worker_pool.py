"""Worker pools leave Ctrl-C to the process that started them, and end when it fails."""

from __future__ import annotations

import os
import signal
import time

import pytest

from helpers import make_cohort, make_workspace
from ipskit.core.errors import IpskitError
from ipskit.core.processes import pool

pytestmark = pytest.mark.slow  # a worker process started: a second or so each


def test_workers_leave_ctrl_c_to_the_process_that_started_them():
    workers = pool(1)
    assert workers is not None
    with workers:
        answer = workers.submit(signal.getsignal, signal.SIGINT).result()
    assert answer == signal.SIG_IGN


def test_a_pool_left_by_an_error_ends_its_workers_rather_than_wait_for_them():
    workers = pool(1)
    assert workers is not None
    started = time.monotonic()
    with pytest.raises(IpskitError, match="the disk is full"), workers:
        busy = workers.submit(time.sleep, 60)
        while not busy.running():
            time.sleep(0.01)
        raise IpskitError("the disk is full")
    assert time.monotonic() - started < 30
    assert not busy.done() or busy.exception() is not None



def test_a_workbook_stopped_while_its_body_is_laid_out_ends_the_covers_worker(
    tmp_path, monkeypatch
):
    # Personal copies lay out the covers in a worker while this process lays out the
    # body; Ctrl-C there must end that worker at once, not wait for it to finish.
    import ipskit.documents.render as render
    import ipskit.documents.workbooks as workbooks
    from ipskit.cohorts.course import course_for
    from ipskit.workspace import Workspace

    started = []
    real_pool = render.process_pool

    def busy_pool(workers):
        pool = real_pool(workers)
        assert pool is not None
        real_submit = pool.submit

        def submit(fn, *args):
            future = real_submit(fn, *args)
            real_submit(time.sleep, 60)  # more work the worker would finish first
            started.extend(pool._processes.values())
            return future

        pool.submit = submit
        return pool

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    ws = make_workspace(tmp_path)
    make_cohort(ws)
    monkeypatch.setattr(workbooks, "WORKER_FROM", 1)
    monkeypatch.setattr(render, "process_pool", busy_pool)
    monkeypatch.setattr(workbooks, "pdf_bytes", interrupted)
    workspace = Workspace(ws)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        workbooks.make_workbooks(workspace, course_for(workspace, "spring", None), tmp_path)
    assert time.monotonic() - began < 20
    assert started  # the covers' worker process
    assert all(ended(process) for process in started)


def ended(process) -> bool:
    """Whether a worker process has ended (and been reaped, by whichever thread did)."""
    if not process.is_alive():
        return True
    # The pool's own thread may have reaped it first, leaving this handle unsure.
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return True
    return False
