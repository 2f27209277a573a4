"""Reading YAML written by people: strict, positioned, and never surprising.

ipskit's files are edited by hand in plain text editors, so every value must be read
the way the trainer meant it and every mistake reported with its line and column. This
module parses YAML 1.2 event by event (ruamel.yaml's parser) and builds plain Python
data itself, because that is the only way to be sure of four things:

- a duplicate key is an error, never "the last one wins";
- no tag (``!!python/object:...`` or any other) and no anchor or alias is accepted, so a
  file can neither run code nor expand into a billion copies of itself;
- scalars follow the YAML 1.2 core schema only: ``yes``, ``no`` and ``on`` stay text,
  ``18:30`` stays text, and nothing is read as a date;
- every key and value keeps its position, so a later validation error can point at it;
- a file's size and nesting are bounded (:data:`MAX_FILE_BYTES`, :data:`MAX_DEPTH`), and
  the depth is checked as the events arrive, so ten thousand nested brackets are refused
  at the sixty-fifth, before any of them is built.

Validation against a pydantic model happens in :mod:`ipskit.core.yaml_errors`, which
turns pydantic's errors into ``FILE:LINE:COL: where: what is wrong`` lines without
echoing input values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ipskit.core.errors import FileProblemsError

#: Ten times the largest built-in curriculum (180 KB); a bigger file is a mistake, and
#: reading it whole would cost memory in proportion.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: A curriculum nests about eight levels deep; beyond this a file is a mistake or an
#: attack (each level's position is kept, so depth costs memory in its square).
MAX_DEPTH = 64

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass
class Document:
    """A parsed YAML file: its data, and where each key and value came from."""

    path: Path
    data: Any
    value_marks: dict[Loc, Mark] = field(default_factory=dict)
    key_marks: dict[Loc, Mark] = field(default_factory=dict)
    plain_scalars: dict[Loc, str] = field(default_factory=dict)

    def where(self, loc: Loc, *, key: bool = False) -> Mark:
        """The position of ``loc``, or of the nearest enclosing thing that exists."""
        loc = self.data_path(loc)
        while loc:
            marks = self.key_marks if key else self.value_marks
            if loc in marks:
                return marks[loc]
            loc = loc[:-1]
            key = False
        return self.value_marks.get((), Mark(1, 1))

    def data_path(self, loc: Iterable[str | int]) -> Loc:
        """Keep only the parts of a validation location that name real keys and items.

        pydantic puts the names of union members into locations (``schedule.weekly.x``);
        walking the data tells which parts are real.
        """
        node, parts = self.data, list(loc)
        path: list[str | int] = []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            elif isinstance(node, dict) and isinstance(part, str) and last:
                path.append(part)  # a missing or unknown key: it is the subject
                break
            else:
                continue  # a union member's name, not a key
            path.append(part)
        return tuple(path)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> str:
        """Format one problem as ``FILE:LINE:COL: location: message``."""
        mark = self.where(loc, key=key)
        where = describe_loc(self.data_path(loc))
        prefix = f"{self.path}:{mark.line}:{mark.column}:"
        return f"{prefix} {where}: {message}" if where else f"{prefix} {message}"


def describe_loc(loc: Loc) -> str:
    """``("sessions", 2, "title")`` → ``sessions[3].title`` (items counted from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


class YamlProblem(Exception):
    """Raised inside the builder; turned into a positioned message by :func:`parse`."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = Mark(mark.line + 1, mark.column + 1)


# YAML 1.2 core schema, applied to plain (unquoted) scalars only.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {
    ".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf,
    ".Inf": math.inf, "+.Inf": math.inf, "-.Inf": -math.inf,
    ".INF": math.inf, "+.INF": math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar under the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if text in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[text]
    return text


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    loc: Loc
    key: str | None = None
    key_mark: Mark | None = None


def _reject_extras(event: Any) -> None:
    anchor = getattr(event, "anchor", None)
    if isinstance(event, AliasEvent):
        raise YamlProblem(
            event.start_mark, f"aliases (*{anchor}) are not allowed: write the value out in full"
        )
    if anchor:
        raise YamlProblem(
            event.start_mark, f"anchors (&{anchor}) are not allowed: write each value out in full"
        )
    tag = getattr(event, "tag", None)
    if tag is not None and not (isinstance(event, CollectionStartEvent) and tag in ("!", "")):
        shown = str(tag).replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(event.start_mark, f"tags such as '{shown}' are not allowed")


def _build(events: Iterator[Any], doc: Document) -> Any:
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    for event in events:
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlProblem(event.start_mark, "only one YAML document is allowed per file")
            continue
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            stack.pop()
            continue
        if not isinstance(event, (ScalarEvent, CollectionStartEvent, AliasEvent)):
            continue
        _reject_extras(event)
        mark = Mark(event.start_mark.line + 1, event.start_mark.column + 1)
        parent = stack[-1] if stack else None

        if isinstance(parent, _Frame) and isinstance(parent.container, dict) and parent.key is None:
            if not isinstance(event, ScalarEvent):
                raise YamlProblem(event.start_mark, "a key must be a plain word, not a list or map")
            key = event.value
            if key in parent.container:
                first = doc.key_marks.get((*parent.loc, key))
                seen = f" (first at line {first.line})" if first else ""
                raise YamlProblem(event.start_mark, f"duplicate key '{key}'{seen}")
            parent.key, parent.key_mark = key, mark
            continue

        plain = isinstance(event, ScalarEvent) and not event.style  # None or '' (libyaml)
        text: str = event.value if isinstance(event, ScalarEvent) else ""
        if isinstance(event, ScalarEvent):
            value = resolve_plain(event.value) if plain else event.value
        else:
            value = {} if isinstance(event, MappingStartEvent) else []

        if parent is None:
            loc: Loc = ()
            root = value
        elif isinstance(parent.container, dict):
            assert parent.key is not None
            loc = (*parent.loc, parent.key)
            parent.container[parent.key] = value
            assert parent.key_mark is not None
            doc.key_marks[loc] = parent.key_mark
            if plain and text == "":
                mark = parent.key_mark  # an empty value is "found" on the next line
            parent.key = None
        else:
            loc = (*parent.loc, len(parent.container))
            parent.container.append(value)
        doc.value_marks[loc] = mark
        if plain and value is not text:
            doc.plain_scalars[loc] = text
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            if len(stack) == MAX_DEPTH:
                raise YamlProblem(
                    event.start_mark,
                    f"nested more than {MAX_DEPTH} levels deep: no ipskit file needs this;"
                    " check the brackets and the indentation",
                )
            stack.append(_Frame(value, loc))
    return root


def _events(text: str) -> Iterator[Any]:
    """YAML parse events: from libyaml when ruamel.yaml.clib is there, ~30x faster."""
    try:
        from _ruamel_yaml import CParser
    except ImportError:
        # "safe", not "rt": the round-trip parser marks folds in '>' text with \a.
        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = CParser(text)
    while (event := parser.get_event()) is not None:
        yield event


def parse(text: str, path: Path) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`FileProblemsError` if bad."""
    doc = Document(path=path, data=None)
    try:
        doc.data = _build(_events(text), doc)
    except YamlProblem as problem:
        raise FileProblemsError(
            [f"{path}:{problem.mark.line}:{problem.mark.column}: {problem}"]
        ) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = _describe_syntax_error(error, text, line)
        raise FileProblemsError([f"{path}:{line}:{column}: {what}"]) from None
    return doc


def _describe_syntax_error(error: MarkedYAMLError, text: str, line: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1].split(lines[line - 1].strip()[:1])[0]:
        return "a tab is used for indentation: indent with spaces only"
    problem = (error.problem or error.context or "this is not valid YAML").strip()
    return f"not valid YAML: {problem}"


def read_text(path: Path) -> str:
    """Read a UTF-8 text file people edit, with a clear error for the usual mistakes."""
    from ipskit.core.errors import NotFoundError

    try:
        with path.open("rb") as handle:
            # Read one byte past the limit rather than trust the size before reading: the
            # file may grow in between, or be a pipe with no size at all.
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotFoundError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise NotFoundError(f"{path}: permission denied") from None
    if len(raw) > MAX_FILE_BYTES:
        raise FileProblemsError(
            [
                f"{path}:1:1: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB,"
                " far more than any ipskit file needs: is it the right file?"
            ]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FileProblemsError(
            [f"{path}:{line}:1: not UTF-8 text: save the file as UTF-8 and try again"]
        ) from None


def load(path: Path) -> Document:
    """Read and parse a YAML file."""
    return load_text(read_text(path), path)


def load_text(text: str, path: Path) -> Document:
    """Parse the text read from a YAML file (:func:`read_text`); an empty one is refused."""
    doc = parse(text, path)
    if doc.data is None:
        raise FileProblemsError([f"{path}:1:1: the file is empty"])
    return doc
