"""The curricula a trainer can use: built into ipskit, or kept in their workspace.

A workspace curriculum with the same id as a built-in one replaces it: that is how a
trainer adapts a course (``ipskit curricula export``, then edit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ipskit.core import store
from ipskit.core.errors import FileProblemsError, IpskitError, NotFoundError, argument
from ipskit.core.resources import builtin_curricula_dir
from ipskit.courses import curriculum as model
from ipskit.courses import schema
from ipskit.courses.curriculum import Curriculum
from ipskit.workspace import Workspace

Source = Literal["built-in", "workspace"]
SCHEMA_FILE = "curriculum.schema.json"


@dataclass(frozen=True)
class Entry:
    """A curriculum and where it came from."""

    curriculum: Curriculum
    path: Path
    source: Source
    replaces_builtin: bool = False

    @property
    def id(self) -> str:
        """The curriculum's id."""
        return self.curriculum.id


@dataclass(frozen=True)
class Catalogue:
    """Every usable curriculum, and the problems of files that could not be read."""

    entries: tuple[Entry, ...]
    problems: tuple[str, ...]

    def get(self, curriculum_id: str) -> Entry:
        """The curriculum with this id, or an error listing the ones there are."""
        for entry in self.entries:
            if entry.id == curriculum_id:
                return entry
        if self.problems:
            raise FileProblemsError(
                [
                    f"no usable curriculum '{curriculum_id}'; these files have problems:",
                    *self.problems,
                ]
            )
        known = ", ".join(entry.id for entry in self.entries)
        raise NotFoundError(f"no curriculum '{curriculum_id}'; there are: {known}")


def load_curriculum(path: Path) -> Curriculum:
    """Read and validate one curriculum file, raising with every problem found."""
    return model.load(path)


def validate_curriculum_file(path: Path) -> list[str]:
    """Every problem in a curriculum file, as ``FILE:LINE:COL: ...`` lines (empty: valid)."""
    try:
        model.load(path)
    except IpskitError as error:
        return list(error.lines)
    return []


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def catalogue(workspace: Workspace | None = None) -> Catalogue:
    """The built-in curricula, replaced or joined by the workspace's own."""
    builtins = {}
    for path in _yaml_files(builtin_curricula_dir()):
        found = model.load(path)  # a broken built-in is a bug in ipskit: let it show
        builtins[found.id] = Entry(found, path, "built-in")
    own: dict[str, Entry] = {}
    problems: list[str] = []
    if workspace is not None:
        for path in _yaml_files(workspace.curricula_dir):
            try:
                found = model.load(path)
            except IpskitError as error:
                problems.extend(error.lines)
                continue
            if found.id in own:
                problems.append(
                    f"{path}:1:1: id '{found.id}' is also used by {own[found.id].path.name}"
                )
                continue
            own[found.id] = Entry(found, path, "workspace", replaces_builtin=found.id in builtins)
    merged = {**builtins, **own}
    entries = sorted(merged.values(), key=lambda e: (e.source != "built-in", e.id))
    return Catalogue(tuple(entries), tuple(problems))


def list_curricula(workspace: Workspace | None = None) -> list[Entry]:
    """Every usable curriculum (problems in workspace files are ignored here)."""
    return list(catalogue(workspace).entries)


def get_curriculum(curriculum_id: str, workspace: Workspace | None = None) -> Curriculum:
    """The curriculum with this id, from the workspace or built in."""
    return catalogue(workspace).get(curriculum_id).curriculum


def export_curriculum(
    curriculum_id: str,
    workspace: Workspace | None,
    dest: Path | None = None,
    *,
    force: bool = False,
) -> Path:
    """Copy a built-in curriculum, comments and all, to adapt it; return the new file.

    The copy starts with a line that points YAML editors at the JSON Schema, which is
    written beside it.
    """
    source = next(
        (p for p in _yaml_files(builtin_curricula_dir()) if p.stem == curriculum_id), None
    )
    if source is None:
        known = ", ".join(p.stem for p in _yaml_files(builtin_curricula_dir()))
        raise NotFoundError(f"no built-in curriculum '{curriculum_id}'; there are: {known}")
    if dest is None:
        if workspace is None:
            raise NotFoundError(
                "no ipskit workspace here: name a destination file, or run 'ipskit init' first"
            )
        dest = workspace.curricula_dir / source.name
    elif dest.is_dir():
        dest = dest / source.name
    if dest.suffix not in (".yaml", ".yml"):
        raise IpskitError(f"{dest}: a curriculum file must end in .yaml")
    if dest.exists() and not force:
        raise IpskitError(f"{dest}: already exists; use {argument('force=True')} to replace it")
    if not dest.parent.is_dir():
        raise NotFoundError(f"{dest.parent}: no such folder")
    header = f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n"
    store.write_atomic(dest.parent / SCHEMA_FILE, schema.curriculum_schema_text())
    store.write_atomic(dest, header + source.read_text(encoding="utf-8"))
    return dest
