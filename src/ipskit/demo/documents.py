"""Every document of the demo's cohorts, in two processes where there are two cores.

Documents are nearly all of the demo's time (about a minute for one process), and no
cohort's documents depend on another's: with a second core, a worker process makes some
cohorts' while this one makes the others', which nearly halves the wait. The worker
comes from the pool that certificates and workbooks use (:mod:`ipskit.core.processes`):
it runs no code from the current folder, and ends as soon as this process fails or is
stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace

if TYPE_CHECKING:
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


def make_documents(jobs: list[Job]) -> list[Result]:
    """Each cohort's documents, in order: the first and last here, the others in a worker.

    The first cohort (personal copies of its workbook) takes longest and the last (still
    to come: no certificates) least, so the two processes finish at about the same time.
    Where no second process can run, this one makes them all.
    """
    import os
    from concurrent.futures.process import BrokenProcessPool

    from ipskit.documents.render import process_pool

    between = jobs[1:-1]
    pool = process_pool(1) if between and (os.cpu_count() or 1) >= 2 else None
    if pool is None:
        return [cohort_documents(*job) for job in jobs]
    with pool:  # left by a failure or Ctrl-C, it ends the worker rather than wait for it
        try:
            later = pool.submit(documents_in_worker, between)
        except OSError:  # no processes allowed here after all: make them all in this one
            return [cohort_documents(*job) for job in jobs]
        first, last = cohort_documents(*jobs[0]), cohort_documents(*jobs[-1])
        try:
            return [first, *later.result(), last]
        except BrokenProcessPool:
            raise IpskitError(
                "the second process making the demo's documents stopped unexpectedly"
                " (short of memory?): nothing was kept"
            ) from None
        except RuntimeError as error:  # a fault there, already reduced to where it lies
            raise RuntimeError(f"in the second process: {error}") from None


def documents_in_worker(jobs: list[Job]) -> list[Result]:
    """:func:`cohort_documents` for each job, in a worker process.

    ipskit's own errors cross back whole; any other failure as the command line reports
    one: where it happened, but not its message (which may hold someone's data).
    """
    import traceback

    try:
        return [cohort_documents(*job) for job in jobs]
    except IpskitError:
        raise
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        place = f"{Path(frame.filename).name}:{frame.lineno}"
        raise RuntimeError(f"{type(error).__name__} at {place}") from None


def cohort_documents(
    root: str, cohort_id: str, copies: bool, finished: bool
) -> tuple[list[Made], list[str]]:
    """A cohort's documents (run in a worker process): what was made, and warnings."""
    from ipskit.cohorts.cohort import open_cohort

    demo = Demo(Workspace(Path(root)))
    cohort = open_cohort(demo.workspace.cohorts_dir, cohort_id)
    _documents(demo, cohort, copies=copies)
    if finished:
        _certificates(demo, cohort)
    return demo.made, demo.warnings


def _documents(demo: Demo, cohort: Cohort, *, copies: bool) -> None:
    """A cohort's session plans, workbook(s), sign-in sheets and calendar."""
    from ipskit.cohorts.course import course_for
    from ipskit.documents.calendar_ics import cohort_calendar
    from ipskit.documents.session_plans import make_plans
    from ipskit.documents.signin_sheets import make_registers
    from ipskit.documents.workbooks import make_workbook, make_workbooks

    workspace = demo.workspace
    out = workspace.root / "out" / cohort.id
    course = course_for(workspace, cohort.id, None)

    folder = out / "session-plans"
    make_plans(workspace, course, folder)
    demo.add("session plans: one PDF each, and all in one", folder)

    target = out / "workbook.pdf"
    demo.warn(make_workbook(workspace, course, target).warnings, cohort.id)
    demo.add("participant workbook", target)
    if copies:
        folder = out / "workbooks"
        renderer, files = make_workbooks(workspace, course, folder)
        demo.warn(renderer.warnings, cohort.id)
        demo.add(f"{len(files)} personal copies, each name on its cover", folder)

    target = out / "registers.pdf"
    meetings = list(cohort.everything)
    after = len(cohort.settings.meetings)
    dates = f"{len(cohort.settings.sessions)} sessions" + (
        f" and {after} meetings" if after else ""
    )
    demo.warn(make_registers(workspace, cohort, meetings, target).warnings, cohort.id)
    demo.add(f"sign-in sheets for {dates}", target)

    if course.curriculum.agreement:
        from ipskit.documents.agreement_forms import make_agreements

        made = make_agreements(workspace, course, out / "agreements.pdf")
        demo.warn(made.renderer.warnings, cohort.id)
        demo.add(f"code of conduct to sign: {made.forms} forms, {made.signed} signed",
                 made.target)  # fmt: skip

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
