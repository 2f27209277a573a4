"""A complete example workspace, built end to end, so a trainer can see everything first.

The organisation, its venues, its trainers and every participant are invented. The
participants are data, in ``people.yaml`` beside this module: names chosen to show
that documents print any name, in scripts the DejaVu fonts draw, so the demo prints
cleanly on a plain Linux install; attendance as a fixed table, not chance, and fixed
follow-up answers, so every run tells the same story. Only the dates move, so that the
demo is always recent:

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
import random
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort, remember_personal_workbooks
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.demo.people import Person, rosters
from ipskit.documents.pack import Pack, make_documents, new_record
from ipskit.workspace import Workspace

ORGANISATION = "Wrenmoor Peer Support Network"
CONTACT = "3 Tanner's Row, Wrenmoor · hello@wrenmoor.example.org · 01632 960 418"
SUPPORT = (
    "If today has stirred things up for you, you can talk to Samaritans at any time, free,"
    " on 116 123, or email jo@samaritans.org. Our peer line is open Monday to Friday,"
    " 18:00 to 22:00, on 01632 960 419. In an emergency, call 999."
)
NAMED_CONTACT = "Kofi Adjei, training coordinator, 01632 960 418 (weekdays)"
SUPERVISION = "Wrenmoor's duty worker, 01632 960 420, every day 09:00 to 21:00"
MONDAY, TUESDAY, WEDNESDAY = 0, 1, 2
MARKS = {"P": "present", "L": "late", "A": "absent", "E": "excused"}


#: The invented organisation's logo: two circles that overlap, two people meeting.
LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 60" width="96" height="60">
  <title>Wrenmoor Peer Support Network</title>
  <circle cx="34" cy="30" r="24" fill="#3d5a80"/>
  <circle cx="62" cy="30" r="24" fill="#98c1d9" fill-opacity="0.85"/>
  <path d="M48 10.8a24 24 0 0 1 0 38.4a24 24 0 0 1 0-38.4z" fill="#293241"/>
</svg>
"""


def settings_text() -> str:
    """The demo's ``ipskit.yaml``."""
    # A JSON string is a valid YAML double-quoted scalar: any text is stored as text.
    name, contact, support, named, supervision = (
        json.dumps(t, ensure_ascii=False)
        for t in (ORGANISATION, CONTACT, SUPPORT, NAMED_CONTACT, SUPERVISION)
    )
    return f"""\
# A demo workspace made by `ipskit demo`. The organisation, its venues, its trainers
# and every participant are invented; the phone numbers are in a range kept for drama
# (01632 960...) and the email addresses are at example.org, so none reaches anyone.
organisation:
  name: {name}
  contact: {contact}
  colour: "#3d5a80"
  logo: logo.svg            # an image in the workspace: PNG, JPEG, SVG, GIF or WebP
signatories:                # who signs certificates (no signature images in the demo)
  - name: Alys Morgan-Rees
    role: Lead trainer
  - name: Kofi Adjei
    role: Training coordinator
locale: en-GB
timezone: Europe/London
support: {support}
named_contact: {named}      # who people contact about the course or a worry
supervision: {supervision}
verification_url: https://wrenmoor.example.org/verify
"""


class DemoCohort(NamedTuple):
    """One of the demo's cohorts."""

    id: str
    curriculum: str
    start: date
    venue: str
    trainers: tuple[str, ...]
    people: tuple[Person, ...]  # from people.yaml
    skip: tuple[date, ...] = ()
    copies: bool = False  # a workbook with each person's name on the cover
    ratings: bool = False  # self-ratings before and after


def demo_cohorts(today: date) -> list[DemoCohort]:
    """The demo's cohorts, dated from ``today``."""
    people = rosters()
    ten_week = _on_or_after(today - timedelta(weeks=14), WEDNESDAY)
    return [
        DemoCohort(
            id="ten-week",
            curriculum="ips-10-week",
            start=ten_week,
            venue="Wrenmoor Community Hub, 3 Tanner's Row",
            trainers=("Alys Morgan-Rees", "Kofi Adjei"),
            people=people["ten-week"],
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
            people=people["intensive"],
            ratings=True,
        ),
        DemoCohort(
            id="first-cascade",
            curriculum="ips-2-day-cascade",
            start=_on_or_after(today - timedelta(weeks=44), TUESDAY),
            venue="Wrenmoor Community Hub, Room 2",
            # Two of the intensive's graduates pass on what they learned.
            trainers=("intensive:Kwame", "intensive:Priya"),
            people=people["first-cascade"],
        ),
        DemoCohort(
            id="cascade",
            curriculum="ips-2-day-cascade",
            start=_on_or_after(today + timedelta(days=10), TUESDAY),
            venue="Wrenmoor Community Hub, Room 2",
            # And two of theirs pass it on again: the cascade's second generation.
            trainers=("first-cascade:Carys", "first-cascade:Leilani"),
            people=people["cascade"],
        ),
    ]


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def check_folder(folder: Path) -> None:
    """The demo goes into a new folder, or an empty one: never among someone's files."""
    if folder.exists() and not folder.is_dir():
        raise IpskitError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise IpskitError(f"{folder} already holds files: give a new folder for the demo")


def build_demo(folder: Path, *, today: date | None = None, progress: Step | None = None) -> Pack:
    """Make the demo workspace in ``folder`` (new or empty): records, then every document.

    Complete or not at all: if anything fails on the way, what was made is removed
    again (and a folder that was there, empty, is left empty). ``progress`` is told of
    each document as it is made.
    """
    check_folder(folder)
    existed = folder.exists()
    try:
        return _build(folder, today or date.today(), progress)
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


def _build(folder: Path, today: date, progress: Step | None) -> Pack:
    from ipskit.workspace import init_workspace

    if progress is not None:
        progress("Writing the demo's records")
    init_workspace(folder, ORGANISATION)
    workspace = Workspace(folder.resolve())
    store.write_atomic(workspace.settings_path, settings_text())
    store.write_atomic(workspace.root / "logo.svg", LOGO)
    demo = Pack(workspace)
    demo.add("settings: an invented organisation", workspace.settings_path)
    jobs = []
    for plan in demo_cohorts(today):
        cohort = _cohort(workspace, plan, today)
        if plan.copies:
            cohort = remember_personal_workbooks(cohort)
        demo.add(_describe(cohort, today), cohort.folder)
        finished = cohort.settings.sessions[-1].date < today
        kinds: tuple[str, ...] = ("plans", "workbook", "copies", "registers", "agreements",
                                  "calendar")
        kinds = tuple(k for k in kinds if k != "copies" or plan.copies)
        jobs.append((str(workspace.root), cohort.id, kinds + (("certificates",) * finished)))
    # Each cohort's build record, so that `ipskit build` afterwards remakes nothing. No one
    # else can reach a workspace still being made: no lock is needed.
    records = {job[1]: new_record(workspace, job[1]) for job in jobs}
    for result in make_documents(jobs, progress, records, {"certificates": certificates}):
        demo.made.extend(result.made)
        demo.warnings.extend(w for w in result.warnings if w not in demo.warnings)
    for record in records.values():
        record.save()
    if progress is not None:
        progress("Making the reports")
    _reports(demo, today)
    return demo


def certificates(demo: Pack, cohort: Cohort) -> None:
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


def _reports(demo: Pack, today: date) -> None:
    """The follow-up report and the funder report, over the whole workspace."""
    from ipskit.cohorts.cohort import all_cohorts
    from ipskit.cohorts.figures import build_report
    from ipskit.cohorts.followups import figures
    from ipskit.documents.followup_report import make_report
    from ipskit.documents.funder_report import make_report as make_funder_report

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
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.newcohort import create_cohort

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
                name_lang=entry.name_lang,
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
    # Invented answers, but as varied as real ones: drawn at random, from a generator seeded
    # by the cohort, so every run tells the same story.
    chance = random.Random(f"{cohort.id} answers")
    if plan.ratings:
        ids = [c.id for c in curriculum.competencies]
        for person in people:
            # Before: most say 2 or 3, a few 1 or 4. After: mostly a point or two higher,
            # some the same, now and then one lower.
            before = {c: chance.choices((1, 2, 3, 4), (2, 5, 5, 1))[0] for c in ids}
            after = {c: max(1, min(5, before[c] + chance.choices((-1, 0, 1, 2), (1, 3, 6, 3))[0]))
                     for c in ids}  # fmt: skip
            records.rate(person, "before", before, cohort.settings.sessions[0].date)
            records.rate(person, "after", after, cohort.settings.sessions[-1].date)
    last = cohort.settings.sessions[-1]
    if curriculum.evaluation and last.date < today:
        # The evaluation forms handed in on the last day: anonymous, one a form.
        questions = [q.id for q in curriculum.evaluation.questions]
        there = [p for p in people if (m := records.mark(last, p.id)) and m.status in
                 ("present", "late")]  # fmt: skip
        for index in range(len(there)):
            # Mostly 4s and 5s, some 3s, the odd 2.
            form = {q: chance.choices((2, 3, 4, 5), (1, 3, 8, 7))[0] for q in questions}
            if index % 6 == 5:  # someone leaves a question blank
                form.pop(questions[-1])
            records.add_response(form)
    # Point by point, as answers come in: the points in the order people.yaml names them.
    for at in dict.fromkeys(at for entry in plan.people for at in entry.followups):
        point = cohort.followup(at)
        for index, (person, entry) in enumerate(zip(people, plan.people, strict=True)):
            if answer := entry.followups.get(at):
                records.answer(person, at, using_skills=answer.using,
                               trained_others=answer.trained,
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
    from ipskit.core.dateformat import day_and_month
    from ipskit.core.locales import DEFAULT

    return day_and_month(day, DEFAULT)  # the demo workspace's locale
