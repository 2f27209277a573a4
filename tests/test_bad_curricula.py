"""Every kind of bad curriculum file is refused with FILE:LINE:COL, exit 1, no traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import MINI, run
from ipskit.courses.curriculum import load


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    """Every case holds with libyaml's parser and with ruamel's own, its fallback."""
    if request.param == "pure-python":
        monkeypatch.setitem(sys.modules, "_ruamel_yaml", None)
    return request.param


def write(tmp_path: Path, text: str, name: str = "course.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def position(text: str, needle: str, occurrence: int = 1) -> str:
    """The 1-based 'LINE:COL' of the n-th occurrence of needle in text."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def refused(path: Path) -> str:
    result = run("curricula", "validate", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr


def test_the_small_curriculum_is_valid(tmp_path):
    path = write(tmp_path, MINI)
    result = run("curricula", "validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: valid (2 sessions, 1.25 contact hours)\n"


def test_tab_indentation(tmp_path):
    text = MINI.replace("  pattern: weekly", "\tpattern: weekly")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, chr(9))}: a tab is used for indentation: indent with spaces only\n"
    )


def test_duplicate_key(tmp_path):
    text = MINI.replace("title: First evening\n", "title: First evening\n    title: Again\n")
    path = write(tmp_path, text)
    first = position(text, "title: First").split(":")[0]
    assert refused(path) == (
        f"{path}:{position(text, 'title: Again')}: duplicate key 'title' (first at line {first})\n"
    )


def test_duplicate_key_at_top_level(tmp_path):
    text = MINI + "id: other\n"
    path = write(tmp_path, text)
    assert (
        refused(path)
        == f"{path}:{position(text, 'id: other')}: duplicate key 'id' (first at line 1)\n"
    )


def test_unknown_key_with_suggestion(tmp_path):
    text = MINI.replace("        minutes: 10\n", "        minuts: 10\n")
    path = write(tmp_path, text)
    where = position(text, "minuts")
    assert refused(path) == (
        f"{path}:{position(text, 'kind: welcome')}:"
        " missing key 'minutes' in sessions[1].blocks[1]\n"
        f"{path}:{where}: unknown key 'minuts' in sessions[1].blocks[1]"
        " (did you mean 'minutes'?)\n"
    )


def test_an_unknown_key_unlike_any_lists_what_is_allowed(tmp_path):
    text = MINI.replace("    length_minutes: 60\n", "    length_minutes: 60\n    speaker: Jo\n")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'speaker')}: unknown key 'speaker' in sessions[1]"
        " (expected one of: title, length_minutes, aim, objectives, preparation, room, team,"
        " online, materials, content_note, key_ideas, blocks, reflection_prompts, homework,"
        " id)\n"
    )


def test_text_where_minutes_belong(tmp_path):
    text = MINI.replace("minutes: 10\n", "minutes: ten\n")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'ten')}: sessions[1].blocks[1].minutes: expected a whole number\n"
    )


def test_quoted_number_where_minutes_belong_is_not_coerced(tmp_path):
    text = MINI.replace("minutes: 10\n", 'minutes: "10"\n')
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, chr(34) + '10')}: sessions[1].blocks[1].minutes:"
        " expected a whole number\n"
    )


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "2024-01-01"])
def test_yaml_1_1_booleans_and_sexagesimals_stay_text(tmp_path, word):
    text = MINI.replace("title: First evening", f"title: {word}")
    curriculum = load(write(tmp_path, text))
    assert curriculum.sessions[0].title == word


def test_a_sexagesimal_clock_stays_text(tmp_path):
    # YAML 1.1 reads 18:30 as 1110 (minutes in base 60); ipskit reads what is written.
    text = MINI.replace('start_time: "18:00"', "start_time: 18:30")
    curriculum = load(write(tmp_path, text))
    assert curriculum.schedule.start_time == "18:30"


@pytest.mark.parametrize("value", ["012", "12", "true", "false", "1.5", "null"])
def test_numbers_and_booleans_where_text_belongs_are_refused(tmp_path, value):
    text = MINI.replace("title: First evening", f"title: {value}")
    path = write(tmp_path, text)
    where = position(text, f"title: {value}")
    line, column = where.split(":")
    if value == "null":
        message = 'sessions[1].title: expected text, but YAML reads null as "nothing":'
        message += ' write it in quotes, "null"'
    else:
        message = (
            f"sessions[1].title: expected text, but YAML reads {value} as a number or"
            f' true/false: write it in quotes, "{value}"'
        )
    assert refused(path) == f"{path}:{line}:{int(column) + 7}: {message}\n"


def test_quoted_012_stays_text(tmp_path):
    text = MINI.replace("title: First evening", 'title: "012"')
    assert load(write(tmp_path, text)).sessions[0].title == "012"


def test_yes_where_a_boolean_belongs_is_refused(tmp_path):
    text = MINI.replace("  pattern: weekly\n", "  pattern: daily\n  weekends: yes\n")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'yes')}: schedule.weekends: expected true or false\n"
    )


def test_alias_bomb(tmp_path):
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        rows.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    text = "\n".join(rows) + "\n"
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:1:4: anchors (&a) are not allowed: write each value out in full\n"
    )


def test_alias_is_refused_where_it_is_used(tmp_path):
    text = MINI.replace("objectives: [Reflect]", "objectives: *x")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '*x')}: aliases (*x) are not allowed:"
        " write the value out in full\n"
    )


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/name:os.system",
        "!custom",
    ],
)
def test_tags_are_refused(tmp_path, tag):
    text = MINI.replace("summary: Two short evenings.", f"summary: {tag} ['echo hi']")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, tag)}: tags such as '{tag}' are not allowed\n"
    )


def test_second_document_is_refused(tmp_path):
    text = MINI + "---\nid: other\n"
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, '---')}: only one YAML document is allowed per file\n"
    )


def test_broken_syntax(tmp_path):
    text = MINI.replace("  - What is said here stays here.", "  - [unclosed")
    path = write(tmp_path, text)
    stderr = refused(path)
    assert stderr.startswith(f"{path}:")
    assert ": not valid YAML: " in stderr
    assert stderr.count("\n") == 1


def test_empty_value_where_text_belongs(tmp_path):
    text = MINI.replace("aim: Meet each other.", "aim:")
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'aim:')}: sessions[1].aim: expected text, but the value is empty\n"
    )


def test_empty_file(tmp_path):
    path = write(tmp_path, "\n# nothing\n")
    assert refused(path) == f"{path}:1:1: the file is empty\n"


def test_not_utf8(tmp_path):
    path = tmp_path / "course.yaml"
    path.write_bytes(MINI.encode("utf-8") + "audience: café\n".encode("cp1252"))
    line = MINI.count("\n") + 1
    assert refused(path) == (
        f"{path}:{line}:1: not UTF-8 text: save the file as UTF-8 and try again\n"
    )


def test_missing_file(tmp_path):
    assert refused(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: no such file\n"


def test_every_problem_is_reported_in_file_order(tmp_path):
    text = MINI.replace("minutes: 10\n", "minutes: ten\n").replace(
        '  start_time: "18:00"\n', '  start_time: "18:00"\n  colour: red\n'
    )
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path}:{position(text, 'colour')}: unknown key 'colour' in schedule"
        " (expected one of: pattern, start_time)\n"
        f"{path}:{position(text, 'ten')}: sessions[1].blocks[1].minutes: expected a whole number\n"
    )
