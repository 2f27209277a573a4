"""People's names: what may be stored, how names are compared, and how they are shown.

A name is whatever the person chose (a pseudonym is fine), in any script. It is stored
exactly as given, trimmed; it may not hold control characters (a line break in a name
would break sign-in sheets and CSV files) nor the invisible characters that change the
direction of text around them (a right-to-left override, U+202E, makes
``Evil<U+202E>exe.pdf`` read as ``Evilfdp.exe``), and it has a generous length limit.
Zero-width joiners, which some scripts need, are fine.

Names stored before these checks, or written into a file by hand, may still hold such
characters: wherever a name is shown it is isolated (``<bdi>`` in documents,
:func:`isolate` in the terminal), so it can reorder nothing but itself.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200
# Line breaks: the old, short message is kept for them (their place is plain to see).
_BREAKS = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
# Control characters (Unicode category Cc).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: The characters that set the direction of the text around them, by what they are called.
DIRECTION_MARKS = {
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a pop directional formatting",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first strong isolate",
    "\u2069": "a pop directional isolate",
    "\u200e": "a left-to-right mark",
    "\u200f": "a right-to-left mark",
    "\u061c": "an Arabic letter mark",
}
# The command line keeps a byte it cannot read as UTF-8 as a lone surrogate.
_UNDECODED = re.compile("[\\ud800-\\udfff]")
_DIRECTION = re.compile("[" + "".join(DIRECTION_MARKS) + "]")
# Characters that can move the text around a name that holds them: right-to-left
# letters and numbers, and the direction marks themselves.
_NOT_LEFT_TO_RIGHT = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI",
                      "PDI"}  # fmt: skip
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def check_name(text: str, what: str = "a name", *, stored: bool = False) -> str:
    """The name trimmed, or ValueError saying what is wrong (without echoing it).

    ``stored`` is for names read back from ipskit's own files: direction marks written
    there before they were refused (or by hand) are kept, to be shown isolated, rather
    than making the whole roster unreadable.
    """
    name = text.strip()
    if not name:
        raise ValueError(f"{what} is empty")
    if len(name) > MAX_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_LENGTH} characters")
    if _BREAKS.search(name):
        raise ValueError(f"{what} contains a line break or control character")
    found = _CONTROLS.search(name) or _UNDECODED.search(name)
    if found is None and not stored:
        found = _DIRECTION.search(name)
    if found is None:
        return name
    char = found.group()
    at = f"at character {found.start() + len(text) - len(text.lstrip()) + 1}"  # as typed
    if _UNDECODED.match(char):
        raise ValueError(f"{what} holds a byte that is not UTF-8 text {at}: type it again")
    kind = DIRECTION_MARKS.get(char, "a control character")
    raise ValueError(f"{what} contains {kind} (U+{ord(char):04X}) {at}: remove it")


def isolate(text: str) -> str:
    """A name for a line of terminal output: between Unicode isolates where it needs them.

    A name holding right-to-left letters or direction marks is put between FSI and PDI,
    so that a terminal that lays out both directions keeps the rest of the line in its
    order; any other text is returned as it is.
    """
    if any(unicodedata.bidirectional(ch) in _NOT_LEFT_TO_RIGHT for ch in text):
        return FIRST_STRONG_ISOLATE + text + POP_DIRECTIONAL_ISOLATE
    return text


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


#: Scripts that tell a name's language well enough for a screen reader to choose its
#: voice, by the first word of their Unicode character names.
_SCRIPT_LANGUAGES = {"ARABIC": "ar", "HEBREW": "he", "GREEK": "el", "CYRILLIC": "ru",
                     "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh"}  # fmt: skip


def script_language(name: str) -> str | None:
    """The language a name's script says it is written in, where the script says so.

    A name wholly in Arabic, Hebrew, Greek, Cyrillic, Korean, Japanese or Chinese
    letters is marked so (``ar``, ``he``, ``el``, ``ru``, ``ko``, ``ja``, ``zh``; Chinese
    characters with kana among them are Japanese). A name in Latin letters, or in
    letters of more than one of these scripts, is left to the document's language: None.
    """
    import unicodedata

    found: set[str] = set()
    for char in name:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        language = _SCRIPT_LANGUAGES.get(script)
        if language is None:
            return None  # a Latin letter, or a script that says nothing sure
        found.add(language)
    if found == {"ja", "zh"}:
        return "ja"
    return found.pop() if len(found) == 1 else None


def name_language(name: str, chosen: str = "") -> str:
    """The language to mark a name with: the one chosen for it, else its script's, else "".

    A Welsh or Irish name in Latin letters cannot be told from its script: the trainer
    says it (``--name-lang cy``), and that wins over whatever the letters suggest.
    """
    return chosen or script_language(name) or ""


#: A language tag's shape (BCP 47): a language of 2 or 3 letters, then subtags of letters
#: and digits (``cy``, ``zh-Hant``, ``es-419``, ``sr-Latn-RS``).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
MAX_TAG = 35
LANGUAGE_TAG_WANTED = "a language tag such as cy, ga, ar or zh-Hant"


def check_name_lang(text: str) -> str:
    """A name's language tag as it is stored, or "" for none; ValueError if it is no tag.

    Only the shape is checked, not that the language exists. The tag is written in the
    usual case (``zh-Hant``, ``pt-BR``): tags are the same whatever their case.
    """
    tag = text.strip()
    if not tag:
        return ""
    if len(tag) > MAX_TAG or not _LANGUAGE_TAG.fullmatch(tag):
        raise ValueError(f"the name language must be {LANGUAGE_TAG_WANTED}")
    first, *rest = tag.split("-")
    parts = [first.lower()]
    private = False  # after a single-letter subtag (x-, u-) every subtag is lower case
    for part in rest:
        private = private or len(part) == 1
        if private:
            parts.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # a script: Hant, Latn
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            parts.append(part.upper())  # a region: GB, 419
        else:
            parts.append(part.lower())
    return "-".join(parts)
