"""People's names: what may be stored, and how names are compared.

A name is whatever the person chose (a pseudonym is fine), in any script. It is stored
exactly as given, trimmed; it may not hold control characters (a line break in a name
would break sign-in sheets and CSV files) and has a generous length limit.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200
# Control characters (Unicode category Cc) and the line and paragraph separators.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_name(text: str, what: str = "a name") -> str:
    """The name trimmed, or ValueError saying what is wrong (without echoing it)."""
    name = text.strip()
    if not name:
        raise ValueError(f"{what} is empty")
    if len(name) > MAX_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_LENGTH} characters")
    if _BREAKS.search(name):
        raise ValueError(f"{what} contains a line break or control character")
    return name


def fold(text: str) -> str:
    """A form of a name for comparing: case, accents, punctuation and spacing ignored.

    'Siân O’Brien' and 'sian obrien' fold alike; so do 'Łukasz' and 'lukasz'. Scripts
    without case or accents (Arabic, Chinese) are compared as written.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        kept.append(_SPECIAL.get(ch, ch))
    plain = "".join(kept)
    plain = re.sub(r"[’'`´]", "", plain)
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


# Letters NFKD does not split into a base letter and an accent.
_SPECIAL = {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ŀ": "l"}
