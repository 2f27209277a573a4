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
    "IpskitError": "ipskit.core.errors",
    "Curriculum": "ipskit.courses.curriculum",
    "load_curriculum": "ipskit.courses.catalogue",
    "list_curricula": "ipskit.courses.catalogue",
    "get_curriculum": "ipskit.courses.catalogue",
    "validate_curriculum_file": "ipskit.courses.catalogue",
    "export_curriculum": "ipskit.courses.catalogue",
    "curriculum_schema": "ipskit.courses.schema",
    "Workspace": "ipskit.workspace",
    "init_workspace": "ipskit.workspace",
    "find_workspace": "ipskit.workspace",
    "open_cohort": "ipskit.cohorts.cohort",
    "all_cohorts": "ipskit.cohorts.cohort",
    "Records": "ipskit.cohorts.records",
    "changing": "ipskit.cohorts.changing",
    "standings": "ipskit.cohorts.eligibility:eligibility",
    "issue_certificates": "ipskit.certificates.issuing",
    "verify_certificate": "ipskit.certificates.verifying:verify",
    "followups_due": "ipskit.cohorts.followups:due",
    "followup_figures": "ipskit.cohorts.followups:figures",
    "lineage": "ipskit.cohorts.cascade",
    "build_report": "ipskit.cohorts.figures",
    "send_certificates": "ipskit.mail.sending",
    "send_followups": "ipskit.mail.sending",
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from ipskit.certificates.issuing import issue_certificates
    from ipskit.certificates.verifying import verify as verify_certificate
    from ipskit.cohorts.cascade import lineage
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.cohort import all_cohorts, open_cohort
    from ipskit.cohorts.eligibility import eligibility as standings
    from ipskit.cohorts.figures import build_report
    from ipskit.cohorts.followups import due as followups_due
    from ipskit.cohorts.followups import figures as followup_figures
    from ipskit.cohorts.records import Records
    from ipskit.core.errors import IpskitError
    from ipskit.courses.catalogue import (
        export_curriculum,
        get_curriculum,
        list_curricula,
        load_curriculum,
        validate_curriculum_file,
    )
    from ipskit.courses.curriculum import Curriculum
    from ipskit.courses.schema import curriculum_schema
    from ipskit.mail.sending import send_certificates, send_followups
    from ipskit.workspace import Workspace, find_workspace, init_workspace


def __getattr__(name: str) -> Any:
    if name in _API:
        module, _, attribute = _API[name].partition(":")
        return getattr(importlib.import_module(module), attribute or name)
    raise AttributeError(f"module 'ipskit' has no attribute {name!r}")
