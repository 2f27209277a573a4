"""ipskit: course materials and safe records for trainers of Intentional Peer Support.

The public API is importable from here; each name is loaded on first use so that the
command line stays quick to start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it ("module:attribute" where the name differs there).
# Loaded lazily (PEP 562): importing ipskit is instant.
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
    "open_cohort": "ipskit.cohort",
    "all_cohorts": "ipskit.cohort",
    "Records": "ipskit.records",
    "changing": "ipskit.records",
    "standings": "ipskit.eligibility:eligibility",
    "issue_certificates": "ipskit.certificates",
    "verify_certificate": "ipskit.certificates:verify",
    "followups_due": "ipskit.followups:due",
    "followup_figures": "ipskit.followups:figures",
    "lineage": "ipskit.cascade",
    "build_report": "ipskit.report",
    "send_certificates": "ipskit.sending",
    "send_followups": "ipskit.sending",
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from ipskit.cascade import lineage
    from ipskit.catalogue import (
        export_curriculum,
        get_curriculum,
        list_curricula,
        load_curriculum,
        validate_curriculum_file,
    )
    from ipskit.certificates import issue_certificates
    from ipskit.certificates import verify as verify_certificate
    from ipskit.cohort import all_cohorts, open_cohort
    from ipskit.curriculum import Curriculum
    from ipskit.eligibility import eligibility as standings
    from ipskit.errors import IpskitError
    from ipskit.followups import due as followups_due
    from ipskit.followups import figures as followup_figures
    from ipskit.records import Records, changing
    from ipskit.report import build_report
    from ipskit.schema import curriculum_schema
    from ipskit.sending import send_certificates, send_followups
    from ipskit.workspace import Workspace, find_workspace, init_workspace


def __getattr__(name: str) -> Any:
    if name in _API:
        module, _, attribute = _API[name].partition(":")
        return getattr(importlib.import_module(module), attribute or name)
    raise AttributeError(f"module 'ipskit' has no attribute {name!r}")
