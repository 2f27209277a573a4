import json
import os
import subprocess
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import NamedTuple

import pytest
from filelock import FileLock

from helpers import IPSKIT, clean_environment, plant
from ipskit.core.collector import fewer_collections


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test runs in its own empty folder, with no workspace from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IPSKIT_WORKSPACE", raising=False)
    monkeypatch.delenv("IPSKIT_DEBUG", raising=False)


# --- the demo workspace, built once for the whole run ----------------------------------------


class Ran(NamedTuple):
    """What a command run as its own process did, read like a CliRunner result."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[Path, Ran]:
    """The demo, made as a trainer makes it: the installed command, in a folder of their own.

    That folder holds modules named like the standard library's and ipskit's own; the
    demo's second process must not run them (see test_safe_workers.py). Building it takes
    most of a minute, so it is built once for the run: tests only read it, and a test that
    changes it works on its own copy (``shutil.copytree``). It is started as soon as the
    tests are collected (see _start_the_demo), so that nothing waits for it long.
    """
    if _early is None:
        return _build_the_demo(tmp_path_factory)
    return _early.result()  # what it made, or the error that stopped it, raised here


def _build_the_demo(tmp_path_factory) -> tuple[Path, Ran]:
    # With the tests spread over processes (pytest-xdist), the first to need the demo
    # builds it in the run's shared temporary folder and the others wait for it.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    here = shared / "demo-build"
    with FileLock(str(shared / "demo-build.lock")):
        made = here / "result.json"
        if not made.exists():
            here.mkdir()
            marks = here / "marks"
            marks.mkdir()
            plant(here, marks)
            done = subprocess.run([IPSKIT, "demo", str(here / "demo")], cwd=here,
                                  env=clean_environment(), capture_output=True, text=True)  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            assert list(marks.iterdir()) == []
            made.write_text(json.dumps([done.returncode, done.stdout, done.stderr]))
        result = Ran(*json.loads(made.read_text()))
    return here / "demo", result


#: The demo's build, begun in the background once the tests are chosen.
_early: Future[tuple[Path, Ran]] | None = None


def _start_the_demo(config) -> None:
    global _early
    # One daemon thread, so that a run stopped early is not kept waiting for the demo.
    _early = Future()

    def build() -> None:
        try:
            _early.set_result(_build_the_demo(config._tmp_path_factory))
        except BaseException as error:  # raised again by the fixture, in a test
            _early.set_exception(error)

    threading.Thread(target=build, name="demo-build", daemon=True).start()


# --- the hostile-input suite ---------------------------------------------------------------
#
# Tests marked ``hostile`` are the cases an attacker or an unlucky user tries (hostile
# names, YAML and templates, kills, full and read-only disks...). The run ends with a
# count of what was tried and what held, so the suite says how much it covers.

_hostile: dict[str, int] = {"tried": 0, "held": 0}


def pytest_configure(config):
    # As the ipskit command does (ipskit.core.collector), for the commands the tests run
    # inside this process: it holds much more than a command does, and every collection
    # goes through all of it. The same tests, in two thirds of the time.
    fewer_collections()
    config.addinivalue_line(
        "markers",
        "slow: takes seconds, not tenths (pytest -m 'not slow' leaves these out for a quick loop)",
    )
    config.addinivalue_line(
        "markers", "hostile: a case of the hostile-input suite (counted at the end of the run)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Whatever reads the demo waits for it to be built (most of a minute, once a run).
    for item in items:
        if _reads_the_demo(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    # The demo is the longest thing a run makes: begun now, beside the first tests, rather
    # than when the first test that reads it comes (which would wait for all of it).
    if not session.config.option.collectonly and any(map(_reads_the_demo, session.items)):
        _start_the_demo(session.config)


def _reads_the_demo(item) -> bool:
    return "demo_build" in getattr(item, "fixturenames", ())


def pytest_runtest_logreport(report):
    if report.when == "call" and "hostile" in report.keywords:
        _hostile["tried"] += 1
        _hostile["held"] += report.passed


def pytest_terminal_summary(terminalreporter):
    if _hostile["tried"]:
        terminalreporter.write_line(
            f"hostile-input suite: {_hostile['tried']} cases tried, {_hostile['held']} held"
        )


@pytest.fixture
def ws(tmp_path):
    """A new workspace in the test's own folder (a module may define its own instead)."""
    from helpers import make_workspace

    return make_workspace(tmp_path)
