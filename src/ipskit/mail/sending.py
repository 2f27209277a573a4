"""Emailing certificates and follow-up invitations, each person their own, once.

Messages go through the organisation's own mail server (``email:`` in ``ipskit.yaml``,
see :mod:`ipskit.mail.post`). With ``dry_run`` they are written as ``.eml`` files
instead, for a trainer to look at (or send from their own mail program). Their words
come from the templates ``email/certificate.txt`` and ``email/followup.txt``, which a
workspace can replace (see :mod:`ipskit.mail.letters`).

Each cohort keeps a log of what was sent, ``sent.csv``: what (``certificate K7QM-4XTD``,
``followup 9w``), to whom (a participant id, never a name or an address), when, and the
message's Message-ID. Whatever is in the log is never sent again, and a row is added as
soon as each message has gone: a run stopped half way sends only the rest next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from ipskit.cohorts.cohort import Cohort, check_writable
from ipskit.cohorts.records import Records
from ipskit.cohorts.sent_log import SENT_FILE, read_sent, record_sent
from ipskit.core import store
from ipskit.core.progress import Step
from ipskit.mail.messages import Letter, Sender, sender_of
from ipskit.mail.outcome import Outcome, Report
from ipskit.mail.post import Mailer, Outbox, Refused, open_post
from ipskit.mail.recipients import certificate_letters, followup_letters
from ipskit.workspace import Workspace

__all__ = ["Outcome", "Report", "send_certificates", "send_followups"]


def send_certificates(workspace: Workspace, cohort: Cohort, *, who: Sequence[str] = (),
                      dry_run: bool = False, progress: Step | None = None) -> Report:  # fmt: skip
    """Email each person of a cohort their own certificate(s) not sent before.

    Only certificates that stand issued are sent, and only when the PDF is the one the
    register vouches for. ``dry_run`` writes ``.eml`` files and records nothing.
    """
    sender = sender_of(workspace, dry_run=dry_run)
    with open_post(workspace, dry_run=dry_run) as post:
        outcome = _outcome(post, cohort)
        with store.locked(cohort.folder, f"cohort {cohort.id}"):
            check_writable(cohort)
            sent = read_sent(cohort.file(SENT_FILE))
            records = Records.load(cohort)
            letters = certificate_letters(workspace, cohort, records, sent, sender, outcome, who)
            _deliver_all(post, cohort, letters, outcome, dry_run=dry_run, progress=progress)
    return Report(dry_run, [outcome], _placeholder(sender))


def send_followups(workspace: Workspace, cohorts: Sequence[Cohort], *,
                   today: date | None = None, dry_run: bool = False,
                   progress: Step | None = None) -> Report:  # fmt: skip
    """Invite everyone whose follow-up has come, and who has not answered, to say how it goes.

    Every cohort's ``sent.csv`` is checked before anything is sent.
    """
    from ipskit.cohorts.followups import due

    today = today or date.today()
    sender = sender_of(workspace, dry_run=dry_run)
    waiting = {d.cohort.id for d in due(cohorts, today)}
    chosen = [c for c in cohorts if c.id in waiting]
    for cohort in chosen:
        read_sent(cohort.file(SENT_FILE))
    outcomes = []
    with open_post(workspace, dry_run=dry_run) as post:
        for cohort in chosen:
            outcome = _outcome(post, cohort)
            with store.locked(cohort.folder, f"cohort {cohort.id}"):
                sent = read_sent(cohort.file(SENT_FILE))
                records = Records.load(cohort)
                dues = due([cohort], today)  # again, under the lock: answers may have come
                letters = followup_letters(workspace, cohort, records, sent, sender, outcome,
                                           dues)  # fmt: skip
                _deliver_all(post, cohort, letters, outcome, dry_run=dry_run, progress=progress)
            outcomes.append(outcome)
    report = Report(dry_run, outcomes, _placeholder(sender))
    later = sorted((p.due, c.id, p.at) for c in cohorts for p in c.settings.followups
                   if p.due > today)  # fmt: skip
    if later:
        report.upcoming = (later[0][1], later[0][2], later[0][0])
    return report


def _deliver_all(post: Outbox | Mailer, cohort: Cohort, letters: list[Letter],
                 outcome: Outcome, *, dry_run: bool, progress: Step | None) -> None:  # fmt: skip
    """Send (or write) each letter; record each one sent as soon as it has gone."""
    log = cohort.file(SENT_FILE)
    doing = f"{'Writing' if dry_run else 'Sending'} the messages for cohort {cohort.id}"
    for number, item in enumerate(letters):
        if progress is not None:
            progress(doing, number, len(letters))
        try:
            result = post.deliver(cohort, item)
        except Refused as refusal:
            outcome.not_sent.append(str(refusal))
            continue
        if dry_run:
            outcome.written.append(Path(result))
            continue
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        record_sent(log, [item.what, item.participant, now, result])
        outcome.sent.append((item.what, item.participant))


def _outcome(post: Outbox | Mailer, cohort: Cohort) -> Outcome:
    outbox = post.folder(cohort) if isinstance(post, Outbox) else None
    return Outcome(cohort.id, log=cohort.file(SENT_FILE), outbox=outbox)


def _placeholder(sender: Sender) -> str | None:
    return sender.address if sender.placeholder else None
