"""Reading a small YAML file field by field, with every mistake reported at its position.

Cohort settings are read by commands that must start instantly (``attend``,
``attendance``, ``status``), so they are checked here by hand rather than by pydantic,
with the same strictness: unknown keys refused, no coercion, ``FILE:LINE:COL`` errors.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any, NoReturn

from ipskit.core.dates import parse_clock, parse_date
from ipskit.core.errors import FileProblemsError
from ipskit.core.yamlio import Document, Loc, describe_loc

_MISSING: Any = object()


class Fields:
    """One mapping of a document, read key by key."""

    def __init__(self, doc: Document, loc: Loc, keys: Iterable[str]) -> None:
        self.doc, self.loc = doc, loc
        node = doc.data
        for part in loc:
            node = node[part]
        if not isinstance(node, dict):
            self.fail(loc, "expected a group of 'key: value' lines")
        self.values: dict[str, Any] = node
        allowed = list(keys)
        for key in node:
            if key not in allowed:
                mark = doc.where((*loc, key), key=True)
                raise FileProblemsError(
                    [
                        f"{doc.path}:{mark.line}:{mark.column}: unknown key '{key}'"
                        f" (expected one of: {', '.join(allowed)})"
                    ]
                )

    def fail(self, loc: Loc, message: str) -> NoReturn:
        """Raise ``FILE:LINE:COL: message`` for a place in this file."""
        raise FileProblemsError([self.doc.problem(loc, message)])

    def _get(self, key: str, default: Any) -> Any:
        if key in self.values and self.values[key] is not None:
            return self.values[key]
        if default is _MISSING:
            mark = self.doc.where(self.loc)
            where = f" in {describe_loc(self.loc)}" if self.loc else ""
            raise FileProblemsError(
                [f"{self.doc.path}:{mark.line}:{mark.column}: missing key '{key}'{where}"]
            )
        return default

    def text(self, key: str, default: Any = _MISSING) -> Any:
        """A non-empty text value."""
        value = self._get(key, default)
        if value is default:
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail((*self.loc, key), "expected text")
        return value.strip()

    def whole(self, key: str, default: Any = _MISSING, *, minimum: int = 0) -> Any:
        """A whole number, at least ``minimum``."""
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*self.loc, key), "expected a whole number")
        if value < minimum:
            self.fail((*self.loc, key), f"should be at least {minimum}")
        return value

    def number(self, key: str, default: Any = _MISSING) -> Any:
        """A number (whole or not), not negative."""
        value = self._get(key, default)
        if value is default:
            return value
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or value < 0):  # fmt: skip
            self.fail((*self.loc, key), "expected a number, 0 or more")
        return float(value)

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        """A true or false value."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            self.fail((*self.loc, key), "expected true or false")
        return value

    def choice(self, key: str, options: Iterable[str], default: Any = _MISSING) -> Any:
        """One of a few words."""
        value = self._get(key, default)
        allowed = list(options)
        if value not in allowed:
            self.fail((*self.loc, key), "expected " + " or ".join(f"'{o}'" for o in allowed))
        return value

    def date(self, key: str) -> dt.date:
        """A date written YYYY-MM-DD."""
        try:
            return parse_date(self.text(key))
        except ValueError as error:
            return self.fail((*self.loc, key), str(error))

    def clock(self, key: str) -> dt.time:
        """A time written HH:MM."""
        try:
            return parse_clock(self.text(key))
        except ValueError as error:
            return self.fail((*self.loc, key), str(error))

    def texts(self, key: str) -> list[str]:
        """A list of non-empty texts (an absent key is an empty list)."""
        value = self._get(key, [])
        if not isinstance(value, list):
            self.fail((*self.loc, key), "expected a list (one '- item' per line)")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail((*self.loc, key, index), "expected text")
        return [item.strip() for item in value]

    def dates(self, key: str) -> list[dt.date]:
        """A list of dates."""
        result = []
        for index, item in enumerate(self.texts(key)):
            try:
                result.append(parse_date(item))
            except ValueError as error:
                self.fail((*self.loc, key, index), str(error))
        return result

    def each(self, key: str, keys: Iterable[str]) -> list[Fields]:
        """Each mapping of a list of mappings."""
        value = self._get(key, [])
        if not isinstance(value, list):
            self.fail((*self.loc, key), "expected a list (one '- item' per line)")
        names = list(keys)
        return [Fields(self.doc, (*self.loc, key, index), names) for index in range(len(value))]

    def section(self, key: str, keys: Iterable[str]) -> Fields:
        """A nested mapping."""
        self._get(key, _MISSING)
        return Fields(self.doc, (*self.loc, key), keys)
