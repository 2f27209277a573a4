"""The curriculum's JSON Schema, in draft-07 form for YAML editors.

pydantic writes JSON Schema 2020-12; yaml-language-server (VS Code's YAML extension and
others) understands draft-07 best, so definitions move to ``definitions`` and the few
newer or non-standard keywords are removed.
"""

from __future__ import annotations

import json
from typing import Any

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# Keywords pydantic may emit that draft-07 lacks; none of them changes what is valid here
# except 'discriminator', whose work the 'enum' on each member's 'pattern' already does.
_NOT_IN_DRAFT_07 = {"discriminator", "deprecated", "readOnly", "writeOnly"}


def _to_draft_07(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _NOT_IN_DRAFT_07:
                continue
            if key == "$defs":
                key = "definitions"
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/$defs/", "#/definitions/")
            if key == "const":  # draft-06 has const, but editors complete enums better
                out["enum"] = [value]
                continue
            out[key] = _to_draft_07(value)
        return out
    if isinstance(node, list):
        return [_to_draft_07(item) for item in node]
    return node


def curriculum_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a curriculum file."""
    from ipskit.courses.curriculum import Curriculum

    schema = _to_draft_07(Curriculum.model_json_schema(mode="validation"))
    return {
        "$schema": DRAFT_07,
        "$id": "https://ipskit.invalid/schema/curriculum.json",
        **schema,
        "title": "ipskit curriculum",
    }


def curriculum_schema_text() -> str:
    """The schema as indented JSON text."""
    return json.dumps(curriculum_schema(), indent=2, ensure_ascii=False) + "\n"
