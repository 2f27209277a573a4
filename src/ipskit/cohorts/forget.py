"""Erasing a person's personal data from a workspace, on their request.

An erasure changes many files: the cohort's records, its certificate register, the
documents that print the name, in the person's own cohort and in every cohort they
trained. So that it always finishes, its intent (the person's id, never their name) is
written to ``forgetting.json`` in the cohort's folder before anything else changes, and
removed only once everything is done: a run stopped part way (killed, or by a full
disk) is finished by the next ``forget`` of that cohort, whoever it names.

The order matters, because only the roster knows the name: notes in the cohorts the
person trained are scrubbed first, then their own cohort's records are committed, name
blanked and notes scrubbed together (see :func:`ipskit.cohorts.commit.commit`). Whatever is
left after that (the register's name, documents, leftovers of killed writes) is found
by id alone.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ipskit.cohorts.changing import changes, load_whole
from ipskit.cohorts.cohort import Cohort, all_cohorts
from ipskit.cohorts.commit import STAGED_PREFIX, settle
from ipskit.cohorts.name_finder import NameFinder
from ipskit.cohorts.record_types import Participant
from ipskit.cohorts.records import Records
from ipskit.core import store
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError
from ipskit.workspace import Workspace

INTENT_FILE = "forgetting.json"


@dataclass
class Trained:
    """A cohort the erased person trained, and its documents that printed their name."""

    cohort: str
    removed: list[Path] = field(default_factory=list)
    remake: list[str] = field(default_factory=list)


@dataclass
class Erasure:
    """What one ``forget`` did."""

    cohort: str
    participant: str | None  # who was named, if the name still matched anyone
    already: bool = False  # they had been erased before, and nothing of them was left
    erased: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # erasures stopped part way, finished
    removed: list[Path] = field(default_factory=list)  # in out/COHORT
    trained: list[Trained] = field(default_factory=list)
    # Cohorts whose trainers, written as plain names, include one like theirs.
    namesakes: list[str] = field(default_factory=list)


def forget(workspace: Workspace, cohort: Cohort, who: str) -> Erasure:
    """Erase someone from the workspace, keeping an anonymous id for the counts.

    ``who`` is an id or part of a name. Any erasure of this cohort that was stopped part
    way is finished too; naming someone already erased changes nothing.
    """
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        settle(cohort.folder)
        records = load_whole(cohort)
        pending = _pending(cohort, records)
        person = _named(records, who, pending)
        pid = person.id if person else None
        result = Erasure(cohort.id, pid, resumed=list(pending))
        erased = person is not None and person.status == "erased"
        result.already = erased and pid not in pending
        named = [pid] if pid is not None and not erased and pid not in pending else []
        if pending or named:
            _erase(workspace, cohort, records, [*pending, *named], result)
    _sweep(workspace)
    return result


def _erase(workspace: Workspace, cohort: Cohort, records: Records, todo: list[str],
           result: Erasure) -> None:  # fmt: skip
    """Erase these people, each step one that a second run may do again (see above)."""
    from ipskit.cohorts.certificate_register import erase_names

    # Everything this reads is read first, so a file broken by hand stops it unchanged.
    finders = {pid: _finder(records.participant(pid)) for pid in todo}
    issued = _issued(cohort, todo)
    taught = {pid: _taught(workspace, cohort, pid) for pid in todo}
    for other in {c.id: c for cohorts in taught.values() for c in cohorts}.values():
        load_whole(other)
    result.namesakes = _namesakes(workspace, [f for f in finders.values() if f is not None])
    _write_intent(cohort, todo)  # before anything changes
    try:
        for pid in todo:
            for other in taught[pid]:
                _scrub_notes(other, finders[pid])
            # While the roster still has the name to find: a second run after the roster
            # is blanked has nothing to look for.
            erase_names(cohort, pid, finders[pid])
        with changes(cohort) as changing:
            for pid in todo:
                if changing.participant(pid).status != "erased":
                    changing.erase(changing.participant(pid))
        documents = workspace.root / "out" / cohort.id
        for pid in todo:
            result.removed += _remove_own(documents, pid, issued[pid])
            for other in taught[pid]:
                result.trained.append(_remove_trainers(workspace, other))
        result.erased = todo
        _write_intent(cohort, [])
    except (OSError, IpskitError) as error:
        raise _stopped(error, cohort, todo) from None


def _stopped(error: OSError | IpskitError, cohort: Cohort, todo: list[str]) -> IpskitError:
    """A fault mid-way (a full disk, a busy cohort), and how to finish the erasure."""
    if isinstance(error, IpskitError):
        problem = str(error).rstrip(".")
    else:
        where = Path(error.filename) if isinstance(error.filename, str) else cohort.folder
        if where.name.startswith((store.TEMP_PREFIX, STAGED_PREFIX)):
            where = where.parent  # the file being written, not its temporary name
        problem = str(store.cannot(where, "change it", error))
    return IpskitError(
        f"{problem}; the erasure stopped part way: once that is fixed, run"
        f" ipskit forget {cohort.id} {todo[-1]} --yes again to finish it"
    )


def _sweep(workspace: Workspace) -> None:
    """Remove what killed writes left anywhere in the workspace: it may hold the name.

    A killed certificate run leaves whole PDFs; a killed change leaves a cohort's files,
    written and never committed. Each cohort is settled under its lock, after the
    erased person's cohort's lock is let go (so no two locks are held in an order that
    could wait on each other); a cohort busy with another command is settled by it.
    """
    for cohort in all_cohorts(workspace.cohorts_dir):
        with suppress(IpskitError), store.locked(cohort.folder, f"cohort {cohort.id}"):
            settle(cohort.folder)
    store.sweep_leftovers(workspace.root)


def _pending(cohort: Cohort, records: Records) -> list[str]:
    """The ids whose erasure was begun and not finished.

    Each must be on the roster: an id is made into the names of files to delete.
    """
    path = cohort.file(INTENT_FILE)
    try:
        saved = json.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except ValueError:
        saved = None
    ids = saved.get("erasing") if isinstance(saved, dict) else None
    roster = {p.id for p in records.roster}
    if not isinstance(ids, list) or not all(isinstance(i, str) and i in roster for i in ids):
        raise FileProblemsError(
            [f"{path}:1: not the list of erasures ipskit wrote (edited by hand?): it reads"
             ' {"erasing": ["p01"]}, with the ids of the people whose erasure stopped'
             " part way"]
        )  # fmt: skip
    return ids


def _write_intent(cohort: Cohort, ids: list[str]) -> None:
    path = cohort.file(INTENT_FILE)
    if not ids:
        path.unlink(missing_ok=True)
        return
    store.write_atomic(path, json.dumps({"erasing": ids}) + "\n")


def _named(records: Records, who: str, pending: list[str]) -> Participant | None:
    """The person ``who`` names, erased or not; None if no one, with erasures to finish."""
    try:
        return records.find(who, include_withdrawn=True)
    except NotFoundError:
        wanted = who.strip().lower()
        for person in records.roster:
            if person.id == wanted:
                return person
        if pending:
            return None
        raise


def _finder(person: Participant) -> NameFinder | None:
    """What finds the person's name in notes; None once the roster no longer holds it."""
    if person.status == "erased":
        return None
    return NameFinder((person.name, person.certificate_name), (person.email,))


def _issued(cohort: Cohort, ids: list[str]) -> dict[str, list[date]]:
    """The days each person's certificates were issued on: their batches' print files."""
    from ipskit.cohorts.certificate_register import REGISTER_FILE, read_register

    entries = read_register(cohort.file(REGISTER_FILE))
    return {pid: sorted({e.issued for e in entries if e.participant == pid}) for pid in ids}


def _taught(workspace: Workspace, cohort: Cohort, pid: str) -> list[Cohort]:
    """The cohorts that name the person as a trainer (``COHORT:ID``, see cascade)."""
    reference = f"{cohort.id}:{pid}"
    return [c for c in all_cohorts(workspace.cohorts_dir) if reference in c.settings.trainers]


def _namesakes(workspace: Workspace, finders: list[NameFinder]) -> list[str]:
    """Cohorts with a trainer written by a name like the person's (not as ``COHORT:ID``).

    It may be someone else of the same name, so nothing is changed: they are listed.
    """
    return [
        other.id for other in all_cohorts(workspace.cohorts_dir)
        if any(f.found_in(t) for t in other.settings.trainers for f in finders)
    ]  # fmt: skip


def _scrub_notes(other: Cohort, finder: NameFinder | None) -> None:
    """Take the person's name out of the notes of a cohort they trained.

    Cohorts in a lineage cannot loop, so holding this lock inside the lock of the
    cohort the trainer completed never waits on a process that waits on us.
    """
    if finder is None:
        return  # scrubbed before their roster entry was blanked
    from ipskit.cohorts.certificate_register import erase_names

    with store.locked(other.folder, f"cohort {other.id}"):
        with changes(other) as records:
            records.scrub(finder)
        erase_names(other, None, finder)  # reasons for revoking may name their trainer


def _remove_own(folder: Path, pid: str, issued: list[date]) -> list[Path]:
    """The person's own copies, and the files that print everyone's names, deleted.

    Follow-up answers, self-ratings and signatures stay under the anonymous id (they
    are counts and dates, and the cohort's figures depend on them); notes that
    mention the person go, as everywhere.
    """
    patterns = [
        f"workbooks/workbook-{pid}.pdf",
        f"workbooks/workbook-{pid}-large-print.pdf",
        f"workbooks/workbook-{pid}.html",  # the copy to fill in on screen
        f"workbooks/workbook-{pid}-large-print.html",
        f"certificates/certificate-{pid}-*.pdf",
        "registers.*",
        "register-*.*",
        "agreements*.*",  # the codes of conduct to sign print every name
        f"outbox/*-{pid}.eml",  # messages written by `send --dry-run`
        f"outbox/*-{pid}-*.eml",
    ]
    # The print files of the batches their certificates were in.
    patterns += [f"certificates/certificates-{day.isoformat()}*.pdf" for day in issued]
    return _delete(folder, patterns)


def _remove_trainers(workspace: Workspace, other: Cohort) -> Trained:
    """A trained cohort's documents that print its trainers' names, deleted.

    Session plans and the calendar are made again with one command each. Its
    trainees' certificates print "Trained by" the trainer: the workspace's copies go,
    but their register rows stay, so the copies the trainees were given still verify
    as genuine; a new copy (which names the trainer as "a graduate of" the course) is a
    reissue, listed for each, for whoever wants one.
    """
    folder = workspace.root / "out" / other.id
    done = Trained(other.id)
    plans = _delete(folder, ["session-plans/*"])
    calendar = _delete(folder, [f"{other.id}.ics"])
    certificates = _delete(folder, ["certificates/certificate-*.pdf",
                                    "certificates/certificates-*.pdf",
                                    "outbox/certificate-*.eml"])  # fmt: skip
    done.removed = plans + calendar + certificates
    if plans:
        done.remake.append(f"ipskit session-plans {other.id}")
    if calendar:
        done.remake.append(f"ipskit calendar {other.id}")
    trainees = sorted({p.name.split("-")[1] for p in certificates
                       if p.name.startswith("certificate-") and p.suffix == ".pdf"})  # fmt: skip
    done.remake += [f"ipskit certificates {other.id} --reissue --participant {pid}"
                    for pid in trainees]  # fmt: skip
    return done


def _delete(folder: Path, patterns: list[str]) -> list[Path]:
    removed = []
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and not path.name.startswith(store.TEMP_PREFIX):
                path.unlink()
                removed.append(path)
    return removed
