"""Hostile and unlucky input costs little and gets one clear line.

Nested YAML, a roster file of 20,000 rows, minutes that are not numbers, dates in the
year 9999, Windows device names as ids, and bytes from a terminal that is not UTF-8:
each is refused (or bounded), with nothing written. Memory is bounded by measuring a
child process; speed is in ``benchmarks/hostile_input.py``, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from helpers import MINI, make_cohort, make_workspace, run
from ipskit.core.store import LOCK_FILE
from ipskit.core.yamlio import MAX_DEPTH, MAX_FILE_BYTES

hostile = pytest.mark.hostile

#: Peak memory a refusal may take, whatever the file: Python and the CLI need ~40 MB.
MEMORY_BOUND_MB = 200


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes (lock files aside: an
    empty lock file made by a refused change holds nothing)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK_FILE
    }


def ipskit_in_child(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run ipskit in a child of a child, and that grandchild's peak memory in MB.

    The measuring process is fresh, so RUSAGE_CHILDREN holds only this ipskit run, not
    anything else the test session started.
    """
    probe = textwrap.dedent(
        """
        import json, resource, subprocess, sys
        done = subprocess.run([sys.executable, "-m", "ipskit", *json.loads(sys.argv[1])],
                              capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps([done.returncode, done.stdout, done.stderr, peak]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)],
        capture_output=True, text=True, cwd=cwd, check=True,
    )  # fmt: skip
    code, stdout, stderr, peak = json.loads(out.stdout)
    return subprocess.CompletedProcess(args, code, stdout, stderr), peak


# --- YAML: size and depth ---------------------------------------------------------------------


def brackets(size: int) -> str:
    """A curriculum of ``size`` bytes that is nothing but nested brackets."""
    depth = (size - 20) // 2
    return "id: x\nsessions: " + "[" * depth + "]" * depth + "\n"


@hostile
@pytest.mark.parametrize("size", [60_000, 200_000], ids=["60KB", "200KB"])
def test_nested_brackets_in_a_curriculum_are_refused_in_bounded_memory(tmp_path, size):
    (tmp_path / "nested.yaml").write_text(brackets(size))
    result, peak = ipskit_in_child("curricula", "validate", "nested.yaml", cwd=tmp_path)
    assert result.returncode == 1
    # The root map is level 1; 'sessions: ' ends at column 10, then one level per '['.
    assert result.stderr == (
        f"nested.yaml:2:{11 + MAX_DEPTH - 1}: nested more than {MAX_DEPTH} levels deep:"
        " no ipskit file needs this; check the brackets and the indentation\n"
    )
    assert peak < MEMORY_BOUND_MB, f"{peak:.0f} MB"


@hostile
def test_deep_indentation_in_a_curriculum_is_refused(tmp_path):
    text = "".join("  " * level + f"k{level}:\n" for level in range(200)) + "  " * 200 + "x\n"
    (tmp_path / "deep.yaml").write_text(text)
    result = run("curricula", "validate", "deep.yaml")
    assert result.exit_code == 1
    # The map one level too deep starts on line 65, indented 128 spaces.
    assert result.stderr == (
        f"deep.yaml:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep:"
        " no ipskit file needs this; check the brackets and the indentation\n"
    )


def test_sixty_four_levels_are_still_read(tmp_path):
    """The limit is where it says: a file exactly that deep is read as usual."""
    from ipskit.core.yamlio import parse

    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    data = parse(text, tmp_path / "ok.yaml").data
    depth = 1
    node = data["a"]
    while node != []:
        node, depth = node[0], depth + 1
    assert depth == MAX_DEPTH - 1


@hostile
def test_a_curriculum_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("id: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    result = run("curricula", "validate", "huge.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "huge.yaml:1:1: the file is larger than 2 MB, far more than any ipskit file needs:"
        " is it the right file?\n"
    )


@hostile
@pytest.mark.parametrize("command", [("cohorts",), ("status", "spring")], ids=["cohorts", "status"])
def test_nested_brackets_in_cohort_yaml_are_refused_in_bounded_memory(tmp_path, command):
    ws = make_workspace(tmp_path)
    cohort = make_cohort(ws, people=())
    settings = cohort / "cohort.yaml"
    lines = settings.read_text().splitlines()
    depth = 21_000  # 42 KB of brackets
    lines.append("venue2: " + "[" * depth + "]" * depth)
    settings.write_text("\n".join(lines) + "\n")
    before = snapshot(ws)
    result, peak = ipskit_in_child("-w", str(ws), *command, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"{settings}:{len(lines)}:{9 + MAX_DEPTH - 1}: nested more than {MAX_DEPTH} levels"
        " deep: no ipskit file needs this; check the brackets and the indentation\n"
    )
    assert peak < MEMORY_BOUND_MB, f"{peak:.0f} MB"
    assert snapshot(ws) == before


# --- the roster: linear, and no more people than the course is for ----------------------------


def people_csv(path: Path, count: int, start: int = 0) -> Path:
    rows = "".join(f"Person {n} Ñandú,p{n}@example.org\n" for n in range(start, start + count))
    path.write_text("Full name,Email\n" + rows, encoding="utf-8")
    return path


@pytest.fixture
def open_ended(tmp_path):
    """A workspace whose curriculum 'mini' sets no max_participants."""
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "mini.yaml").write_text(MINI)
    assert "max_participants" not in MINI
    make_cohort(ws, "big", "mini", people=())
    return ws


@hostile
@pytest.mark.parametrize(
    ("curriculum", "limit", "course"),
    [("ips-10-week", 14, "the course ips-10-week is for"), ("mini", 5000, "an import allows")],
    ids=["curriculum-max", "no-max"],
)
def test_a_roster_of_20000_rows_is_refused_unread(tmp_path, curriculum, limit, course):
    ws = make_workspace(tmp_path)
    (ws / "curricula" / "mini.yaml").write_text(MINI)
    make_cohort(ws, "spring", curriculum, people=())
    csv = people_csv(tmp_path / "people.csv", 20_000)
    before = snapshot(ws)
    result = run("-w", str(ws), "roster", "spring", "import", str(csv))
    assert result.exit_code == 1
    # The header is line 1, so the person one too many is on line limit + 2.
    assert result.stderr == (
        f"{csv}:{limit + 2}: more than the {limit} people {course}: import a shorter list;"
        " nothing was changed\n"
    )
    assert snapshot(ws) == before


@hostile
def test_new_cohort_with_a_roster_over_the_maximum_leaves_no_cohort(tmp_path):
    ws = make_workspace(tmp_path)
    csv = people_csv(tmp_path / "people.csv", 15)
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-10-week",
                 "--start", "2027-01-06", "--roster", str(csv))  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"{csv}:16: more than the 14 people the course ips-10-week is for: import a shorter"
        " list; nothing was changed\n"
    )
    assert sorted(p.name for p in (ws / "cohorts").iterdir()) == []


@hostile
def test_an_import_that_would_take_the_roster_past_the_maximum_is_refused(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws)  # four people on a course for 14
    csv = people_csv(tmp_path / "people.csv", 11)
    before = snapshot(ws)
    result = run("-w", str(ws), "roster", "spring", "import", str(csv))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{csv}: the roster would hold more than the 14 people the course ips-10-week is for;"
        " nothing was changed\n"
    )
    assert snapshot(ws) == before
    csv = people_csv(tmp_path / "ten.csv", 10)
    assert run("-w", str(ws), "roster", "spring", "import", str(csv)).exit_code == 0


@hostile
def test_3000_rows_are_imported_and_duplicates_found_by_index(open_ended, tmp_path):
    csv = people_csv(tmp_path / "people.csv", 3000)
    result = run("-w", str(open_ended), "roster", "big", "import", str(csv))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added 3000 participants:\n  p01 Person 0 Ñandú\n")
    assert result.stdout.endswith("\n  p3000 Person 2999 Ñandú\n")
    # Again, with 10 new rows and the same people under other spellings and emails:
    again = tmp_path / "again.csv"
    rows = ["Full name,Email", "PERSON 5 ÑANDÚ,", "someone,P7@EXAMPLE.ORG", "New One,n1@x.org",
            "new one,"]  # fmt: skip
    again.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("-w", str(open_ended), "roster", "big", "import", str(again))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added 1 participant:\n"
        "  p3001 New One\n"
        "  line 2: already on the roster as p06 Person 5 Ñandú; not added again\n"
        "  line 3: already on the roster as p08 Person 7 Ñandú; not added again\n"
        "  line 5: already on the roster as p3001 New One; not added again\n"
    )


# --- numbers and dates ------------------------------------------------------------------------


ZOOM = "Name (Original Name),User Email,Duration (Minutes)\nSiân Hughes,,95\n"


@hostile
@pytest.mark.parametrize(
    ("given", "shown"),
    [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), ("-5", "-5"), ("1441", "1441"),
     ("1e400", "inf")],
)  # fmt: skip
def test_min_minutes_must_be_a_finite_number_in_a_day(tmp_path, given, shown):
    ws = make_workspace(tmp_path)
    make_cohort(ws)
    (tmp_path / "zoom.csv").write_text(ZOOM)
    before = snapshot(ws)
    result = run("-w", str(ws), "attend", "spring", "1", "--import", str(tmp_path / "zoom.csv"),
                 f"--min-minutes={given}")  # fmt: skip
    assert result.exit_code == 2
    assert (
        f"Invalid value for '--min-minutes': {shown} is not a number of minutes from 0 to 1440"
        in result.stderr
    )
    assert snapshot(ws) == before


def test_min_minutes_in_range_is_used(tmp_path):
    ws = make_workspace(tmp_path)
    make_cohort(ws)
    (tmp_path / "zoom.csv").write_text(ZOOM)
    result = run("-w", str(ws), "attend", "spring", "1", "--import", str(tmp_path / "zoom.csv"),
                 "--min-minutes", "90.5")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "present means at least 90.5 minutes" in result.stdout


@hostile
@pytest.mark.parametrize("value", ["9" * 400, "9" * 5000, "1:" + "9" * 5000])
def test_a_meeting_report_duration_of_a_thousand_digits_is_refused(tmp_path, value):
    ws = make_workspace(tmp_path)
    make_cohort(ws)
    report = tmp_path / "zoom.csv"
    report.write_text(f"Name (Original Name),User Email,Duration (Minutes)\nSiân Hughes,,{value}\n")
    before = snapshot(ws)
    result = run("-w", str(ws), "attend", "spring", "1", "--import", str(report))
    assert result.exit_code == 1
    assert result.stderr == (f"{report}:2: duration '{value[:29]}…' is not a length of time\n")
    assert snapshot(ws) == before


@hostile
@pytest.mark.parametrize(
    ("option", "given"),
    [("--start", "9999-12-20"), ("--start", "31/12/2201"), ("--start", "1899-12-31"),
     ("--skip", "9999-12-31")],
)  # fmt: skip
def test_dates_outside_1900_to_2200_are_refused(tmp_path, option, given):
    ws = make_workspace(tmp_path)
    args = {"--start": "2027-01-06", option: given}
    result = run("-w", str(ws), "new-cohort", "spring", "--curriculum", "ips-10-week",
                 *[part for pair in args.items() for part in pair])  # fmt: skip
    assert result.exit_code == 2
    assert (
        f"Invalid value for {option}: '{given}': expected a date from the year 1900 to 2200"
        in result.stderr
    )
    assert list((ws / "cohorts").iterdir()) == []


@hostile
def test_a_far_future_start_from_python_is_one_error(tmp_path):
    from ipskit.cohorts.newcohort import create_cohort
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import Workspace

    ws = make_workspace(tmp_path)
    with pytest.raises(IpskitError) as raised:
        create_cohort(Workspace(ws), "spring", "ips-10-week", date(9999, 12, 20))
    assert str(raised.value) == (
        "the start date 9999-12-20: expected a date from the year 1900 to 2200"
    )


@hostile
def test_a_far_future_date_written_into_cohort_yaml_is_refused_with_its_place(tmp_path):
    ws = make_workspace(tmp_path)
    cohort = make_cohort(ws, people=())
    settings = cohort / "cohort.yaml"
    text = settings.read_text()
    at = text.index('date: "', text.index("number: 1,")) + len('date: "')
    settings.write_text(text[:at] + "9999" + text[at + 4 :])
    line = text[:at].count("\n") + 1
    column = at - text.rindex("\n", 0, at) - 1  # of the opening quote, where the value starts
    result = run("-w", str(ws), "status", "spring")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{settings}:{line}:{column}: sessions[1].date: expected a date from the year 1900 to"
        " 2200\n"
    )


# --- names Windows keeps for devices ----------------------------------------------------------


@hostile
@pytest.mark.parametrize("cohort_id", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"])
def test_windows_device_names_are_refused_as_cohort_ids(tmp_path, cohort_id):
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "new-cohort", cohort_id, "--curriculum", "ips-taster",
                 "--start", "2027-01-06")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"'{cohort_id}' cannot be a cohort id: Windows keeps that name for a device, so the"
        " cohort's folder could not be opened there; choose another\n"
    )
    assert list((ws / "cohorts").iterdir()) == []


@hostile
@pytest.mark.parametrize("cohort_id", ["CON", "Nul", "con.csv", "aux.txt"])
def test_device_names_in_other_cases_or_with_extensions_are_not_ids_either(tmp_path, cohort_id):
    ws = make_workspace(tmp_path)
    result = run("-w", str(ws), "new-cohort", cohort_id, "--curriculum", "ips-taster",
                 "--start", "2027-01-06")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith(f"'{cohort_id}' cannot be a cohort id:")
    assert list((ws / "cohorts").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "reserved"),
    [("con", True), ("CON", True), ("nul.csv", True), ("Com1", True), ("lpt9.tar.gz", True),
     ("aux ", True), ("com0", False), ("com10", False), ("console", False), ("spring", False),
     ("p01", False)],
)  # fmt: skip
def test_windows_reserved_names(name, reserved):
    from ipskit.core.store import windows_reserved

    assert windows_reserved(name) is reserved


@hostile
def test_windows_device_names_are_refused_as_curriculum_ids(tmp_path):
    (tmp_path / "con.yaml").write_text(MINI.replace("id: mini", "id: con"))
    result = run("curricula", "validate", "con.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "con.yaml:1:5: id: Windows keeps this name for a device: choose another id\n"
    )


# --- bytes that are not UTF-8 on the command line ---------------------------------------------


@hostile
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([b"roster", b"spring", b"add", b"Jos\xe9"],
         "word 4 of the command is not UTF-8 text (it has the byte 0xE9)"),
        ([b"roster", b"spring", b"add", b"Sam", b"--pronouns", b"\xe9l"],
         "word 6 of the command (the value of --pronouns) is not UTF-8 text (it has the byte"
         " 0xE9)"),
        ([b"attend", b"spring", b"1", b"--present", b"Si\xe2n", b"--note", b"ok"],
         "word 5 of the command (the value of --present) is not UTF-8 text (it has the byte"
         " 0xE2)"),
        ([b"new-cohort", b"autumn", b"--curriculum", b"ips-taster", b"--start", b"2027-01-06",
          b"--venue=Caf\xe9"],
         "word 7 of the command (the value of --venue) is not UTF-8 text (it has the byte"
         " 0xE9)"),
        ([b"new-cohort", b"autumn", b"--curriculum", b"ips-taster", b"--start", b"2027-01-06",
          b"--venue", b"Room 1/Caf\xe9"],
         "a word of the command is not UTF-8 text (it has the byte 0xE9)"),
    ],
    ids=["name", "pronouns", "present", "venue=", "venue with a slash"],
)  # fmt: skip
def test_bytes_that_are_not_utf8_are_refused_by_position(tmp_path, args, message):
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=())
    before = snapshot(ws)
    done = subprocess.run([sys.executable, "-m", "ipskit", *args], capture_output=True, cwd=ws)
    assert done.returncode == 1
    assert done.stderr.decode() == f"{message}: set the terminal to UTF-8 and type it again\n"
    assert done.stdout == b""
    assert snapshot(ws) == before


def test_a_path_with_bytes_that_are_not_utf8_still_names_a_file(tmp_path):
    """Old disks hold such file names; a word with a slash is a path, and is let through."""
    ws = make_workspace(tmp_path)
    make_cohort(ws, people=())
    (tmp_path / "gr\xfcn.csv".encode("latin-1").decode("utf-8", "surrogateescape")).write_text(
        "Full name\nAmara Okafor\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "ipskit", b"roster", b"spring", b"import", b"../gr\xfcn.csv"],
        capture_output=True, cwd=ws,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"Added 1 participant:\n  p01 Amara Okafor\n"


@hostile
@pytest.mark.parametrize("value", [".nan", ".inf", ".NaN", "-.inf"])
def test_a_curriculum_number_must_be_finite(tmp_path, value):
    rules = "  min_attendance_percent: 50\n"
    text = MINI.replace(rules, f"{rules}  max_missed_hours: {value}\n")
    (tmp_path / "odd.yaml").write_text(text)
    line = text[: text.index("max_missed_hours")].count("\n") + 1
    result = run("curricula", "validate", "odd.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"odd.yaml:{line}:21: completion.max_missed_hours: should be a finite number\n"
    )
