"""A complete example workspace, built end to end, so a trainer can see everything first.

The organisation, its venues, its trainers and every participant are invented. The
names are chosen to show that documents print any name: Welsh, Polish, Greek (and a
certificate name in Greek letters), Irish, Turkish, Vietnamese, Cyrillic and more,
all in scripts the DejaVu fonts draw, so the demo prints cleanly on a plain Linux
install. Attendance is a fixed table, not chance, so every run tells the same story;
only the dates move, so that the demo is always recent:

- a ten-week evening course that ended a few weeks ago: twelve people, most at most
  sessions, some late, some sending apologies, one making up a missed evening; one
  withdrew in week 4 and one missed too many evenings, so ten complete;
- a five-day intensive that ended some fourteen months ago, where one person missed a
  day: its self-ratings before and after, and its follow-ups at nine weeks and a year;
- a two-day cascade course taught by two of the intensive's graduates some ten months
  ago (the first generation of the cascade), with its code of conduct signed, its
  monthly support group under way and its six-month follow-up answered;
- a two-day cascade course still to come, taught by two of that course's graduates
  (the second generation).

Records are kept and documents made by the same library functions as the commands use,
into the same places (``out/COHORT/...``), so the commands find and remake them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.workspace import Workspace

ORGANISATION = "Wrenmoor Peer Support Network"
CONTACT = "3 Tanner's Row, Wrenmoor · hello@wrenmoor.example.org · 01632 960 418"
SUPPORT = (
    "If today has stirred things up for you, you can talk to Samaritans at any time, free,"
    " on 116 123, or email jo@samaritans.org. Our peer line is open Monday to Friday,"
    " 18:00 to 22:00, on 01632 960 419. In an emergency, call 999."
)
MONDAY, TUESDAY, WEDNESDAY = 0, 1, 2
MARKS = {"P": "present", "L": "late", "A": "absent", "E": "excused"}


def settings_text() -> str:
    """The demo's ``ipskit.yaml``."""
    # A JSON string is a valid YAML double-quoted scalar: any text is stored as text.
    name, contact, support = (json.dumps(t, ensure_ascii=False) for t in (ORGANISATION, CONTACT,
                                                                          SUPPORT))  # fmt: skip
    return f"""\
# A demo workspace made by `ipskit demo`. The organisation, its venues, its trainers
# and every participant are invented; the phone numbers are in a range kept for drama
# (01632 960...) and the email addresses are at example.org, so none reaches anyone.
organisation:
  name: {name}
  contact: {contact}
  colour: "#3d5a80"
signatories:                # who signs certificates (no signature images in the demo)
  - name: Alys Morgan-Rees
    role: Lead trainer
  - name: Kofi Adjei
    role: Training coordinator
locale: en-GB
timezone: Europe/London
support: {support}
verification_url: https://wrenmoor.example.org/verify
"""


class Person(NamedTuple):
    """Someone on a demo roster, and their attendance, one letter per session.

    ``P`` present, ``L`` late, ``A`` absent, ``E`` sent apologies, ``M`` absent and made
    up afterwards, ``W`` withdrew on that session's date (nothing is marked after it).
    A course still to come has no letters.
    """

    name: str
    marks: str = ""
    certificate_name: str = ""
    email: str = ""
    pronouns: str = ""
    note: str = ""  # on the one mark that needs explaining (a make-up, an apology)


class DemoCohort(NamedTuple):
    """One of the demo's cohorts."""

    id: str
    curriculum: str
    start: date
    venue: str
    trainers: tuple[str, ...]
    people: tuple[Person, ...]
    skip: tuple[date, ...] = ()
    copies: bool = False  # a workbook with each person's name on the cover
    # Follow-up answers by point: (roster position, using the skills, people trained).
    answers: tuple[tuple[str, tuple[tuple[int, bool, int], ...]], ...] = ()
    ratings: bool = False  # self-ratings before and after


TEN_WEEK = (
    Person("Siôn Prydderch", "PPPPPPPPPP", pronouns="he/him", email="sion.p@example.org"),
    Person("Zofia Kędzierska", "PPPEPPPPPP", pronouns="she/her"),
    Person(
        "Eleni Markaki", "PPPPPPLPPP", certificate_name="Ελένη Μαρκάκη", email="eleni.m@example.org"
    ),
    Person("Adaeze Okonkwo", "PLPPPPPPPP", pronouns="she/her", email="adaeze@example.org"),
    Person("Tariq Mirza-Hollis", "PPLW"),
    Person("Róisín Ní Bhriain", "PPPPMPPPPP", note="caught up one-to-one with a trainer"),
    Person("Delroy Whitfield-Grant", "PLPPPPPLPP", pronouns="he/him"),
    Person("Defne Altıntaş", "PPPPPPPPAP", email="defne.a@example.org"),
    Person("Hibo Nuur", "PPEPPAAPPP", pronouns="she/her"),
    Person("Tiago Conceição", "PPPPPPEPEP", email="tiago.c@example.org"),
    Person("Lian Chow", "PPPPPLPPPP", pronouns="she/her", email="lian.chow@example.org"),
    Person("Robin Ashdown", "PPPPPPPAPP", pronouns="they/them"),
)

FIVE_DAY = (
    Person("Oksana Melnyk", "PPPPP", certificate_name="Оксана Мельник"),
    Person("Kwame Asante-Boateng", "PPLPP", pronouns="he/him"),
    Person("Priya Venkataraman", "PPPPP", email="priya.v@example.org"),
    Person("Declan Moriarty", "PPPPL"),
    Person("Amira Haddad", "PPPPP", pronouns="she/her"),
    Person("Jakub Wróblewski", "PPPPP", email="jakub.w@example.org"),
    Person("Nikos Stavridis", "PLPPP"),
    Person("Funmilayo Adebayo", "PPPPP", pronouns="she/her"),
    Person("Bronwen Tudur", "PPEPP", note="will join day 3 of the next intensive"),
    Person("Grace Mwangi", "PPPPP"),
    Person("Ewan MacLeod", "PPPPP", pronouns="he/him"),
    Person("Sofía Ortega Ruiz", "PPPPP", email="sofia.o@example.org"),
    Person("Hương Nguyễn", "PPPPP"),
    Person("Ingrid Halvorsen", "LPPPP"),
)

CASCADE = (
    Person("Gethin Rowlands", pronouns="he/him"),
    Person("Heledd Prosser", email="heledd.p@example.org"),
    Person("Bartosz Kowalczyk"),
    Person("Chipo Moyo", pronouns="she/her"),
    Person("Ioana Dragomir", email="ioana.d@example.org"),
    Person("Naomi Feldhaus"),
    Person("Ravi Kulkarni", pronouns="he/him"),
    Person("Mariama Sesay"),
    Person("Pádraig Nolan", email="padraig.n@example.org"),
    Person("Yusuf Demirci"),
)

FIRST_CASCADE = (
    Person("Carys Vaughan", "PP", pronouns="she/her", email="carys.v@example.org"),
    Person("Tomasz Nowicki", "PP"),
    Person("Mehmet Aydın", "PL", pronouns="he/him"),
    Person("Leilani Kahale", "PP", email="leilani.k@example.org"),
    Person("Brónach Keane", "PP"),
    Person("Anya Petrova", "PA", note="unwell on the second day; will join the next course"),
    Person("Osman Farah", "PP", pronouns="he/him"),
    Person("Jess Pennington", "LP", email="jess.p@example.org"),
    Person("Marek Dvořák", "PP"),
)

# Answers at the intensive's follow-ups (roster position, using the skills, people
# trained). At nine weeks 10 of the 13 graduates came to the follow-up meeting; a year
# on 9 answered, two of them having taught the first cascade course.
INTENSIVE_ANSWERS = (
    ("9w", ((0, True, 0), (1, True, 0), (2, True, 2), (4, True, 0), (5, False, 0),
            (6, True, 0), (7, True, 3), (9, True, 0), (11, False, 0), (12, True, 0))),
    ("12m", ((0, True, 0), (1, True, 9), (2, True, 9), (4, True, 0), (5, True, 4),
             (7, True, 3), (9, False, 0), (10, True, 0), (13, True, 0))),
)  # fmt: skip
FIRST_CASCADE_ANSWERS = (
    ("6m", ((0, True, 0), (1, True, 0), (3, True, 3), (4, False, 0), (6, True, 0),
            (7, True, 0))),
)  # fmt: skip


def demo_cohorts(today: date) -> list[DemoCohort]:
    """The demo's cohorts, dated from ``today``."""
    ten_week = _on_or_after(today - timedelta(weeks=14), WEDNESDAY)
    return [
        DemoCohort(
            id="ten-week",
            curriculum="ips-10-week",
            start=ten_week,
            venue="Wrenmoor Community Hub, 3 Tanner's Row",
            trainers=("Alys Morgan-Rees", "Kofi Adjei"),
            people=TEN_WEEK,
            # The hub was closed one week: that evening moves the rest on a week.
            skip=(ten_week + timedelta(weeks=5),),
            copies=True,
        ),
        DemoCohort(
            id="intensive",
            curriculum="ips-5-day",
            start=_on_or_after(today - timedelta(weeks=62), MONDAY),
            venue="Foxley Lane Meeting Rooms, Wrenmoor",
            trainers=("Alys Morgan-Rees", "Ruth Castellano"),
            people=FIVE_DAY,
            answers=INTENSIVE_ANSWERS,
            ratings=True,
        ),
        DemoCohort(
            id="first-cascade",
            curriculum="ips-2-day-cascade",
            start=_on_or_after(today - timedelta(weeks=44), TUESDAY),
            venue="Wrenmoor Community Hub, Room 2",
            # Two of the intensive's graduates pass on what they learned.
            trainers=("intensive:Kwame", "intensive:Priya"),
            people=FIRST_CASCADE,
            answers=FIRST_CASCADE_ANSWERS,
        ),
        DemoCohort(
            id="cascade",
            curriculum="ips-2-day-cascade",
            start=_on_or_after(today + timedelta(days=10), TUESDAY),
            venue="Wrenmoor Community Hub, Room 2",
            # And two of theirs pass it on again: the cascade's second generation.
            trainers=("first-cascade:Carys", "first-cascade:Leilani"),
            people=CASCADE,
        ),
    ]


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


class Made(NamedTuple):
    """Something the demo made: what it is, and where."""

    what: str
    path: Path


@dataclass
class Demo:
    """What :func:`build_demo` made, in order, and what the trainer should know."""

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


def check_folder(folder: Path) -> None:
    """The demo goes into a new folder, or an empty one: never among someone's files."""
    if folder.exists() and not folder.is_dir():
        raise IpskitError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise IpskitError(f"{folder} already holds files: give a new folder for the demo")


def build_demo(folder: Path, *, today: date | None = None) -> Demo:
    """Make the demo workspace in ``folder`` (new or empty): records, then every document.

    Complete or not at all: if anything fails on the way, what was made is removed
    again (and a folder that was there, empty, is left empty).
    """
    check_folder(folder)
    existed = folder.exists()
    try:
        return _build(folder, today or date.today())
    except BaseException:
        if existed:
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _build(folder: Path, today: date) -> Demo:
    from ipskit.workspace import init_workspace

    init_workspace(folder, ORGANISATION)
    workspace = Workspace(folder.resolve())
    store.write_atomic(workspace.settings_path, settings_text())
    demo = Demo(workspace)
    demo.add("settings: an invented organisation", workspace.settings_path)
    jobs = []
    for plan in demo_cohorts(today):
        cohort = _cohort(workspace, plan, today)
        demo.add(_describe(cohort, today), cohort.folder)
        finished = cohort.settings.sessions[-1].date < today
        jobs.append((str(workspace.root), cohort.id, plan.copies, finished))
    for made, warnings in _run(jobs):
        demo.made.extend(made)
        demo.warnings.extend(w for w in warnings if w not in demo.warnings)
    _reports(demo, today)
    return demo


def _reports(demo: Demo, today: date) -> None:
    """The follow-up report and the funder report, over the whole workspace."""
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.cohorts.figures import build_report
    from ipskit.cohorts.figures import make_report as make_funder_report
    from ipskit.cohorts.followups import figures, make_report

    workspace = demo.workspace
    cohorts = all_cohorts(workspace.cohorts_dir)
    target = workspace.root / "out" / "followup-report-all.pdf"
    make_report(workspace, cohorts, figures(cohorts, today), target, today=today)
    demo.add("follow-up report: reached, using the skills, training others", target)
    target = workspace.root / "out" / "report.pdf"
    make_funder_report(workspace, build_report(workspace, today=today), target)
    demo.add("the figures a funder asks for, counts only", target)


def _cohort(workspace: Workspace, plan: DemoCohort, today: date) -> Cohort:
    """Create a cohort and record its roster, attendance and assessments in one change."""
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.cohorts.records import changing

    cohort, _ = create_cohort(
        workspace, plan.id, plan.curriculum, plan.start,
        venue=plan.venue, trainers=plan.trainers, skip=plan.skip,
    )  # fmt: skip
    sessions = cohort.settings.sessions
    with changing(cohort) as records:
        for entry in plan.people:
            person = records.add(
                entry.name,
                certificate_name=entry.certificate_name,
                email=entry.email,
                pronouns=entry.pronouns,
            )
            for meeting, letter in zip(sessions, entry.marks, strict=False):
                if letter == "W":
                    records.withdraw(person, meeting.date)
                    break
                if letter == "M":  # marked absent on the night, made up later
                    records.set_mark(meeting, person, "absent")
                    records.set_mark(meeting, person, None, made_up=True, note=entry.note)
                else:
                    note = entry.note if letter in "AE" else ""
                    records.set_mark(meeting, person, MARKS[letter], note=note)
        if cohort.settings.rules.assessment and sessions[-1].date < today:
            # Everyone still on the course gave their presentation on the last evening.
            for person in records.active:
                records.assess(person, "passed", sessions[-1].date)
        _after_the_course(cohort, plan, records, today)
    return cohort


def _after_the_course(cohort: Cohort, plan: DemoCohort, records: Records, today: date) -> None:
    """Signatures, support-group meetings, self-ratings and follow-up answers."""
    from ipskit.courses.curriculum import load

    curriculum = load(cohort.file(CURRICULUM_FILE))
    people = records.roster
    if curriculum.agreement:
        signing = next(m for m in cohort.settings.sessions if m.id == curriculum.agreement.session)
        for person in people:
            mark = records.mark(signing, person.id)
            if signing.date < today and mark and mark.status in ("present", "late"):
                records.sign(person, signing.date)
    for number, meeting in enumerate(cohort.settings.meetings):
        if meeting.date >= today:
            break
        for index, person in enumerate(people):
            # Most come most months; someone sends apologies now and then.
            status = "excused" if (index + number) % 5 == 0 else "present"
            records.set_mark(meeting, person, status)
    if plan.ratings:
        ids = [c.id for c in curriculum.competencies]
        for index, person in enumerate(people):
            # Mostly a point or two higher after the course; some the same, one lower.
            before = {c: 1 + (3 * index + n) % 3 for n, c in enumerate(ids)}
            after = {c: max(1, min(5, before[c] + (index + 2 * n) % 4 - (n == index % 10)))
                     for n, c in enumerate(ids)}  # fmt: skip
            records.rate(person, "before", before, cohort.settings.sessions[0].date)
            records.rate(person, "after", after, cohort.settings.sessions[-1].date)
    for at, answers in plan.answers:
        point = cohort.followup(at)
        for index, using, trained in answers:
            records.answer(people[index], at, using_skills=using, trained_others=trained,
                           when=point.due + timedelta(days=index % 4))  # fmt: skip


def _describe(cohort: Cohort, today: date) -> str:
    from ipskit.cohorts.eligibility import eligibility
    from ipskit.cohorts.records import Records

    settings = cohort.settings
    records = Records.load(cohort)
    first, last = settings.sessions[0], settings.sessions[-1]
    if first.date > today:
        return f"starts {_day(first.date)}: {len(records.roster)} people"
    complete = sum(1 for s in eligibility(cohort, records) if s.state == "complete")
    return f"ended {_day(last.date)}: {len(records.roster)} people, {complete} completed"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- documents ---------------------------------------------------------------------------
#
# Documents are nearly all of the demo's time (about a minute for one process), and no
# cohort's documents depend on another's: with a second core, a second process makes the
# later cohorts' while this one makes the first's, which nearly halves the wait.

Job = tuple[str, str, bool, bool]  # workspace root, cohort id, personal copies, finished


def _run(jobs: list[Job]) -> list[tuple[list[Made], list[str]]]:
    """Each cohort's documents: the first here, the rest in a second process if possible."""
    import multiprocessing
    import os

    from ipskit.core.processes import clean_start, process

    first, *rest = jobs
    if not rest or (os.cpu_count() or 1) < 2:
        return [cohort_documents(*job) for job in jobs]
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    worker = process(_worker, (rest, send))
    try:
        with clean_start():
            worker.start()
    except OSError:  # no processes allowed here: make them all in this one
        return [cohort_documents(*job) for job in jobs]
    send.close()
    try:
        results = [cohort_documents(*first)]
        try:
            kind, answer = receive.recv()
        except EOFError:
            raise IpskitError(
                "the second process making the demo's documents stopped unexpectedly"
                " (short of memory?): nothing was kept"
            ) from None
        if kind == "error":
            raise IpskitError(answer[0], more=answer[1:])
        if kind == "bug":
            raise RuntimeError(f"in the second process: {answer}")
        return results + answer
    finally:
        # On any failure here (or Ctrl-C), stop the other process rather than wait for it.
        if worker.is_alive():
            worker.terminate()
        worker.join()
        receive.close()


def _worker(jobs: list[Job], send: Any) -> None:
    """Make these cohorts' documents, and send back what was made (or what went wrong)."""
    import signal
    import traceback

    # Ctrl-C reaches both processes; the first one answers it, and ends this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        send.send(("done", [cohort_documents(*job) for job in jobs]))
    except IpskitError as error:
        send.send(("error", error.lines))
    except Exception as error:
        # Like the command line's own handler: where, but not the message (it may hold data).
        frame = traceback.extract_tb(error.__traceback__)[-1]
        send.send(("bug", f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"))
    finally:
        send.close()


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
    from ipskit.documents.calendar_ics import cohort_calendar
    from ipskit.documents.context import course_for
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
        from ipskit.cohorts.agreements import make_agreements

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
