"""The one kind of error ipskit raises for a trainer to read and act on."""

from __future__ import annotations

from collections.abc import Iterable


class IpskitError(Exception):
    """A problem a trainer can fix: the message says what is wrong and where.

    The command line prints every line of ``lines`` in red and exits non-zero; it never
    shows a traceback for one of these. Messages never carry personal data beyond what
    the user typed.
    """

    exit_code = 1

    def __init__(self, message: str, *, more: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.more = tuple(more)

    @property
    def lines(self) -> tuple[str, ...]:
        """The message and any further problems, one line each."""
        return (str(self), *self.more)


class FileProblemsError(IpskitError):
    """One or more problems in a file, each as ``FILE:LINE:COL: what is wrong``."""

    def __init__(self, problems: Iterable[str]) -> None:
        first, *rest = list(problems)
        super().__init__(first, more=rest)


class NotFoundError(IpskitError):
    """A curriculum, workspace or file that the user named does not exist."""
