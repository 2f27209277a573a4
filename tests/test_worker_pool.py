"""Worker pools leave Ctrl-C to the process that started them, and end when it fails."""

from __future__ import annotations

import signal
import time

import pytest

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
