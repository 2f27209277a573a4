"""Reading Zoom and Teams attendance reports: people, emails and minutes, or one clear error."""

from __future__ import annotations

import textwrap
from datetime import time

import pytest

from ipskit.cohorts.meeting_exports import MeetingReport, ReportAttendee, read_meeting_report
from ipskit.core.errors import FileProblemsError, NotFoundError


def write(tmp_path, text, *, encoding="utf-8", name="report.csv", crlf=False):
    text = textwrap.dedent(text).lstrip("\n")
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def tabs(text):
    """Teams reports are tab-separated; fixtures use | so the tabs can be seen."""
    return textwrap.dedent(text).lstrip("\n").replace("|", "\t")


def problem(path):
    with pytest.raises(FileProblemsError) as caught:
        read_meeting_report(path)
    assert len(caught.value.lines) == 1
    return caught.value.lines[0]


ZOOM = """
Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Amara Okafor (she/her),amara.okafor@example.org,03/10/2027 06:00:12 PM,03/10/2027 07:10:05 PM,70,No
Tomasz Wiśniewski,,03/10/2027 06:01:03 PM,03/10/2027 08:30:00 PM,149,Yes
Amara Okafor (she/her),amara.okafor@example.org,03/10/2027 07:14:55 PM,03/10/2027 08:31:40 PM,77,No
Siân Hughes,sian.hughes@example.org,03/10/2027 06:02:40 PM,03/10/2027 06:20:00 PM,18,No
"""

ZOOM_ATTENDEES = (
    ReportAttendee("Amara Okafor (she/her)", "amara.okafor@example.org", 147.0, 2, time(18, 0, 12)),
    ReportAttendee("Tomasz Wiśniewski", "", 149.0, 3, time(18, 1, 3)),
    ReportAttendee("Siân Hughes", "sian.hughes@example.org", 18.0, 5, time(18, 2, 40)),
)


# --- Zoom ----------------------------------------------------------------------------


def test_zoom_participants_rejoins_are_summed(tmp_path):
    report = read_meeting_report(write(tmp_path, ZOOM))
    assert report == MeetingReport(source="zoom", attendees=ZOOM_ATTENDEES)


def test_zoom_meeting_summary_before_participants(tmp_path):
    path = write(
        tmp_path,
        """
        Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
        812 3456 7890,IPS Core Training week 3,03/10/2027 05:58:12 PM,03/10/2027 08:31:40 PM,trainer@example.org,154,3

        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Amara Okafor (she/her),amara.okafor@example.org,03/10/2027 06:00:12 PM,03/10/2027 07:10:05 PM,70,No
        Tomasz Wiśniewski,,03/10/2027 06:01:03 PM,03/10/2027 08:30:00 PM,149,Yes
        Amara Okafor (she/her),amara.okafor@example.org,03/10/2027 07:14:55 PM,03/10/2027 08:31:40 PM,77,No
        """,  # noqa: E501
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee(
            "Amara Okafor (she/her)", "amara.okafor@example.org", 147.0, 5, time(18, 0, 12)
        ),
        ReportAttendee("Tomasz Wiśniewski", "", 149.0, 6, time(18, 1, 3)),
    )


def test_zoom_waiting_room_rows_do_not_count(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room
        Amara Okafor,amara@example.org,03/10/2027 05:58:40 PM,03/10/2027 06:00:12 PM,2,No,Yes
        Amara Okafor,amara@example.org,03/10/2027 06:00:12 PM,03/10/2027 08:30:12 PM,150,No,No
        Siân Hughes,,03/10/2027 05:59:00 PM,03/10/2027 06:09:00 PM,10,Yes,Yes
        Tomasz Wiśniewski,,03/10/2027 06:01:03 PM,03/10/2027 08:30:00 PM,149,Yes,No
        """,  # noqa: E501
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Amara Okafor", "amara@example.org", 150.0, 3, time(18, 0, 12)),
        ReportAttendee("Tomasz Wiśniewski", "", 149.0, 5, time(18, 1, 3)),
    )


@pytest.mark.parametrize(
    ("name", "email", "duration"),
    [
        ("Name (original name)", "Email", "Duration (minutes)"),
        ("Participant", "User Email", "Total duration (minutes)"),
        ("Name", "Email", "Duration (Minutes)"),
    ],
)
def test_zoom_other_column_names(tmp_path, name, email, duration):
    path = write(
        tmp_path,
        f"""
        {name},{email},Join time,Leave time,{duration},Guest
        李小龍,lee@example.org,03/10/2027 06:00:00 PM,03/10/2027 06:45:00 PM,45,No
        """,
    )
    assert read_meeting_report(path) == MeetingReport(
        "zoom", (ReportAttendee("李小龍", "lee@example.org", 45.0, 2, time(18, 0)),)
    )


def test_zoom_same_email_is_one_person_under_first_name(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Amara's iPhone,amara.okafor@example.org,03/10/2027 06:00:00 PM,03/10/2027 06:10:00 PM,10,No
        Amara Okafor,Amara.Okafor@Example.org,03/10/2027 06:12:00 PM,03/10/2027 08:00:00 PM,108,No
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Amara's iPhone", "amara.okafor@example.org", 118.0, 2, time(18, 0)),
    )


def test_zoom_without_email_grouped_by_name_ignoring_case_and_spacing(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Siân Hughes,,03/10/2027 06:00:00 PM,03/10/2027 06:30:00 PM,30,Yes
        محمد علي,,03/10/2027 06:00:00 PM,03/10/2027 08:00:00 PM,120,Yes
        siân  HUGHES ,,03/10/2027 06:35:00 PM,03/10/2027 08:00:00 PM,85,Yes
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Siân Hughes", "", 115.0, 2, time(18, 0)),
        ReportAttendee("محمد علي", "", 120.0, 3, time(18, 0)),
    )


def test_zoom_same_name_different_emails_are_two_people(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Sam Lee,sam.lee@example.org,03/10/2027 06:00:00 PM,03/10/2027 08:00:00 PM,120,No
        Sam Lee,samlee@example.net,03/10/2027 06:00:00 PM,03/10/2027 07:00:00 PM,60,No
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Sam Lee", "sam.lee@example.org", 120.0, 2, time(18, 0)),
        ReportAttendee("Sam Lee", "samlee@example.net", 60.0, 3, time(18, 0)),
    )


def test_cells_protected_against_formulas_are_restored(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        '+44 7700 900123,,03/10/2027 06:00:00 PM,03/10/2027 06:40:00 PM,40,Yes
        '=Amara Okafor,amara.okafor@example.org,03/10/2027 06:00:00 PM,03/10/2027 06:20:00 PM,20,No
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("+44 7700 900123", "", 40.0, 2, time(18, 0)),
        ReportAttendee("=Amara Okafor", "amara.okafor@example.org", 20.0, 3, time(18, 0)),
    )


def test_zoom_semicolon_separated(tmp_path):
    path = write(tmp_path, ZOOM.replace(",", ";"))
    assert read_meeting_report(path).attendees == ZOOM_ATTENDEES


def test_zoom_decimal_minutes_with_comma_in_semicolon_file(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name);User Email;Join Time;Leave Time;Duration (Minutes);Guest
        Siân Hughes;;10.03.2027 18:00;10.03.2027 18:42;41,5;Yes
        Siân Hughes;;10.03.2027 18:45;10.03.2027 19:00;15.25;Yes
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Siân Hughes", "", 56.8, 2, time(18, 0)),
    )


def test_utf8_with_bom_and_crlf(tmp_path):
    path = write(tmp_path, ZOOM, encoding="utf-8-sig", crlf=True)
    assert read_meeting_report(path).attendees == ZOOM_ATTENDEES


def test_windows_1252(tmp_path):
    path = write(
        tmp_path,
        """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Siân Hughes,,03/10/2027 06:00:00 PM,03/10/2027 07:00:00 PM,60,Yes
        François Dubois,,03/10/2027 06:00:00 PM,03/10/2027 06:30:00 PM,30,Yes
        """,
        encoding="cp1252",
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Siân Hughes", "", 60.0, 2, time(18, 0)),
        ReportAttendee("François Dubois", "", 30.0, 3, time(18, 0)),
    )


def test_header_only_is_an_empty_report(tmp_path):
    path = write(
        tmp_path,
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
    )
    assert read_meeting_report(path) == MeetingReport("zoom", ())


def test_zoom_host_from_the_summary_and_the_name(tmp_path):
    path = write(
        tmp_path,
        """
        Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
        812 3456 7890,IPS week 3,03/10/2027 05:58:12 PM,03/10/2027 08:31:40 PM,host@example.org,154,3

        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
        Riverside Office,host@example.org,03/10/2027 05:58:12 PM,03/10/2027 08:31:40 PM,154,No
        Alex Morgan (Co-host),,03/10/2027 05:59:00 PM,03/10/2027 08:31:40 PM,153,Yes
        Gwen’s iPad (Gwenllïan Prydderch),,03/10/2027 06:16:00 PM,03/10/2027 08:31:00 PM,135,Yes
        """,  # noqa: E501
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Riverside Office", "host@example.org", 154.0, 5, time(17, 58, 12), True),
        ReportAttendee("Alex Morgan (Co-host)", "", 153.0, 6, time(17, 59), True),
        ReportAttendee("Gwen’s iPad (Gwenllïan Prydderch)", "", 135.0, 7, time(18, 16)),
    )


def test_zoom_newer_export_with_a_host_column_and_the_earliest_join(tmp_path):
    path = write(
        tmp_path,
        """
        Topic,ID,Host,Duration (minutes),Start time,End time,Participants
        IPS week 3,812 3456 7890,Alex Morgan,154,03/10/2027 17:58,03/10/2027 20:31,2

        Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room
        Alex Morgan,,03/10/2027 17:58,03/10/2027 20:31,153,No,No
        Siân Hughes,,03/10/2027 18:40,03/10/2027 20:31,111,Yes,No
        Siân Hughes,,03/10/2027 18:02,03/10/2027 18:35,33,Yes,No
        Siân Hughes,,Mar 10 2027 6:20 xx,03/10/2027 18:35,0,Yes,No
        """,
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Alex Morgan", "", 153.0, 5, time(17, 58), True),
        # A join time that cannot be read is passed over, not guessed.
        ReportAttendee("Siân Hughes", "", 144.0, 6, time(18, 2)),
    )


# --- Teams -----------------------------------------------------------------------------

TEAMS = tabs(
    """
    1. Summary
    Meeting title|IPS Core Training week 3
    Attended participants|3
    Start time|10/03/2027, 18:00:12
    End time|10/03/2027, 20:31:40
    Meeting duration|2h 31m 28s
    Average attendance time|1h 47m 17s

    2. Participants
    Name|First Join|Last Leave|In-Meeting Duration|Email|Participant ID (UPN)|Role
    Siân Hughes|10/03/2027, 18:00:12|10/03/2027, 20:31:40|2h 31m 28s|sian.hughes@example.org|sian.hughes@example.org|Organizer
    李小龍|10/03/2027, 18:02:00|10/03/2027, 20:30:00|2h 5m 12s|lee@example.org|lee@example.org|Attendee
    محمد علي|10/03/2027, 18:05:10|10/03/2027, 18:50:22|45m 12s|||Attendee

    3. In-Meeting Activities
    Name|Join Time|Leave Time|Duration|Email|Role
    Siân Hughes|10/03/2027, 18:00:12|10/03/2027, 20:31:40|2h 31m 28s|sian.hughes@example.org|Organizer
    李小龍|10/03/2027, 18:02:00|10/03/2027, 19:10:00|1h 8m|lee@example.org|Attendee
    李小龍|10/03/2027, 19:05:00|10/03/2027, 20:30:00|1h 25m|lee@example.org|Attendee
    محمد علي|10/03/2027, 18:05:10|10/03/2027, 18:50:22|45m 12s||Attendee
    """  # noqa: E501
)

TEAMS_ATTENDEES = (
    # The organiser is the meeting's host.
    ReportAttendee("Siân Hughes", "sian.hughes@example.org", 151.5, 11, time(18, 0, 12), True),
    ReportAttendee("李小龍", "lee@example.org", 125.2, 12, time(18, 2)),
    ReportAttendee("محمد علي", "", 45.2, 13, time(18, 5, 10)),
)


def test_teams_utf16_tab_separated_uses_participant_totals(tmp_path):
    path = write(tmp_path, TEAMS, encoding="utf-16", crlf=True)
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert read_meeting_report(path) == MeetingReport("teams", TEAMS_ATTENDEES)


def test_teams_utf16_big_endian(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"\xfe\xff" + TEAMS.encode("utf-16-be"))
    assert read_meeting_report(path) == MeetingReport("teams", TEAMS_ATTENDEES)


def test_teams_without_participants_section_sums_activities(tmp_path):
    text = TEAMS.split("2. Participants")[0] + "3. In-Meeting" + TEAMS.split("3. In-Meeting")[1]
    path = write(tmp_path, text, encoding="utf-16")
    assert read_meeting_report(path) == MeetingReport(
        "teams",
        (
            ReportAttendee(
                "Siân Hughes", "sian.hughes@example.org", 151.5, 11, time(18, 0, 12), True
            ),
            ReportAttendee("李小龍", "lee@example.org", 153.0, 12, time(18, 2)),
            ReportAttendee("محمد علي", "", 45.2, 14, time(18, 5, 10)),
        ),
    )


def test_teams_duration_forms(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            2. Participants
            Name|First Join|Last Leave|In-Meeting Duration|Email|Participant ID (UPN)|Role
            Amara Okafor|3/10/27, 6:00:00 PM|3/10/27, 7:23:05 PM|1h 23m 5s|||Attendee
            Tomasz Wiśniewski|3/10/27, 6:00:00 PM|3/10/27, 6:45:12 PM|45m 12s|||Attendee
            Siân Hughes|3/10/27, 6:00:00 PM|3/10/27, 6:00:38 PM|38s|||Attendee
            李小龍|3/10/27, 6:00:00 PM|3/10/27, 8:00:00 PM|2h|||Attendee
            """
        ),
    )
    assert [(a.name, a.minutes) for a in read_meeting_report(path).attendees] == [
        ("Amara Okafor", 83.1),
        ("Tomasz Wiśniewski", 45.2),
        ("Siân Hughes", 0.6),
        ("李小龍", 120.0),
    ]


def test_teams_participants_section_with_no_one(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            1. Summary
            Meeting title|IPS taster

            2. Participants
            Name|First Join|Last Leave|In-Meeting Duration|Email|Participant ID (UPN)|Role
            """
        ),
        encoding="utf-16",
    )
    assert read_meeting_report(path) == MeetingReport("teams", ())


# --- Older Teams attendance list -------------------------------------------------------


def test_old_teams_pairs_joined_and_left_day_first(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            Siân Hughes|Joined before|13/03/2027, 18:00:00
            Amara Okafor|Joined|13/03/2027, 18:02:30
            Tomasz Wiśniewski|Joined|13/03/2027, 18:05:00
            Amara Okafor|Left|13/03/2027, 18:40:00
            Amara Okafor|Joined|13/03/2027, 18:45:00
            Tomasz Wiśniewski|Left|13/03/2027, 19:35:30
            Amara Okafor|Left|13/03/2027, 20:15:00
            """
        ),
        encoding="utf-16",
    )
    assert read_meeting_report(path) == MeetingReport(
        "teams",
        (
            # Siân never left: counted up to the report's last timestamp.
            ReportAttendee("Siân Hughes", "", 135.0, 2, time(18, 0)),
            ReportAttendee("Amara Okafor", "", 127.5, 3, time(18, 2, 30)),
            ReportAttendee("Tomasz Wiśniewski", "", 90.5, 4, time(18, 5)),
        ),
    )


def test_old_teams_month_first_with_am_pm(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            محمد علي|Joined|3/13/2027, 11:50:00 AM
            محمد علي|Left|3/13/2027, 12:10:00 PM
            محمد علي|Joined|3/13/2027, 6:29:51 PM
            محمد علي|Left|3/13/2027, 8:01:21 PM
            """
        ),
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("محمد علي", "", 111.5, 2, time(11, 50)),
    )


def test_old_teams_ambiguous_dates_are_day_first(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            Amara Okafor|Joined|01/02/2027, 23:50:00
            Amara Okafor|Left|02/02/2027, 00:10:00
            """
        ),
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Amara Okafor", "", 20.0, 2, time(23, 50)),
    )


def test_old_teams_second_joined_while_present_is_ignored(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            Amara Okafor|Joined|10/03/2027, 18:00:00
            Amara Okafor|Joined|10/03/2027, 18:10:00
            Amara Okafor|Left|10/03/2027, 18:30:00
            Tomasz Wiśniewski|Left|10/03/2027, 18:40:00
            """
        ),
    )
    assert read_meeting_report(path).attendees == (
        ReportAttendee("Amara Okafor", "", 30.0, 2, time(18, 0)),
        ReportAttendee("Tomasz Wiśniewski", "", 0.0, 5),
    )


# --- Errors ----------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(NotFoundError) as caught:
        read_meeting_report(path)
    assert str(caught.value) == f"{path}: no such file"


def test_folder_instead_of_file(tmp_path):
    assert problem(tmp_path) == f"{tmp_path}: a folder, not a report file"


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\r\n  \r\n"])
def test_empty_file(tmp_path, data):
    path = tmp_path / "report.csv"
    path.write_bytes(data)
    assert problem(path) == f"{path}:1: the file is empty"


def test_binary_file(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert problem(path) == f"{path}:1: not a text file: download the report as CSV"


def test_spreadsheet_file(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert problem(path) == (
        f"{path}:1: a spreadsheet or other binary file: download the report as CSV"
    )


def test_undecodable_text(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"Name,Duration (Minutes)\nAmara\x81,40\n")
    assert problem(path) == (
        f"{path}:2: not text in UTF-8, UTF-16 or Windows-1252: save it as CSV UTF-8"
    )


def test_utf16_cut_short(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(TEAMS.encode("utf-16")[:-1])
    assert problem(path) == f"{path}:20: not valid UTF-16 text (is the file cut short?)"


def test_wrong_columns(tmp_path):
    path = write(
        tmp_path,
        """
        Name,Email,Phone
        Amara Okafor,amara.okafor@example.org,07700 900123
        """,
    )
    assert problem(path) == (
        f"{path}:1: not a Zoom or Teams attendance report (no column with names and durations)"
    )


def test_truncated_row_is_padded_and_its_missing_duration_reported(tmp_path):
    path = write(tmp_path, ZOOM + "Siân Hughes,sian.hu")
    message = problem(path)
    assert message == f"{path}:6: the duration is empty"
    assert "Siân" not in message


def test_row_with_extra_cells(tmp_path):
    path = write(tmp_path, ZOOM + "Siân Hughes,,,x,y,12,No,Yes\n")
    assert problem(path) == f"{path}:6: expected 6 cells, found 8"


def test_unterminated_quote(tmp_path):
    path = write(tmp_path, ZOOM + '"Siân Hughes,,03/10/2027 06:00:00 PM,,4,No\n')
    assert problem(path) == f"{path}:6: not valid CSV: unexpected end of data"


def test_row_without_name(tmp_path):
    path = write(tmp_path, ZOOM + ",,03/10/2027 06:00:00 PM,03/10/2027 06:04:00 PM,4,Yes\n")
    assert problem(path) == f"{path}:6: the name is empty"


def test_zoom_duration_not_a_number(tmp_path):
    path = write(tmp_path, ZOOM.replace(",149,", ",about 2h,"))
    message = problem(path)
    assert message == f"{path}:3: duration 'about 2h' is not a length of time"
    assert "Tomasz" not in message


def test_zoom_duration_empty(tmp_path):
    path = write(tmp_path, ZOOM.replace(",149,", ",,"))
    assert problem(path) == f"{path}:3: the duration is empty"


def test_teams_duration_not_a_length_of_time(tmp_path):
    path = write(tmp_path, TEAMS.replace("45m 12s\t\t\t", "1h x\t\t\t"), encoding="utf-16")
    assert problem(path) == f"{path}:13: duration '1h x' is not a length of time"


def test_old_teams_unknown_action(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            Amara Okafor|Joined|10/03/2027, 18:00:00
            Amara Okafor|Dropped|10/03/2027, 18:30:00
            """
        ),
    )
    assert problem(path) == f"{path}:3: user action 'Dropped' is not Joined or Left"


@pytest.mark.parametrize("stamp", ["yesterday", "31/02/2027, 18:00:00", "3/10/2027, 13:10 PM"])
def test_old_teams_bad_timestamp(tmp_path, stamp):
    path = write(
        tmp_path,
        tabs(
            f"""
            Full Name|User Action|Timestamp
            Amara Okafor|Joined|10/03/2027, 18:00:00
            Amara Okafor|Left|{stamp}
            """
        ),
    )
    assert problem(path) == f"{path}:3: timestamp '{stamp}' is not a date and time"


def test_old_teams_left_before_joined(tmp_path):
    path = write(
        tmp_path,
        tabs(
            """
            Full Name|User Action|Timestamp
            Amara Okafor|Joined|10/03/2027, 18:30:00
            Amara Okafor|Left|10/03/2027, 18:00:00
            """
        ),
    )
    assert problem(path) == f"{path}:3: left before joining: are the rows out of order?"


def test_long_bad_value_is_shortened(tmp_path):
    path = write(tmp_path, ZOOM.replace(",149,", "," + "9 minutes and a bit" * 3 + ","))
    assert problem(path) == (
        f"{path}:3: duration '9 minutes and a bit9 minutes …' is not a length of time"
    )
