"""Names a spreadsheet garbled on the way: a letter lost, or UTF-8 read as Windows-1252.

Such a name is not refused on import: it is added and flagged (see :func:`garbled`),
because a person left out is easily missed, while a flagged one comes with the command
that corrects their name. :func:`unmangled` tells what a text was before its UTF-8 was
read as Windows-1252, for one name or for a file garbled throughout.
"""

from __future__ import annotations

import re


def _cp1252_letter(byte: int) -> str:
    # Windows reads the five bytes Windows-1252 leaves undefined as the control characters
    # of the same number, so text mangled that way can still be turned back.
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_BACK_TO_BYTES = {ord(_cp1252_letter(b)): chr(b) for b in range(0x80, 0x100)}
_FOLLOWING = "".join(map(_cp1252_letter, range(0x80, 0xC0)))  # UTF-8 continuation bytes


def _letters(first: int, last: int) -> str:
    return re.escape("".join(map(_cp1252_letter, range(first, last + 1))))


#: A letter of two, three or four UTF-8 bytes, each byte read as a Windows-1252 letter.
MANGLED = re.compile(
    f"[{_letters(0xC2, 0xDF)}][{re.escape(_FOLLOWING)}]"
    f"|[{_letters(0xE0, 0xEF)}][{re.escape(_FOLLOWING)}]{{2}}"
    f"|[{_letters(0xF0, 0xF4)}][{re.escape(_FOLLOWING)}]{{3}}"
)
#: Signs no name holds, which a letter read in the wrong encoding becomes (Polish "ł"
#: saved as Windows-1250 and read as 1252 is "³"). "ª" and "º" are left out ("Mª José"),
#: and so are "´" and "·", written in names as an apostrophe and in Catalan "l·l".
_SIGNS = re.compile("[\u00a1-\u00a9\u00ab\u00ac\u00ae-\u00b3\u00b5\u00b6\u00b8\u00b9"
                    "\u00bb-\u00bf\u00d7\u00f7]")  # fmt: skip
MANGLED_WHY = "UTF-8 letters read as Windows-1252"


def unmangled(text: str) -> str | None:
    """``text`` as it was before its UTF-8 was read as Windows-1252, if that happened to it.

    "MaÅ‚gorzata" was "Małgorzata"; a text that could not have come about that way
    (most text: "Zoë" is not UTF-8 read wrongly) gives None.
    """
    if text.isascii():
        return None
    try:
        before = text.translate(_BACK_TO_BYTES).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    return before if before != text else None


def garbled(name: str) -> tuple[str, str | None] | None:
    """Whether a name looks garbled on its way through a spreadsheet, and how.

    Gives why, in words for the coordinator (``a "?" where a letter was``), and what the
    name probably was where that can be told; None for a name that looks as meant.
    """
    for lost in ("\ufffd", "?"):
        if lost in name:
            return f'a "{lost}" where a letter was', None
    if MANGLED.search(name):
        return MANGLED_WHY, unmangled(name)
    sign = _SIGNS.search(name)
    if sign:
        return f'a "{sign.group()}" where a letter was', None
    return None
