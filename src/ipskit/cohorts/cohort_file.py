"""A cohort's ``cohort.yaml``: its dated schedule and completion rules, read and written.

The schedule and the rules are copied into ``cohort.yaml`` when the cohort is created,
so that editing a curriculum never changes a course already running, and so that the
commands used every week can read a cohort without loading the curriculum. Reading is
strict (every mistake placed by line and column) and cached beside the file, keyed by
its size and time, for the commands that must start instantly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ipskit.core.errors import FileProblemsError
from ipskit.courses.meetings import FOLLOWUP_POINT, FollowUp, Meeting

if TYPE_CHECKING:
    from ipskit.core.fields import Fields
    from ipskit.core.yamlio import Document


SETTINGS_FILE = "cohort.yaml"


class Rules(NamedTuple):
    """The completion rules of a cohort, copied from its curriculum."""

    min_attendance_percent: int | None
    min_sessions_attended: int | None
    compulsory_sessions: tuple[str, ...]
    late_counts_as: str
    apologies_count_as: str
    make_up_counts: bool
    max_missed_hours: float | None
    assessment: str | None  # the final assessment's title, where one is required


class Settings(NamedTuple):
    """The contents of ``cohort.yaml``."""

    id: str
    curriculum: str
    curriculum_title: str
    curriculum_source: str  # "built-in", or the file's path within the workspace
    curriculum_sha256: str
    created: date
    venue: str | None
    trainers: tuple[str, ...]
    skipped: tuple[date, ...]
    rules: Rules
    sessions: tuple[Meeting, ...]
    meetings: tuple[Meeting, ...]
    followups: tuple[FollowUp, ...] = ()
    archived: bool = False
    #: Whether ``ipskit build`` makes a workbook for each person, their name on its cover
    #: (set by ``build`` or ``build-workbook`` with ``--per-participant``).
    personal_workbooks: bool = False


_TOP = (
    "id", "curriculum", "curriculum_title", "curriculum_source", "curriculum_sha256", "created",
    "venue",
    "trainers", "skipped", "completion", "sessions", "meetings", "followups", "archived",
    "personal_workbooks",
)  # fmt: skip
_RULES = (
    "min_attendance_percent", "min_sessions_attended", "compulsory_sessions", "late_counts_as",
    "apologies_count_as", "make_up_counts", "max_missed_hours", "assessment",
)  # fmt: skip
_MEETING = ("number", "id", "date", "start", "end", "contact_minutes", "title")


CACHE_FILE = ".cohort-cache.json"
#: A year of weekly meetings takes 12 KB; a larger file is read by the YAML parser, which
#: refuses what is too large, rather than hashed and held whole for the cache.
_MAX_CACHED_BYTES = 256 * 1024


def read_settings(path: Path) -> Settings:
    """Read and check ``cohort.yaml``, with ``FILE:LINE:COL`` for any mistake.

    Checking the file position by position takes a few milliseconds, which ``ipskit
    cohorts`` would pay for every cohort of a large workspace. So the checked settings
    are kept beside it as JSON under the SHA-256 of the exact bytes they came from: any
    change to the file, by hand or by ipskit, makes the cache miss.
    """
    with path.open("rb") as handle:
        raw = handle.read(_MAX_CACHED_BYTES + 1)
    if len(raw) > _MAX_CACHED_BYTES:  # far beyond any real schedule: the parser judges it
        return parse_settings(path)
    key = hashlib.sha256(raw).hexdigest()
    cache = path.parent / CACHE_FILE
    try:
        saved = json.loads(cache.read_bytes())
        if saved["sha256"] == key:
            return _from_json(saved["settings"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    settings = parse_settings(path)
    with contextlib.suppress(OSError):  # a read-only folder simply goes without
        _write_cache(path.parent, key, settings)
    return settings


def write_settings(folder: Path, settings: Settings) -> None:
    """Write ``cohort.yaml``, and its cache, so that not even the first read parses it."""
    from ipskit.core import store

    text = settings_text(settings).encode("utf-8")
    store.write_atomic(folder / SETTINGS_FILE, text)
    _write_cache(folder, hashlib.sha256(text).hexdigest(), settings)


def _write_cache(folder: Path, key: str, settings: Settings) -> None:
    from ipskit.core import store

    payload = json.dumps({"sha256": key, "settings": _to_json(settings)}, ensure_ascii=False)
    store.write_atomic(folder / CACHE_FILE, payload, durable=False)


def _to_json(settings: Settings) -> dict[str, Any]:
    def meeting(m: Meeting) -> list[Any]:
        return [m.number, m.id, m.title, m.date.isoformat(), f"{m.start:%H:%M}",
                f"{m.end:%H:%M}", m.contact_minutes]  # fmt: skip

    return {
        **{k: getattr(settings, k) for k in ("id", "curriculum", "curriculum_title",
                                             "curriculum_source", "curriculum_sha256", "venue")},
        "created": settings.created.isoformat(),
        "trainers": list(settings.trainers),
        "skipped": [d.isoformat() for d in settings.skipped],
        "rules": settings.rules._asdict(),
        "sessions": [meeting(m) for m in settings.sessions],
        "meetings": [meeting(m) for m in settings.meetings],
        "followups": [[f.at, f.due.isoformat()] for f in settings.followups],
        "archived": settings.archived,
        "personal_workbooks": settings.personal_workbooks,
    }  # fmt: skip


def _from_json(data: dict[str, Any]) -> Settings:
    def meeting(row: list[Any], follow_on: bool) -> Meeting:
        number, mid, title, day, start, end, minutes = row
        return Meeting(number, mid, title, date.fromisoformat(day), time.fromisoformat(start),
                       time.fromisoformat(end), minutes, follow_on)  # fmt: skip

    rules = data["rules"]
    return Settings(
        id=data["id"],
        curriculum=data["curriculum"],
        curriculum_title=data["curriculum_title"],
        curriculum_source=data["curriculum_source"],
        curriculum_sha256=data["curriculum_sha256"],
        created=date.fromisoformat(data["created"]),
        venue=data["venue"],
        trainers=tuple(data["trainers"]),
        skipped=tuple(date.fromisoformat(d) for d in data["skipped"]),
        rules=Rules(**{**rules, "compulsory_sessions": tuple(rules["compulsory_sessions"])}),
        sessions=tuple(meeting(row, False) for row in data["sessions"]),
        meetings=tuple(meeting(row, True) for row in data["meetings"]),
        followups=tuple(FollowUp(at, date.fromisoformat(due)) for at, due in data["followups"]),
        # A cache written before cohorts could be archived has no such key: it misses.
        archived=data["archived"],
        personal_workbooks=data["personal_workbooks"],
    )


def parse_settings(path: Path) -> Settings:
    """Read ``cohort.yaml`` itself, past its cache, with ``FILE:LINE:COL`` for any mistake."""
    # ruamel.yaml takes longer to import than a cached read takes in all: only on a miss.
    from ipskit.core import yamlio
    from ipskit.core.fields import Fields

    doc = yamlio.load(path)
    top = Fields(doc, (), _TOP)
    rules = top.section("completion", _RULES)
    settings = Settings(
        id=top.text("id"),
        curriculum=top.text("curriculum"),
        curriculum_title=top.text("curriculum_title"),
        curriculum_source=top.text("curriculum_source"),
        curriculum_sha256=top.text("curriculum_sha256"),
        created=top.date("created"),
        venue=top.text("venue", None),
        trainers=tuple(top.texts("trainers")),
        skipped=tuple(top.dates("skipped")),
        rules=Rules(
            min_attendance_percent=rules.whole("min_attendance_percent", None),
            min_sessions_attended=rules.whole("min_sessions_attended", None),
            compulsory_sessions=tuple(rules.texts("compulsory_sessions")),
            late_counts_as=rules.choice("late_counts_as", ("attended", "missed")),
            apologies_count_as=rules.choice("apologies_count_as", ("missed", "excused")),
            make_up_counts=rules.flag("make_up_counts"),
            max_missed_hours=rules.number("max_missed_hours", None),
            assessment=rules.text("assessment", None),
        ),
        sessions=tuple(_meetings(top, "sessions", follow_on=False)),
        meetings=tuple(_meetings(top, "meetings", follow_on=True)),
        followups=tuple(_followups(top)),
        archived=top.flag("archived", False),
        personal_workbooks=top.flag("personal_workbooks", False),
    )
    _check_settings(doc, settings, path)
    return settings


def _meetings(top: Fields, key: str, *, follow_on: bool) -> list[Meeting]:
    found = []
    for fields in top.each(key, _MEETING):
        meeting = Meeting(
            number=fields.whole("number", minimum=1),
            id=fields.text("id"),
            title=fields.text("title"),
            date=fields.date("date"),
            start=fields.clock("start"),
            end=fields.clock("end"),
            contact_minutes=fields.whole("contact_minutes"),
            follow_on=follow_on,
        )
        if meeting.length_minutes <= 0:
            raise FileProblemsError(
                [fields.doc.problem((*fields.loc, "end"), "ends before it starts")]
            )
        if meeting.contact_minutes > meeting.length_minutes:
            raise FileProblemsError(
                [fields.doc.problem((*fields.loc, "contact_minutes"), "is longer than the session")]
            )
        found.append(meeting)
    return found


def _followups(top: Fields) -> list[FollowUp]:
    found: list[FollowUp] = []
    for fields in top.each("followups", ("at", "due")):
        at = fields.text("at")
        if not FOLLOWUP_POINT.match(at):
            fields.fail((*fields.loc, "at"), "write weeks or months after the course: 9w, 12m")
        if any(f.at == at for f in found):
            fields.fail((*fields.loc, "at"), "appears twice")
        found.append(FollowUp(at, fields.date("due")))
    return found


def _check_settings(doc: Document, settings: Settings, path: Path) -> None:
    if settings.id != path.parent.name:
        raise FileProblemsError(
            [doc.problem(("id",), f"must be the folder's name, '{path.parent.name}'")]
        )
    if not settings.sessions:
        raise FileProblemsError([doc.problem(("sessions",), "a cohort needs at least one session")])
    seen: set[str] = set()
    for index, meeting in enumerate((*settings.sessions, *settings.meetings), start=1):
        key = "sessions" if index <= len(settings.sessions) else "meetings"
        position = index - 1 if key == "sessions" else index - 1 - len(settings.sessions)
        if meeting.number != index:
            raise FileProblemsError(
                [doc.problem((key, position, "number"), f"should be {index}: number them in order")]
            )
        if meeting.id in seen:
            raise FileProblemsError([doc.problem((key, position, "id"), "appears twice")])
        seen.add(meeting.id)
    ids = {s.id for s in settings.sessions}
    for index, session_id in enumerate(settings.rules.compulsory_sessions):
        if session_id not in ids:
            raise FileProblemsError(
                [
                    doc.problem(
                        ("completion", "compulsory_sessions", index), "no session has this id"
                    )
                ]
            )


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: any text is stored as text.
    return json.dumps(text, ensure_ascii=False)


def _n(value: float | int | None) -> str:
    return "null" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def settings_text(settings: Settings) -> str:
    """``cohort.yaml`` for these settings, with comments for people editing it."""
    rules = settings.rules
    lines = [
        "# ipskit cohort: the dated schedule and completion rules of one run of a course.",
        "# You may change the venue, the trainers and the sessions' dates and times here;",
        "# `ipskit status` checks the file. Participants and attendance are in the CSV files.",
        f"id: {settings.id}",
        f"curriculum: {settings.curriculum}",
        f"curriculum_title: {_q(settings.curriculum_title)}",
        f"curriculum_source: {_q(settings.curriculum_source)}",
        f"curriculum_sha256: {settings.curriculum_sha256}",
        f'created: "{settings.created.isoformat()}"',
        f"venue: {_q(settings.venue) if settings.venue else 'null'}",
        f"trainers: [{', '.join(_q(t) for t in settings.trainers)}]",
        f"skipped: [{', '.join(_q(d.isoformat()) for d in settings.skipped)}]",
        "completion:  # copied from the curriculum when the cohort was created",
        f"  min_attendance_percent: {_n(rules.min_attendance_percent)}",
        f"  min_sessions_attended: {_n(rules.min_sessions_attended)}",
        f"  compulsory_sessions: [{', '.join(rules.compulsory_sessions)}]",
        f"  late_counts_as: {rules.late_counts_as}",
        f"  apologies_count_as: {rules.apologies_count_as}",
        f"  make_up_counts: {'true' if rules.make_up_counts else 'false'}",
        f"  max_missed_hours: {_n(rules.max_missed_hours)}",
        f"  assessment: {_q(rules.assessment) if rules.assessment else 'null'}",
    ]
    for key, items in (("sessions", settings.sessions), ("meetings", settings.meetings)):
        lines.append(f"{key}:" if items else f"{key}: []")
        lines.extend(_meeting_line(item) for item in items)
    lines.append(
        "followups:  # when to ask how people use the course (weeks or months after it)"
        if settings.followups
        else 'followups: []  # e.g. - {at: 9w, due: "2027-06-01"}'
    )
    lines.extend(f'  - {{at: {f.at}, due: "{f.due.isoformat()}"}}' for f in settings.followups)
    if settings.personal_workbooks:
        lines.append("personal_workbooks: true  # `ipskit build` makes a copy for each person")
    if settings.archived:
        lines.append("archived: true  # kept, read-only: `ipskit cohorts unarchive` to change it")
    return "\n".join(lines) + "\n"


def _meeting_line(item: Meeting) -> str:
    return (
        f'  - {{number: {item.number}, id: {item.id}, date: "{item.date.isoformat()}",'
        f' start: "{item.start:%H:%M}", end: "{item.end:%H:%M}",'
        f" contact_minutes: {item.contact_minutes}, title: {_q(item.title)}}}"
    )


def meetings_from(items: Iterable[Meeting]) -> tuple[tuple[Meeting, ...], tuple[Meeting, ...]]:
    """Split a plan into the course's sessions and the meetings after it."""
    listed = list(items)
    return (
        tuple(m for m in listed if not m.follow_on),
        tuple(m for m in listed if m.follow_on),
    )
