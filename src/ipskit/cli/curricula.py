"""``ipskit curricula``: list, show, validate, export, and the schema for editors."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.lazy import LazyGroup
from ipskit.cli.options import Format, FormatOption, JsonOption
from ipskit.cli.output import console, current_workspace, hours, plural, print_json, wants_json

if TYPE_CHECKING:
    from ipskit.courses.catalogue import Entry
    from ipskit.courses.curriculum import Curriculum, SessionBase


class CurriculaGroup(LazyGroup):
    """``curricula ...``: its subcommands, built on first use."""

    table = {
        name: ("ipskit.cli.curricula", attribute)
        for name, attribute in (("list", "list_"), ("show", "show"), ("validate", "validate"),
                                ("schema", "schema"), ("export", "export"))
    }  # fmt: skip


app = typer.Typer(
    add_completion=False,
    cls=CurriculaGroup,
    help="List, show, check and adapt curricula.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.callback()
def _curricula() -> None:
    """List, show, check and adapt curricula."""


SPACING = {"weekly": "weekly", "daily": "on consecutive days", "offsets": "on set days"}


def list_(
    ctx: typer.Context, fmt: FormatOption = Format.table, as_json: JsonOption = False
) -> None:
    """List the curricula you can run.

    Built-in curricula and your workspace's own, with their number of sessions,
    contact hours and where each comes from.
    """
    from ipskit.core.errors import FileProblemsError
    from ipskit.courses.catalogue import catalogue

    found = catalogue(current_workspace(ctx))
    if wants_json(fmt, as_json):
        print_json([_summary(entry) for entry in found.entries])
    else:
        from rich.table import Table

        table = Table("ID", "Title", "Sessions", "Contact hours", "Source", box=None)
        for entry in found.entries:
            source = entry.source + (" (replaces built-in)" if entry.replaces_builtin else "")
            table.add_row(
                entry.id,
                entry.curriculum.title,
                str(len(entry.curriculum.sessions)),
                hours(entry.curriculum.contact_minutes),
                source,
            )
        console().print(table)
    if found.problems:
        raise FileProblemsError(found.problems)


def show(
    ctx: typer.Context,
    curriculum_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. ips-10-week")],
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
) -> None:
    """Show a curriculum's sessions and timings."""
    from ipskit.courses.catalogue import catalogue

    workspace = current_workspace(ctx)
    entry = catalogue(workspace).get(curriculum_id)
    if wants_json(fmt, as_json):
        print_json(_detail(entry))
    else:
        from ipskit.core.locales import DEFAULT, locale_near

        locale = locale_near(workspace.root) if workspace else DEFAULT
        for line in _outline(entry.curriculum, locale):
            typer.echo(line)


def validate(
    files: Annotated[list[Path], typer.Argument(help="Curriculum files to check.")],
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
) -> None:
    """Check curriculum files for mistakes.

    Every problem is printed as FILE:LINE:COLUMN: what is wrong.
    """
    from ipskit.core.errors import FileProblemsError
    from ipskit.courses.catalogue import validate_curriculum_file
    from ipskit.courses.curriculum import load

    results: list[dict[str, Any]] = []
    for path in files:
        problems = validate_curriculum_file(path)
        result: dict[str, Any] = {"file": str(path), "valid": not problems, "problems": problems}
        if not problems:
            found = load(path)
            result |= {
                "id": found.id,
                "sessions": len(found.sessions),
                "contact_hours": found.contact_hours,
            }
        results.append(result)
    if wants_json(fmt, as_json):
        print_json(results)
    else:
        for result in results:
            if result["valid"]:
                typer.echo(
                    f"{result['file']}: valid ({plural(result['sessions'], 'session')},"
                    f" {hours(round(result['contact_hours'] * 60))} contact hours)"
                )
    failed = [line for result in results for line in result["problems"]]
    if failed:
        raise FileProblemsError(
            failed
            if not wants_json(fmt, as_json)
            else [f"{sum(not r['valid'] for r in results)} file(s) not valid"]
        )


def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema, for YAML editors.

    Draft-07, as YAML editors such as VS Code's YAML extension expect.
    """
    from ipskit.core.store import write_output
    from ipskit.courses.schema import curriculum_schema_text

    text = curriculum_schema_text()
    if out is None:
        typer.echo(text, nl=False)
    else:
        # Private like every file ipskit writes, though it holds no data; into a folder
        # that is already there, as a schema goes beside the curricula that name it.
        write_output(out, text, make_folder=False)
        typer.echo(f"Wrote the curriculum schema to {out}")


def export(
    ctx: typer.Context,
    curriculum_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in curriculum.")],
    dest: Annotated[
        Path | None,
        typer.Argument(help="File or folder (default: the workspace's curricula/)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Copy a built-in curriculum to adapt it.

    The copy goes to your workspace's curricula/ folder unless you name another place;
    a workspace curriculum replaces the built-in one of the same id.
    """
    from ipskit.courses.catalogue import export_curriculum

    path = export_curriculum(curriculum_id, current_workspace(ctx), dest, force=force)
    typer.echo(f"Exported {curriculum_id} to {path}")
    typer.echo(f"Edit it, then check it with: ipskit curricula validate {path}")


def _summary(entry: "Entry") -> dict[str, Any]:
    found = entry.curriculum
    return {
        "id": found.id,
        "title": found.title,
        "sessions": len(found.sessions),
        "contact_minutes": found.contact_minutes,
        "contact_hours": found.contact_hours,
        "source": entry.source,
        "replaces_builtin": entry.replaces_builtin,
        "path": str(entry.path),
    }


def _detail(entry: "Entry") -> dict[str, Any]:
    found = entry.curriculum
    data = found.model_dump(mode="json")
    for session, dumped in zip(found.sessions, data["sessions"], strict=True):
        dumped["contact_minutes"] = session.contact_minutes
    if found.follow_on:
        data["follow_on"]["contact_minutes"] = found.follow_on.contact_minutes
    return {**_summary(entry), "curriculum": data}


def _outline(found: "Curriculum", locale: str) -> list[str]:
    import textwrap

    from ipskit.core.dateformat import clock
    from ipskit.courses.curriculum import start_time

    schedule = found.schedule
    begin = start_time(schedule.start_time)
    people = f" · up to {found.max_participants} people" if found.max_participants else ""
    lines = [
        f"{found.title} [{found.id}]",
        f"{plural(len(found.sessions), 'session')}, {SPACING[schedule.pattern]},"
        f" from {clock(begin, locale)} · {hours(found.contact_minutes)} contact hours"
        f" · {plural(found.trainers, 'trainer')}{people}",
        f"Completion: {_rules(found)}",
        "",
        *textwrap.wrap(" ".join(found.summary.split()), width=88),
    ]
    for number, session in enumerate(found.sessions, start=1):
        heading = f"{number}. {session.title} [{session.id}]"
        lines += ["", *_session_lines(heading, session, begin, locale)]
    if found.follow_on:
        follow = found.follow_on
        lines += [
            "",
            f"Afterwards: {follow.count} meetings, every {follow.every},"
            f" the first {follow.first_after_days} days after the last session",
            *_session_lines(
                f"{follow.title} [{follow.id}]",
                follow,
                start_time(follow.start_time) if follow.start_time else begin,
                locale,
            ),
        ]
    return lines


def _session_lines(heading: str, session: "SessionBase", begin: Any, locale: str) -> list[str]:
    from ipskit.core.dateformat import clock_span
    from ipskit.courses.curriculum import timetable

    lines = [
        f"{heading} · {session.length_minutes} min, {hours(session.contact_minutes)} contact hours"
    ]
    rows = [(clock_span(a, b, locale), block) for a, b, block in timetable(session, begin)]
    wide = max((len(when) for when, _ in rows), default=0)
    for when, block in rows:
        lines.append(f"  {when:<{wide}}  {block.minutes:>3} min  {block.kind:<10}  {block.title}")
    return lines


def _rules(found: "Curriculum") -> str:
    rules = found.completion
    parts = []
    if rules.min_attendance_percent is not None:
        parts.append(f"at least {rules.min_attendance_percent}% attendance")
    if rules.min_sessions_attended is not None:
        total = plural(len(found.sessions), "session")
        parts.append(f"at least {rules.min_sessions_attended} of {total}")
    if rules.compulsory_sessions:
        parts.append("compulsory: " + ", ".join(rules.compulsory_sessions))
    if rules.max_missed_hours is not None:
        parts.append(f"no more than {rules.max_missed_hours:g} hours missed")
    if rules.assessment:
        parts.append(f"assessment: {rules.assessment.title} ({rules.assessment.session})")
    return "; ".join(parts) or "attendance only, no minimum"
