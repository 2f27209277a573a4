"""Merging a cohort's record file that two computers changed: what git asks ipskit to do.

Trainers who share a workspace through git each change their own copy; git then meets a
record file changed on both sides. Left to itself it merges lines, and two marks for
different people in neighbouring rows stop it. :func:`merge` merges rows instead, by
what each file holds:

- **A file of one row per key** (the roster by id, attendance by session and person...):
  a change on either side is kept, a row removed on one side and untouched on the other
  is removed. Two changes to different cells of one row are both kept (one trainer
  corrects an email, the other the pronouns). A cell changed two ways is a *clash*: both
  rows are written, one after the other, and the first stands until someone settles it.
  Which one stands never depends on which computer merges: the row that sorts after the
  other. A row removed on one side and changed on the other is kept, changed. A row
  recorded on both sides (a new mark, a new person) is never mixed from the two: they
  may be about two people. A person forgotten on one side and changed on the other
  keeps both rows, the erased one first, so that ``forget`` (which ``ipskit check``
  names) can finish the erasure with the name.
- **Evaluation responses** are numbered 1, 2, 3... on each computer: two new responses
  with the same number are two forms, and one side's are numbered after the last.
- **An append-only file** (the history, the certificate register, what was sent...) keeps
  every row of both sides: the rows both started from, then each side's new rows in time
  order. A row a side rewrote in place (``forget`` blanks notes and names) takes that
  side's version; where both rewrote it, their erasures are put together. Rows the other
  side added for a person erased on one side lose their notes (history) or name (register)
  too.

In every file, where two rows are merged cell by cell, a cell that may hold a name or
what someone said (a note, an email, a name on a certificate) that one side blanked, or
erased a name in, keeps that erasure whatever the other side wrote in it: the blanking
may have been an erasure.

Merging (base, A, B) and (base, B, A) gives the same bytes, so two trainers who each
merge the other's work end with the same file; a file untouched since ipskit wrote it is
written back byte for byte (the header, quoting and CRLF line ends of
:func:`ipskit.core.csvio.to_text`). Cells are merged as written, apostrophe guards and
all. This module imports nothing heavy: git runs it once for every file it merges.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

from ipskit.cohorts.record_types import (
    AGREEMENTS_FILE,
    ASSESSMENTS_FILE,
    ATTENDANCE_FILE,
    EVALUATIONS_FILE,
    EVALUATIONS_IMPORTED_FILE,
    FOLLOWUPS_FILE,
    HISTORY_FILE,
    RATINGS_FILE,
    ROSTER_FILE,
    STAGES,
)
from ipskit.cohorts.sent_log import SENT_FILE
from ipskit.core.errors import IpskitError

# Named here rather than imported: their modules bring in the workspace and cohort code,
# which a merge of one file has no use for (tests check the names agree).
REGISTER_FILE = "certificates.csv"
COPIES_FILE = "certificate-copies.csv"

#: What ``forget`` writes in place of a name.
ERASED = "[erased]"
#: Columns that may hold a name, an address or what someone said: where one side blanked
#: such a cell or erased a name in it, the merge keeps that erasure.
PERSONAL = frozenset({"name", "certificate_name", "email", "pronouns", "name_lang", "note",
                      "name_on_certificate", "reason"})  # fmt: skip

Row = tuple[str, ...]
Unit = tuple[Row, ...]  # a key's rows: one, or more where an earlier clash is unsettled
Key = tuple[str, ...]

_SIDES = ("the copy both computers started from", "this computer's copy",
          "the other computer's copy")  # fmt: skip


class MergeError(IpskitError):
    """A copy of the file cannot be read as ipskit writes it: git is left to mark it."""


class Merged(NamedTuple):
    """The merged file's text, and one line for each clash it keeps for a person to settle."""

    text: str
    clashes: tuple[str, ...]


def mergeable(name: str) -> bool:
    """Whether :func:`merge` knows the file of this name."""
    return name in _KEYED or name in _LOGS


def merge(name: str, base: str, ours: str, theirs: str) -> Merged:
    """The record file ``name`` (``attendance.csv``) with the changes of both sides.

    ``base`` is the text both sides started from (empty if each side made the file).
    Raises :class:`MergeError` for a file of another name, or a copy that is not CSV with
    the file's columns; nothing is merged then.
    """
    if not mergeable(name):
        raise MergeError(f"{name} is not one of a cohort's record files")
    tables = [_table(text, side) for text, side in zip((base, ours, theirs), _SIDES,
                                                        strict=True)]  # fmt: skip
    header = _newest_header([(t[0], side) for t, side in zip(tables, _SIDES, strict=True)])
    if header is None:
        return Merged("", ())
    width = len(header)
    o, a, b = ([row + ("",) * (width - len(row)) for row in rows] for _, rows in tables)
    if name in _KEYED:
        spec = _KEYED[name]
        missing = [column for column in spec.key if column not in header]
        if missing:
            raise MergeError(f"there is no {missing[0]} column")
        if name == EVALUATIONS_FILE:
            a, b = _renumbered(header, o, a, b)
        rows, clashes = _merge_keyed(spec, header, o, a, b, erasable=name == ROSTER_FILE)
    else:
        rows, clashes = _merge_log(_LOGS[name], header, o, a, b)
    return Merged(_text(header, rows), tuple(clashes))


# --- reading and writing ------------------------------------------------------------------


def _table(text: str, side: str) -> tuple[Row | None, list[Row]]:
    """A copy's header and rows, as csvio reads them; blank rows left out."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, []
    first_line = text.partition("\n")[0]
    # Excel in much of Europe saves "CSV" with semicolons (see ipskit.core.csvio).
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    rows: list[Row] = []
    try:
        header = tuple(cell.strip() for cell in next(reader))
        if not any(header):
            raise MergeError(f"{side} has no header row")
        for row in reader:
            if len(row) != len(header):
                if not any(cell.strip() for cell in row):
                    continue
                raise MergeError(f"line {reader.line_num} of {side} has {len(row)} cells,"
                                 f" not {len(header)}")  # fmt: skip
            if any(row):
                rows.append(tuple(row))
    except csv.Error as error:
        raise MergeError(f"line {reader.line_num} of {side} is not valid CSV: {error}") from None
    return header, rows


def _newest_header(headers: list[tuple[Row | None, str]]) -> Row | None:
    """The longest of the headers, which the others must begin: columns are only ever added."""
    present = [(h, side) for h, side in headers if h is not None]
    if not present:
        return None
    newest, newest_side = max(present, key=lambda each: len(each[0]))
    for header, side in present:
        if header != newest[: len(header)]:
            raise MergeError(f"the columns differ: {side} has {','.join(header)},"
                             f" {newest_side} {','.join(newest)}")  # fmt: skip
    return newest


def _text(header: Row, rows: Sequence[Row]) -> str:
    """The file as :func:`ipskit.core.csvio.to_text` writes it; cells are already guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --- cells ------------------------------------------------------------------------------


def _cell(column: str, base: str, a: str, b: str) -> str | None:
    """One cell with both sides' changes, or None where it was changed two ways."""
    if a == b or b == base:
        return a
    if a == base:
        return b
    if column in PERSONAL:
        if not a.strip() or not b.strip():
            return ""  # blanked on one side (an erasure, or a note taken out): stays blank
        if a.count(ERASED) > base.count(ERASED) or b.count(ERASED) > base.count(ERASED):
            # A name erased on either side is never brought back: both erasures where they
            # can be put together, else nothing of the cell but the erasure.
            return _both_edits(base, a, b) or ERASED
    return None


def _both_edits(base: str, a: str, b: str) -> str | None:
    """``base`` with the edits of ``a`` and of ``b``, where they touch different letters."""
    from difflib import SequenceMatcher

    edits = set()
    for side in (a, b):
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, side,
                                                   autojunk=False).get_opcodes():  # fmt: skip
            if tag != "equal":
                edits.add((i1, i2, side[j1:j2]))
    ordered = sorted(edits)
    for (start, end, _), (next_start, _, _) in zip(ordered, ordered[1:], strict=False):
        if next_start < end or next_start == start:
            return None  # the two sides changed the same letters
    pieces, done = [], 0
    for start, end, text in ordered:
        pieces += [base[done:start], text]
        done = end
    return "".join(pieces) + base[done:]


def _row(header: Row, base: Row, a: Row, b: Row) -> tuple[Row, Row, list[int]]:
    """Each side's row with every cell the other side alone changed; the cells that clash."""
    merged = [_cell(column, *cells) for column, *cells in zip(header, base, a, b, strict=True)]
    clashing = [i for i, cell in enumerate(merged) if cell is None]
    a_new = tuple(a[i] if cell is None else cell for i, cell in enumerate(merged))
    b_new = tuple(b[i] if cell is None else cell for i, cell in enumerate(merged))
    return a_new, b_new, clashing


# --- files of one row per key -------------------------------------------------------------


class _Keyed(NamedTuple):
    key: tuple[str, ...]
    #: The order ipskit writes the file in, by key; rows it leaves in the order they were
    #: added (a person's competencies, a response's questions) keep theirs.
    order: Callable[[Key], tuple[object, ...]]
    #: A key in words, for a clash's line.
    words: Callable[[Key], str]


@cache  # a file has few sessions and ids, each met on many rows
def _natural(text: str) -> tuple[object, ...]:
    """Text with its numbers as numbers: session 10 after session 9."""
    parts = re.split(r"([0-9]+)", text)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _stage(text: str) -> tuple[int, str]:
    return (STAGES.index(text), "") if text in STAGES else (len(STAGES), text)


_KEYED = {
    ROSTER_FILE: _Keyed(("id",), lambda k: (_natural(k[0]),), lambda k: k[0]),
    ATTENDANCE_FILE: _Keyed(("session", "participant"),
                            lambda k: (_natural(k[0]), k[1]),
                            lambda k: f"session {k[0]}, {k[1]}"),
    ASSESSMENTS_FILE: _Keyed(("participant",), lambda k: k, lambda k: f"{k[0]}'s assessment"),
    FOLLOWUPS_FILE: _Keyed(("point", "participant"), lambda k: k,
                           lambda k: f"{k[1]}'s {k[0]} follow-up"),
    RATINGS_FILE: _Keyed(("stage", "participant", "competency"),
                         lambda k: (_stage(k[0]), k[1]),
                         lambda k: f"{k[1]}'s {k[0]} rating of {k[2]}"),
    AGREEMENTS_FILE: _Keyed(("participant",), lambda k: k, lambda k: f"{k[0]}'s agreement"),
    EVALUATIONS_FILE: _Keyed(("response", "question"), lambda k: (_natural(k[0]),),
                             lambda k: f"response {k[0]}, {k[1]}"),
}  # fmt: skip


def _units(rows: list[Row], columns: list[int]) -> tuple[dict[Key, Unit], dict[Key, int]]:
    """Each key's rows, and where its first row is."""
    units: dict[Key, list[Row]] = {}
    where: dict[Key, int] = {}
    for position, row in enumerate(rows):
        key = tuple(row[i].strip() for i in columns)
        units.setdefault(key, []).append(row)
        where.setdefault(key, position)
    return {key: tuple(unit) for key, unit in units.items()}, where


def _merge_keyed(spec: _Keyed, header: Row, base: list[Row], a: list[Row], b: list[Row],
                 *, erasable: bool) -> tuple[list[Row], list[str]]:  # fmt: skip
    columns = [header.index(column) for column in spec.key]
    (o_units, o_at), (a_units, a_at), (b_units, b_at) = (_units(rows, columns)
                                                         for rows in (base, a, b))  # fmt: skip
    status = header.index("status") if erasable and "status" in header else None
    placed: list[tuple[tuple[object, ...], Unit]] = []
    clashes: list[tuple[tuple[object, ...], str]] = []
    for key in o_units.keys() | a_units.keys() | b_units.keys():
        o, x, y = (units.get(key, ()) for units in (o_units, a_units, b_units))
        unit, clash = _merge_unit(header, o, x, y, status)
        if key in o_at:
            where: tuple[int, ...] = (0, o_at[key], o_at[key])
        else:
            at = [found[key] for found in (a_at, b_at) if key in found]
            where = (1, min(at), max(at))
        order = (spec.order(key), where, key)
        if unit:
            placed.append((order, unit))
        if clash:
            clashes.append((order, f"{spec.words(key)} {clash}"))
    placed.sort(key=lambda each: each[0])
    clashes.sort(key=lambda each: each[0])
    return [row for _, unit in placed for row in unit], [line for _, line in clashes]


def _merge_unit(header: Row, o: Unit, a: Unit, b: Unit,
                status: int | None) -> tuple[Unit, str]:  # fmt: skip
    """A key's rows with both sides' changes, and the clash in words if there is one."""
    if a == b or b == o:
        return a, ""
    if a == o:
        return b, ""
    if not a or not b:
        return (a or b), "removed on one computer and changed on the other: the change is kept"
    if len(o) > 1 or len(a) > 1 or len(b) > 1:
        first, second = max(a, b), min(a, b)
        more = Counter(second) - Counter(first)
        kept = list(first)
        for row in second:
            if more[row]:
                kept.append(row)
                more[row] -= 1
        return tuple(kept), ("changed on both computers while it had two rows: all are kept,"
                      " the first stands: ipskit check lists it")  # fmt: skip
    erased = [row for row in (a[0], b[0]) if status is not None and row[status] == "erased"]
    if len(erased) == 2:
        return (max(erased),), ""
    if erased:
        # Forgotten on one computer, changed on the other: the other row keeps the name
        # that `forget` needs to finish the erasure there (scrubbing the notes that
        # computer wrote); the erased row comes first.
        return (erased[0], b[0] if erased[0] is a[0] else a[0]), (
            "erased on one computer and changed on the other: both rows are kept until"
            " ipskit forget finishes the erasure: ipskit check lists it"
        )
    if o:
        x, y, clashing = _row(header, o[0], a[0], b[0])
    else:  # made on each computer: two rows that may be about two people, never mixed
        x, y = a[0], b[0]
        clashing = [i for i, (one, other) in enumerate(zip(x, y, strict=True)) if one != other]
    if not clashing:
        return (x,), ""
    stand, other = max(x, y), min(x, y)
    done = "changed" if o else "recorded"
    if len(clashing) == 1 and header[clashing[0]] not in PERSONAL:
        i = clashing[0]
        return (stand, other), (f"{done} on both computers ({_shown(stand[i])} /"
                                f" {_shown(other[i])}); {_shown(stand[i])} stands:"
                                " ipskit check lists it")  # fmt: skip
    parts = [header[i] if header[i] in PERSONAL
             else f"{header[i]} {_shown(stand[i])} / {_shown(other[i])}"
             for i in clashing]  # fmt: skip
    return (stand, other), (f"{done} on both computers ({'; '.join(parts)}); the first of"
                            " the two rows stands: ipskit check lists it")  # fmt: skip


def _shown(cell: str) -> str:
    """A cell in a message: short, on one line (names are never shown, see PERSONAL)."""
    text = " ".join(cell.split())
    return (text[:40] + "…" if len(text) > 40 else text) or "empty"


def _renumbered(header: Row, base: list[Row], a: list[Row],
                b: list[Row]) -> tuple[list[Row], list[Row]]:  # fmt: skip
    """Both sides' responses, the new ones of one side numbered after every number used.

    Two trainers each typing in forms number them from the same last number: response 5
    on one computer and response 5 on the other are two people's forms, not one changed.
    The side whose new responses sort first keeps its numbers, whichever merges.
    """
    at = header.index("response")

    def responses(rows: list[Row]) -> dict[str, Unit]:
        found: dict[str, list[Row]] = {}
        for row in rows:
            found.setdefault(row[at].strip(), []).append(row)
        return {number: tuple(unit) for number, unit in found.items()}

    before, x, y = responses(base), responses(a), responses(b)
    twice = sorted((n for n in (x.keys() & y.keys()) - before.keys()
                    if x[n] != y[n] and n.isascii() and n.isdigit()), key=int)  # fmt: skip
    if not twice:
        return a, b
    last = max(int(n) for n in (*before, *x, *y) if n.isascii() and n.isdigit())
    new_numbers = {n: str(last + i) for i, n in enumerate(twice, start=1)}
    mine, theirs = ([(int(n), found[n]) for n in twice] for found in (x, y))
    moving = a if mine > theirs else b
    moved = [(*row[:at], new_numbers[row[at].strip()], *row[at + 1:])
             if row[at].strip() in new_numbers else row for row in moving]  # fmt: skip
    return (moved, b) if moving is a else (a, moved)


# --- append-only files --------------------------------------------------------------------


class _Log(NamedTuple):
    #: The column that says when a row was written; None for a set kept sorted.
    when: str | None


_LOGS = {
    HISTORY_FILE: _Log("when"),
    REGISTER_FILE: _Log("date"),  # when the row's status began: issued, superseded, revoked
    SENT_FILE: _Log("sent"),
    COPIES_FILE: _Log("date"),
    EVALUATIONS_IMPORTED_FILE: _Log(None),  # digests, which ipskit writes sorted
}


def _merge_log(spec: _Log, header: Row, base: list[Row], a: list[Row],
               b: list[Row]) -> tuple[list[Row], list[str]]:  # fmt: skip
    (a_kept, a_new), (b_kept, b_new) = _aligned(base, a), _aligned(base, b)
    rows: list[Row] = []
    clashes = []
    for number, (o, x, y) in enumerate(zip(base, a_kept, b_kept, strict=True), start=2):
        if x == y or y == o:
            found = x
        elif x == o:
            found = y
        elif x is None or y is None:
            found = None  # removed on one side: an erasure, or a row that should not be there
        else:
            x, y, clashing = _row(header, o, x, y)
            if clashing:
                rows += [max(x, y), min(x, y)]
                names = ", ".join(header[i] for i in clashing)
                clashes.append(f"line {number} changed on both computers ({names}):"
                               " both versions are kept, one after the other")  # fmt: skip
                continue
            found = x
        if found is not None:
            rows.append(found)
    when = header.index(spec.when) if spec.when in header else None
    rewritten = [row for kept in (a_kept, b_kept) for row, o in zip(kept, base, strict=True)
                 if row is not None and row != o]  # fmt: skip
    rows += _erasures_kept(header, _interleaved(a_new, b_new, when), a_new + b_new + rewritten)
    if spec.when is None:
        rows.sort()
    return rows, clashes


def _aligned(base: list[Row], side: list[Row]) -> tuple[list[Row | None], list[Row]]:
    """What became of each base row on one side (None: removed), and the side's new rows."""
    kept: list[Row | None] = list(base)
    new: list[Row] = []
    start, n, m = 0, len(base), len(side)
    while start < min(n, m) and base[start] == side[start]:
        start += 1
    end = 0
    while end < min(n, m) - start and base[n - 1 - end] == side[m - 1 - end]:
        end += 1
    if start == n - end:
        return kept, side[start : m - end]
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, base[start : n - end], side[start : m - end], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + start, i2 + start, j1 + start, j2 + start
        if tag == "insert":
            new += side[j1:j2]
        elif tag in ("delete", "replace"):
            # A row rewritten in place (a note blanked) is found by its first cell and
            # most of the others; rows between are new, base rows not found removed.
            j = j1
            for i in range(i1, i2):
                kept[i] = None
                found = next((k for k in range(j, j2) if _same_row(base[i], side[k])), None)
                if found is not None:
                    new += side[j:found]
                    kept[i], j = side[found], found + 1
            new += side[j:j2]
    return kept, new


def _same_row(base: Row, row: Row) -> bool:
    """Whether ``row`` is ``base`` rewritten: the same first cell and most of the rest."""
    return row[0] == base[0] and 2 * sum(x == y for x, y in zip(base, row, strict=True)) >= len(row)


def _interleaved(a: list[Row], b: list[Row], when: int | None) -> list[Row]:
    """Both sides' new rows in time order, each side's own order kept; a row on both, once.

    A row new on both sides (the same import, made on each computer) is written as many
    times as the side that has it more often.
    """
    limit = Counter(a) | Counter(b)
    written: Counter[Row] = Counter()
    out: list[Row] = []

    def order(row: Row) -> tuple[tuple[int, float], Row]:
        return (_instant(row[when]) if when is not None else (0, 0.0)), row

    i = j = 0
    while i < len(a) or j < len(b):
        if j == len(b) or (i < len(a) and order(a[i]) <= order(b[j])):
            row = a[i]
            i += 1
            if j < len(b) and b[j] == row:
                j += 1
        else:
            row = b[j]
            j += 1
        if written[row] < limit[row]:
            out.append(row)
            written[row] += 1
    return out


def _instant(cell: str) -> tuple[int, float]:
    """A date or a time as a point in time (a time with no offset as UTC); others last."""
    try:
        moment = datetime.fromisoformat(cell.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return 0, moment.timestamp()
    except (ValueError, OverflowError):
        return 1, 0.0


def _erasures_kept(header: Row, rows: list[Row], changes: list[Row]) -> list[Row]:
    """New rows with what ``forget`` blanked on one side (seen in ``changes``) blanked too.

    A trainer who has not yet pulled an erasure may still add rows for that person: a
    history note, a certificate with their name. Erased on either side, it stays erased.
    """
    if "participant" not in header:
        return rows
    who = header.index("participant")
    if "action" in header and "note" in header:  # history.csv: the erased person's notes
        action, blank, value = header.index("action"), header.index("note"), ""
        erased = {row[who] for row in changes if row[action].strip() == "erased"}
    elif "name_on_certificate" in header:  # the register: the name printed
        blank, value = header.index("name_on_certificate"), ERASED
        erased = {row[who] for row in changes if row[blank] == ERASED}
    else:
        return rows
    return [(*row[:blank], value, *row[blank + 1:]) if row[who] in erased else row
            for row in rows]  # fmt: skip
