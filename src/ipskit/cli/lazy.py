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


class LazyGroup(TyperGroup):
    """A group whose commands are built on first use."""

    table: ClassVar[dict[str, tuple[str, str]]] = {}

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
