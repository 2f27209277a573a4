"""Every document of the demo's cohorts, in two processes where there are two cores.

Documents are nearly all of the demo's time (about a minute for one process), and no
document depends on another: with a second core, a worker process makes some while
this one makes the others, which nearly halves the wait. Each document is a piece of
work of its own, handed out longest first, so that both processes are busy to the end
(whole cohorts, one process each, left one waiting for the other for seconds). The
worker comes from the pool that certificates and workbooks use
(:mod:`ipskit.core.processes`): it runs no code from the current folder, and ends as
soon as this process fails or is stopped.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from ipskit.cohorts.cohort import Cohort


class Made(NamedTuple):
    """Something the demo made: what it is, and where."""

    what: str
    path: Path


@dataclass
class Demo:
    """What the demo made, in order, and what the trainer should know."""

    workspace: Workspace
    made: list[Made] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, what: str, path: Path) -> None:
        """Note a file or folder made."""
        self.made.append(Made(what, path))

    def warn(self, warnings: Sequence[str], cohort_id: str) -> None:
        """Keep each warning once: several documents name the same person."""
        for warning in warnings:
            line = f"{cohort_id}: {warning}"
            if line not in self.warnings:
                self.warnings.append(line)


Job = tuple[str, str, bool, bool]  # workspace root, cohort id, personal copies, finished
Result = tuple[list[Made], list[str]]  # what was made, and the warnings
Piece = tuple[str, str, str]  # workspace root, cohort id, which document (a key of NAMES)

#: Each document of a cohort, in the order the demo lists them, as it is named while made.
NAMES = {
    "plans": "session plans", "workbook": "workbook", "copies": "personal workbooks",
    "registers": "sign-in sheets", "agreements": "code of conduct forms",
    "calendar": "calendar", "certificates": "certificates",
}  # fmt: skip
#: About how many seconds each takes, per session of its cohort and in all (measured on
#: the demo's cohorts, on two cores): the longest are begun first, so that the small ones
#: at the end even out the two processes.
SECONDS = {"plans": (0.45, 1.4), "copies": (0.2, 3.1), "workbook": (0.2, 1.6),
           "agreements": (0, 1.2), "registers": (0, 1), "certificates": (0, 0.3),
           "calendar": (0, 0)}  # fmt: skip
#: How many documents the second process has in hand: the one it is making and the next,
#: so that it never waits for this one to hand it more. (More would leave this one with
#: nothing to do at the end while the worker still had several to make.)
AHEAD = 2


def pieces(job: Job) -> list[Piece]:
    """A cohort's documents, one piece of work each, in the order the demo lists them."""
    root, cohort_id, copies, finished = job
    kinds = [kind for kind in NAMES
             if (kind != "copies" or copies) and (kind != "certificates" or finished)]  # fmt: skip
    return [(root, cohort_id, kind) for kind in kinds]


def make_documents(jobs: list[Job], progress: Step | None = None) -> list[Result]:
    """Each cohort's documents, in order, shared between this process and a worker.

    Each document is a piece of work of its own, and each process takes the next piece,
    the longest first, until none is left: the two finish at about the same time
    whichever cohorts there are. Where no second process can run, this one makes them
    all. ``progress`` is told of each document begun here and each finished in either.
    """
    import os

    from ipskit.documents.render import process_pool

    work = list(enumerate(piece for job in jobs for piece in pieces(job)))
    sessions = {job[1]: _sessions(*job[:2]) for job in jobs}

    def seconds(item: tuple[int, Piece]) -> float:
        per_session, more = SECONDS[item[1][2]]
        return per_session * sessions[item[1][1]] + more

    work.sort(key=seconds, reverse=True)  # a stable sort: the cohorts' order where equal
    tally = Tally(progress, len(work))
    pool = process_pool(1) if len(work) > 1 and (os.cpu_count() or 1) >= 2 else None
    if pool is None:
        made = {index: tally.make(piece) for index, piece in work}
    else:
        with pool:  # left by a failure or Ctrl-C, it ends the worker rather than wait for it
            made = _shared(pool, work, tally)
            # The worker takes a moment to end: it does so while the reports are made.
            pool.shutdown(wait=False)
    results = []
    index = 0
    for job in jobs:
        files: list[Made] = []
        warnings: list[str] = []
        for _ in pieces(job):
            found, said = made[index]
            files += found
            warnings += [w for w in said if w not in warnings]
            index += 1
        results.append((files, warnings))
    return results


def _sessions(root: str, cohort_id: str) -> int:
    """How many sessions a cohort has, to tell how long its documents take.

    A cohort that cannot be read counts as a long one, so that it is begun first and
    what is wrong is told at once, not after everything else is made.
    """
    from ipskit.cohorts.cohort import open_cohort

    try:
        return len(open_cohort(Workspace(Path(root)).cohorts_dir, cohort_id).settings.sessions)
    except IpskitError:
        return 100


def _shared(pool: ProcessPoolExecutor, work: list[tuple[int, Piece]],
            tally: Tally) -> dict[int, Result]:  # fmt: skip
    """Make the pieces, in the order given, in this process and the pool's worker."""
    waiting = deque(work)
    made: dict[int, Result] = {}
    sent: list[tuple[int, Piece, Future[Result]]] = []

    def hand_over() -> None:
        """Keep the worker supplied; raise at once what went wrong there."""
        for _, _, future in sent:
            if future.done():
                _from_worker(future)
        while waiting and sum(not future.done() for _, _, future in sent) < AHEAD:
            index, piece = waiting[0]
            try:
                future = pool.submit(piece_in_worker, piece)
            except OSError:  # no processes allowed here after all: this one makes the rest
                return
            waiting.popleft()
            future.add_done_callback(tally.finished_there)
            sent.append((index, piece, future))

    hand_over()
    while waiting:
        index, piece = waiting.popleft()
        made[index] = tally.make(piece)
        hand_over()
    for index, piece, future in sent:
        if not future.done():
            tally.waiting_for(piece)
        made[index] = _from_worker(future)
    return made


def _from_worker(future: Future[Result]) -> Result:
    """What a piece sent to the worker made; what went wrong there, as it is told here."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise IpskitError(
            "the second process making the demo's documents stopped unexpectedly"
            " (short of memory?): nothing was kept"
        ) from None
    except RuntimeError as error:  # a fault there, already reduced to where it lies
        raise RuntimeError(f"in the second process: {error}") from None


class Tally:
    """How far the demo's documents have got in both processes, told to ``progress``."""

    def __init__(self, progress: Step | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.making = "the demo's documents"
        # The worker's pieces are counted from the pool's own thread as they finish.
        self.lock = threading.Lock()

    def make(self, piece: Piece) -> Result:
        """Make a piece in this process, saying so."""
        self.waiting_for(piece)
        result = make_piece(*piece)
        self.finished_here()
        return result

    def waiting_for(self, piece: Piece) -> None:
        """Say which piece is being made (or waited for)."""
        with self.lock:
            self.making = f"{piece[1]}'s {NAMES[piece[2]]}"
            self._tell()

    def finished_here(self) -> None:
        """Count a piece made in this process."""
        with self.lock:
            self.done += 1
            self._tell()

    def finished_there(self, future: Future[Result]) -> None:
        """Count a piece the worker made (a pool callback: failures are raised elsewhere)."""
        if not future.cancelled() and future.exception() is None:
            self.finished_here()

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress(f"Making {self.making}", self.done, self.total)


def piece_in_worker(piece: Piece) -> Result:
    """:func:`make_piece` in a worker process.

    ipskit's own errors cross back whole; any other failure as the command line reports
    one: where it happened, but not its message (which may hold someone's data).
    """
    import traceback

    try:
        return make_piece(*piece)
    except IpskitError:
        raise
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        place = f"{Path(frame.filename).name}:{frame.lineno}"
        raise RuntimeError(f"{type(error).__name__} at {place}") from None


def make_piece(root: str, cohort_id: str, kind: str) -> Result:
    """One of a cohort's documents (in either process): what was made, and warnings."""
    from ipskit.cohorts.cohort import open_cohort

    demo = Demo(Workspace(Path(root)))
    cohort = open_cohort(demo.workspace.cohorts_dir, cohort_id)
    if kind == "certificates":
        _certificates(demo, cohort)
    else:
        _document(demo, cohort, kind)
    return demo.made, demo.warnings


def _document(demo: Demo, cohort: Cohort, kind: str) -> None:
    """A cohort's session plans, workbook, personal copies, sign-in sheets, forms or calendar."""
    from ipskit.cohorts.course import course_for

    workspace = demo.workspace
    out = workspace.root / "out" / cohort.id
    course = course_for(workspace, cohort.id, None)
    after = len(cohort.settings.meetings)
    dates = f"{len(cohort.settings.sessions)} sessions" + (
        f" and {after} meetings" if after else ""
    )
    if kind == "plans":
        from ipskit.documents.session_plans import make_plans

        folder = out / "session-plans"
        make_plans(workspace, course, folder)
        demo.add("session plans: one PDF each, and all in one", folder)
    elif kind == "workbook":
        from ipskit.documents.workbooks import make_workbook

        target = out / "workbook.pdf"
        demo.warn(make_workbook(workspace, course, target).warnings, cohort.id)
        demo.add("participant workbook", target)
    elif kind == "copies":
        from ipskit.documents.workbooks import make_workbooks

        folder = out / "workbooks"
        renderer, files = make_workbooks(workspace, course, folder)
        demo.warn(renderer.warnings, cohort.id)
        demo.add(f"{len(files)} personal copies, each name on its cover", folder)
    elif kind == "registers":
        from ipskit.documents.signin_sheets import make_registers

        target = out / "registers.pdf"
        meetings = list(cohort.everything)
        demo.warn(make_registers(workspace, cohort, meetings, target).warnings, cohort.id)
        demo.add(f"sign-in sheets for {dates}", target)
    elif kind == "agreements" and course.curriculum.agreement:
        from ipskit.documents.agreement_forms import make_agreements

        made = make_agreements(workspace, course, out / "agreements.pdf")
        demo.warn(made.renderer.warnings, cohort.id)
        demo.add(f"code of conduct to sign: {made.forms} forms, {made.signed} signed",
                 made.target)  # fmt: skip
    elif kind == "calendar":
        from ipskit.documents.calendar_ics import cohort_calendar

        target = out / f"{cohort.id}.ics"
        settings = workspace.settings
        store.write_atomic(
            target, cohort_calendar(cohort, settings.timezone, settings.organisation.name)
        )
        demo.add(f"calendar of the {dates}, to import", target)


def _certificates(demo: Demo, cohort: Cohort) -> None:
    """Certificates for everyone in a finished cohort who completed it."""
    from ipskit.certificates.issuing import issue_certificates

    batch = issue_certificates(demo.workspace, cohort)
    demo.warn(batch.warnings, cohort.id)
    folders = list(dict.fromkeys(item.path.parent for item in batch.issued))
    combined = batch.combined
    for folder in folders:
        count = sum(1 for item in batch.issued if item.path.parent == folder)
        together = combined is not None and combined.parent == folder
        demo.add(f"{count} certificates" + (", and all in one to print" if together else ""),
                 folder)  # fmt: skip
    if combined is not None and combined.parent not in folders:
        demo.add("all the certificates in one file, to print", combined)
    demo.add("certificate register: every one issued", batch.register)
