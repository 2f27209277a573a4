"""The ``ipskit`` command line: a thin layer over the library.

Each command lives in a module of this package and imports the library inside its
function, so that ``ipskit --help`` never loads pydantic, Jinja or the PDF engine.
Commands are also loaded lazily: building a command's options from its signature costs
milliseconds, and ``ipskit attend`` should not pay that for twenty other commands. Errors
raised by the library are turned into red lines on stderr in exactly one place,
:meth:`IpskitGroup.invoke`, which also names the options where the library's messages
name the arguments of its functions.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main

from ipskit import __version__
from ipskit.cli.lazy import LazyGroup
from ipskit.core.errors import IpskitError

if TYPE_CHECKING:
    from typer._click import Command, Context

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
    "build": ("ipskit.cli.build", "build"),
    "calendar": ("ipskit.cli.calendar", "calendar"),
    "register": ("ipskit.cli.signin_sheets", "register"),
    "build-workbook": ("ipskit.cli.workbook", "build_workbook"),
    "session-plans": ("ipskit.cli.plans", "session_plans"),
    "handouts": ("ipskit.cli.handouts", "handouts"),
    "certificates": ("ipskit.cli.certificates", "certificates"),
    "verify": ("ipskit.cli.certificates", "verify"),
    "agreements": ("ipskit.cli.agreements", "agreements"),
    "followup": ("ipskit.cli.followup", "app"),
    "ratings": ("ipskit.cli.ratings", "app"),
    "evaluations": ("ipskit.cli.evaluations", "app"),
    "cascade": ("ipskit.cli.cascade", "app"),
    "report": ("ipskit.cli.report", "report"),
    "send": ("ipskit.cli.send", "app"),
    "check": ("ipskit.cli.check", "check"),
    "sync": ("ipskit.cli.sync", "sync"),
    "demo": ("ipskit.cli.demo", "demo"),
}

#: Commands that programs run rather than people (git merging a shared workspace), kept
#: out of --help, completion and "did you mean".
HIDDEN_COMMANDS = {"merge-file": ("ipskit.cli.merge", "merge_file")}


#: Commands that write documents or settings in a workspace (with, for a group, the
#: subcommands that do): each starts by removing what interrupted writes left anywhere in
#: it, such as a killed certificate run's whole PDF. The everyday record commands
#: (attend, assessment, roster) write only in one cohort's folder, which is swept when its
#: lock is taken: walking a workspace of 500 cohorts would add 8 ms to each of them.
SWEEP_FIRST: dict[str, frozenset[str] | None] = {
    "new-cohort": None,
    "build": None,
    "calendar": None,
    "register": None,
    "build-workbook": None,
    "session-plans": None,
    "handouts": None,
    "certificates": None,
    "agreements": None,
    "send": None,
    "cascade": None,
    "followup": None,
    "ratings": None,
    "curricula": frozenset({"export"}),
}

#: Words people reach for that name a command of another name.
SYNONYMS = {
    "workbook": "build-workbook", "workbooks": "build-workbook",
    "sign-in": "register", "signin": "register", "sign-in-sheets": "register",
    "sign-in-sheet": "register", "registers": "register",
    "plans": "session-plans", "plan": "session-plans", "session-plan": "session-plans",
    "certificate": "certificates", "certs": "certificates", "cohort": "cohorts",
    "new": "new-cohort", "create": "new-cohort", "mark": "attend",
    "handout": "handouts", "agreement": "agreements", "evaluation": "evaluations",
    "rating": "ratings", "follow-up": "followup", "followups": "followup",
    "curriculum": "curricula", "email": "send", "mail": "send", "publish": "certificates publish",
    "pack": "build", "make": "build", "rebuild": "build",
    "revoke": "certificates revoke", "workbook-copies": "build-workbook --per-participant",
    "large-print": "certificates large-print",
}  # fmt: skip


INTERNAL_ERROR_EXIT = 70
STOPPED_EXIT = 130
#: What a shell reports for a command whose reader went away (128 + SIGPIPE), as it does
#: for `cat` or `grep` at the head of `| head -1`.
CLOSED_PIPE_EXIT = 141


class IpskitGroup(LazyGroup):
    """Runs every command, turning errors into one-line messages and exit codes."""

    table = COMMANDS
    synonyms = SYNONYMS

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """Build a command the first time it is asked for, a hidden one too."""
        if cmd_name in HIDDEN_COMMANDS and cmd_name not in self.commands:
            module, attribute = HIDDEN_COMMANDS[cmd_name]
            single = typer.Typer(rich_markup_mode=None, add_completion=False)
            single.command(cmd_name, hidden=True)(getattr(import_module(module), attribute))
            self.commands[cmd_name] = typer.main.get_command(single)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Refuse words the terminal did not send as UTF-8 before anything reads them."""
        for position, word in enumerate(args):
            if _undecodable(word, paths_too=False):
                after = args[position - 1] if position else ""
                typer.secho(_not_utf8(word, position + 1, after), fg="red", err=True)
                ctx.exit(1)
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """Find the command; before a writing command runs, sweep the workspace."""
        name, command, rest = super().resolve_command(ctx, args)
        asks_help = {"--help", "-h"} & set(rest)
        if name in SWEEP_FIRST and not asks_help and not ctx.resilient_parsing:
            only = SWEEP_FIRST[name]
            if only is None or (rest and rest[0] in only):
                given = ctx.params.get("workspace_dir")  # as typed: Typer converts it later
                _sweep(Path(given) if given else None)
        return name, command, rest

    def invoke(self, ctx: Context) -> Any:
        """Run the command; report library errors, Ctrl-C and bugs without a traceback."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except IpskitError as error:
            for line in error.lines_naming(option_for):
                typer.secho(line, fg="red", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            typer.secho("stopped: nothing was half-written", fg="red", err=True)
            ctx.exit(STOPPED_EXIT)
        except BrokenPipeError:
            ctx.exit(closed_pipe())
        except OSError as error:
            # The machine refused (a full disk, a folder one may not write in): its doing,
            # not a bug, so one line naming the file where there is one.
            from ipskit.core.store import reason

            where = f"{error.filename}: " if error.filename else "stopped: "
            typer.secho(f"{where}{reason(error)}", fg="red", err=True)
            ctx.exit(1)
        except Exception as error:
            if os.environ.get("IPSKIT_DEBUG"):
                raise
            if isinstance(error, UnicodeEncodeError) and _undecodable(str(error.object)):
                # A word let through as a path (it has a slash) was text to write after all.
                typer.secho(_not_utf8(str(error.object)), fg="red", err=True)
                ctx.exit(1)
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
    add_completion=True,  # --install-completion and --show-completion, here only
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


#: The library's arguments whose option is not named after them.
OPTION_NAMES = {
    "curriculum_id": "--curriculum",
    "explicit": "--workspace or IPSKIT_WORKSPACE",
    "organisation": "--org",
    "trainers": "--trainer",
    "when": "--date",
    "who": "--participant",
}


def option_for(spelling: str) -> str:
    """The option that sets a library argument, from its Python spelling.

    ``force=True`` is ``--force``, ``late_after`` is ``--late-after``, and ``blank=N`` is
    ``--blank N``.
    """
    name, _, value = spelling.partition("=")
    option = OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
    return option if value in ("", "True") else f"{option} {value}"


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


def _sweep(explicit: Path | None) -> None:
    from ipskit.core.store import sweep_leftovers
    from ipskit.workspace import find_workspace

    # Tidying is never a reason to fail: a workspace on a read-only disk, or none at all,
    # is for the command itself to report.
    with contextlib.suppress(IpskitError, OSError):
        workspace = find_workspace(explicit)
        if workspace is not None:
            sweep_leftovers(workspace.root)


def _undecodable(word: str, *, paths_too: bool = True) -> bool:
    # Python keeps bytes that are not UTF-8 as lone surrogates (U+DC80 to U+DCFF); they
    # cannot be written to any file. A word with a slash is a path, and a path may hold
    # such bytes on an old disk: it is used as a name of a file, never written out.
    is_path = not paths_too and ("/" in word or os.sep in word)
    return not is_path and any("\udc80" <= ch <= "\udcff" for ch in word)


def _not_utf8(word: str, number: int | None = None, before: str = "") -> str:
    byte = next(ord(ch) - 0xDC00 for ch in word if "\udc80" <= ch <= "\udcff")
    what = f" (the value of {before})" if before.startswith("-") and "=" not in before else ""
    if word.startswith("--") and "=" in word:
        what = f" (the value of {word.split('=', 1)[0]})"
    which = f"word {number} of the command" if number else "a word of the command"
    return (
        f"{which}{what} is not UTF-8 text (it has the byte 0x{byte:02X}): set the terminal"
        " to UTF-8 and type it again"
    )


def closed_pipe() -> int:
    """End quietly when whoever reads the output has gone (``ipskit ... | head -1``).

    What is still buffered would fail again as Python exits, with a message; sending it
    to the null device instead is what Python's documentation recommends.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return CLOSED_PIPE_EXIT


def main() -> None:
    """Run the command line (the ``ipskit`` entry point)."""
    from ipskit.core.collector import fewer_collections

    fewer_collections()
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    try:  # output still buffered may meet a closed pipe only now
        sys.stdout.flush()
    except BrokenPipeError:
        code = closed_pipe()
    sys.exit(code)
