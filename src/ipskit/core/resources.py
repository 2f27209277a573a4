"""Where the built-in curricula and templates are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # src/ipskit, or ipskit/ in a wheel


def _shipped(name: str) -> Path:
    # A wheel carries the folder inside the package (see pyproject's force-include); a
    # source checkout or editable install keeps it at the repository's root.
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"ipskit is installed without its {name}/ folder: reinstall it")


def builtin_curricula_dir() -> Path:
    """The folder of built-in curricula."""
    return _shipped("curricula")


def builtin_templates_dir() -> Path:
    """The folder of built-in document templates."""
    return _shipped("templates")
