"""Merging a cohort's record files changed on two computers, as git asks ipskit to.

Every merge is checked both ways round: two trainers who each merge the other's work
must end with the same bytes.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import clean_environment
from ipskit.cohorts.merging import Merged, MergeError, merge
from ipskit.cohorts.record_types import (
    ATTENDANCE_COLUMNS,
    EARLIER_ROSTER_COLUMNS,
    EVALUATION_COLUMNS,
    HISTORY_COLUMNS,
    RATING_COLUMNS,
    ROSTER_COLUMNS,
)
from ipskit.core import csvio

ATTENDANCE = ",".join(ATTENDANCE_COLUMNS)
ROSTER = ",".join(ROSTER_COLUMNS)
OLD_ROSTER = ",".join(EARLIER_ROSTER_COLUMNS[0])
HISTORY = ",".join(HISTORY_COLUMNS)
EVALUATIONS = ",".join(EVALUATION_COLUMNS)
RATINGS = ",".join(RATING_COLUMNS)
REGISTER = "code,participant,name_on_certificate,course,hours,issued,sha256,status,date,reason"
SHA1, SHA2, SHA3 = "1" * 64, "2" * 64, "3" * 64


def csv(*lines: str) -> str:
    """A record file's text, as ipskit writes it: CRLF after every line."""
    return "".join(f"{line}\r\n" for line in lines)


def both_ways(name: str, base: str, ours: str, theirs: str) -> Merged:
    """The merge, after checking that merging the other way round gives the same."""
    merged = merge(name, base, ours, theirs)
    other_way = merge(name, base, theirs, ours)
    assert merged.text == other_way.text
    assert merged.clashes == other_way.clashes
    return merged


# --- attendance: one row per person per session ------------------------------------------

BASE_MARKS = csv(ATTENDANCE, "1,p01,present,,", "1,p02,present,,")


def test_marks_for_different_sessions_are_both_kept():
    ours = csv(ATTENDANCE, "1,p01,present,,", "1,p02,present,,", "2,p01,late,,", "2,p02,present,,")
    theirs = csv(
        ATTENDANCE, "1,p01,present,,", "1,p02,present,,", "3,p01,absent,,", "3,p02,excused,,ill"
    )
    merged = both_ways("attendance.csv", BASE_MARKS, ours, theirs)
    assert merged == Merged(
        csv(ATTENDANCE, "1,p01,present,,", "1,p02,present,,", "2,p01,late,,", "2,p02,present,,",
            "3,p01,absent,,", "3,p02,excused,,ill"),
        (),
    )  # fmt: skip


def test_changes_to_different_people_are_both_kept():
    ours = csv(ATTENDANCE, "1,p01,late,,", "1,p02,present,,")
    theirs = csv(ATTENDANCE, "1,p01,present,,", "1,p02,absent,yes,")
    merged = both_ways("attendance.csv", BASE_MARKS, ours, theirs)
    assert merged == Merged(csv(ATTENDANCE, "1,p01,late,,", "1,p02,absent,yes,"), ())


def test_sessions_are_in_number_order_and_a_mark_made_on_both_computers_is_written_once():
    base = csv(ATTENDANCE, *(f"{n},p01,present,," for n in range(1, 10)))
    ours = base + csv("10,p01,present,,", "11,p01,late,,")
    theirs = base + csv("10,p01,present,,")
    merged = both_ways("attendance.csv", base, ours, theirs)
    assert merged.text == base + csv("10,p01,present,,", "11,p01,late,,")


def test_the_same_mark_changed_two_ways_keeps_both_and_the_same_one_stands_everywhere():
    ours = csv(ATTENDANCE, "1,p01,absent,,", "1,p02,present,,")
    theirs = csv(ATTENDANCE, "1,p01,late,,", "1,p02,present,,")
    merged = both_ways("attendance.csv", BASE_MARKS, ours, theirs)
    assert merged == Merged(
        csv(ATTENDANCE, "1,p01,late,,", "1,p01,absent,,", "1,p02,present,,"),
        ("session 1, p01 changed on both computers (late / absent); late stands:"
         " ipskit check lists it",),
    )  # fmt: skip


def test_a_mark_made_on_both_computers_two_ways_is_a_clash():
    base = csv(ATTENDANCE, "1,p01,present,,")
    ours = base + csv("3,p01,present,,")
    theirs = base + csv("3,p01,absent,,")
    merged = both_ways("attendance.csv", base, ours, theirs)
    assert merged == Merged(
        base + csv("3,p01,present,,", "3,p01,absent,,"),
        ("session 3, p01 recorded on both computers (present / absent); present stands:"
         " ipskit check lists it",),
    )  # fmt: skip


def test_a_mark_and_a_note_added_to_it_on_the_other_computer_are_both_kept():
    ours = csv(ATTENDANCE, "1,p01,late,,", "1,p02,present,,")
    theirs = csv(ATTENDANCE, "1,p01,present,,came back after the break", "1,p02,present,,")
    merged = both_ways("attendance.csv", BASE_MARKS, ours, theirs)
    assert merged == Merged(
        csv(ATTENDANCE, "1,p01,late,,came back after the break", "1,p02,present,,"), ()
    )


def test_a_mark_removed_on_one_computer_and_left_on_the_other_is_removed():
    ours = csv(ATTENDANCE, "1,p02,present,,")
    merged = both_ways("attendance.csv", BASE_MARKS, ours, BASE_MARKS + csv("2,p01,late,,"))
    assert merged == Merged(csv(ATTENDANCE, "1,p02,present,,", "2,p01,late,,"), ())


def test_a_mark_removed_on_one_computer_and_changed_on_the_other_is_kept_changed():
    ours = csv(ATTENDANCE, "1,p02,present,,")
    theirs = csv(ATTENDANCE, "1,p01,excused,,", "1,p02,present,,")
    merged = both_ways("attendance.csv", BASE_MARKS, ours, theirs)
    assert merged == Merged(
        theirs,
        ("session 1, p01 removed on one computer and changed on the other: the change is kept",),
    )


def test_a_clash_left_from_an_earlier_merge_stays_as_it_is():
    unsettled = csv(ATTENDANCE, "1,p01,present,,", "1,p01,absent,,", "1,p02,present,,")
    ours = unsettled + csv("2,p01,present,,")
    theirs = csv(ATTENDANCE, "1,p01,present,,", "1,p01,absent,,", "1,p02,late,,")
    merged = both_ways("attendance.csv", unsettled, ours, theirs)
    assert merged == Merged(
        csv(ATTENDANCE, "1,p01,present,,", "1,p01,absent,,", "1,p02,late,,", "2,p01,present,,"),
        (),
    )


def test_a_file_changed_the_same_way_on_both_sides_is_written_back_byte_for_byte():
    # Cells a spreadsheet could run keep their apostrophe; quotes stay where csv puts them.
    text = csv(ATTENDANCE, "1,p01,present,,'=1+1", '1,p02,late,,"said ""hi"", left"')
    assert both_ways("attendance.csv", BASE_MARKS, text, text) == Merged(text, ())
    assert both_ways("attendance.csv", text, text, text) == Merged(text, ())


# --- the roster -----------------------------------------------------------------------------


def test_the_roster_keeps_changes_to_different_people_and_to_different_cells():
    base = csv(ROSTER, "p01,Ann Early,,ann@example.org,,active,2027-03-01,,",
               "p02,Bo Bright,,,,active,2027-03-01,,")  # fmt: skip
    ours = csv(ROSTER, "p01,Ann Early,,ann.early@example.org,,active,2027-03-01,,",
               "p02,Bo Bright,,,,withdrawn,2027-03-01,2027-03-20,")  # fmt: skip
    theirs = csv(ROSTER, "p01,Ann Early,,ann@example.org,she/her,active,2027-03-01,,",
                 "p02,Bo Bright,,,,active,2027-03-01,,",
                 "p03,Cy Clear,,,,active,2027-03-21,,cy")  # fmt: skip
    merged = both_ways("roster.csv", base, ours, theirs)
    assert merged == Merged(
        csv(ROSTER, "p01,Ann Early,,ann.early@example.org,she/her,active,2027-03-01,,",
            "p02,Bo Bright,,,,withdrawn,2027-03-01,2027-03-20,",
            "p03,Cy Clear,,,,active,2027-03-21,,cy"),
        (),
    )  # fmt: skip


def test_a_roster_written_before_name_lang_merges_into_the_newest_columns():
    base = csv(
        OLD_ROSTER, "p01,Ann Early,,,,active,2027-03-01,", "p02,Bo Bright,,,,active,2027-03-01,"
    )
    ours = csv(OLD_ROSTER, "p01,Ann Early,,,they/them,active,2027-03-01,",
               "p02,Bo Bright,,,,active,2027-03-01,")  # fmt: skip
    theirs = csv(ROSTER, "p01,Ann Early,,,,active,2027-03-01,,",
                 "p02,Bo Bright,,,,active,2027-03-01,,cy")  # fmt: skip
    merged = both_ways("roster.csv", base, ours, theirs)
    assert merged == Merged(
        csv(ROSTER, "p01,Ann Early,,,they/them,active,2027-03-01,,",
            "p02,Bo Bright,,,,active,2027-03-01,,cy"),
        (),
    )  # fmt: skip
    # Both still on the earlier columns: written as they were.
    assert both_ways("roster.csv", base, ours, base) == Merged(ours, ())


def test_two_people_given_the_same_id_on_two_computers_are_both_kept_without_names_said():
    base = csv(ROSTER, "p01,Ann Early,,,,active,2027-03-01,,")
    ours = base + csv("p02,Bo Bright,,bo@example.org,,active,2027-03-02,,")
    theirs = base + csv("p02,Cy Clear,,,,active,2027-03-02,,")
    merged = both_ways("roster.csv", base, ours, theirs)
    assert merged == Merged(
        base + csv("p02,Cy Clear,,,,active,2027-03-02,,",
                   "p02,Bo Bright,,bo@example.org,,active,2027-03-02,,"),
        ("p02 recorded on both computers (name; email); the first of the two rows stands:"
         " ipskit check lists it",),
    )  # fmt: skip


def test_a_person_forgotten_on_one_computer_and_changed_on_the_other_is_left_for_forget():
    base = csv(ROSTER, "p01,Ann Early,,ann@example.org,she/her,active,2027-03-01,,",
               "p02,Bo Bright,,,,active,2027-03-01,,")  # fmt: skip
    erased = csv(ROSTER, "p01,,,,,erased,2027-03-01,2027-04-01,",
                 "p02,Bo Bright,,,,active,2027-03-01,,")  # fmt: skip
    edited = csv(ROSTER, "p01,Ann Early,Annie Early,annie@example.org,she/her,withdrawn,"
                         "2027-03-01,2027-03-15,cy",
                 "p02,Bo Bright,,,,active,2027-03-01,,")  # fmt: skip
    # The name stays beside the erased row for forget, which scrubs it from the notes the
    # other computer wrote, to find: it is in that computer's commits anyway.
    assert both_ways("roster.csv", base, erased, edited) == Merged(
        csv(ROSTER, "p01,,,,,erased,2027-03-01,2027-04-01,",
            "p01,Ann Early,Annie Early,annie@example.org,she/her,withdrawn,2027-03-01,"
            "2027-03-15,cy",
            "p02,Bo Bright,,,,active,2027-03-01,,"),
        ("p01 erased on one computer and changed on the other: both rows are kept until"
         " ipskit forget finishes the erasure: ipskit check lists it",),
    )  # fmt: skip
    # Untouched on the other computer: simply erased.
    assert both_ways(
        "roster.csv", base, erased, base + csv("p03,Cy Clear,,,,active,2027-03-02,,")
    ) == Merged(erased + csv("p03,Cy Clear,,,,active,2027-03-02,,"), ())


# --- other files of one row per key ---------------------------------------------------------


def test_ratings_keep_before_ahead_of_after_and_each_persons_competencies_in_order():
    base = csv(RATINGS, "before,p01,listening,2,2027-03-01", "before,p01,connection,3,2027-03-01",
               "after,p01,listening,4,2027-05-01")  # fmt: skip
    ours = csv(RATINGS, "before,p01,listening,2,2027-03-01", "before,p01,connection,3,2027-03-01",
               "before,p02,listening,1,2027-03-01", "before,p02,connection,2,2027-03-01",
               "after,p01,listening,4,2027-05-01")  # fmt: skip
    theirs = base + csv("after,p01,connection,5,2027-05-01")
    merged = both_ways("ratings.csv", base, ours, theirs)
    assert merged == Merged(
        csv(RATINGS, "before,p01,listening,2,2027-03-01", "before,p01,connection,3,2027-03-01",
            "before,p02,listening,1,2027-03-01", "before,p02,connection,2,2027-03-01",
            "after,p01,listening,4,2027-05-01", "after,p01,connection,5,2027-05-01"),
        (),
    )  # fmt: skip


def test_an_assessment_and_an_agreement_recorded_two_ways_say_whose_they_are():
    header = "participant,result,date,note"
    merged = both_ways("assessments.csv", csv(header), csv(header, "p01,passed,2027-05-01,"),
                       csv(header, "p01,not-yet,2027-05-01,"))  # fmt: skip
    assert merged == Merged(
        csv(header, "p01,passed,2027-05-01,", "p01,not-yet,2027-05-01,"),
        ("p01's assessment recorded on both computers (passed / not-yet); passed stands:"
         " ipskit check lists it",),
    )  # fmt: skip
    merged = both_ways("agreements.csv", "", csv("participant,signed", "p01,2027-05-01"),
                       csv("participant,signed", "p02,2027-05-02"))  # fmt: skip
    assert merged == Merged(csv("participant,signed", "p01,2027-05-01", "p02,2027-05-02"), ())


# --- evaluations: responses numbered on each computer ---------------------------------------


def test_new_evaluation_responses_with_the_same_number_are_two_forms():
    base = csv(EVALUATIONS, "1,safe,4", "1,learned,5", "2,safe,3", "2,learned,3")
    ours = base + csv("3,safe,4", "3,learned,5")
    theirs = base + csv("3,safe,2", "3,learned,3", "4,safe,5", "4,learned,5")
    merged = both_ways("evaluations.csv", base, ours, theirs)
    # Response 3 of this computer sorts after the other's: it is numbered after 4.
    assert merged == Merged(
        base + csv("3,safe,2", "3,learned,3", "4,safe,5", "4,learned,5", "5,safe,4", "5,learned,5"),
        (),
    )


def test_the_same_evaluation_response_on_both_computers_is_kept_once():
    base = csv(EVALUATIONS, "1,safe,4")
    both = base + csv("2,safe,5", "2,learned,4")
    assert both_ways("evaluations.csv", base, both, both + csv("3,safe,1")) == Merged(
        both + csv("3,safe,1"), ()
    )


# --- append-only files ------------------------------------------------------------------------


def test_history_keeps_both_sides_rows_in_time_order():
    base = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,present,")
    ours = base + csv("2027-03-08T18:00:00+00:00,marked,2,p01,,late,",
                      "2027-03-08T18:00:00+00:00,marked,2,p02,,present,")  # fmt: skip
    theirs = base + csv("2027-03-02T09:00:00+00:00,added,,p03,,,",
                        "2027-03-09T09:00:00+00:00,assessed,,p01,,passed,")  # fmt: skip
    merged = both_ways("history.csv", base, ours, theirs)
    assert merged == Merged(
        base + csv("2027-03-02T09:00:00+00:00,added,,p03,,,",
                   "2027-03-08T18:00:00+00:00,marked,2,p01,,late,",
                   "2027-03-08T18:00:00+00:00,marked,2,p02,,present,",
                   "2027-03-09T09:00:00+00:00,assessed,,p01,,passed,"),
        (),
    )  # fmt: skip


def test_history_keeps_an_erasure_made_on_one_computer_and_puts_two_erasures_together():
    base = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,Sam was held up",
               "2027-03-01T18:05:00+00:00,marked,1,p02,,present,Sam and Jo paired up")  # fmt: skip
    # forget p01 (Sam) here: their own notes blanked, their name scrubbed from others'.
    ours = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,",
               "2027-03-01T18:05:00+00:00,marked,1,p02,,present,[erased] and Jo paired up",
               "2027-03-09T10:00:00+00:00,erased,,p01,,,")  # fmt: skip
    # forget p03 (Jo) there, and a note about Sam written before the erasure was pulled.
    theirs = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,Sam was held up",
                 "2027-03-01T18:05:00+00:00,marked,1,p02,,present,Sam and [erased] paired up",
                 "2027-03-08T18:00:00+00:00,marked,2,p01,,absent,Sam phoned in",
                 "2027-03-10T10:00:00+00:00,erased,,p03,,,")  # fmt: skip
    merged = both_ways("history.csv", base, ours, theirs)
    assert merged == Merged(
        csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,",
            "2027-03-01T18:05:00+00:00,marked,1,p02,,present,[erased] and [erased] paired up",
            "2027-03-08T18:00:00+00:00,marked,2,p01,,absent,",
            "2027-03-09T10:00:00+00:00,erased,,p01,,,",
            "2027-03-10T10:00:00+00:00,erased,,p03,,,"),
        (),
    )  # fmt: skip


def test_a_note_blanked_on_one_computer_and_edited_on_the_other_stays_blank():
    base = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,Sam was held up")
    ours = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,")
    theirs = csv(HISTORY, "2027-03-01T18:00:00+00:00,marked,1,p01,,late,Sam was held up again")
    assert both_ways("history.csv", base, ours, theirs) == Merged(ours, ())


def test_certificates_issued_on_both_computers_are_all_in_the_register_in_date_order():
    base = csv(REGISTER, f"K7QM-4XTD,p01,Ann Early,IPS,20,2027-05-01,{SHA1},issued,2027-05-01,")
    ours = base + csv(f"MHK5-K0JH,p02,Bo Bright,IPS,20,2027-05-03,{SHA2},issued,2027-05-03,")
    theirs = base + csv(
        f"ZX9P-2AB7,p03,Cy Clear,IPS,20,2027-05-02,{SHA3},issued,2027-05-02,",
        f"K7QM-4XTD,p01,Ann Early,IPS,20,2027-05-01,{SHA1},revoked,2027-05-04,issued in error",
    )
    merged = both_ways("certificates.csv", base, ours, theirs)
    assert merged == Merged(
        base
        + csv(
            f"ZX9P-2AB7,p03,Cy Clear,IPS,20,2027-05-02,{SHA3},issued,2027-05-02,",
            f"MHK5-K0JH,p02,Bo Bright,IPS,20,2027-05-03,{SHA2},issued,2027-05-03,",
            f"K7QM-4XTD,p01,Ann Early,IPS,20,2027-05-01,{SHA1},revoked,2027-05-04,issued in error",
        ),
        (),
    )


def test_a_name_erased_from_the_register_on_one_computer_is_erased_from_the_others_rows():
    base = csv(REGISTER, f"K7QM-4XTD,p01,Ann Early,IPS,20,2027-05-01,{SHA1},issued,2027-05-01,")
    ours = csv(REGISTER, f"K7QM-4XTD,p01,[erased],IPS,20,2027-05-01,{SHA1},issued,2027-05-01,")
    theirs = base + csv(
        f"K7QM-4XTD,p01,Ann Early,IPS,20,2027-05-01,{SHA1},superseded,2027-05-06,replaced",
        f"MHK5-K0JH,p01,Ann Early,IPS,20,2027-05-06,{SHA2},issued,2027-05-06,",
    )
    merged = both_ways("certificates.csv", base, ours, theirs)
    assert merged == Merged(
        ours
        + csv(
            f"K7QM-4XTD,p01,[erased],IPS,20,2027-05-01,{SHA1},superseded,2027-05-06,replaced",
            f"MHK5-K0JH,p01,[erased],IPS,20,2027-05-06,{SHA2},issued,2027-05-06,",
        ),
        (),
    )


def test_a_row_new_on_both_sides_is_written_as_often_as_one_side_has_it():
    header = "what,participant,sent,message_id"
    base = csv(header, "certificate K7QM-4XTD,p01,2027-05-01T10:00:00+01:00,<a@example.org>")
    same = "followup 9w,p01,2027-07-01T10:00:00+01:00,<b@example.org>"
    ours = base + csv(same, "followup 9w,p02,2027-07-01T10:00:05+01:00,<c@example.org>")
    theirs = base + csv(same, "followup 9w,p03,2027-07-01T09:30:00+00:00,<d@example.org>")
    merged = both_ways("sent.csv", base, ours, theirs)
    assert merged.text == base + csv(
        same,
        "followup 9w,p02,2027-07-01T10:00:05+01:00,<c@example.org>",
        "followup 9w,p03,2027-07-01T09:30:00+00:00,<d@example.org>",
    )
    copies = "code,kind,date,sha256"
    assert both_ways("certificate-copies.csv", csv(copies),
                     csv(copies, f"K7QM-4XTD,large-print,2027-05-02,{SHA1}"),
                     csv(copies, f"K7QM-4XTD,large-print,2027-05-02,{SHA1}")).text == csv(
        copies, f"K7QM-4XTD,large-print,2027-05-02,{SHA1}")  # fmt: skip


def test_imported_row_digests_are_kept_sorted_as_ipskit_writes_them():
    base = csv("row", "a" * 32, "c" * 32)
    ours = csv("row", "a" * 32, "b" * 32, "c" * 32)
    theirs = csv("row", "a" * 32, "c" * 32, "d" * 32)
    merged = both_ways("evaluations-imported.csv", base, ours, theirs)
    assert merged == Merged(csv("row", "a" * 32, "b" * 32, "c" * 32, "d" * 32), ())


@pytest.mark.parametrize(
    "name",
    ["roster.csv", "attendance.csv", "assessments.csv", "followups.csv", "ratings.csv",
     "agreements.csv", "evaluations.csv", "history.csv", "certificates.csv", "sent.csv",
     "certificate-copies.csv", "evaluations-imported.csv"],
)  # fmt: skip
def test_any_two_sets_of_changes_merge_the_same_both_ways_round(name):
    import random

    width = {"roster.csv": 9, "attendance.csv": 5, "assessments.csv": 4, "followups.csv": 6,
             "ratings.csv": 5, "agreements.csv": 2, "evaluations.csv": 3, "history.csv": 7,
             "certificates.csv": 10, "sent.csv": 4, "certificate-copies.csv": 4,
             "evaluations-imported.csv": 1}[name]  # fmt: skip
    header = {"roster.csv": ROSTER, "attendance.csv": ATTENDANCE, "ratings.csv": RATINGS,
              "evaluations.csv": EVALUATIONS, "history.csv": HISTORY,
              "certificates.csv": REGISTER, "assessments.csv": "participant,result,date,note",
              "followups.csv": "point,participant,answered,using_skills,trained_others,note",
              "agreements.csv": "participant,signed", "sent.csv": "what,participant,sent,message_id",
              "certificate-copies.csv": "code,kind,date,sha256",
              "evaluations-imported.csv": "row"}[name]  # fmt: skip
    cells = ["1", "2", "p01", "p02", "", "erased", "[erased]", "Sam", "Sam and Jo",
             "[erased] and Jo", "2027-03-01", "2027-03-02T10:00:00+00:00", "before", "x"]  # fmt: skip
    chance = random.Random(name)

    def row() -> str:
        return ",".join(chance.choice(cells) for _ in range(width))

    def changed(rows: list[str]) -> list[str]:
        rows = list(rows)
        for _ in range(chance.randint(0, 4)):
            if rows and chance.random() < 0.5:
                del rows[chance.randrange(len(rows))]
            else:
                rows.insert(chance.randint(0, len(rows)), row())
        return rows

    for _ in range(300):
        base = [row() for _ in range(chance.randint(0, 6))]
        ours, theirs = changed(base), changed(base)
        both_ways(name, csv(header, *base), csv(header, *ours), csv(header, *theirs))


# --- what cannot be merged ----------------------------------------------------------------------


def test_files_ipskit_does_not_know_and_broken_copies_are_refused():
    with pytest.raises(MergeError, match=r"^notes\.csv is not one of a cohort's record files$"):
        merge("notes.csv", "", "a\r\n", "b\r\n")
    broken = csv(ATTENDANCE, "1,p01,present")
    with pytest.raises(MergeError) as refused:
        merge("attendance.csv", BASE_MARKS, BASE_MARKS, broken)
    assert str(refused.value) == "line 2 of the other computer's copy has 3 cells, not 5"
    with pytest.raises(MergeError) as refused:
        merge("attendance.csv", BASE_MARKS, csv("session,who,status,made_up,note"), BASE_MARKS)
    assert str(refused.value) == (
        "the columns differ: this computer's copy has session,who,status,made_up,note,"
        " the copy both computers started from session,participant,status,made_up,note"
    )
    with pytest.raises(MergeError, match="not valid CSV"):
        merge("attendance.csv", BASE_MARKS, BASE_MARKS + '1,p03,"present\r\n', BASE_MARKS)


def test_a_copy_a_spreadsheet_saved_with_semicolons_is_read():
    theirs = "\ufeff" + BASE_MARKS.replace(",", ";").replace("1;p02;present", "1;p02;late")
    merged = both_ways("attendance.csv", BASE_MARKS, BASE_MARKS + csv("2,p01,present,,"), theirs)
    assert merged.text == csv(ATTENDANCE, "1,p01,present,,", "1,p02,late,,", "2,p01,present,,")


def test_the_register_and_copies_file_names_agree_with_their_modules():
    from ipskit.certificates.verifying import COPIES_FILE
    from ipskit.cohorts import merging
    from ipskit.cohorts.certificate_register import REGISTER_FILE

    assert (merging.REGISTER_FILE, merging.COPIES_FILE) == (REGISTER_FILE, COPIES_FILE)


# --- the command git runs -----------------------------------------------------------------------


def run_driver(*args: str, cwd: Path, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    timing = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *timing, "-m", "ipskit", "merge-file", *args], cwd=cwd,
                          env=clean_environment(), capture_output=True, text=True)  # fmt: skip


def copies(folder: Path, base: str, ours: str, theirs: str) -> list[str]:
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_bytes(text.encode("utf-8"))
    return ["base", "ours", "theirs"]


def test_the_command_writes_over_ours_and_says_each_clash(tmp_path):
    ours = csv(ATTENDANCE, "1,p01,absent,,", "1,p02,present,,")
    theirs = csv(ATTENDANCE, "1,p01,late,,", "1,p02,late,,")
    done = run_driver(*copies(tmp_path, BASE_MARKS, ours, theirs),
                      "cohorts/spring/attendance.csv", cwd=tmp_path)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "",
        "cohorts/spring/attendance.csv: session 1, p01 changed on both computers (late / absent);"
        " late stands: ipskit check lists it\n",
    )  # fmt: skip
    assert (tmp_path / "ours").read_bytes() == csv(
        ATTENDANCE, "1,p01,late,,", "1,p01,absent,,", "1,p02,late,,"
    ).encode()
    assert csvio.read_text(tmp_path / "ours").count("\r\n") == 4


def test_the_command_leaves_ours_alone_for_a_broken_copy_or_a_file_it_does_not_know(tmp_path):
    ours = BASE_MARKS + csv("2,p01,present,,")
    names = copies(tmp_path, BASE_MARKS, ours, csv(ATTENDANCE, "1,p01,present"))
    done = run_driver(*names, "cohorts/spring/attendance.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "",
        "cohorts/spring/attendance.csv: line 2 of the other computer's copy has 3 cells, not 5:"
        " git leaves it unmerged, to put right by hand\n",
    )  # fmt: skip
    assert (tmp_path / "ours").read_bytes() == ours.encode()
    done = run_driver(*names, "cohorts/spring/notes.csv", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1,
        "cohorts/spring/notes.csv: not one of a cohort's record files, so git leaves it unmerged:"
        " put the two copies together by hand\n",
    )  # fmt: skip
    (tmp_path / "theirs").write_bytes(b"session,participant\r\n\x00\x00\r\n")
    done = run_driver(*names, "cohorts/spring/attendance.csv", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1,
        "cohorts/spring/attendance.csv:2: not UTF-8 or Windows-1252 text: open it in Excel and"
        " Save As 'CSV UTF-8' (one of the copies git merges)\n",
    )  # fmt: skip
    assert (tmp_path / "ours").read_bytes() == ours.encode()


def test_the_command_is_hidden_from_help_and_completion_and_imports_nothing_heavy(tmp_path):
    shown = subprocess.run([sys.executable, "-m", "ipskit", "--help"], capture_output=True,
                           text=True, env=clean_environment())  # fmt: skip
    assert shown.returncode == 0 and "merge" not in shown.stdout
    env = {**clean_environment(), "_IPSKIT_COMPLETE": "complete_bash",
           "COMP_WORDS": "ipskit me", "COMP_CWORD": "1"}  # fmt: skip
    offered = subprocess.run([sys.executable, "-m", "ipskit"], env=env, capture_output=True,
                             text=True)  # fmt: skip
    assert offered.stdout.split() == []
    names = copies(tmp_path, BASE_MARKS, BASE_MARKS + csv("2,p01,late,,"),
                   BASE_MARKS + csv("3,p01,late,,"))  # fmt: skip
    done = run_driver(*names, "cohorts/spring/attendance.csv", cwd=tmp_path, importtime=True)
    assert done.returncode == 0
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0]
              for line in done.stderr.splitlines() if line.startswith("import time:")}  # fmt: skip
    assert loaded & {"weasyprint", "pydantic", "jinja2", "ruamel", "pypdf", "rich"} == set()


# --- through git itself -------------------------------------------------------------------------


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**clean_environment(), "GIT_CONFIG_GLOBAL": str(repo.parent / "no-gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)


def test_git_merges_two_trainers_marks_and_history_without_a_conflict(tmp_path):
    repo = tmp_path / "riverside"
    cohort = repo / "cohorts" / "spring"
    cohort.mkdir(parents=True)
    assert git(repo, "init", "-q", "-b", "main").returncode == 0
    git(repo, "config", "user.name", "Trainer")
    git(repo, "config", "user.email", "trainer@example.org")
    git(repo, "config", "merge.ipskit.driver",
        f"{shlex.quote(sys.executable)} -m ipskit merge-file %O %A %B %P")  # fmt: skip
    (repo / ".gitattributes").write_text("*.csv merge=ipskit\n")
    start = "2027-03-01T18:00:00+00:00,marked,1,p01,,present,"
    (cohort / "attendance.csv").write_bytes(csv(ATTENDANCE, "1,p01,present,,").encode())
    (cohort / "history.csv").write_bytes(csv(HISTORY, start).encode())
    git(repo, "add", ".")
    assert git(repo, "commit", "-q", "-m", "Our workspace").returncode == 0

    git(repo, "checkout", "-q", "-b", "other")
    (cohort / "attendance.csv").write_bytes(
        csv(ATTENDANCE, "1,p01,present,,", "2,p01,late,,bus").encode())  # fmt: skip
    (cohort / "history.csv").write_bytes(
        csv(HISTORY, start, "2027-03-08T18:10:00+00:00,marked,2,p01,,late,bus").encode())  # fmt: skip
    git(repo, "commit", "-q", "-am", "Session 2")

    git(repo, "checkout", "-q", "main")
    (cohort / "attendance.csv").write_bytes(
        csv(ATTENDANCE, "1,p01,present,,", "1,p02,absent,,").encode())  # fmt: skip
    (cohort / "history.csv").write_bytes(
        csv(HISTORY, start, "2027-03-08T18:05:00+00:00,marked,1,p02,,absent,").encode())  # fmt: skip
    git(repo, "commit", "-q", "-am", "Session 1, p02")

    merged = git(repo, "merge", "--no-edit", "other")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    assert git(repo, "status", "--porcelain").stdout == ""
    assert (cohort / "attendance.csv").read_bytes() == csv(
        ATTENDANCE, "1,p01,present,,", "1,p02,absent,,", "2,p01,late,,bus").encode()  # fmt: skip
    assert (cohort / "history.csv").read_bytes() == csv(
        HISTORY, start, "2027-03-08T18:05:00+00:00,marked,1,p02,,absent,",
        "2027-03-08T18:10:00+00:00,marked,2,p01,,late,bus").encode()  # fmt: skip


def test_git_leaves_a_file_broken_by_hand_unmerged(tmp_path):
    repo = tmp_path / "riverside"
    cohort = repo / "cohorts" / "spring"
    cohort.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Trainer")
    git(repo, "config", "user.email", "trainer@example.org")
    git(repo, "config", "merge.ipskit.driver",
        f"{shlex.quote(sys.executable)} -m ipskit merge-file %O %A %B %P")  # fmt: skip
    (repo / ".gitattributes").write_text("*.csv merge=ipskit\n")
    (cohort / "attendance.csv").write_bytes(csv(ATTENDANCE, "1,p01,present,,").encode())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Our workspace")
    git(repo, "checkout", "-q", "-b", "other")
    (cohort / "attendance.csv").write_bytes(csv(ATTENDANCE, "1,p01,present,,", "2,p01").encode())
    git(repo, "commit", "-q", "-am", "Broken by hand")
    git(repo, "checkout", "-q", "main")
    ours = csv(ATTENDANCE, "1,p01,present,,", "1,p02,absent,,")
    (cohort / "attendance.csv").write_bytes(ours.encode())
    git(repo, "commit", "-q", "-am", "Session 1, p02")

    merged = git(repo, "merge", "--no-edit", "other")
    assert merged.returncode != 0
    assert ("cohorts/spring/attendance.csv: line 3 of the other computer's copy has 2 cells,"
            " not 5: git leaves it unmerged, to put right by hand") in merged.stderr  # fmt: skip
    assert git(repo, "status", "--porcelain").stdout == "UU cohorts/spring/attendance.csv\n"
    assert (cohort / "attendance.csv").read_bytes() == ours.encode()


def test_two_trainers_marking_different_sessions_in_their_own_clones_merge_cleanly(tmp_path):
    import json

    from helpers import make_cohort, make_workspace, run

    first = make_workspace(tmp_path, "first")
    make_cohort(first)
    driver = f"{shlex.quote(sys.executable)} -m ipskit merge-file %O %A %B %P"
    (first / ".gitattributes").write_text("cohorts/*/*.csv merge=ipskit\n")
    git(first, "init", "-q", "-b", "main")
    git(first, "add", ".")
    git(first, "-c", "user.name=A", "-c", "user.email=a@example.org", "commit", "-q", "-m", "Ours")
    second = tmp_path / "second"
    assert git(tmp_path, "clone", "-q", str(first), str(second)).returncode == 0
    for clone, session, absent in ((first, "1", "p02"), (second, "2", "p03")):
        git(clone, "config", "user.name", "Trainer")
        git(clone, "config", "user.email", "trainer@example.org")
        git(clone, "config", "merge.ipskit.driver", driver)
        marked = run("-w", str(clone), "attend", "spring", session, "--absent", absent,
                     "--all-present")  # fmt: skip
        assert marked.exit_code == 0, marked.output
        git(clone, "add", "--all")  # attendance.csv is new on both: git gives an empty base
        assert git(clone, "commit", "-q", "-m", f"Session {session}").returncode == 0

    pulled = git(first, "pull", "--no-rebase", "--no-edit", "-q", str(second), "main")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert git(first, "status", "--porcelain").stdout == ""
    grid = run("-w", str(first), "attendance", "spring", "--json")
    assert grid.exit_code == 0, grid.output
    marks = {p["id"]: p["marks"] for p in json.loads(grid.stdout)["participants"]}
    assert (marks["p02"]["1"], marks["p02"]["2"]) == ("absent", "present")
    assert (marks["p03"]["1"], marks["p03"]["2"]) == ("present", "absent")
    history = (first / "cohorts" / "spring" / "history.csv").read_text(encoding="utf-8")
    assert history.count(",marked,") == 8
