"""``ipskit calendar``: an RFC 5545 file that an independent parser (icalendar) reads right."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from helpers import make_cohort, make_workspace, run
from ipskit.cohorts.cohort import open_cohort
from ipskit.documents.calendar_ics import cohort_calendar, fold
from ipskit.workspace import Workspace

# A Wednesday: ten weekly sessions from here cross the clocks going forward on 28 March.
SPRING = date(2027, 2, 17)
AWKWARD = ("Siân O'Brien", "Zoë Ñúñez-Smith, Jr.", "Tomasz Wiśniewski; PhD", "Ola\\Nordmann")


def export(workspace: Path, cohort_id: str = "spring") -> str:
    """The calendar as the library writes it for this workspace."""
    settings = Workspace(workspace).settings
    cohort = open_cohort(workspace / "cohorts", cohort_id)
    return cohort_calendar(cohort, settings.timezone, settings.organisation.name)


def parse(text: str) -> Calendar:
    return Calendar.from_ical(text.encode("utf-8"))


def events(text: str) -> list:
    return parse(text).walk("VEVENT")


def set_timezone(workspace: Path, zone: str) -> None:
    path = workspace / "ipskit.yaml"
    text = path.read_text(encoding="utf-8")
    assert "timezone: Europe/London" in text
    path.write_text(text.replace("timezone: Europe/London", f"timezone: {zone}"), "utf-8")


def edit_cohort(workspace: Path, old: str, new: str, cohort_id: str = "spring") -> None:
    path = workspace / "cohorts" / cohort_id / "cohort.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def ten_week(tmp_path) -> Path:
    workspace = make_workspace(tmp_path)
    make_cohort(workspace, "spring", "ips-10-week", SPRING, AWKWARD)
    return workspace


def test_one_event_per_session_at_the_local_time_across_the_clocks_change(ten_week):
    found = events(export(ten_week))
    cohort = open_cohort(ten_week / "cohorts", "spring")
    assert len(found) == len(cohort.everything) == 10
    london = ZoneInfo("Europe/London")
    for event, session in zip(found, cohort.settings.sessions, strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.date() == session.date
        assert (start.time(), end.time()) == (time(18, 30), session.end)
        assert start.utcoffset() == datetime.combine(session.date, time(18, 30), london).utcoffset()
        assert str(event["SUMMARY"]) == (
            f"{cohort.settings.curriculum_title}: session {session.number}, {session.title}"
        )
    utc = [e.decoded("DTSTART").astimezone(UTC) for e in found]
    before = [t for t in utc if t.date() < date(2027, 3, 28)]
    after = [t for t in utc if t.date() > date(2027, 3, 28)]
    assert before and after
    assert {t.time() for t in before} == {time(18, 30)}  # GMT
    assert {t.time() for t in after} == {time(17, 30)}  # BST: an hour earlier in UTC


def test_the_vtimezone_alone_puts_every_event_at_the_right_moment(ten_week):
    """Parsed without Python's zone data: the file's own VTIMEZONE must be right."""
    text = export(ten_week)
    (vtimezone,) = parse(text).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/London"
    own = vtimezone.to_tz(lookup_tzid=False)
    london = ZoneInfo("Europe/London")
    for event in events(text):
        local = event.decoded("DTSTART").replace(tzinfo=None)
        assert local.replace(tzinfo=own).astimezone(UTC) == local.replace(tzinfo=london).astimezone(
            UTC
        )
    # An application that does not know the zone's name has only the VTIMEZONE to go by.
    renamed = parse(text.replace("Europe/London", "Riverside/Hall"))
    assert all(e.decoded("DTSTART").tzinfo is not None for e in renamed.walk("VEVENT"))
    starts = [e.decoded("DTSTART").astimezone(UTC) for e in renamed.walk("VEVENT")]
    assert starts[0] == datetime(2027, 2, 17, 18, 30, tzinfo=UTC)
    assert starts[-1] == datetime(2027, 4, 21, 17, 30, tzinfo=UTC)


def test_calendar_header_and_event_fields(ten_week):
    text = export(ten_week)
    calendar = parse(text)
    assert str(calendar["VERSION"]) == "2.0"
    assert "ipskit" in str(calendar["PRODID"])
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Intentional Peer Support: ten-week course (spring)"
    assert re.search(r"^DTSTART;TZID=Europe/London:20270217T183000\r$", text, re.M)
    event = calendar.walk("VEVENT")[0]
    assert "Riverside Peer Network" in str(event["DESCRIPTION"])
    assert "LOCATION" not in event  # no venue given
    created = open_cohort(ten_week / "cohorts", "spring").settings.created
    assert event.decoded("DTSTAMP") == datetime.combine(created, time(0), UTC)


def test_a_cascade_cohort_has_its_two_days_and_twelve_monthly_meetings(tmp_path):
    workspace = make_workspace(tmp_path)
    make_cohort(workspace, "cascade", "ips-2-day-cascade", date(2027, 3, 3), ())
    found = events(export(workspace, "cascade"))
    assert len(found) == 14
    cohort = open_cohort(workspace / "cohorts", "cascade")
    meetings = cohort.settings.meetings
    assert len(meetings) == 12
    assert [str(e["SUMMARY"]) for e in found[2:]] == [m.title for m in meetings]
    assert [e.decoded("DTSTART").date() for e in found] == [m.date for m in cohort.everything]
    # The monthly meetings run into 2028: the VTIMEZONE covers both years' changes.
    text = export(workspace, "cascade")
    assert "DTSTART:20280326T010000" in text and "DTSTART:20271031T020000" in text
    assert len({str(e["UID"]) for e in found}) == 14


def test_exporting_twice_gives_the_same_bytes_and_uids(ten_week):
    assert run("-w", str(ten_week), "calendar", "spring").exit_code == 0
    path = ten_week / "out" / "spring" / "spring.ics"
    first = path.read_bytes()
    assert run("-w", str(ten_week), "calendar", "spring").exit_code == 0
    assert path.read_bytes() == first
    uids = [str(e["UID"]) for e in events(first.decode("utf-8"))]
    assert len(set(uids)) == len(uids) == 10
    assert all(re.fullmatch(r"spring\.[a-z0-9-]+\.[0-9a-f]{8}@ipskit", u) for u in uids)


def test_a_hand_edited_date_keeps_the_uid_and_changes_the_sequence(ten_week):
    before = {str(e["UID"]): e for e in events(export(ten_week))}
    session = open_cohort(ten_week / "cohorts", "spring").settings.sessions[2]
    moved = session.date + timedelta(days=1)
    edit_cohort(
        ten_week, f'id: {session.id}, date: "{session.date}"', f'id: {session.id}, date: "{moved}"'
    )
    settings = ten_week / "cohorts" / "spring" / "cohort.yaml"
    later = settings.stat().st_mtime + 90  # the edit is saved a minute and a half later
    os.utime(settings, (later, later))
    after = {str(e["UID"]): e for e in events(export(ten_week))}
    assert after.keys() == before.keys()
    moved_uid = next(u for u in after if after[u].decoded("DTSTART").date() == moved)
    assert before[moved_uid].decoded("DTSTART").date() == session.date
    # every event's SEQUENCE rises, so calendars take the new version of each
    assert all(after[u]["SEQUENCE"] > before[u]["SEQUENCE"] for u in after)
    assert all(after[u]["LAST-MODIFIED"].dt > before[u]["LAST-MODIFIED"].dt for u in after)
    assert export(ten_week) == export(ten_week)


def test_uids_differ_between_organisations_and_cohorts(tmp_path):
    workspace = make_workspace(tmp_path)
    make_cohort(workspace, "spring", "ips-taster", SPRING, ())
    make_cohort(workspace, "autumn", "ips-taster", SPRING, ())
    cohort = open_cohort(workspace / "cohorts", "spring")
    uids = {
        str(events(cohort_calendar(cohort, "Europe/London", org))[0]["UID"])
        for org in ("Riverside Peer Network", "Hillside Peer Network")
    }
    uids.add(str(events(export(workspace, "autumn"))[0]["UID"]))
    assert len(uids) == 3


def test_lines_are_folded_at_75_octets_and_end_in_crlf(tmp_path):
    workspace = make_workspace(tmp_path)
    venue = "Église Saint-Étienne, salle « Zoë » ; 12 rue des Œillets, Montréal — entrée côté cour"
    trainers = ("Siobhán Ní Bhriain", "José Álvarez-Núñez")
    extra = ("--venue", venue, *(x for t in trainers for x in ("--trainer", t)))
    make_cohort(workspace, "spring", "ips-10-week", SPRING, (), *extra)
    text = export(workspace)
    raw = text.encode("utf-8")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # something was folded
    for line in physical:
        line.decode("utf-8")  # no character split across a fold
    event = events(text)[0]
    assert str(event["LOCATION"]) == venue
    assert "Trainers: Siobhán Ní Bhriain, José Álvarez-Núñez" in str(event["DESCRIPTION"])


def test_fold_never_splits_a_character_or_an_escape():
    for line in ("X:" + "é" * 100, "X:" + "a" * 73 + "😀" * 30, "X:" + "a\\," * 60):
        folded = fold(line).encode("utf-8")
        parts = folded.split(b"\r\n")
        assert all(len(p) <= 75 for p in parts)
        assert [p.decode("utf-8") for p in parts]
        assert all(not p.endswith(b"\\") or p.endswith(b"\\\\") for p in parts[:-1])
        assert folded.replace(b"\r\n ", b"").decode("utf-8") == line


def test_text_is_escaped_and_round_trips(tmp_path):
    workspace = make_workspace(tmp_path)
    venue = 'Hall 2, "Main" St; back room\\annex, Leeds'
    make_cohort(workspace, "spring", "ips-taster", SPRING, (), "--venue", venue)
    text = export(workspace)
    assert 'LOCATION:Hall 2\\, "Main" St\\; back room\\\\annex\\, Leeds\r\n' in text
    assert str(events(text)[0]["LOCATION"]) == venue
    # Newlines typed into cohort.yaml by hand become \n, and come back as newlines.
    edit_cohort(workspace, f"venue: {_yaml(venue)}", 'venue: "Hall 2\\nLeeds"')
    text = export(workspace)
    assert "LOCATION:Hall 2\\nLeeds\r\n" in text
    assert str(events(text)[0]["LOCATION"]) == "Hall 2\nLeeds"


def _yaml(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Europe/Dublin", time(18, 30)), ("Asia/Tokyo", time(9, 30))],
)
def test_the_workspace_time_zone_is_honoured(ten_week, zone, utc_hour):
    set_timezone(ten_week, zone)
    text = export(ten_week)
    assert f"TZID:{zone}\r\n" in text
    assert f"DTSTART;TZID={zone}:20270217T183000\r\n" in text
    (vtimezone,) = parse(text).walk("VTIMEZONE")
    own = vtimezone.to_tz(lookup_tzid=False)
    found = events(text)
    for event in found:
        start = event.decoded("DTSTART")
        assert start.time() == time(18, 30)
        expected = datetime.combine(start.date(), time(18, 30), ZoneInfo(zone)).astimezone(UTC)
        assert start.astimezone(UTC) == expected
        assert start.replace(tzinfo=own).astimezone(UTC) == expected
    assert found[0].decoded("DTSTART").astimezone(UTC).time() == utc_hour
    if zone == "Asia/Tokyo":  # no daylight saving: a single STANDARD
        assert len(vtimezone.subcomponents) == 1
        assert vtimezone.subcomponents[0].name == "STANDARD"
    else:  # Irish summer time is an hour ahead, as in London
        assert found[-1].decoded("DTSTART").astimezone(UTC).time() == time(17, 30)


def test_no_participant_name_appears(ten_week):
    text = export(ten_week)
    unfolded = text.replace("\r\n ", "")
    plain = parse(text).to_ical().decode("utf-8").replace("\r\n ", "")
    from ipskit.cohorts.records import Records

    roster = Records.load(open_cohort(ten_week / "cohorts", "spring")).roster
    assert len(roster) == len(AWKWARD)
    for person in roster:
        for part in re.split(r"[\s,;\\]+", person.name):
            if len(part) > 3:  # "Jr." and the like are not names
                assert part not in unfolded, part
                assert part not in plain, part
        assert person.id not in re.findall(r"\bp\d+\b", unfolded)


def test_cli_writes_the_default_file_privately(ten_week):
    result = run("-w", str(ten_week), "calendar", "spring")
    assert result.exit_code == 0, result.output
    path = ten_week.resolve() / "out" / "spring" / "spring.ics"
    assert result.stdout == f"Wrote 10 events to {path}\n"
    assert result.stderr == ""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes() == export(ten_week).encode("utf-8")


def test_cli_counts_follow_on_meetings_and_honours_out(tmp_path):
    workspace = make_workspace(tmp_path)
    make_cohort(workspace, "cascade", "ips-2-day-cascade", date(2027, 3, 3), ())
    target = tmp_path / "shared" / "cascade.ics"
    result = run("-w", str(workspace), "calendar", "cascade", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 14 events to {target}\n"
    assert target.read_bytes() == export(workspace, "cascade").encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (workspace / "out").exists()


def test_cli_finds_the_workspace_from_the_current_folder(ten_week, monkeypatch):
    monkeypatch.chdir(ten_week)
    result = run("calendar", "spring", "-o", "spring.ics")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Wrote 10 events to spring.ics\n"
    assert (ten_week / "spring.ics").is_file()


def test_cli_unknown_cohort_is_one_line(ten_week):
    result = run("-w", str(ten_week), "calendar", "autumn")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "no cohort 'autumn'; there are: spring\n"
    assert not (ten_week / "out").exists()
