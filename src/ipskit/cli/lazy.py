"""Command groups that build a command only when it is asked for.

Typer builds a command's options by reading its function's signature, which costs a
few milliseconds per command; ``ipskit attend`` should not pay that for every other
command, nor ``ipskit roster COHORT list`` for ``roster add``. Each group names its
commands in ``table``: the module that defines each, and the function there (or, for a
command with subcommands of its own, the Typer app).
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any, ClassVar

import typer
import typer.main
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Typer passes its groups the contexts of the Click it carries, not typer.Context.
    from typer._click import Command, Context, HelpFormatter


#: What an option's value is, in the words its help shows, where the option names none.
WORDS_BY_NAME = {
    "present": "WHO", "late": "WHO", "absent": "WHO", "excused": "WHO", "made_up": "WHO",
    "participant": "WHO", "min_minutes": "MINUTES", "late_after": "MINUTES",
}  # fmt: skip
WORDS_BY_TYPE = {"int": "COUNT", "float": "NUMBER", "text": "TEXT", "datetime": "DATE"}


def plain_words(command: Command) -> None:
    """Help in words: ``--blank-rows COUNT ... 0 to 40`` rather than ``<int range>``, ``0<=x<=40``.

    Options that name their value (``metavar``) keep their own word.
    """
    for param in command.params:
        kind: Any = param.type
        if getattr(param, "is_flag", True) is False and param.metavar is None:
            param.metavar = WORDS_BY_NAME.get(param.name or "") or _word(kind)
        if hasattr(kind, "min") and hasattr(kind, "max"):
            kind._describe_range = lambda kind=kind: _range_words(kind)


def _word(kind: Any) -> str:
    if hasattr(kind, "choices"):
        return "|".join(map(str, kind.choices))
    if hasattr(kind, "dir_okay"):
        if kind.dir_okay and not kind.file_okay:
            return "FOLDER"
        return "FILE" if kind.file_okay and not kind.dir_okay else "PATH"
    return WORDS_BY_TYPE.get(str(kind.name).split()[0].lower(), "TEXT")


def _range_words(kind: Any) -> str:
    """0 to 40; at least 0; at most 100."""
    if kind.min is not None and kind.max is not None:
        return f"{kind.min} to {kind.max}"
    return f"at least {kind.min}" if kind.min is not None else f"at most {kind.max}"


class LazyGroup(TyperGroup):
    """A group whose commands are built on first use."""

    table: ClassVar[dict[str, tuple[str, str]]] = {}
    #: Words people reach for that name one of the commands (or a command line) otherwise.
    synonyms: ClassVar[dict[str, str]] = {}

    def get_params(self, ctx: Context) -> list[Any]:
        """The group's own options, their help in words (see :func:`plain_words`)."""
        plain_words(self)
        return list(super().get_params(ctx))

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """Find the command; one mistyped gets a guess from every command, built or not."""
        from typer._click.exceptions import UsageError

        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            guess = self.likely(args[0]) if args else None
            if guess is not None and error.message.startswith("No such command"):
                error.message = f"No such command '{args[0]}'. Did you mean '{guess}'?"
            raise

    def likely(self, word: str) -> str | None:
        """The command someone who typed ``word`` most likely meant, if one is close enough."""
        from difflib import get_close_matches

        folded = word.casefold()
        if folded in self.table:
            return folded
        if folded in self.synonyms:
            return self.synonyms[folded]
        close = get_close_matches(folded, list(self.table), n=1, cutoff=0.6)
        return close[0] if close else None

    def _target(self, name: str) -> Any:
        module, attribute = self.table[name]
        return getattr(importlib.import_module(module), attribute)

    def list_commands(self, ctx: Context) -> list[str]:
        """Every command's name, without building any of them."""
        return list(self.table)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """Build a command from its function the first time it is asked for."""
        if cmd_name not in self.commands and cmd_name in self.table:
            target = self._target(cmd_name)
            if not isinstance(target, typer.Typer):
                single = typer.Typer(rich_markup_mode=None, add_completion=False)
                single.command(cmd_name)(target)
                target = single
            command = typer.main.get_command(target)
            command.name = cmd_name
            for each in [command, *getattr(command, "commands", {}).values()]:
                plain_words(each)
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """List the commands with their one-line help, without building them."""
        rows = []
        for name in self.table:
            target = self._target(name)
            text = target.info.help if isinstance(target, typer.Typer) else inspect.getdoc(target)
            rows.append((name, (text or "").split("\n\n")[0].strip()))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
