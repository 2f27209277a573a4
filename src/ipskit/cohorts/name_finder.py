"""Finding a person's name in free text, in any spelling, to take it out when they are forgotten."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ipskit.core.names import fold


class NameFinder:
    """A person's name found in free text however it is written, to take it out.

    Text is compared as names are (:func:`ipskit.core.names.fold`: case, accents and
    apostrophes ignored), so "Sion", "SIÔN" and "siôn's" are all Siôn. What is found:
    each name whole, every run of two or more of its words ("Ap Tudwal"), and each word
    on its own ("Prydderch", "Jo"), except initials, two-letter words that are common
    words too ("An"), and particles such as "van" or "ap" after the first word; and the
    email address. Scripts written without spaces between words (Chinese, Japanese,
    Thai) are matched inside longer runs of text.
    """

    def __init__(self, names: Iterable[str], emails: Iterable[str] = ()) -> None:
        runs: set[tuple[str, ...]] = set()
        for name in names:
            words = fold(name).split()
            runs.update(tuple(words[i:j]) for i in range(len(words))
                        for j in range(i + 2, len(words) + 1))  # fmt: skip
            runs.update((w,) for k, w in enumerate(words) if _alone(w, first=k == 0))
            if words:
                runs.add(tuple(words))
        self.words = {run[0] for run in runs}
        # Longest first, so that the whole name is taken rather than its first word.
        ordered = sorted(runs, key=lambda run: (-sum(map(len, run)), run))
        self._pattern = re.compile("|".join(map(_run_pattern, ordered))) if runs else None
        addresses = [e for e in emails if e]
        self._emails = (
            re.compile("|".join(map(re.escape, addresses)), re.IGNORECASE) if addresses else None
        )

    def sub(self, text: str, replacement: str = "[erased]") -> str:
        """``text`` with every mention of the name replaced."""
        if not text:
            return text
        if self._emails is not None:
            text = self._emails.sub(replacement, text)
        if self._pattern is None:
            return text
        folded = fold(text)
        if not any(word in folded for word in self.words):
            return text  # the usual case, found cheaply
        stream, where = _folded_stream(text)
        pieces, end = [], 0
        for match in self._pattern.finditer(stream):
            first, last = where[match.start()], where[match.end() - 1] + 1
            while last < len(text) and unicodedata.combining(text[last]):
                last += 1
            if first < end:
                continue
            pieces += [text[end:first], replacement]
            end = last
        return "".join(pieces) + text[end:]

    def found_in(self, text: str) -> bool:
        """Whether ``text`` mentions the name."""
        return self.sub(text) != text


#: Words that join the parts of a name and are common words too: never matched alone.
_PARTICLES = frozenset(
    "van von der den del della des dos das bin ibn bint abu ben ap ab de da di du la le el al"
    " mc st".split()
)
#: Two-letter words too common to take out of a note on their own.
_COMMON = frozenset(
    "a an as at be by do go he hi if in is it me my no of oh ok on or so to up us we am".split()
)


def _alone(word: str, *, first: bool) -> bool:
    """Whether one word of a name is taken out of notes on its own."""
    if len(word) < 2 or (len(word) == 2 and word.isascii() and word in _COMMON):
        return False
    return first or word not in _PARTICLES


_APOSTROPHES = "’'`´"


def _unspaced(char: str) -> bool:
    """Whether ``char`` is of a script written without spaces between words."""
    code = ord(char)
    return (0x0E00 <= code <= 0x0FFF or 0x1000 <= code <= 0x109F or 0x1780 <= code <= 0x17FF
            or 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF)  # fmt: skip


def _run_pattern(run: tuple[str, ...]) -> str:
    """A regular expression for some words of a name in a folded stream (see below).

    Apostrophes may sit between any two letters ("o'brien" is "obrien"), and the words
    may be parted by any spaces or punctuation.
    """
    body = "[ ']+".join("'?".join(map(re.escape, word)) for word in run)
    before = "" if _unspaced(run[0][0]) else r"(?<!\w)"
    after = "" if _unspaced(run[-1][-1]) else r"(?!\w)"
    return before + body + after


def _folded_stream(text: str) -> tuple[str, list[int]]:
    """``text`` folded one character at a time, with where each folded character came from.

    As :func:`ipskit.core.names.fold`, except that apostrophes are kept (as ``'``) and other
    punctuation is a space, so that a match can be traced back to the original text.
    """
    chars, where = [], []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        chars.append(folded)
        where += [index] * len(folded)
    return "".join(chars), where


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    folded = fold(char)
    if folded:
        return folded
    return "" if unicodedata.combining(char) else " "
