"""Whether the installed fonts can draw a name, so that nobody gets a row of empty boxes.

WeasyPrint draws text with the system's fonts (through fontconfig). A name in a script
that no installed font covers would print as empty boxes; ipskit checks first, using
fontconfig's own list of what each font covers, and warns by participant id.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from functools import cache


@cache
def _coverage() -> tuple[list[int], list[int]] | None:
    """Every installed font's characters, as sorted, merged ranges (None: cannot tell)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        output = subprocess.run(
            [fc_list, "--format", "%{charset}\n"], capture_output=True, text=True,
            check=True, timeout=20,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    ranges: list[tuple[int, int]] = []
    for part in output.split():
        first, _, last = part.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for low, high in ranges:
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` that no installed font has (empty if unknown)."""
    coverage = _coverage()
    if coverage is None:
        return []
    starts, ends = coverage
    missing = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Mn"):
            continue
        index = bisect.bisect_right(starts, ord(ch)) - 1
        if index < 0 or ord(ch) > ends[index]:
            missing.append(ch)
    return missing


def script_of(ch: str) -> str:
    """A script's name for a reader: 'CJK', 'ARABIC', 'DEVANAGARI'..."""
    name = unicodedata.name(ch, "")
    if name:
        return name.split()[0]
    return "private-use" if unicodedata.category(ch) == "Co" else "unassigned"


def name_warnings(people: Iterable[tuple[str, str]]) -> list[str]:
    """A warning for each (id, name) that would not print: by id, naming the script only."""
    warnings = []
    for pid, name in people:
        missing = undrawable(name)
        if missing:
            scripts = ", ".join(dict.fromkeys(script_of(ch) for ch in missing))
            warnings.append(
                f"{pid}: no installed font can draw this name ({scripts} letters), so it"
                " prints as empty boxes: install a font for it (see the README) and print again"
            )
    return warnings
