"""What a run of ``ipskit send`` did, cohort by cohort, for the command to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class Outcome:
    """What happened for one cohort: sent (or written), skipped, and who was not reached."""

    cohort: str
    sent: list[tuple[str, str]] = field(default_factory=list)  # (what, participant id)
    written: list[Path] = field(default_factory=list)  # the .eml files of a dry run
    skipped: int = 0  # already in sent.csv
    not_sent: list[str] = field(default_factory=list)  # one line each, by participant id
    passed_over: list[str] = field(default_factory=list)  # follow-up points a later one replaced
    log: Path | None = None  # the cohort's sent.csv
    outbox: Path | None = None  # where a dry run wrote its messages


@dataclass
class Report:
    """What a run of ``send`` did, cohort by cohort."""

    dry_run: bool
    outcomes: list[Outcome]
    placeholder: str | None = None  # the From address used when ipskit.yaml has no email:
    upcoming: tuple[str, str, date] | None = None  # the next follow-up: cohort, point, due
