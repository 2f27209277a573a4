"""The one kind of error ipskit raises for a trainer to read and act on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

#: Brackets a mention of an argument inside a message; see :func:`argument`.
_MARK = "\x1f"
_MENTION = re.compile(f"{_MARK}([^{_MARK}]*){_MARK}([^{_MARK}]*){_MARK}")


def argument(spelling: str, text: str | None = None) -> str:
    """Mention an argument of the function that raises, inside its message.

    ``spelling`` is how a Python caller writes it: ``late_after``, ``force=True`` or
    ``blank=N``. The message reads ``text`` (by default the spelling itself), while the
    command line puts the option that sets the argument in its place (``--late-after``,
    ``--force``, ``--blank N``): each caller is told what to change in its own terms.
    """
    return f"{_MARK}{spelling}{_MARK}{text or spelling}{_MARK}"


class IpskitError(Exception):
    """A problem a trainer can fix: the message says what is wrong and where.

    The command line prints every line of ``lines`` in red (naming its own options where
    a message names an :func:`argument`) and exits non-zero; it never shows a traceback
    for one of these. Messages never carry personal data beyond what
    the user typed.
    """

    exit_code = 1

    def __init__(self, message: str, *, more: Iterable[str] = ()) -> None:
        self.template = (message, *more)
        first, *rest = (_MENTION.sub(r"\2", line) for line in self.template)
        super().__init__(first)
        self.more = tuple(rest)

    def __reduce__(self) -> tuple[object, ...]:
        # Whole, whatever a subclass's constructor takes: an error raised in a worker
        # process reaches the command line with every line of its message.
        return (_rebuilt, (type(self), self.template, dict(self.__dict__)))

    @property
    def lines(self) -> tuple[str, ...]:
        """The message and any further problems, one line each."""
        return (str(self), *self.more)

    def lines_naming(self, option: Callable[[str], str]) -> tuple[str, ...]:
        """The lines, with each :func:`argument` mentioned as ``option`` names its spelling."""
        return tuple(_MENTION.sub(lambda m: option(m[1]), line) for line in self.template)


def _rebuilt(kind: type[IpskitError], template: tuple[str, ...],
             state: dict[str, object]) -> IpskitError:  # fmt: skip
    """An error as it was pickled: its lines, its attributes, its class."""
    error = kind.__new__(kind)
    IpskitError.__init__(error, template[0], more=template[1:])
    error.__dict__.update(state)
    return error


class FileProblemsError(IpskitError):
    """One or more problems in a file, each as ``FILE:LINE:COL: what is wrong``."""

    def __init__(self, problems: Iterable[str]) -> None:
        first, *rest = list(problems)
        super().__init__(first, more=rest)


class NotFoundError(IpskitError):
    """A curriculum, workspace or file that the user named does not exist."""
