"""ipskit: course materials and safe records for trainers of Intentional Peer Support.

The public API is importable from here; each name is loaded on first use so that the
command line stays quick to start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it. Loaded lazily (PEP 562): importing ipskit is instant.
_API = {
    "IpskitError": "ipskit.errors",
    "Curriculum": "ipskit.curriculum",
    "load_curriculum": "ipskit.catalogue",
    "list_curricula": "ipskit.catalogue",
    "get_curriculum": "ipskit.catalogue",
    "validate_curriculum_file": "ipskit.catalogue",
    "export_curriculum": "ipskit.catalogue",
    "curriculum_schema": "ipskit.schema",
    "Workspace": "ipskit.workspace",
    "init_workspace": "ipskit.workspace",
    "find_workspace": "ipskit.workspace",
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from ipskit.catalogue import (
        export_curriculum,
        get_curriculum,
        list_curricula,
        load_curriculum,
        validate_curriculum_file,
    )
    from ipskit.curriculum import Curriculum
    from ipskit.errors import IpskitError
    from ipskit.schema import curriculum_schema
    from ipskit.workspace import Workspace, find_workspace, init_workspace


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'ipskit' has no attribute {name!r}")
