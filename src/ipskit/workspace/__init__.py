"""A workspace: one organisation's folder of settings, curricula, templates and cohorts."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ipskit.core import store
from ipskit.core.errors import IpskitError, NotFoundError, argument
from ipskit.core.locales import SETTINGS_FILE as SETTINGS_FILE

if TYPE_CHECKING:
    from ipskit.workspace.settings import Settings

FOLDERS = ("cohorts", "curricula", "templates")


@dataclass(frozen=True)
class Workspace:
    """A workspace folder. Settings are read when first needed."""

    root: Path

    @property
    def settings_path(self) -> Path:
        """The workspace's ``ipskit.yaml``."""
        return self.root / SETTINGS_FILE

    @property
    def curricula_dir(self) -> Path:
        """The workspace's own curricula."""
        return self.root / "curricula"

    @property
    def templates_dir(self) -> Path:
        """Templates that replace the built-in ones of the same name."""
        return self.root / "templates"

    @property
    def cohorts_dir(self) -> Path:
        """One folder per cohort."""
        return self.root / "cohorts"

    @cached_property
    def settings(self) -> Settings:
        """The validated settings; a broken ``ipskit.yaml`` is reported with its line."""
        from ipskit.core import yaml_errors, yamlio
        from ipskit.workspace.settings import Settings

        return yaml_errors.validate(yamlio.load(self.settings_path), Settings)


def find_workspace(explicit: Path | None = None, start: Path | None = None) -> Workspace | None:
    """The workspace named, or the nearest folder upwards holding ``ipskit.yaml``."""
    if explicit is not None:
        if not (explicit / SETTINGS_FILE).is_file():
            raise NotFoundError(
                f"{explicit}: not an ipskit workspace (no {SETTINGS_FILE});"
                " create one with 'ipskit init'"
            )
        return Workspace(explicit.resolve())
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / SETTINGS_FILE).is_file():
            return Workspace(candidate)
    return None


def require_workspace(explicit: Path | None = None) -> Workspace:
    """Like :func:`find_workspace`, but a missing workspace is an error."""
    workspace = find_workspace(explicit)
    if workspace is None:
        raise NotFoundError(
            "no ipskit workspace here: run 'ipskit init --org NAME' first,"
            f" or name one with {argument('explicit', 'the explicit argument')}"
        )
    return workspace


def init_workspace(folder: Path, organisation: str) -> Workspace:
    """Create a workspace; refuse to touch a folder that already has one."""
    organisation = organisation.strip()
    if not organisation:
        example = argument("organisation='Riverside Peer Network'")
        raise IpskitError(f"{argument('organisation')} must name the organisation, e.g. {example}")
    if any(ch in organisation for ch in "\r\n\t") or len(organisation) > 200:
        raise IpskitError(f"{argument('organisation')} must be one line of at most 200 characters")
    if folder.exists() and not folder.is_dir():
        raise IpskitError(f"{folder}: exists and is not a folder")
    settings = folder / SETTINGS_FILE
    if settings.exists():
        raise IpskitError(f"{settings}: a workspace already exists here; nothing was changed")
    from ipskit.workspace import git_settings

    store.make_private_dir(folder)
    for name in FOLDERS:
        store.make_private_dir(folder / name)
    store.write_atomic(settings, settings_text(organisation))
    write_gitignore(folder)
    # A repository git cannot write settings in is for check --fix or sync to report: the
    # workspace itself is made.
    with contextlib.suppress(IpskitError):
        git_settings.write_git_settings(folder)
    return Workspace(folder.resolve())


GITIGNORE_FILE = ".gitignore"
#: What a workspace shared through git keeps out of it. Documents are made again from the
#: records (and print names in every one); caches and publishing keys are made again from
#: the files beside them; a lock works on one computer only, and means nothing on
#: another; the rest are what a stopped write or an open spreadsheet leaves behind.
GITIGNORE = """\
# Written by ipskit init: what git leaves out when trainers share this workspace.
# Documents, made again from the records with ipskit build and the like:
out/
# Caches and keys ipskit makes again from the files beside them:
.cohort-cache.json
.overview-cache.json
.publish-keys.json
# Locks, which hold on one computer only:
.ipskit.lock
.build.lock
# Leftovers of a write stopped part way, and of a spreadsheet with a file open:
.ipskit-tmp-*
.ipskit-commit*
.~lock.*#
~$*
"""


def write_gitignore(folder: Path) -> list[str]:
    """Write the workspace's ``.gitignore``, adding to one already there what it lacks.

    Returns the patterns added.
    """
    path = folder / GITIGNORE_FILE
    try:
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []  # someone else's file, in a form ipskit will not rewrite
    patterns = [p for p in GITIGNORE.splitlines() if not p.startswith("#")]
    if not old.strip():
        store.write_atomic(path, GITIGNORE)
        return patterns
    have = {line.strip() for line in old.splitlines()}
    missing = [p for p in patterns if p not in have]
    if missing:
        added = "".join(f"{pattern}\n" for pattern in missing)
        store.write_atomic(path, f"{old.rstrip()}\n\n# Added by ipskit init:\n{added}")
    return missing


def write_git_settings(folder: Path) -> list[str]:
    """Everything git needs to share the workspace in ``folder``; what was added, in words.

    What ``.gitignore`` lacks, ``.gitattributes`` (how git merges a cohort's records), and,
    where the folder is under git, the repository's settings for that merge (see
    :mod:`ipskit.workspace.git_settings`).
    """
    from ipskit.workspace import git_settings

    patterns = write_gitignore(folder)
    added = [f"{GITIGNORE_FILE}: {', '.join(patterns)}"] if patterns else []
    return added + git_settings.write_git_settings(folder)


def settings_text(organisation: str) -> str:
    """A commented ``ipskit.yaml`` for a new workspace."""
    # A JSON string is a valid YAML double-quoted scalar: any name is stored as text.
    name = json.dumps(organisation, ensure_ascii=False)
    return f"""\
# ipskit workspace settings. Edit freely; `ipskit curricula list` checks this file.
organisation:
  name: {name}
  # logo: logo.png            # an image in this folder, printed on documents
  # contact: "hello@example.org · 0100 000 0000"
  # colour: "#2f5d62"         # headings, as #RRGGBB: 4.5:1 or more against white
signatories: []
# signatories:                # who signs certificates
#   - name: Alex Morgan
#     role: Lead trainer
#     signature: signatures/alex.png
locale: en-GB                 # language and region for dates
timezone: Europe/London       # where sessions take place, for calendars
# support: "Samaritans, free, any time: 116 123. Our peer line: ..."   # printed on handouts
# verification_url: https://example.org/verify   # where certificate QR codes point
"""
