"""The ``ipskit`` command line: a thin layer over the library.

Each command lives in a module of this package and imports the library inside its
function, so that ``ipskit --help`` never loads pydantic, Jinja or the PDF engine.
Commands are also loaded lazily: building a command's options from its signature costs
milliseconds, and ``ipskit attend`` should not pay that for twenty other commands. Errors
raised by the library are turned into red lines on stderr in exactly one place,
:meth:`IpskitGroup.invoke`.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer

from ipskit import __version__
from ipskit.cli.lazy import LazyGroup
from ipskit.errors import IpskitError

# Every command, in the order --help lists them: its name, the module that defines it,
# and the function (or, for a command with subcommands, the Typer app) there.
COMMANDS = {
    "init": ("ipskit.cli.workspace", "init"),
    "curricula": ("ipskit.cli.curricula", "app"),
    "new-cohort": ("ipskit.cli.cohorts", "new_cohort"),
    "cohorts": ("ipskit.cli.cohorts", "cohorts"),
    "status": ("ipskit.cli.cohorts", "status"),
    "roster": ("ipskit.cli.roster", "app"),
    "attend": ("ipskit.cli.attendance", "attend"),
    "attendance": ("ipskit.cli.attendance", "attendance"),
    "assessment": ("ipskit.cli.attendance", "assessment"),
    "forget": ("ipskit.cli.forget", "forget"),
    "calendar": ("ipskit.cli.calendar", "calendar"),
    "register": ("ipskit.cli.register", "register"),
    "build-workbook": ("ipskit.cli.workbook", "build_workbook"),
    "session-plans": ("ipskit.cli.plans", "session_plans"),
    "certificates": ("ipskit.cli.certificates", "certificates"),
    "verify": ("ipskit.cli.certificates", "verify"),
    "agreements": ("ipskit.cli.agreements", "agreements"),
    "followup": ("ipskit.cli.followup", "app"),
    "ratings": ("ipskit.cli.ratings", "app"),
    "cascade": ("ipskit.cli.cascade", "app"),
    "report": ("ipskit.cli.report", "report"),
    "send": ("ipskit.cli.send", "app"),
    "demo": ("ipskit.cli.demo", "demo"),
}


INTERNAL_ERROR_EXIT = 70
STOPPED_EXIT = 130


class IpskitGroup(LazyGroup):
    """Runs every command, turning errors into one-line messages and exit codes."""

    table = COMMANDS

    def invoke(self, ctx: typer.Context) -> Any:
        """Run the command; report library errors, Ctrl-C and bugs without a traceback."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except IpskitError as error:
            for line in error.lines:
                typer.secho(line, fg="red", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            typer.secho("stopped: nothing was half-written", fg="red", err=True)
            ctx.exit(STOPPED_EXIT)
        except Exception as error:
            if os.environ.get("IPSKIT_DEBUG"):
                raise
            # The message may quote personal data, so show only where the fault lies.
            frame = traceback.extract_tb(error.__traceback__)[-1]
            place = f"{Path(frame.filename).name}:{frame.lineno}"
            typer.secho(
                f"internal error ({type(error).__name__} at {place}); please report it."
                " Run again with IPSKIT_DEBUG=1 to see the details.",
                fg="red",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR_EXIT)


app = typer.Typer(
    cls=IpskitGroup,
    name="ipskit",
    help="Course materials and safe records for Intentional Peer Support trainers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ipskit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    workspace_dir: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="IPSKIT_WORKSPACE",
            help="The workspace folder (default: the nearest folder upwards with ipskit.yaml).",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Course materials and safe records for Intentional Peer Support trainers."""
    ctx.obj = workspace_dir


def main() -> None:
    """Run the command line (the ``ipskit`` entry point)."""
    app()
