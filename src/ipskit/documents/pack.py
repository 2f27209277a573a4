"""A cohort's pack of documents, made in two processes where there are two cores.

``ipskit build`` and ``ipskit demo`` make a cohort's documents here: each document
(its session plans, its workbook, its sign-in sheets...) is a piece of work of its own,
and no piece depends on another. With a second core, a worker process makes some while
this one makes the others, which nearly halves the wait; the pieces are handed out
longest first, so that both processes are busy to the end. The worker comes from the
pool that certificates and workbooks use (:mod:`ipskit.core.processes`): it runs no
code from the current folder, and ends as soon as this process fails or is stopped.

Each piece keeps to the cohort's build record (:mod:`ipskit.documents.build_record`):
a document made before from the same inputs is kept, and only what changed is made
again. The caller holds the record, under the lock of the cohort's ``out`` folder; a
piece made in the worker sends back what it noted, for the caller to take in.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.documents.build_record import UNCHANGED, Record
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from ipskit.cohorts.cohort import Cohort


class Made(NamedTuple):
    """Something made: what it is, and where."""

    what: str
    path: Path


@dataclass
class Pack:
    """What was made, in order, and what the trainer should know."""

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


Job = tuple[str, str, tuple[str, ...]]  # workspace root, cohort id, which documents
#: A document the caller makes itself (the demo's certificates), as pieces are made.
Maker = Callable[["Pack", "Cohort"], None]
#: Workspace root, cohort id, which document (a key of NAMES, or of the caller's makers),
#: and the caller's function that makes it, if it is one of those.
Piece = tuple[str, str, str, Maker | None]


class Result(NamedTuple):
    """What a piece (or all of a cohort's pieces) made, said and noted in the record."""

    made: list[Made]
    warnings: list[str]
    changes: dict[str, Any]  # the build record's entries set or dropped
    outcomes: list[tuple[str, str]]  # each file: made, unchanged or removed


#: Each document of a cohort, in the order they are listed, as it is named while made.
NAMES = {
    "plans": "session plans", "prep": "preparation sheets", "workbook": "workbook",
    "copies": "personal workbooks", "handouts": "handouts", "registers": "sign-in sheets",
    "agreements": "code of conduct forms", "calendar": "calendar",
}  # fmt: skip
#: What ``ipskit build`` makes: everything but certificates, which are an act of issuing.
BUILT = ("plans", "prep", "workbook", "copies", "handouts", "registers", "agreements",
         "calendar")  # fmt: skip
#: About how many seconds each takes, per session of its cohort and in all (measured on
#: the demo's cohorts, on two cores): the longest are begun first, so that the small ones
#: at the end even out the two processes.
SECONDS = {"plans": (0.45, 1.4), "copies": (0.2, 3.1), "workbook": (0.2, 1.6),
           "prep": (0.1, 1), "handouts": (0.1, 1.5), "agreements": (0, 1.2),
           "registers": (0, 1), "calendar": (0, 0)}  # fmt: skip
#: About how long a document of the caller's own takes (the demo's certificates).
OTHER_SECONDS = (0, 0.3)
#: How many documents the second process has in hand: the one it is making and the next,
#: so that it never waits for this one to hand it more. (More would leave this one with
#: nothing to do at the end while the worker still had several to make.)
AHEAD = 2


def pieces(job: Job, makers: Mapping[str, Maker]) -> list[Piece]:
    """A cohort's documents, one piece of work each, in the order they are listed."""
    root, cohort_id, kinds = job
    return [(root, cohort_id, kind, makers.get(kind))
            for kind in [*NAMES, *makers] if kind in kinds]  # fmt: skip


def make_documents(jobs: list[Job], progress: Step | None = None,
                   records: dict[str, Record] | None = None,
                   makers: Mapping[str, Maker] | None = None) -> list[Result]:  # fmt: skip
    """Each cohort's documents, in order, shared between this process and a worker.

    Each document is a piece of work of its own, and each process takes the next piece,
    the longest first, until none is left: the two finish at about the same time
    whichever cohorts there are. Where no second process can run, this one makes them
    all. ``progress`` is told of each document begun here and each finished in either.
    What each piece notes is taken into the cohort's record in ``records``, as soon as
    the piece is made, so that a failure later keeps it. ``makers`` make documents of
    the caller's own, named in the jobs as the keys are (module-level functions, which
    the worker can be sent).
    """
    import os

    from ipskit.documents.render import process_pool

    makers = makers or {}
    work = list(enumerate(piece for job in jobs for piece in pieces(job, makers)))
    sessions = {job[1]: _sessions(*job[:2]) for job in jobs}

    def seconds(item: tuple[int, Piece]) -> float:
        per_session, more = SECONDS.get(item[1][2], OTHER_SECONDS)
        return per_session * sessions[item[1][1]] + more

    work.sort(key=seconds, reverse=True)  # a stable sort: the cohorts' order where equal
    tally = Tally(progress, len(work), records or {})
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
        whole = Result([], [], {}, [])
        for _ in pieces(job, makers):
            piece = made[index]
            whole.made.extend(piece.made)
            whole.warnings.extend(w for w in piece.warnings if w not in whole.warnings)
            whole.changes.update(piece.changes)
            whole.outcomes.extend(piece.outcomes)
            index += 1
        results.append(whole)
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
        tally.noted(piece, made[index])
    return made


def _from_worker(future: Future[Result]) -> Result:
    """What a piece sent to the worker made; what went wrong there, as it is told here."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise IpskitError(
            "the second process making the documents stopped unexpectedly"
            " (short of memory?): run the command again to finish them"
        ) from None
    except RuntimeError as error:  # a fault there, already reduced to where it lies
        raise RuntimeError(f"in the second process: {error}") from None


class Tally:
    """How far the documents have got in both processes, told to ``progress``."""

    def __init__(self, progress: Step | None, total: int, records: dict[str, Record]) -> None:
        self.progress = progress
        self.total = total
        self.records = records
        self.done = 0
        self.making = "the documents"
        # The worker's pieces are counted from the pool's own thread as they finish.
        self.lock = threading.Lock()

    def make(self, piece: Piece) -> Result:
        """Make a piece in this process, saying so."""
        self.waiting_for(piece)
        result = make_piece(*piece)
        self.noted(piece, result)
        self.finished_here()
        return result

    def noted(self, piece: Piece, result: Result) -> None:
        """Take what a piece noted into its cohort's record."""
        record = self.records.get(piece[1])
        if record is not None:
            with self.lock:
                record.take(result.changes, result.outcomes)

    def waiting_for(self, piece: Piece) -> None:
        """Say which piece is being made (or waited for)."""
        with self.lock:
            self.making = f"{piece[1]}'s {NAMES.get(piece[2], piece[2])}"
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


def make_piece(root: str, cohort_id: str, kind: str, maker: Maker | None = None) -> Result:
    """One of a cohort's documents (in either process): what was made, warnings, notes.

    The piece reads the cohort's build record afresh and sends back only what it
    changed: the caller, which holds the record's lock, takes that in and saves it.
    """
    from ipskit.cohorts.cohort import open_cohort

    pack = Pack(Workspace(Path(root)))
    cohort = open_cohort(pack.workspace.cohorts_dir, cohort_id)
    if maker is not None:
        maker(pack, cohort)
        return Result(pack.made, pack.warnings, {}, [])
    record = new_record(pack.workspace, cohort.id)
    _document(pack, cohort, kind, record)
    outcomes = [(str(path), what) for path, what in record.outcomes]
    return Result(pack.made, pack.warnings, record.changes, outcomes)


def out_folder(workspace: Workspace, cohort_id: str) -> Path:
    """Where a cohort's documents go: ``out/COHORT``."""
    return workspace.root / "out" / cohort_id


def new_record(workspace: Workspace, cohort_id: str) -> Record:
    """The cohort's build record as it is on disk (for one who holds its lock, or works for one)."""
    from ipskit.documents.render import Renderer

    return Record(out_folder(workspace, cohort_id), Renderer(workspace).folders)


def _document(pack: Pack, cohort: Cohort, kind: str, record: Record) -> None:
    """A cohort's plans, preparation sheets, workbook, copies, handouts, sheets, forms or calendar.

    A document the cohort does not call for is left out: copies with no one on the
    roster, forms where the curriculum has no code of conduct, handouts where no session
    names any.
    """
    from ipskit.cohorts.course import course_for

    workspace = pack.workspace
    out = out_folder(workspace, cohort.id)
    course = course_for(workspace, cohort.id, None)
    after = len(cohort.settings.meetings)
    dates = f"{len(cohort.settings.sessions)} sessions" + (
        f" and {after} meetings" if after else ""
    )
    if kind in ("plans", "prep"):
        from ipskit.documents.session_plans import make_plans

        folder = out / "session-plans"
        prep = kind == "prep"
        files = make_plans(workspace, course, folder, prep=prep, record=record)
        pack.add("preparation sheets for every session, in one file" if prep
                 else "session plans: one PDF each, and all in one",
                 files[0] if prep else folder)  # fmt: skip
    elif kind == "workbook":
        from ipskit.documents.workbooks import make_workbook

        target = out / "workbook.pdf"
        pack.warn(make_workbook(workspace, course, target, record=record).warnings, cohort.id)
        pack.add("participant workbook", target)
    elif kind == "copies" and _anyone(cohort):
        from ipskit.documents.workbooks import make_workbooks

        folder = out / "workbooks"
        renderer, files = make_workbooks(workspace, course, folder, record=record)
        pack.warn(renderer.warnings, cohort.id)
        pack.add(f"{len(files)} personal copies, each name on its cover", folder)
    elif kind == "handouts" and _handouts(workspace, course):
        from ipskit.documents.handouts import FILE, make_handouts

        handed = make_handouts(workspace, course, out / FILE, record=record)
        pack.warn(handed.renderer.warnings, cohort.id)
        pack.add(f"handouts to print and cut: {handed.pages} pages", out / FILE)
    elif kind == "registers":
        from ipskit.documents.signin_sheets import make_registers

        target = out / "registers.pdf"
        meetings = list(cohort.everything)
        pack.warn(make_registers(workspace, cohort, meetings, target, record=record).warnings,
                  cohort.id)  # fmt: skip
        pack.add(f"sign-in sheets for {dates}", target)
    elif kind == "agreements" and course.curriculum.agreement and _anyone(cohort):
        from ipskit.documents.agreement_forms import FILE, make_agreements

        made = make_agreements(workspace, course, out / FILE, record=record)
        pack.warn(made.renderer.warnings, cohort.id)
        pack.add(f"code of conduct to sign: {made.forms} forms, {made.signed} signed",
                 made.target)  # fmt: skip
    elif kind == "calendar":
        target = out / f"{cohort.id}.ics"
        write_calendar(workspace, cohort, target, record)
        pack.add(f"calendar of the {dates}, to import", target)


def write_calendar(workspace: Workspace, cohort: Cohort, target: Path,
                   record: Record | None) -> None:  # fmt: skip
    """Write the cohort's calendar, unless the record has it as it would be written now."""
    from ipskit.documents.calendar_ics import cohort_calendar

    settings = workspace.settings
    text = cohort_calendar(cohort, settings.timezone, settings.organisation.name)
    if record is None or not record.holds(target):
        store.write_output(target, text)
        return
    key = record.key("calendar", text)
    if record.fresh(key, [target]):
        record.unchanged([target])
        return
    store.write_output(target, text)
    record.made(key, [target])


def _anyone(cohort: Cohort) -> bool:
    """Whether anyone is on the cohort's roster now."""
    from ipskit.cohorts.records import Records

    return bool(Records.load(cohort).active)


def _handouts(workspace: Workspace, course: Any) -> bool:
    """Whether any session of the course names a handout."""
    from ipskit.documents.handouts import slots

    return bool(slots(course, workspace.settings.locale))


@contextmanager
def recorded(workspace: Workspace, cohort_id: str) -> Iterator[Record]:
    """The cohort's build record, held under its documents' lock, saved at the end."""
    from ipskit.documents.build_record import recording
    from ipskit.documents.render import Renderer

    folders = Renderer(workspace).folders
    cohort = workspace.cohorts_dir / cohort_id
    with recording(out_folder(workspace, cohort_id), folders, cohort) as record:
        yield record


@contextmanager
def kept(workspace: Workspace, cohort_id: str | None) -> Iterator[Record | None]:
    """The cohort's build record for one document command, or None for a curriculum.

    ``session-plans``, ``build-workbook`` and the other commands keep to the same
    record as ``ipskit build``: run after it with nothing changed, they make nothing.
    """
    if cohort_id is None:
        yield None
        return
    with recorded(workspace, cohort_id) as record:
        yield record


def all_unchanged(record: Record | None, paths: Sequence[Path]) -> bool:
    """Whether the record found every one of ``paths`` as it was made, none made anew."""
    if record is None or not paths:
        return False
    found = dict(record.outcomes)
    return all(found.get(path) == UNCHANGED for path in paths)


def forget_outputs(workspace: Workspace, cohort_id: str, participant: str) -> list[Path]:
    """Delete every document the cohort's build record says prints this person's name.

    ``ipskit forget`` deletes the files it knows by name first; this finds, through the
    record, any other (a document a later version makes), and takes them all off the
    record, so that the next build makes them again without the name. Returns the files
    it deleted.
    """
    deleted = []
    with recorded(workspace, cohort_id) as record:
        for path in record.naming(participant):
            if path.is_file():
                path.unlink()
                deleted.append(path)
            record.removed(path)
    return deleted
