"""Turning a validation error into lines a trainer can act on: ``FILE:LINE:COL: ...``.

A file read by :mod:`ipskit.core.yamlio` keeps the position of every key and value;
:func:`validate` checks its data against a pydantic model and reports each problem at
that position, in words (``expected a whole number``, ``unknown key 'titel' (did you mean
'title'?)``), without echoing input values and never as pydantic's own dump.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ipskit.core.errors import FileProblemsError
from ipskit.core.yamlio import Document, Loc, describe_loc, resolve_plain

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic is imported only where a model is validated: reading cohort records (hot
# commands such as `attend`) must not pay for it.
M = TypeVar("M", bound="BaseModel")


def validate(doc: Document, model: type[M], *, known_keys: Iterable[str] = ()) -> M:
    """Validate a document against a model, reporting every problem with its position."""
    from pydantic import ValidationError

    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        known = sorted(set(known_keys) or _field_names(model))
        problems = [
            _describe(doc, err, known, model)
            for err in error.errors(include_input=False, include_url=False)
        ]
        raise FileProblemsError(in_file_order(doc.path, problems)) from None


def in_file_order(path: Path, problems: Iterable[str]) -> list[str]:
    """``FILE:LINE:COL: ...`` lines of one file, without repeats, by line and column."""
    prefix = len(f"{path}:")

    def position(problem: str) -> tuple[int, int]:
        line, column, _ = problem[prefix:].split(":", 2)
        return int(line), int(column)

    return sorted(dict.fromkeys(problems), key=position)


def _field_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(info.alias or name)
            todo.extend(_models_in(info.annotation))
    return names


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        yield from _models_in(meta)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        yield from _models_in(origin)


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at ``loc`` may have, following pydantic's location."""
    current: Any = model
    for part in loc:
        models = list(_models_in(current)) if not isinstance(part, int) else []
        if isinstance(part, int):
            args = getattr(current, "__args__", ()) or ()
            current = next((a for a in args if list(_models_in(a))), None)
            if current is None:
                return []
            continue
        owner = next((m for m in models if part in m.model_fields), None)
        if owner is not None:
            current = owner.model_fields[part].annotation
            continue
        tagged = [m for m in models if _has_literal(m, part)]
        if not tagged:
            return []
        current = tagged[0]
    members = list(_models_in(current))
    if len(members) != 1:
        return []
    return [info.alias or name for name, info in members[0].model_fields.items()]


def _has_literal(model: type[BaseModel], value: str) -> bool:
    return any(
        value in (getattr(f.annotation, "__args__", ()) or ()) for f in model.model_fields.values()
    )


def _describe(doc: Document, err: Any, known: list[str], model: type[BaseModel]) -> str:
    kind, loc, ctx = err["type"], tuple(err["loc"]), err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(key), allowed or known, n=1, cutoff=0.7)
        if close:
            hint = f" (did you mean '{close[0]}'?)"
        elif allowed:
            hint = f" (expected one of: {', '.join(allowed)})"
        else:
            hint = ""
        parent = describe_loc(doc.data_path(loc)[:-1])
        where = f" in {parent}" if parent else ""
        mark = doc.where(loc, key=True)
        return f"{doc.path}:{mark.line}:{mark.column}: unknown key '{key}'{where}{hint}"
    if kind == "missing":
        mark = doc.where(doc.data_path(loc)[:-1])
        parent = describe_loc(doc.data_path(loc)[:-1])
        where = f" in {parent}" if parent else ""
        return f"{doc.path}:{mark.line}:{mark.column}: missing key '{loc[-1]}'{where}"
    if kind.startswith("union_tag"):
        loc = (*loc, str(ctx.get("discriminator", "")).strip("'"))
    return doc.problem(loc, _message(doc, kind, loc, ctx, err["msg"]))


def _message(doc: Document, kind: str, loc: Loc, ctx: dict[str, Any], msg: str) -> str:
    raw = doc.plain_scalars.get(doc.data_path(loc))
    if kind == "string_type":
        if raw == "":
            return "expected text, but the value is empty"
        if raw is not None and resolve_plain(raw) is None:
            return f'expected text, but YAML reads {raw} as "nothing": write it in quotes, "{raw}"'
        if raw is not None:
            return (
                f"expected text, but YAML reads {raw} as a number or true/false:"
                f' write it in quotes, "{raw}"'
            )
        return "expected text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "expected a whole number"
    if kind in ("float_type", "float_parsing"):
        return "expected a number"
    if kind == "bool_type":
        return "expected true or false"
    if kind == "list_type":
        return "expected a list (one '- item' per line)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a group of 'key: value' lines"
    if kind == "literal_error":
        return f"expected {ctx.get('expected', 'one of the allowed values')}"
    if kind == "union_tag_invalid":
        *first, last = str(ctx.get("expected_tags", "")).split(", ")
        return f"expected {', '.join(first)} or {last}" if first else f"expected {last}"
    if kind == "union_tag_not_found":
        return "this key is missing"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg.replace("Input should", "should").replace("Input ", "value ")
