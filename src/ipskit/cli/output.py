"""Shared bits of presentation: JSON on stdout, hours, the workspace in use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ipskit.cli.options import Format

if TYPE_CHECKING:
    from rich.console import Console

    from ipskit.courses.meetings import Meeting
    from ipskit.workspace import Workspace


def wants_json(fmt: Format, as_json: bool) -> bool:
    """Whether the user asked for JSON either way."""
    return as_json or fmt is Format.json


def print_json(data: Any) -> None:
    """Print JSON alone on stdout: nothing else goes there, for scripts to parse."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def json_text(data: Any) -> str:
    """JSON as :func:`print_json` prints it, for a file."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def console() -> Console:
    """A Rich console on stdout (imported late: Rich's console is not needed for --help)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def hours(minutes: int) -> str:
    """Minutes as hours for people: 1350 → '22.5', 360 → '6', 105 → '1.75'."""
    value = round(minutes / 60, 2)
    return f"{value:g}"


def plural(count: int, word: str) -> str:
    """'1 session', '2 sessions'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def workspace_option(ctx: typer.Context) -> Path | None:
    """The folder given with --workspace or IPSKIT_WORKSPACE, if any."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Path) else None


def current_workspace(ctx: typer.Context) -> Workspace | None:
    """The workspace in use, if there is one."""
    from ipskit.workspace import find_workspace

    return find_workspace(workspace_option(ctx))


def meeting_json(m: Meeting) -> dict[str, Any]:
    """A dated session as JSON, the same in every command that prints one."""
    return {
        "number": m.number,
        "id": m.id,
        "title": m.title,
        "date": m.date.isoformat(),
        "start": f"{m.start:%H:%M}",
        "end": f"{m.end:%H:%M}",
        "contact_minutes": m.contact_minutes,
        "after_the_course": m.follow_on,
    }
