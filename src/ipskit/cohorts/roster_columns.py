"""Which column of a roster file holds what, told by its heading.

Spreadsheets, Google Forms and Microsoft Forms name their columns as the trainer or the
form asked: "Full name", "What's your preferred name?", "Surname", "Name (as you would
like it on your certificate)". A heading is compared with case, spacing, a trailing "?"
or ":" and "(optional)" ignored; where several columns could hold a name, the most
specific wins, and a form's own record of the responder's account comes last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ipskit.core.csvio import restore

_FULL_NAMES = {
    "full name", "full names", "your full name", "what is your full name",
    "what's your full name", "first and last name", "name and surname",
    "participant's full name", "participant full name",
}  # fmt: skip
_PREFERRED_NAMES = {
    "preferred name", "your preferred name", "what is your preferred name",
    "what's your preferred name", "chosen name", "your chosen name",
    "what would you like to be called",
}  # fmt: skip
_PLAIN_NAMES = {
    "name", "names", "your name", "what is your name", "what's your name",
    "participant", "participant name", "participant's name", "attendee", "attendee name",
    "delegate", "delegate name",
}  # fmt: skip
_FIRST_NAMES = {
    "first name", "first names", "your first name", "given name", "given names",
    "forename", "forenames",
}  # fmt: skip
_LAST_NAMES = {
    "last name", "last names", "your last name", "surname", "surnames", "your surname",
    "family name", "family names", "your family name",
}  # fmt: skip
_EMAILS = {
    "email", "e-mail", "email address", "e-mail address", "your email", "your e-mail",
    "your email address", "your e-mail address", "what is your email address",
    "what's your email address", "contact email",
}  # fmt: skip
_PRONOUNS = {
    "pronouns", "pronoun", "your pronouns", "preferred pronouns", "your preferred pronouns",
    "what are your pronouns", "what pronouns do you use",
}  # fmt: skip
_NAME_LANGS = {
    "name_lang", "name lang", "name language", "language of name", "language of your name",
    "name's language", "your name's language", "what language is your name in",
}  # fmt: skip
_CERTIFICATE = re.compile(
    r"(?:your |full |your full )?name\b.*\bcertificates?\b.*"
    r"|certificates? name|what name would you like .*\bcertificates?"
)
_NOTE = re.compile(r"\s*\(([^()]*)\)$")
_TRAILING = " ?:*.!"
# Microsoft Forms' own "Email" and "Name" describe the responder's account, not an answer.
_RESPONDER = 99


@dataclass(frozen=True)
class Layout:
    """Where each field is: the name may be joined from several columns (first, last)."""

    name: tuple[int, ...]
    certificate: int | None
    email: int | None
    pronouns: int | None
    name_lang: int | None = None

    def columns(self, header: Sequence[str]) -> dict[str, str]:
        """Each field found, and the heading of the column (or columns) it comes from."""
        found = {"name": " + ".join(label(header[i]) for i in self.name)}
        for field, index in (
            ("certificate_name", self.certificate),
            ("email", self.email),
            ("pronouns", self.pronouns),
            ("name_lang", self.name_lang),
        ):
            if index is not None:
                found[field] = label(header[index])
        return found


def label(cell: str) -> str:
    """A heading as written: trimmed, without a byte order mark or ipskit's formula guard."""
    return restore(cell).replace("\ufeff", "").strip()


def _normalise(cell: str) -> str:
    """A heading as compared: case, spacing, trailing "?" or ":" and "(optional)" ignored."""
    text = " ".join(label(cell).casefold().replace("\u2019", "'").split())
    while True:
        shorter = re.sub(r"\s*\(optional\)$", "", text).rstrip(_TRAILING)
        if shorter == text:
            return text
        text = shorter


def _field(heading: str) -> tuple[str, int] | None:
    """The field a normalised heading feeds and its rank (lower is preferred), if any."""
    if _CERTIFICATE.fullmatch(heading):
        return "certificate_name", 0
    note = _NOTE.search(heading)
    base = heading[: note.start()].rstrip(_TRAILING) if note else heading
    explained = note.group(1) if note else ""
    # Excel renames a second "Name" column in a table (as Microsoft Forms makes) "Name2".
    for key in dict.fromkeys((base, re.sub(r"(?<=[^\d\s])\d+$", "", base))):
        if key in _FULL_NAMES or key in _PREFERRED_NAMES or key in _PLAIN_NAMES:
            if "certificate" in explained:
                return "certificate_name", 0
            if key in _FULL_NAMES:
                return "name", 0
            if key in _PLAIN_NAMES and explained:
                return "name", 1  # "Name (as you would like it used)"
            return "name", 2 if key in _PREFERRED_NAMES else 3
        for field, names in (
            ("first", _FIRST_NAMES),
            ("last", _LAST_NAMES),
            ("email", _EMAILS),
            ("pronouns", _PRONOUNS),
            ("name_lang", _NAME_LANGS),
        ):
            if key in names:
                return field, 0
    return None


def find_layout(header: Sequence[str]) -> Layout | None:
    """Which column feeds which field, or None when no column holds names."""
    headings = [_normalise(cell) for cell in header]
    responder: set[int] = set()
    if {"start time", "completion time"} <= set(headings):
        responder = {headings.index(f) for f in ("email", "name") if f in headings}
    best: dict[str, tuple[int, int]] = {}
    for index, heading in enumerate(headings):
        found = _field(heading)
        if found is None:
            continue
        field, rank = found
        if index in responder:
            rank = _RESPONDER
        if field not in best or (rank, index) < best[field]:
            best[field] = (rank, index)

    def column(field: str) -> int | None:
        return best[field][1] if field in best else None

    # The responder's account name only if the form asked for no name at all.
    if "name" in best and best["name"][0] < _RESPONDER:
        name: tuple[int, ...] = (best["name"][1],)
    elif "first" in best or "last" in best:
        name = tuple(best[f][1] for f in ("first", "last") if f in best)
    elif "name" in best:
        name = (best["name"][1],)
    elif "certificate_name" in best:
        # A form that asks only for the name to print has still asked for a name.
        name = (best["certificate_name"][1],)
    else:
        return None
    return Layout(
        name, column("certificate_name"), column("email"), column("pronouns"), column("name_lang")
    )
