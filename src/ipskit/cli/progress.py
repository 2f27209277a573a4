"""A progress display on stderr while a command works for seconds; nothing off a terminal.

Only when stderr is a terminal is Rich's progress display loaded and shown: piped or
redirected, a command prints exactly what it always printed. Rich decides the rest as it
does everywhere: no colour with ``NO_COLOR``, no display at all on a ``TERM=dumb``
terminal, which cannot redraw a line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipskit.core.progress import Step


@contextmanager
def progress(what: str) -> Iterator[Step | None]:
    """A :class:`~ipskit.core.progress.Step` drawing on stderr, or None off a terminal.

    The display shows ``what`` (then whatever the step is told), a bar with done/total
    where there is a total (a moving bar where there is none) and the time so far. It
    goes when the block ends, however it ends (an error or Ctrl-C included), so that the
    command's own last lines, or its error, are printed on a clean terminal.
    """
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_interactive:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(
        SpinnerColumn(),
        # Descriptions hold cohort and course names: text, never Rich markup.
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.fields[count]}", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,  # a command's output stays on stdout, wherever that goes
    )
    task_id = display.add_task(what, total=None, count="")
    task = display.tasks[0]

    def step(what: str, done: int = 0, total: int | None = None) -> None:
        display.update(task_id, description=what, completed=done,
                       count=f"{done}/{total}" if total else "")  # fmt: skip
        # update() takes a total of None as "unchanged": set it here, so that a step
        # with nothing to count shows a moving bar rather than the last step's count.
        task.total = total

    with display:
        yield step
