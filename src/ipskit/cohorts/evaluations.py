"""The end-of-course evaluation: anonymous ratings, 1 (not at all) to 5 (very much).

The curriculum's ``evaluation:`` lists the form's statements. Each completed form is a
*response*: a number and its ratings, kept in the cohort's ``evaluations.csv`` with
nothing that ties it to a participant. Responses are typed in one form at a time, or
imported from a spreadsheet or a Google or Microsoft Forms export, whose other columns
(a name, an email address, a comment) are never read.

An import remembers each row it read as a digest, in ``evaluations-imported.csv``, so
that importing the same file again, or a later export of the same form that still holds
the earlier answers, adds only the rows not read before. A digest is made from the
row's ratings and the form's own time and response-number columns, never from a name
or an email column; a spreadsheet without such columns (forms typed in from paper) has
its rows told apart by the file's name and their place in it.

Figures are counts and averages only: both are hidden for a question fewer than
:data:`~ipskit.cohorts.ratings.MIN_PEOPLE` people answered, where they would show
someone's own answer.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ipskit.cohorts.ratings import MIN_PEOPLE
from ipskit.cohorts.roster_columns import label
from ipskit.cohorts.roster_file import HEADER_SEARCH, MAX_BYTES, csv_records
from ipskit.core.csvio import read_import, restore
from ipskit.core.errors import FileProblemsError, IpskitError

if TYPE_CHECKING:
    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.records import Records

SCALE = "1 (not at all) to 5 (very much)"
RATINGS = (1, 2, 3, 4, 5)


# --- the form ------------------------------------------------------------------------------


def questions_of(cohort: Cohort) -> dict[str, str]:
    """The statements of a cohort's evaluation form by id, from its own curriculum copy.

    Empty when its curriculum has no evaluation form.
    """
    from ipskit.cohorts.cohort import CURRICULUM_FILE
    from ipskit.courses.curriculum import load

    evaluation = load(cohort.file(CURRICULUM_FILE)).evaluation
    return {q.id: q.text for q in evaluation.questions} if evaluation else {}


def form_questions(cohort: Cohort) -> dict[str, str]:
    """:func:`questions_of`, or an error saying that the course has no evaluation form."""
    found = questions_of(cohort)
    if not found:
        raise IpskitError(
            f"the curriculum of cohort {cohort.id} has no evaluation form (its"
            " 'evaluation:' part lists the statements to rate)"
        )
    return found


def parse_answers(items: Sequence[str], known: dict[str, str]) -> dict[str, int]:
    """``safe=5 learned=4`` checked against the form's questions (others left unanswered).

    A question may also be given by its number on the printed form: ``1=5 2=4``.
    """
    numbered = {str(place): question for place, question in enumerate(known, start=1)}
    found: dict[str, int] = {}
    for item in items:
        key, _, value = item.partition("=")
        key = key.strip().lower()
        key = key if key in known else numbered.get(key, key)
        if key not in known:
            raise IpskitError(
                f"'{key}' is not a question of this course's evaluation; it has:"
                f" {', '.join(known)} (or 1 to {len(known)}, as numbered on the form)"
            )
        if value.strip() not in ("1", "2", "3", "4", "5"):
            raise IpskitError(f"{item}: give a rating from {SCALE}, e.g. {key}=4")
        if key in found:
            raise IpskitError(f"{key} is answered twice")
        found[key] = int(value)
    if not found:
        raise IpskitError(f"give at least one rating, e.g. {next(iter(known), 'safe')}=4")
    return found


# --- the figures ---------------------------------------------------------------------------


class QuestionFigures(NamedTuple):
    """How people rated one statement of the form: counts and the average only."""

    question: str
    text: str
    answers: int  # how many rated it
    counts: tuple[int, ...] | None  # how many gave each rating, 1 to 5; hidden when too few
    average: float | None  # hidden (None) when too few rated it


def summary(responses: Iterable[dict[str, int]],
            questions: Sequence[tuple[str, str]]) -> list[QuestionFigures]:  # fmt: skip
    """For each question (id, text), the ratings given, anonymously."""
    given: dict[str, list[int]] = {question: [] for question, _ in questions}
    for answers in responses:
        for question, rating in answers.items():
            if question in given:  # a question since taken off the form is not counted
                given[question].append(rating)
    rows = []
    for question, text in questions:
        values = given[question]
        shown = len(values) >= MIN_PEOPLE
        rows.append(
            QuestionFigures(
                question, text, len(values),
                tuple(values.count(r) for r in RATINGS) if shown else None,
                round(sum(values) / len(values), 2) if shown else None,
            )  # fmt: skip
        )
    return rows


def figures_json(row: QuestionFigures) -> dict[str, object]:
    """One question's figures by name, as JSON gives them."""
    return {
        "question": row.question,
        "text": row.text,
        "answers": row.answers,
        "ratings": dict(zip(map(str, RATINGS), row.counts, strict=True)) if row.counts else None,
        "average": row.average,
    }


# --- reading a form's answers from a file --------------------------------------------------


@dataclass(frozen=True)
class FormRow:
    """One person's answers read from a file: their ratings, and the row's digest."""

    line: int
    answers: dict[str, int]
    digest: str


@dataclass(frozen=True)
class FormFile:
    """The answers in a file, the rows passed over, and the columns read."""

    rows: tuple[FormRow, ...]
    skipped: tuple[tuple[int, str], ...]  # (line, why)
    columns: dict[str, tuple[int, str]]  # question id: its ratings' column (from 1), heading
    ignored: int  # how many other columns there were (names, emails...), none of them read
    missing: tuple[str, ...] = ()  # the questions no column holds


#: The columns a form tool adds to tell its responses apart: when each was sent, and its
#: own number for it (Google Forms, Microsoft Forms, Typeform, SurveyMonkey). Read only
#: into digests. A plain "ID" is not one of them: in a spreadsheet of one's own it may be
#: a participant's id, which would tie the row's digest to them.
_WHEN = frozenset({
    "timestamp", "response id", "respondent id", "start time", "completion time",
    "last modified time", "submitted at", "submit date", "start date", "end date",
    "date submitted", "submission date", "date", "time",
})  # fmt: skip
_ZIP = b"PK\x03\x04"  # .xlsx
_OLD_WORKBOOK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls
_SEP_HINT = re.compile(r"sep=([^\w\s\"'])[ \t]*(?:\r\n|\r|\n|\Z)")
_GRID_ROW = re.compile(r"\[([^\[\]]+)\]$")  # Google Forms: "Please rate [I felt safe]"
_NUMBERED = re.compile(r"^(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):-]?\s+")  # "1. I felt safe"
# "5", "5.0", "5 - very much", "5 (very much)": the number counts, the words are its label.
_RATING = re.compile(r"([1-5])(?:\.0+)?(?:\s*[-\u2013\u2014:=.)]?\s*[^\W\d_].*|\s*\(.*)?")
_WORDS = {"not at all": 1, "very much": 5}
_STRAIGHT = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")  # typographers' quotes
_MOST_PROBLEMS = 100


def read_form(path: Path, questions: dict[str, str]) -> FormFile:
    """The ratings in a CSV file or Excel workbook of form answers, checked cell by cell.

    Each column whose heading is a question's id, its words (case, spacing and a
    closing "?" or "." aside) or its number on the printed form holds that question's
    ratings; every other column is passed over. A cell is a rating from 1 to 5, written
    alone or with its label ("5 - very much"), or empty for a question left unanswered.
    Every cell that is not is one line of the :class:`FileProblemsError` raised,
    ``FILE:ROW:COLUMN``.
    """
    path = Path(path)
    data = read_import(path, MAX_BYTES, "a form's answers")
    if data.startswith(_ZIP) or path.suffix.lower() in (".xlsx", ".xlsm"):
        from ipskit.cohorts.roster_workbook import sheet_rows

        _, sheet = sheet_rows(path, data)
        first = list(itertools.islice(sheet, HEADER_SEARCH))
        header = _header(first, questions)
        if header is None:
            raise _no_questions(path, first, questions)
        return _read_rows(path, itertools.chain(first, sheet), header, questions, None)
    if data.startswith(_OLD_WORKBOOK):
        from ipskit.cohorts.roster_workbook import RESAVE_WORKBOOK

        raise FileProblemsError([f"{path}:1: an old Excel workbook (.xls): {RESAVE_WORKBOOK}"])
    from ipskit.core.csvio import read_text

    text = read_text(path)
    if not re.sub(r'[\s,;"\ufeff]', "", text):
        raise FileProblemsError([f"{path}: the file is empty"])
    hint = _SEP_HINT.match(text)
    best: tuple[int, str, int] | None = None  # questions found, separator, header's place
    for delimiter in (hint.group(1),) if hint else (",", ";", "\t"):
        try:
            first = list(itertools.islice(csv_records(path, text, delimiter), HEADER_SEARCH))
        except FileProblemsError:
            continue  # not this separator, or the file's fault: told below if none fits
        found = _header(first, questions)
        if found is not None and (best is None or len(found[1]) > best[0]):
            best = (len(found[1]), delimiter, found[0])
    if best is None:
        first = list(itertools.islice(csv_records(path, text, hint.group(1) if hint else ","),
                                      HEADER_SEARCH))  # fmt: skip
        raise _no_questions(path, first, questions)
    _, delimiter, index = best
    records = list(csv_records(path, text, delimiter))
    header = _header(records[index : index + 1], questions)
    assert header is not None  # found there before
    return _read_rows(path, iter(records), (index, header[1]), questions, delimiter)


def _normal(cell: str) -> str:
    """A heading or a statement as compared: case, spacing and closing marks aside."""
    text = label(cell).casefold().translate(_STRAIGHT)
    return " ".join(text.split()).strip("\"'").rstrip(" ?:*.!")


def _columns(row: Sequence[str], questions: dict[str, str]) -> dict[str, list[int]]:
    """The columns of a header row that hold each question, by id."""
    wanted = {question: question for question in questions}
    wanted.update({_normal(text): question for question, text in questions.items()})
    for place, question in enumerate(questions, start=1):  # as numbered on the printed form
        for heading in (str(place), f"q{place}", f"question {place}"):
            wanted.setdefault(heading, question)  # an id or words of that spelling win
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(row):
        heading = _normal(cell)
        grid = _GRID_ROW.search(heading)
        for candidate in (heading, _normal(grid.group(1)) if grid else "",
                          _NUMBERED.sub("", heading)):  # fmt: skip
            if candidate and candidate in wanted:
                found.setdefault(wanted[candidate], []).append(index)
                break
    return found


def _header(
    records: Sequence[tuple[int, list[str]]], questions: dict[str, str]
) -> tuple[int, dict[str, list[int]]] | None:
    """The place of the first record that names a question, and its question columns."""
    for index, (_, row) in enumerate(records):
        found = _columns(row, questions)
        if found:
            return index, found
    return None


def _no_questions(path: Path, first: Sequence[tuple[int, list[str]]],
                  questions: dict[str, str]) -> FileProblemsError:  # fmt: skip
    filled = [line for line, row in first if any(cell.strip() for cell in row)]
    if not filled:
        return FileProblemsError([f"{path}: the file is empty"])
    return FileProblemsError(
        [f"{path}:{filled[0]}: no column is a question of the evaluation form: head each"
         " column with a question's id or its words; the questions are"
         f" {', '.join(questions)}"]
    )  # fmt: skip


def _read_rows(
    path: Path, records: Iterator[tuple[int, list[str]]],
    header: tuple[int, dict[str, list[int]]], questions: dict[str, str],
    delimiter: str | None,
) -> FormFile:  # fmt: skip
    """Every row after the header: its ratings, or one problem for each cell that is none."""
    index, found = header
    problems: list[str] = []
    top, head = next(itertools.islice(records, index, None))  # past any title rows above it
    for question, cols in found.items():
        if len(cols) > 1:
            problems.append(f"{path}:{top}:{cols[1] + 1}: a second column for {question}"
                            f" (the first is column {cols[0] + 1}): keep one")  # fmt: skip
    # In the form's order, so that each response keeps its ratings in that order.
    columns = {question: found[question][0] for question in questions if question in found}
    when = [i for i, cell in enumerate(head)
            if _normal(cell).removesuffix(" (utc)") in _WHEN]  # fmt: skip
    rows: list[FormRow] = []
    skipped: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    headings = [label(cell) for cell in head]
    number = 0  # the row's place among those with something in them
    for line, row in records:
        cells = [restore(cell).strip() for cell in row]
        if not any(cells):
            continue
        number += 1
        if cells[: len(headings)] == headings:
            skipped.append((line, "the header row again"))
            continue
        if delimiter is not None and len(row) > len(head) and any(cells[len(head) :]):
            problems.append(f"{path}:{line}: {len(row)} cells, but the header has {len(head)}:"
                            " put quotes around any cell with a separator in it")  # fmt: skip
            continue
        answers: dict[str, int] = {}
        for question, column in columns.items():
            cell = cells[column] if column < len(cells) else ""
            if not cell:
                continue
            value = rating(cell)
            if value is None:
                shown = cell if len(cell) <= 40 else cell[:39] + "…"
                problems.append(f'{path}:{line}:{column + 1}: {question}: "{shown}" is not a'
                                f" rating from {SCALE}")  # fmt: skip
                continue
            answers[question] = value
        if not answers:
            skipped.append((line, "no ratings"))
            continue
        key = "\x1f".join([*(f"{q}={v}" for q, v in sorted(answers.items())),
                           *(cells[i] if i < len(cells) else "" for i in when)])  # fmt: skip
        if not when:  # typed in from paper: told apart by the file and their place in it
            key = f"{path.name.casefold()}\x1f{number}\x1f{key}"
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()[:32]
        rows.append(FormRow(line, answers, digest))
    if problems:
        more = len(problems) - _MOST_PROBLEMS
        if more > 0:
            problems = [*problems[:_MOST_PROBLEMS], f"{path}: and {more} more like these"]
        raise FileProblemsError(problems)
    named = {question: (column + 1, label(head[column])) for question, column in columns.items()}
    ignored = sum(1 for i, cell in enumerate(head) if i not in columns.values() and cell.strip())
    missing = tuple(question for question in questions if question not in columns)
    return FormFile(tuple(rows), tuple(skipped), named, ignored, missing)


def rating(cell: str) -> int | None:
    """A rating as a form tool or a person wrote it, or None if it is none."""
    found = _RATING.fullmatch(cell.strip())
    if found:
        return int(found.group(1))
    return _WORDS.get(" ".join(cell.casefold().split()).rstrip("."))


# --- importing -----------------------------------------------------------------------------


@dataclass
class Imported:
    """What an import added, and the rows it left out."""

    form: FormFile
    added: list[int] = field(default_factory=list)  # the new responses' numbers
    before: list[int] = field(default_factory=list)  # lines imported by an earlier import


def import_responses(records: Records, form: FormFile, source: Path) -> Imported:
    """Add the rows of a form file not imported before, each as a new response."""
    done = Imported(form)
    for row in form.rows:
        if row.digest in records.imported:
            done.before.append(row.line)
            continue
        done.added.append(records.add_response(row.answers, digest=row.digest,
                                               note=source.name))  # fmt: skip
    return done
